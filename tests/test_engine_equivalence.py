"""Engine output == the Python whole-signal call, delayed by exactly engine.latency."""

import numpy as np
import pytest

from timbre_rt import Engine
from streaming import delayed, hold, reference, stream_in_blocks

HOST_BLOCKS = [1, 64, 100, 256, 441, 1024, 4096]
BUFFER_MULTIPLES = [1, 2, 4]
# Samples of test signal (not seconds): 512 toy-model blocks of 16, two of the largest host block.
SIGNAL_SAMPLES = 8192


def method_input(method: str, engine: Engine, rng) -> np.ndarray:
    """Audio noise for audio-rate methods, held random latents for frame-rate ones."""
    if engine.in_ratio == 1:
        return (0.3 * rng.standard_normal((engine.in_channels, SIGNAL_SAMPLES))).astype(np.float32)
    frames = rng.standard_normal((engine.in_channels, SIGNAL_SAMPLES // engine.in_ratio)).astype(np.float32)
    return hold(frames, engine.in_ratio)


@pytest.mark.parametrize("method", ["forward", "encode", "decode"])
@pytest.mark.parametrize("multiple", BUFFER_MULTIPLES)
def test_streamed_equals_whole_signal(toy_path, method, multiple, rng):
    engine = Engine(toy_path, method=method, buffer=16 * multiple, sync=True)
    assert engine.block_size == 16 and engine.buffer == 16 * multiple
    assert engine.latency == engine.buffer  # ToyCodec declares no delay of its own
    signal = method_input(method, engine, rng)
    expected = delayed(reference(toy_path, method, signal, engine.in_ratio, engine.out_ratio), engine.latency)
    for block in HOST_BLOCKS:
        engine.reset()
        got = stream_in_blocks(engine, signal, block)
        error = np.abs(got - expected).max()
        assert error <= 1e-5, f"{method}, buffer {engine.buffer}, host block {block}: max error {error}"
        assert engine.stats()["underruns"] == 0


def test_large_buffer_and_headroom(toy_path, rng):
    engine = Engine(toy_path, method="forward", buffer=2048, headroom=300, sync=True)
    assert engine.latency == 2048 + 300
    signal = (0.3 * rng.standard_normal((1, 3 * 4096))).astype(np.float32)
    expected = delayed(reference(toy_path, "forward", signal, 1, 1), engine.latency)
    got = stream_in_blocks(engine, signal, 441)
    assert np.abs(got - expected).max() <= 1e-5


def test_buffer_is_rounded_up_to_the_block_size(toy_path):
    engine = Engine(toy_path, buffer=100)
    assert engine.buffer == 112
    engine.buffer = 33
    assert engine.buffer == 48 and engine.latency == 48


@pytest.mark.parametrize("multiple", BUFFER_MULTIPLES)
@pytest.mark.parametrize("block", HOST_BLOCKS)
def test_impulse_arrives_at_reported_latency(identity_path, multiple, block):
    engine = Engine(identity_path, method="forward", buffer=16 * multiple, sync=True)
    assert engine.latency == 16 * multiple + 3 + 5
    signal = np.zeros((1, 8192), dtype=np.float32)
    signal[0, 1000] = 1.0
    out = stream_in_blocks(engine, signal, block)[0]
    assert np.flatnonzero(out).tolist() == [1000 + engine.latency]
    assert out[1000 + engine.latency] == 1.0


@pytest.mark.parametrize("buffer", [16, 64, 2048])
def test_encoder_decoder_chain_latency(identity_path, buffer):
    encoder = Engine(identity_path, method="encode", buffer=buffer, sync=True)
    decoder = Engine(identity_path, method="decode", buffer=buffer, sync=True)
    assert encoder.out_channels == decoder.in_channels == 16
    signal = np.zeros((1, 3 * 4096), dtype=np.float32)
    signal[0, 777] = 0.5
    out = np.zeros(signal.shape[-1], dtype=np.float32)
    for start in range(0, signal.shape[-1], 64):  # Pd's block size
        latents = encoder.process(signal[:, start : start + 64])
        out[start : start + 64] = decoder.process(latents)[0]
    assert np.flatnonzero(out).tolist() == [777 + encoder.latency + decoder.latency]
