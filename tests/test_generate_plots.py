"""Plots people read: latents as a heatmap, codes as a raster, named channels and the
spectrogram on their own axes; spectrograms in the right units."""

import numpy as np
import pytest
import soundfile

from timbre_rt.generate import LatentSeries, plot_plane, plot_series
from timbre_rt.generate.plot_parts import channel_groups, draw_codes, panels
from timbre_rt.generate.plots import plane_figure, series_figure
from timbre_rt.generate.spectrogram import array_spectrogram, file_spectrogram

RATE, RATIO = 24000, 512


def _series(names, latent):
    return LatentSeries(
        latent=latent,
        sampling_rate=RATE,
        ratio=RATIO,
        latent_names=names,
        model_sha256="0" * 64,
        model_path="m.ts",
        model_kind="continuous",
        num_samples=latent.shape[1] * RATIO,
        source="test.wav",
    )


@pytest.fixture
def continuous():
    names = [f"z{i}" for i in range(16)] + ["loudness"]
    latent = np.random.default_rng(0).standard_normal((17, 60)).astype(np.float32)
    latent[-1] = np.linspace(-60, -10, 60)
    return _series(names, latent)


def _sine(freq, amplitude, seconds=1.0, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_channel_groups():
    assert channel_groups(["z0", "z1", "loudness"]) == ([0, 1], [], [2])
    assert channel_groups(["code", "gain"]) == ([], [0], [1])


def test_latents_are_one_heatmap_row_per_dim_and_loudness_has_its_own_axes(continuous):
    fig = series_figure(continuous)
    heatmap, loudness = fig.axes[0], fig.axes[2]  # axes[1]: the heatmap's colour bar
    image = heatmap.images[0].get_array()
    assert image.shape == (16, 60)
    np.testing.assert_array_equal(image, continuous.latent[:16])
    assert [t.get_text() for t in heatmap.get_yticklabels()] == continuous.latent_names[:16]
    assert loudness.get_ylabel() == "loudness (dB)" and not loudness.images
    np.testing.assert_array_equal(loudness.lines[0].get_ydata(), continuous.latent[16])


def test_before_and_after_share_one_colour_scale(continuous):
    after = continuous.with_latent(continuous.latent * 3, {"op": "scale"})
    fig = series_figure(after, before=continuous)
    limits = [ax.images[0].get_clim() for ax in fig.axes if ax.images and ax.get_ylabel() == "latent dim"]
    assert len(limits) == 2 and limits[0] == limits[1]
    assert limits[0][1] == pytest.approx(np.abs(after.latent[:16]).max())


def test_discrete_codes_are_a_raster_and_gain_has_its_own_axes():
    codes = np.repeat([3.0, 0.0, 7.0], 20)
    gain = np.linspace(0.1, 0.5, 60)
    series = _series(["code", "gain"], np.stack([codes, gain]).astype(np.float32))
    fig = series_figure(series)
    code_ax, gain_ax = fig.axes[0], fig.axes[2]
    assert code_ax.get_ylabel() == "code" and not code_ax.lines  # no connected line of codes
    (bars,) = code_ax.collections
    assert sorted({int(s[0, 1]) for s in bars.get_segments()}) == [0, 3, 7]
    assert gain_ax.get_ylabel() == "gain (linear)"
    np.testing.assert_allclose(gain_ax.lines[0].get_ydata(), gain)


def test_code_occupancy_is_the_share_of_frames_per_time_bin():
    p = panels([1.0])
    t = np.arange(4500) * 0.01
    codes = np.tile([1, 1, 2], 1500)  # 3 frames per bin (1500 bins): 2/3 code 1, 1/3 code 2
    draw_codes(p, 0, t, codes)
    (bars,) = p.axes[0].collections
    segments, shares = np.array(bars.get_segments()), np.asarray(bars.get_array())
    assert len(segments) == 2 * 1500
    np.testing.assert_allclose(shares[segments[:, 0, 1] == 1], 2 / 3)
    np.testing.assert_allclose(shares[segments[:, 0, 1] == 2], 1 / 3)
    np.testing.assert_allclose(segments[:, 1, 0] - segments[:, 0, 0], 0.03)  # a bar spans its bin


def test_spectrogram_of_a_sine_peaks_at_its_frequency_and_level(tmp_path):
    audio = _sine(1000.0, 0.5)
    spec = array_spectrogram(audio, RATE)
    middle = spec.db[:, spec.db.shape[1] // 2]
    assert spec.freqs[np.argmax(middle)] == pytest.approx(1000.0, abs=RATE / 2048)
    assert middle.max() == pytest.approx(20 * np.log10(0.5), abs=1.5)  # 0 dB = full-scale sine
    assert spec.times[0] == 0 and spec.seconds == pytest.approx(1.0, abs=0.03)
    soundfile.write(tmp_path / "a.wav", np.stack([audio, audio], 1), RATE, subtype="FLOAT")
    from_file = file_spectrogram(tmp_path / "a.wav")
    np.testing.assert_allclose(from_file.db, spec.db, atol=1e-3)


def test_long_sounds_have_bounded_columns():
    spec = array_spectrogram(np.zeros(RATE * 60, dtype=np.float32), RATE, max_columns=500)
    assert spec.db.shape[1] <= 500 and np.isfinite(spec.db).all()
    assert spec.seconds == pytest.approx(60, abs=0.2)


def test_spectrogram_panel_in_seconds_and_hertz(continuous, tmp_path):
    spec = array_spectrogram(_sine(440.0, 0.3, seconds=continuous.seconds), RATE)
    fig = series_figure(continuous, spectrogram=spec)
    last = fig.axes[-2]  # [-1]: its colour bar
    assert last.get_ylabel() == "frequency (Hz)" and last.get_xlabel() == "time (s)"
    assert last.images[0].get_array().shape == spec.db.shape
    out = plot_series(continuous, tmp_path / "s.png", spectrogram=spec)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_plane_figure_has_the_spectrogram_below(tmp_path):
    positions = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    xy = np.stack([np.linspace(0, 1, 50), np.linspace(0, 1, 50)], 1)
    times = np.linspace(0, 1, 50)
    spec = array_spectrogram(_sine(300.0, 0.3), RATE)
    fig = plane_figure(positions, list("abcd"), xy, times, spectrogram=spec)
    assert [ax.get_ylabel() for ax in fig.axes[:2]] == ["y", "frequency (Hz)"]
    assert plane_figure(positions, list("abcd"), xy, times).axes[0].get_ylabel() == "y"
    out = plot_plane(positions, list("abcd"), xy, times, tmp_path / "p.png", spectrogram=spec)
    assert out.read_bytes()[:4] == b"\x89PNG"
