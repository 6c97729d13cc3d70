"""Time interpolation A -> B, the interpolation plane, discrete models refused, plots."""

import numpy as np
import pytest
import soundfile
import torch

from timbre_rt.export import StreamingModel, export_model
from timbre_rt.generate import (
    DiscreteLatentError,
    GenerateError,
    ModelMismatchError,
    bilinear_weights,
    crossfade_weights,
    encode_audio,
    idw_weights,
    load_model,
    morph_files,
    morph_series,
    parametric_path,
    plane_files,
    plane_series,
    plot_plane,
    plot_series,
    read_path_csv,
)
from timbre_rt.models import ToyCodec

RATE = 24000


class FakeDiscrete(StreamingModel):
    """A stand-in for the discrete model: encode -> [code index, gain] per 64 samples."""

    def __init__(self):
        super().__init__(RATE, "discrete", ["code", "gain"])
        self.declare_method("encode", 1, 1, 2, 64)
        self.declare_method("decode", 2, 64, 1, 1)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        gain = x.reshape(x.shape[0], -1, 64).abs().amax(-1)  # [B, N]
        return torch.stack([torch.floor(gain * 10), gain], 1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return (0.1 * z[:, :1] * z[:, 1:2]).repeat_interleave(64, -1)


@pytest.fixture(scope="module")
def toy(toy_path):
    return load_model(toy_path)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    """Four tones of different pitch and length, as WAV files."""
    folder = tmp_path_factory.mktemp("sounds")
    paths = []
    for i, seconds in enumerate([0.3, 0.5, 0.4, 0.6]):
        t = np.arange(int(RATE * seconds)) / RATE
        paths.append(folder / f"tone{i}.wav")
        soundfile.write(paths[-1], (0.4 * np.sin(2 * np.pi * 150 * (i + 1) * t)).astype(np.float32), RATE)
    return paths


@pytest.fixture(scope="module")
def encoded(toy, sounds):
    return [encode_audio(toy, soundfile.read(p, dtype="float32")[0], source=p.name) for p in sounds]


@pytest.mark.parametrize("align", ["truncate", "stretch", "pad"])
def test_morph_endpoints_are_the_encodings_of_a_and_b(encoded, align):
    a, b = encoded[1], encoded[0]  # A longer than B
    out = morph_series(a, b, align=align)
    np.testing.assert_array_equal(out.latent[:, 0], a.latent[:, 0])
    np.testing.assert_allclose(out.latent[:, -1], b.latent[:, -1], atol=1e-6)
    frames = {"truncate": b.frames, "stretch": a.frames, "pad": a.frames}[align]
    samples = {"truncate": b.num_samples, "stretch": a.num_samples, "pad": a.num_samples}[align]
    assert (out.frames, out.num_samples) == (frames, samples)
    assert out.history[0]["op"] == "morph"


def test_morph_middle_is_the_average(encoded):
    a, b = encoded[0], encoded[2]
    out = morph_series(a, b, align="truncate")
    n = out.frames
    k = n // 2
    w = k / (n - 1)
    np.testing.assert_allclose(out.latent[:, k], (1 - w) * a.latent[:, k] + w * b.latent[:, k], atol=1e-6)


def test_crossfade_curves():
    t = np.linspace(0, 1, 5)
    np.testing.assert_allclose(crossfade_weights("linear", t), [0, 0.25, 0.5, 0.75, 1])
    cosine = crossfade_weights("cosine", t)
    np.testing.assert_allclose(cosine[[0, 2, 4]], [0, 0.5, 1], atol=1e-7)
    assert cosine[1] < 0.25  # an S-curve: slow start
    np.testing.assert_array_equal(crossfade_weights("equal-power", t), cosine)
    np.testing.assert_allclose(crossfade_weights([(0.5, 0.0), (0.75, 1.0)], t), [0, 0, 0, 1, 1])
    with pytest.raises(GenerateError, match="unknown crossfade curve 'log'"):
        crossfade_weights("log", t)


def test_custom_curve_holding_zero_gives_a(encoded):
    a, b = encoded[0], encoded[1]
    out = morph_series(a, b, curve=[(0.0, 0.0), (10.0, 0.0)])
    np.testing.assert_array_equal(out.latent, a.latent[:, : out.frames])


def test_morph_files_encodes_both(toy, sounds, encoded):
    out = morph_files(toy, sounds[0], sounds[1], align="pad", curve="cosine")
    ref = morph_series(encoded[0], encoded[1], align="pad", curve="cosine")
    np.testing.assert_allclose(out.latent, ref.latent, atol=1e-6)
    with pytest.raises(GenerateError, match="unknown alignment 'squash'"):
        morph_files(toy, sounds[0], sounds[1], align="squash")


def test_morph_of_two_models_is_refused(encoded, tmp_path):
    other = load_model(
        export_model(
            ToyCodec(latent_channels=4, strides=(4, 4), hidden=16, seed=3), tmp_path / "other.ts", seconds=0.25
        ).path
    )
    b = encode_audio(other, np.zeros(4800, np.float32), source="b.wav")
    with pytest.raises(ModelMismatchError, match="B with .*other.ts"):
        morph_series(encoded[0], b)


def test_bilinear_and_inverse_distance_weights():
    corners = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [2, -1]], dtype=float)
    w = bilinear_weights(corners)
    np.testing.assert_array_equal(w[:, :4], np.eye(4))
    np.testing.assert_allclose(w[:, 4], 0.25)
    np.testing.assert_array_equal(w[:, 5], [0, 1, 0, 0])  # clipped to the square: corner B
    positions = np.array([[0, 0], [1, 0], [0.5, 1]])
    w = idw_weights(np.array([[0.5, 1.0], [0.4, 0.3]]), positions)
    np.testing.assert_array_equal(w[:, 0], [0, 0, 1])
    assert abs(w[:, 1].sum() - 1) < 1e-6 and np.all(w[:, 1] > 0)


