"""Causal YIN: pitch of tones within a few cents, periodicity tells tones from noise and
silence, and the streaming analysis equals the offline one."""

import math

import pytest
import torch

from timbre_rt.nn.streaming import set_streaming
from timbre_rt.nn.yin import StreamingYin, hz_to_midi, midi_to_hz

RATE = 24000


def tone(f0: float, seconds: float = 0.5, partials: int = 4) -> torch.Tensor:
    t = torch.arange(int(RATE * seconds), dtype=torch.float64) / RATE
    x = sum(0.5**k * torch.sin(2 * math.pi * f0 * (k + 1) * t + k) for k in range(partials))
    return (0.3 * x).float().view(1, 1, -1)


@pytest.mark.parametrize("f0", [55.0, 130.8, 233.1, 440.0, 987.8, 1500.0])
def test_tone_pitch_within_five_cents(f0):
    yin = StreamingYin(RATE)
    est, periodicity = yin(tone(f0))
    steady = est[0, 0, 3:]  # past the first, partly empty windows
    cents = 1200 * torch.log2(steady / f0).abs()
    assert cents.max() < 5, f"{f0} Hz read as {steady.min():.2f} .. {steady.max():.2f}"
    assert periodicity[0, 0, 3:].min() > 0.9


def test_noise_and_silence_are_not_periodic():
    yin = StreamingYin(RATE)
    noise = torch.randn(1, 1, RATE, generator=torch.Generator().manual_seed(0)) * 0.2
    _, p_noise = yin(noise)
    assert p_noise[0, 0, 3:].mean() < 0.5
    f0, p_silence = yin(torch.zeros(1, 1, 4096))
    assert torch.equal(p_silence, torch.zeros_like(p_silence))
    assert torch.isfinite(f0).all()


def test_streaming_chunks_equal_one_offline_call():
    yin = StreamingYin(RATE)
    x = tone(196.0, 0.4) + torch.randn(1, 1, 9600, generator=torch.Generator().manual_seed(1)) * 0.01
    x = x[..., : 18 * 512]
    whole = yin(x)
    set_streaming(yin, True)
    parts = [yin(x[..., i : i + 1536]) for i in range(0, x.size(-1), 1536)]
    for k in range(2):
        torch.testing.assert_close(torch.cat([p[k] for p in parts], dim=-1), whole[k], rtol=0, atol=0)


def test_midi_and_hz_round_trip():
    notes = torch.tensor([21.0, 60.0, 69.0, 60.5, 108.0])
    torch.testing.assert_close(hz_to_midi(midi_to_hz(notes)), notes)
    assert float(midi_to_hz(torch.tensor(69.0))) == pytest.approx(440.0)


@pytest.mark.parametrize("kwargs", [dict(f0_min=20.0), dict(f0_min=500.0, f0_max=400.0), dict(f0_max=RATE / 2)])
def test_impossible_ranges_are_refused(kwargs):
    with pytest.raises(ValueError):
        StreamingYin(RATE, **kwargs)
