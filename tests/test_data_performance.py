"""The played set: every program at every semitone, gestures that move the pitch, drums."""

from pathlib import Path

import numpy as np
import pytest

from timbre_rt.data import DatasetError
from timbre_rt.data import soundfont as sfmod
from timbre_rt.data.gm_ranges import gm_range
from timbre_rt.data.performance import (
    GESTURES,
    PerformanceConfig,
    PerformanceRenderer,
    performance_list,
    pitch_curve,
)

needs_sf2 = pytest.mark.skipif(
    not Path(sfmod.DEFAULT_SOUNDFONT).is_file(), reason="FluidR3_GM.sf2 absent (Debian fluid-soundfont-gm)"
)


def test_every_program_at_every_semitone_once():
    perfs = performance_list(PerformanceConfig())
    assert len({p.name for p in perfs}) == len(perfs)
    singles = {(p.program, p.keys[0]) for p in perfs if len(p.keys) == 1 and 0 <= p.program < 112}
    for program in range(112):
        lo, hi = gm_range(program)
        assert all((program, k) in singles for k in range(lo, hi + 1))
    assert any(p.program < 0 for p in perfs)  # drums
    assert any(len(p.keys) >= 3 for p in perfs)  # chords
    assert {p.gesture for p in perfs} == set(GESTURES)
    assert len({p.velocity for p in perfs}) >= 3 and len({p.hold for p in perfs}) >= 3
    detunes = np.array([p.detune for p in perfs])
    assert np.abs(detunes).max() <= 0.5 and detunes.std() > 0.2  # off the semitone lattice


def test_same_seed_same_set_other_seed_other_draws():
    a = performance_list(PerformanceConfig(seed=1))
    assert a == performance_list(PerformanceConfig(seed=1))
    assert a != performance_list(PerformanceConfig(seed=2))


def test_pitch_curves():
    rate = 375.0
    assert not pitch_curve("steady", 100, rate, 0).any()
    vib = pitch_curve("vibrato", 400, rate, 3)
    assert 0.05 < np.abs(vib).max() <= 0.6 and (np.diff(np.sign(vib[200:])) != 0).sum() >= 4
    glide = pitch_curve("glide", 600, rate, 4)
    assert 1.0 <= abs(glide[-1]) <= 7.0 and glide[0] == 0.0
    with pytest.raises(DatasetError, match="unknown gesture"):
        pitch_curve("wobble", 10, rate, 0)
    with pytest.raises(DatasetError, match="gesture_weights"):
        PerformanceConfig(gesture_weights=(1.0, 0.0))


@needs_sf2
def test_render_glide_moves_the_pitch_and_does_not_bleed():
    cfg = PerformanceConfig(programs=(73,), percussive=(), drums=False, chords_per_program=0, sampling_rate=16000)
    perf = next(p for p in performance_list(cfg) if p.gesture == "glide")
    r = PerformanceRenderer("default", 16000)
    audio = r.render(perf)
    assert audio.shape == (round((perf.hold + perf.release) * 16000),)
    assert np.sqrt(np.mean(audio**2)) > 1e-3
    # Spectral peak of the first and last held tenth differ by the glide.
    n = round(perf.hold * 16000) // 10

    def peak(x):
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), 8 * len(x)))
        return np.argmax(spec) * 16000 / (8 * len(x))

    shift = 12 * np.log2(peak(audio[9 * n : 10 * n]) / peak(audio[:n]))
    curve = pitch_curve("glide", 10000, 16000 / 64, perf.gesture_seed)
    assert abs(shift) > 0.5 and np.sign(shift) == np.sign(curve[-1])
    np.testing.assert_array_equal(r.render(perf), audio)  # reset between renders
