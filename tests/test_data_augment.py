"""Augmentation: a band-limited pitch shift, EQ, gain and silence, and the dataset hook."""

import numpy as np
import pytest

from timbre_rt.data import ChunkDataset, DatasetError
from timbre_rt.data.augment import AugmentConfig, Augmenter, resample_segment


def _peak_hz(x, rate):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), 4 * len(x)))
    return np.argmax(spec) * rate / (4 * len(x))


def test_resampling_shifts_pitch_by_the_ratio_without_aliases():
    rate = 24000
    x = np.sin(2 * np.pi * 440 * np.arange(20000) / rate).astype(np.float32)
    y = resample_segment(x, 2 ** (1 / 12), 16000)
    assert abs(_peak_hz(y, rate) - 440 * 2 ** (1 / 12)) < 2
    # A tone near Nyquist read faster is filtered (>= 15 dB down), not folded back whole.
    hi = np.sin(2 * np.pi * 11800 * np.arange(20000) / rate).astype(np.float32)
    assert np.sqrt(np.mean(resample_segment(hi, 1.06, 16000) ** 2)) < 0.707 * 10 ** (-15 / 20)
    with pytest.raises(ValueError, match="needed"):
        resample_segment(x[:100], 1.0, 200)


def test_default_config_changes_nothing_and_bad_values_are_errors():
    assert not AugmentConfig().active
    with pytest.raises(DatasetError, match="gain_db"):
        AugmentConfig(gain_db=(0.0, -6.0))
    with pytest.raises(DatasetError, match="pitch_semitones"):
        AugmentConfig(pitch_semitones=20)


def test_augmenter_draws_vary_and_stay_in_bounds():
    cfg = AugmentConfig(pitch_semitones=1.0, gain_db=(-12.0, 0.0), eq_db=6.0, silence=0.5)
    aug = Augmenter(cfg, 24000)
    x = np.sin(2 * np.pi * 300 * np.arange(24000) / 24000).astype(np.float32) * 0.5
    rng = np.random.default_rng(0)
    outs = [aug(x, 8192, rng) for _ in range(20)]
    assert all(o.shape == (8192,) and o.dtype == np.float32 for o in outs)
    peaks = [_peak_hz(o[o != 0], 24000) for o in outs if (o != 0).sum() > 2048]
    assert max(peaks) > 310 and min(peaks) < 290  # pitch moved both ways
    assert any((o[:1000] == 0).all() or (o[-1000:] == 0).all() for o in outs)  # silence
    assert max(np.abs(o).max() for o in outs) < 0.5 * 10 ** (6 / 20) * 1.2


def test_dataset_applies_augmentation(tmp_path):
    from timbre_rt.data.cache import prepare_folder
    import soundfile

    src = tmp_path / "src"
    src.mkdir()
    t = np.arange(3 * 4096) / 16000
    for i, f in enumerate((220, 330, 440)):
        soundfile.write(str(src / f"s{i}.wav"), 0.3 * np.sin(2 * np.pi * f * t), 16000)
    prepare_folder(src, tmp_path / "c", sampling_rate=16000, chunk=4096, held_out=0.3, progress=False)
    cfg = AugmentConfig(pitch_semitones=1.0, gain_db=(-6.0, 0.0))
    ds = ChunkDataset(tmp_path / "c", 2048, augment=cfg)
    a, b = ds[0], ds[0]
    assert a.shape == (1, 2048) and not np.allclose(a.numpy(), b.numpy())
    with pytest.raises(DatasetError, match="needs"):
        ChunkDataset(tmp_path / "c", 4096, augment=cfg)  # no room for the shift
