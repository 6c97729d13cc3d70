"""The unseen-source evaluation set: other soundfont, speech, synthetic sounds."""

import shutil
from pathlib import Path

import numpy as np

from timbre_rt.data.unseen import TIMGM6MB, _synthetic, unseen_sounds


def test_synthetic_sounds_have_the_pitches_they_claim():
    sounds = _synthetic(24000, np.random.default_rng(0))
    assert {"synth/bell_196hz.wav", "synth/noise_400_800hz.wav", "synth/glide_150_600hz.wav"} <= set(sounds)
    tone = sounds["synth/tone_226.4hz.wav"]
    spec = np.abs(np.fft.rfft(tone * np.hanning(len(tone)), 8 * len(tone)))
    assert abs(np.argmax(spec) * 24000 / (8 * len(tone)) - 220 * 2 ** (1 / 24)) < 0.5
    noise = sounds["synth/noise_2000_4000hz.wav"]
    spec = np.abs(np.fft.rfft(noise)) ** 2
    f = np.fft.rfftfreq(len(noise), 1 / 24000)
    assert spec[(f >= 2000) & (f <= 4000)].sum() > 0.99 * spec.sum()


def test_the_set_names_its_groups_and_is_normalised():
    sounds = unseen_sounds(24000, seed=1)
    groups = {name.split("/")[0] for name in sounds}
    assert "synth" in groups
    assert ("timgm6mb" in groups) == Path(TIMGM6MB).is_file()
    assert ("speech" in groups) == (shutil.which("espeak-ng") is not None)
    for name, x in sounds.items():
        assert x.dtype == np.float32 and np.isfinite(x).all() and 0 < np.abs(x).max() <= 1.0, name
