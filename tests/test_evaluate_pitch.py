"""Pitch kept, loudness-matched noise, level and the strongest line: the new eval numbers."""

import numpy as np
import pytest
import torch

from timbre_rt.evaluate.pitch import PitchTrack, cents_apart, pitch_track, score_pitch, total_score
from timbre_rt.evaluate.quality import level_db, matched_noise, strongest_line

SR = 24000


def _tone(f0, seconds=1.0):
    t = np.arange(int(seconds * SR)) / SR
    return sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6)).astype(np.float32) * 0.3


def test_score_counts_only_voiced_input_frames_and_needs_a_voiced_output():
    ref = PitchTrack(np.array([200.0, 200.0, np.nan, 300.0]), np.array([True, True, False, True]))
    out = PitchTrack(np.array([205.0, 230.0, 200.0, 300.0]), np.array([True, True, True, False]))
    s = score_pitch(ref, out)
    assert (s.voiced_frames, s.kept_frames) == (3, 1)  # 43 cents kept, 242 cents and unvoiced not
    assert s.share == pytest.approx(1 / 3)
    assert total_score([s, s]).kept_frames == 2
    assert cents_apart(np.array([440.0]), np.array([220.0]))[0] == pytest.approx(1200)


def test_pyin_keeps_a_tone_and_rejects_a_semitone_off():
    a = pitch_track(_tone(220.0), SR)
    assert a.voiced.mean() > 0.7 and np.nanmedian(a.f0) == pytest.approx(220.0, rel=0.01)
    assert score_pitch(a, a).share == 1.0
    b = pitch_track(_tone(220.0 * 2 ** (1 / 12)), SR)
    assert score_pitch(a, b).share < 0.1


def test_matched_noise_follows_the_envelope_and_level_and_line_read_right():
    t = torch.arange(SR * 2) / SR
    x = (torch.sin(2 * np.pi * 440 * t) * torch.where(t < 1, 0.5, 0.05)).reshape(1, 1, -1)
    n = matched_noise(x)
    # (skip the 512-sample frame that straddles the step)
    first = n[..., : SR - 512].square().mean().sqrt()
    second = n[..., SR + 512 :].square().mean().sqrt()
    assert float(first) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    assert float(second) == pytest.approx(0.05 / np.sqrt(2), rel=0.05)
    assert level_db(0.5 * x, x) == pytest.approx(-6.02, abs=0.01)
    db, hz = strongest_line(0.1 * np.sin(2 * np.pi * 6000 * np.arange(SR) / SR), SR)
    assert db == pytest.approx(-20.0, abs=0.1) and hz == pytest.approx(6000, abs=1)
