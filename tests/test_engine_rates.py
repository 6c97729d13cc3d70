"""The engine at a host rate other than the model's: latents cross exactly, audio through a
short resampler, and the reported latency is where an impulse arrives, for every pair of
rates; inline mode has no headroom."""

import time

import numpy as np
import pytest
import torch
from torch import nn

from timbre_rt import Engine
from timbre_rt.export import export_model
from timbre_rt.models import IdentityCodec
from fixture_models import save
from streaming import stream_in_blocks


class FrameIdentity(nn.Module):
    """forward: [1, 3, T / 64] -> the same frames (frame-rate in and out)."""

    def __init__(self, rate: int):
        super().__init__()
        self.register_buffer("forward_params", torch.tensor([3, 64, 3, 64]))
        self.sampling_rate = rate

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z + 0.0


def model_index(t, model, host):
    """First model sample at or after host sample t (the engine's common clock)."""
    return -((-t * model) // host)


def held(frames: np.ndarray, ratio: int, delay: int, model: int, host: int, length: int) -> np.ndarray:
    """Host-rate signal [C, length] holding frame j of `frames` [C, N] for model samples
    [j * ratio + delay, (j + 1) * ratio + delay): host sample x shows the last model sample s
    with floor(s * host / model) <= x."""
    x = np.arange(length)
    s = model_index(x + 1, model, host) - 1 - delay
    index = np.floor_divide(s, ratio)
    valid = (s >= 0) & (index < frames.shape[1])
    out = np.zeros((frames.shape[0], length), dtype=np.float32)
    out[:, valid] = frames[:, index[valid]]
    return out


@pytest.mark.parametrize(
    "model_rate, host_rate", [(24000, 48000), (24000, 44100), (44100, 48000), (48000, 44100), (48000, 22050)]
)
def test_latents_cross_rates_bit_exact(tmp_path, model_rate, host_rate):
    path = save(FrameIdentity(model_rate), tmp_path / "frames.ts")
    engine = Engine(path, buffer=256, host_rate=host_rate, sync=True)
    frames = np.random.default_rng(1).standard_normal((3, 200)).astype(np.float32)
    length = int(200 * 64 * host_rate / model_rate)
    signal = held(frames, 64, 0, model_rate, host_rate, length)
    out = stream_in_blocks(engine, signal, 100)
    # The reported latency is rounded to host samples; the delay itself is whole frames.
    delay = 64 * round(engine.latency * model_rate / host_rate / 64)
    assert abs(delay * host_rate / model_rate - engine.latency) <= 0.5
    np.testing.assert_array_equal(out, held(frames, 64, delay, model_rate, host_rate, length))


@pytest.mark.parametrize(
    "model_rate, host_rate", [(44100, 48000), (24000, 44100), (48000, 22050), (22050, 48000), (24000, 48000)]
)
def test_chain_impulse_arrives_at_the_reported_latency_for_every_rate_pair(tmp_path, model_rate, host_rate):
    ratio = 512
    path = tmp_path / "identity.ts"
    export_model(
        IdentityCodec(ratio=ratio, encode_delay=3, decode_delay=5, sampling_rate=model_rate), path, seconds=0.25
    )
    encoder = Engine(str(path), method="encode", buffer=1024, host_rate=host_rate, sync=True)
    decoder = Engine(str(path), method="decode", buffer=1024, host_rate=host_rate, sync=True)
    # Whole frames plus the resampler, never a grid step of many frames (a 44.1 kHz model
    # with 2048-sample frames once gave seconds).
    assert encoder.latency <= (1024 + ratio + 3 + 64) * host_rate / model_rate + 1
    signal = np.zeros((1, host_rate), dtype=np.float32)
    signal[0, 7001] = 1.0
    out = np.zeros_like(signal)
    for start in range(0, host_rate, 64):
        latents = encoder.process(np.ascontiguousarray(signal[:, start : start + 64]))
        out[:, start : start + 64] = decoder.process(latents)
    peak = int(np.argmax(np.abs(out[0])))
    assert abs(peak - (7001 + encoder.latency + decoder.latency)) <= 1, (peak - 7001, encoder.latency, decoder.latency)
    assert out[0, peak] > 0.4
    # The rate conversion never came short (its resamplers' short calls included).
    assert encoder.stats()["resampler_underruns"] == 0 and decoder.stats()["resampler_underruns"] == 0


def test_resampler_adds_at_most_two_milliseconds_per_conversion(identity_path):
    # The identity chain at the model's rate and at 48 kHz: the difference is what the two
    # conversions (48k -> 24k in the encoder, 24k -> 48k in the decoder) and the frame
    # padding add.
    host = {m: Engine(identity_path, method=m, buffer=256, host_rate=48000) for m in ("encode", "decode")}
    model = {m: Engine(identity_path, method=m, buffer=256) for m in ("encode", "decode")}
    for method in ("encode", "decode"):
        added_ms = 1000 * host[method].latency / 48000 - 1000 * model[method].latency / 24000
        frame_ms = 1000 * 16 / 24000 if method == "encode" else 0.0  # whole-frame padding
        assert 0 <= added_ms <= 2.0 + frame_ms, (method, added_ms)


def test_inline_mode_has_no_headroom_and_the_exact_latency(identity_path):
    engine = Engine(identity_path, method="forward", buffer=256, headroom=1000, inline=True)
    assert engine.applied_headroom == 0 and engine.latency == 256 + 8
    signal = np.zeros((1, 4096), dtype=np.float32)
    signal[0, 1234] = 1.0
    out = stream_in_blocks(engine, signal, 64)  # realtime mode, yet nothing is late: computed in process()
    assert np.flatnonzero(out[0]).tolist() == [1234 + engine.latency]
    assert engine.stats()["underruns"] == 0 and engine.stats()["calls"] >= 4096 // 256 - 1
    engine.inline = False
    assert engine.applied_headroom == 1000 and engine.latency == 256 + 1000 + 8


def test_worker_priority_is_reported(identity_path):
    engine = Engine(identity_path, buffer=256)
    engine.process(np.zeros(256, dtype=np.float32))
    for _ in range(100):  # the worker sets its priority as it starts
        if engine.realtime or engine.realtime_error:
            break
        time.sleep(0.01)
    assert engine.realtime or engine.realtime_error  # granted, or the system's reason why not
    quiet = Engine(identity_path, buffer=256, realtime_priority=False)
    assert not quiet.realtime and quiet.realtime_error == ""
