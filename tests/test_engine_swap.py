"""Swapping models while another thread streams: no crash, never two models in one buffer."""

import threading
import time

import numpy as np

from timbre_rt import Engine
from fixture_models import Constant, save


def test_swap_while_streaming(tmp_path):
    one = save(Constant(1.0), tmp_path / "one.ts")
    two = save(Constant(2.0), tmp_path / "two.ts")
    engine = Engine(one, buffer=64, sync=True)
    stop = threading.Event()
    outputs = []

    def stream():
        block = np.zeros(16, dtype=np.float32)
        while not stop.is_set():
            outputs.append(engine.process(block)[0].copy())

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        for i in range(40):
            engine.load(two if i % 2 == 0 else one)
            time.sleep(0.01)
            if i % 10 == 9:
                engine.buffer = 128 if engine.buffer == 64 else 64  # a new stream shape too
    finally:
        stop.set()
        streamer.join(timeout=30)
    assert not streamer.is_alive()
    out = np.concatenate(outputs)
    assert set(np.unique(out).tolist()) <= {0.0, 1.0, 2.0}
    assert (out == 1.0).any() and (out == 2.0).any()
    # Each stream starts with its latency of silence, so two models never touch:
    # a change between 1 and 2 without silence in between would be a mix.
    changes = np.flatnonzero(np.diff(out) != 0)
    for at in changes:
        assert 0.0 in (out[at], out[at + 1]), f"model outputs meet without a gap at sample {at}"
    # Every run of one model's output comes from whole buffers, cut only by a swap.
    assert engine.stats()["errors"] == 0
