"""Harmonic-plus-noise synthesis: exact noise path, pitch and Nyquist, state across calls."""

import numpy as np
import pytest
import torch

from timbre_rt.nn.harmonic_noise import HarmonicNoiseSynth
from timbre_rt.nn.streaming import set_streaming
from timbre_rt.nn.yin import StreamingYin

RATE, HOP, F0_HOP, K, N = 24000, 256, 512, 16, 9


def controls(frames: int, f0: float = 220.0, harmonic: float = 0.3, noise: float = 0.0):
    f = torch.full((1, 1, frames * HOP // F0_HOP), f0)
    h = torch.zeros(1, K, frames)
    h[:, 0] = harmonic
    h[:, 2] = harmonic / 3
    return f, h, torch.full((1, N, frames), noise)


def test_flat_noise_gains_give_back_the_table_exactly():
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    f, h, n = controls(40, harmonic=0.0, noise=1.0)
    out = synth(f, h, n)[0, 0]
    # Block 0 has only half a frame (the past is silence); from block 1 on the
    # sqrt-Hann pairs sum to one.
    torch.testing.assert_close(out[HOP:], synth.table[HOP : 40 * HOP], atol=1e-6, rtol=0)


def test_output_pitch_is_the_f0_it_is_given():
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    for f0 in (110.0, 261.6, 700.0):
        out = synth(*controls(60, f0=f0))
        est, periodicity = StreamingYin(RATE)(out)
        assert (1200 * torch.log2(est[0, 0, 4:] / f0).abs()).max() < 5
        assert periodicity[0, 0, 4:].min() > 0.9


def test_harmonics_at_or_above_nyquist_are_silent():
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    f, h, n = controls(80, f0=5000.0)
    h[:, 2] = 0.0
    h[:, 3] = 0.3  # 20 kHz, above 12 kHz: must not alias back
    out = synth(f, h, n)[0, 0, 4 * HOP :].numpy()
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    freqs = np.fft.rfftfreq(len(out), 1 / RATE)
    near = lambda hz: spectrum[np.abs(freqs - hz) < 50].max()  # noqa: E731
    assert near(5000) > 1e5 * near(4000)  # 20 kHz would fold to 24 - 20 = 4 kHz


def test_streaming_equals_offline_and_reset_starts_over():
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    f = 200.0 + 50.0 * torch.sin(torch.arange(24.0) / 3).view(1, 1, -1)
    h = torch.rand(1, K, 48, generator=torch.Generator().manual_seed(0)) * 0.1
    n = torch.rand(1, N, 48, generator=torch.Generator().manual_seed(1)) * 0.1
    whole = synth(f, h, n)
    set_streaming(synth, True)
    for _ in range(2):  # the second pass checks that reset() forgets everything
        parts = [
            synth(f[..., i : i + 3], h[..., 2 * i : 2 * i + 6], n[..., 2 * i : 2 * i + 6]) for i in range(0, 24, 3)
        ]
        torch.testing.assert_close(torch.cat(parts, -1), whole, atol=2e-5, rtol=0)
        synth.reset()


def test_f0_hop_must_be_a_multiple_of_hop():
    with pytest.raises(ValueError, match="multiple"):
        HarmonicNoiseSynth(RATE, 256, 384, K, N)
