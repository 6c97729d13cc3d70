"""Hostile model metadata, sizes and threads: each is refused with one clear line or
served safely, never a crash (regression tests of the realtime-path issue)."""

import threading
import time
from typing import List

import numpy as np
import pytest

import timbre_rt
from timbre_rt import Engine, ModelError
from fixture_models import save, save_slow
from hostile_models import HOSTILE, Declared


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        name: (save(module, folder / f"m{i}.ts"), words) for i, (name, (module, words)) in enumerate(HOSTILE.items())
    }


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_metadata_is_refused_naming_file_and_field(hostile, case):
    path, words = hostile[case]
    for attempt in (lambda: Engine(path), lambda: timbre_rt.read_model_info(path)):
        with pytest.raises(ModelError) as error:
            attempt()
        assert path in str(error.value) and words in str(error.value)


def test_rave_rate_attribute_sr_is_read(tmp_path):
    path = save(Declared(rate=48000, rate_name="sr"), tmp_path / "sr.ts")
    info = timbre_rt.read_model_info(path)
    assert info["sampling_rate"] == 48000 and info["sampling_rate_declared"]
    assert Engine(path, buffer=64).sampling_rate == 48000


@pytest.mark.parametrize(
    "field, value",
    [
        ("buffer", 1 << 30),
        ("buffer", 0),
        ("headroom", 1 << 30),
        ("headroom", -1),
        ("threads", 100000),
        ("host_rate", 1),
        ("host_rate", 2000000000),
    ],
)
def test_huge_or_negative_sizes_are_refused_and_change_nothing(toy_path, field, value):
    with pytest.raises(ValueError, match=f"{field} must be in"):
        Engine(toy_path, **{field: value})
    engine = Engine(toy_path, buffer=256, sync=True)
    before = (engine.buffer, engine.headroom, engine.latency)
    with pytest.raises(ValueError, match=f"{field} must be in"):
        setattr(engine, field, value)
    assert (engine.buffer, engine.headroom, engine.latency) == before
    assert engine.process(np.zeros(256, dtype=np.float32)).shape == (1, 256)


def test_headroom_of_thousands_of_buffers_is_refused(toy_path):
    with pytest.raises(ValueError, match="raise the buffer instead"):
        Engine(toy_path, buffer=16, headroom=200000)


def test_two_threads_calling_process_never_crash_and_one_is_told(toy_path):
    engine = Engine(toy_path, buffer=64)  # realtime mode: process() never waits
    refused: List[str] = []
    served = [0, 0]

    def call(index):
        block = np.zeros(64, dtype=np.float32)
        for _ in range(3000):
            try:
                out = engine.process(block)
                assert out.shape == (1, 64) and np.isfinite(out).all()
                served[index] += 1
            except RuntimeError as error:
                refused.append(str(error))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(served) + len(refused) == 6000 and sum(served) > 0
    assert engine.stats()["concurrent_calls"] == len(refused)
    assert all("two threads at once" in message for message in refused)


def test_process_does_not_wait_for_a_load_on_another_thread(tmp_path, toy_path):
    # A model whose load (warm-up calls included) takes seconds: process() must keep
    # returning while it runs, not wait for it.
    slow, _ = save_slow(tmp_path / "slow.ts", at_least=0.2)
    engine = Engine(toy_path, buffer=64)
    loader = threading.Thread(target=engine.load, args=(slow,))
    loader.start()
    time.sleep(0.05)
    block = np.zeros(64, dtype=np.float32)
    calls = 0
    while loader.is_alive() and calls < 200:
        engine.process(block)
        _ = engine.latency, engine.buffer, engine.info()  # snapshot reads do not wait either
        calls += 1
    still_loading = loader.is_alive()
    loader.join()
    assert still_loading, (
        "the load finished before 200 process() calls: the test proves nothing (ask save_slow for more)"
    )
    assert calls == 200


def test_many_output_channels_resample_without_overrun(tmp_path):
    # 80 audio outputs: more than any fixed-size channel array in the resampler.
    path = save(Declared(params=(1, 1, 80, 1), rate=24000), tmp_path / "wide.ts")
    engine = Engine(path, buffer=256, host_rate=48000, sync=True)
    t = np.arange(48000) / 48000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = np.concatenate([engine.process(tone[i : i + 512]) for i in range(0, tone.size, 512)], axis=-1)
    assert out.shape == (80, 48000) and np.isfinite(out).all()
    lag = engine.latency
    # Every channel carries the same resampled tone, delayed by the reported latency.
    np.testing.assert_allclose(out[:, lag + 4800 :], np.broadcast_to(out[0, lag + 4800 :], (80, 48000 - lag - 4800)))
    assert np.abs(out[0, lag + 4800 :] - tone[4800 : 48000 - lag]).max() < 0.05


@pytest.mark.parametrize(
    "out",
    [
        np.zeros((1, 64), dtype=np.float64),
        np.zeros((1, 128), dtype=np.float32)[:, ::2],
        np.zeros((2, 64), dtype=np.float32),
        np.zeros((1, 64), dtype=np.float32)[None],
    ],
)
def test_an_out_array_that_cannot_be_filled_in_place_is_refused(toy_path, out):
    # A converted copy would be filled while the caller's array stayed zeros.
    engine = Engine(toy_path, buffer=64, sync=True)
    with pytest.raises(ValueError, match="out must be a writable C-contiguous float32 array of shape \\[1, 64\\]"):
        engine.process(np.ones(64, dtype=np.float32), out=out)


def test_an_out_array_is_filled_in_place(toy_path):
    engine = Engine(toy_path, buffer=64, sync=True)
    out = np.zeros((1, 64), dtype=np.float32)
    impulse = np.zeros(64, dtype=np.float32)
    impulse[0] = 1.0
    for _ in range(4):
        returned = engine.process(impulse, out=out)
    assert returned is out or np.shares_memory(returned, out)
    assert np.abs(out).max() > 0