@pytest.mark.parametrize("corner", range(4))
def test_plane_corners_equal_the_anchors(encoded, tmp_path, corner):
    x, y = [(0, 0), (1, 0), (0, 1), (1, 1)][corner]
    (tmp_path / "path.csv").write_text(f"time,x,y\n0,{x},{y}\n0.3,{x},{y}\n")
    anchor = encoded[corner]
    result = plane_series(encoded, read_path_csv(tmp_path / "path.csv"), seconds=anchor.seconds, anchor_mode="hold")
    n = result.series.frames
    np.testing.assert_array_equal(result.series.latent, anchor.latent[:, :n])
    assert result.series.num_samples == anchor.num_samples


def test_plane_anchors_loop_or_hold(encoded):
    path = parametric_path("circle", period=1.0, radius=0.0, center=(0.0, 0.0))  # stays on A
    a = encoded[0]
    looped = plane_series(encoded, path, seconds=2.5 * a.seconds, anchor_mode="loop").series
    held = plane_series(encoded, path, seconds=2.5 * a.seconds, anchor_mode="hold").series
    k = a.frames + 3
    np.testing.assert_array_equal(looped.latent[:, k], a.latent[:, 3])
    np.testing.assert_array_equal(held.latent[:, k], a.latent[:, -1])


def test_plane_with_positions_and_n_anchors(encoded):
    path = parametric_path("line", period=2.0, start=(0.0, 0.0), end=(1.0, 0.0))
    result = plane_series(encoded[:3], path, seconds=0.2, positions=[(0, 0), (1, 0), (0.5, 1)])
    assert result.weights.shape == (3, result.series.frames)
    np.testing.assert_array_equal(result.series.latent[:, 0], encoded[0].latent[:, 0])
    with pytest.raises(GenerateError, match="3 anchors need --positions"):
        plane_series(encoded[:3], path, seconds=0.2)


def test_parametric_paths():
    circle = parametric_path("circle", period=4.0)
    np.testing.assert_allclose(circle.at(np.array([0.0, 1.0])), [[1.0, 0.5], [0.5, 1.0]], atol=1e-12)
    eight = parametric_path("figure-eight", period=2.0)
    np.testing.assert_allclose(eight.at(np.array([0.0, 1.0])), [[0.5, 0.5], [0.5, 0.5]], atol=1e-12)
    line = parametric_path("line", period=2.0)
    np.testing.assert_allclose(
        line.at(np.array([0.0, 0.5, 1.0, 2.0])), [[0, 0], [0.5, 0.5], [1, 1], [0, 0]], atol=1e-12
    )
    with pytest.raises(GenerateError, match="unknown path 'spiral'"):
        parametric_path("spiral")
    with pytest.raises(GenerateError, match="period must be a positive number"):
        parametric_path("circle", period=0)


def test_path_csv(tmp_path):
    (tmp_path / "p.csv").write_text("0,0,0\n1,1,0.5\n\n2,1,1\n")  # no header
    p = read_path_csv(tmp_path / "p.csv")
    assert p.duration == 2.0
    np.testing.assert_allclose(p.at(np.array([0.5, 3.0])), [[0.5, 0.25], [1, 1]])
    for text, words in [
        ("time,x,y\n0,0\n", "3 numbers"),
        ("time,x,y\n0,a,b\n", "3 numbers"),
        ("1,0,0\n0,1,1\n", "times must increase"),
        ("", "rows of 3 numbers"),
    ]:
        (tmp_path / "bad.csv").write_text(text)
        with pytest.raises(GenerateError, match=words):
            read_path_csv(tmp_path / "bad.csv")
    with pytest.raises(GenerateError, match="no such path file"):
        read_path_csv(tmp_path / "missing.csv")


def test_plane_files(toy, sounds, encoded, tmp_path):
    result = plane_files(toy, sounds, parametric_path("figure-eight", period=0.5), seconds=0.4)
    ref = plane_series(encoded, parametric_path("figure-eight", period=0.5), seconds=0.4)
    np.testing.assert_allclose(result.series.latent, ref.series.latent, atol=1e-6)
    assert result.labels == [p.name for p in sounds]


@pytest.fixture(scope="module")
def discrete(tmp_path_factory):
    path = tmp_path_factory.mktemp("discrete") / "fake_discrete.ts"
    export_model(FakeDiscrete(), path, seconds=0.1)
    return load_model(path)


def test_discrete_models_cannot_be_interpolated(discrete, sounds):
    assert discrete.model_kind == "discrete"
    with pytest.raises(DiscreteLatentError) as e:
        morph_files(discrete, sounds[0], sounds[1])
    assert isinstance(e.value, NotImplementedError)
    assert "embedding space" in str(e.value) and "descriptors" in str(e.value)
    with pytest.raises(NotImplementedError, match="plane: cannot mix"):
        plane_files(discrete, sounds, parametric_path("circle"), seconds=0.2)
    x = soundfile.read(sounds[0], dtype="float32")[0]
    series = encode_audio(discrete, x)
    with pytest.raises(NotImplementedError, match="morph"):
        morph_series(series, series)


def test_plots_are_png(encoded, tmp_path):
    out = plot_series(encoded[1], tmp_path / "s.png", before=encoded[0])
    assert out.read_bytes()[:4] == b"\x89PNG"
    result = plane_series(encoded, parametric_path("circle", period=0.3), seconds=0.3)
    out = plot_plane(result.positions, result.labels, result.xy, result.series.times(), tmp_path / "p.png")
    assert out.read_bytes()[:4] == b"\x89PNG" and out.stat().st_size > 5000
