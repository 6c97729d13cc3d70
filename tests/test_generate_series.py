"""Latent series files, chunked encode/decode, alignment and model checks (timbre_rt.generate)."""

import zipfile

import numpy as np
import pytest
import soundfile
import torch

from fixture_models import RaveLike, save
from timbre_rt import ModelError
from timbre_rt.audio import AudioFileError
from timbre_rt.export import export_model
from timbre_rt.generate import (
    LatentSeries,
    ModelMismatchError,
    SeriesError,
    decode_series,
    decode_to_file,
    encode_audio,
    encode_file,
    load_model,
    load_series,
)
from timbre_rt.models import ToyCodec

RATE = 24000


@pytest.fixture(scope="module")
def toy(toy_path):
    return load_model(toy_path)


@pytest.fixture(scope="module")
def identity(identity_path):
    return load_model(identity_path)


@pytest.fixture(scope="module")
def other_toy(tmp_path_factory):
    """Same geometry as the toy fixture, other weights (another file hash)."""
    path = tmp_path_factory.mktemp("other") / "toy_seed1.ts"
    export_model(ToyCodec(latent_channels=4, strides=(4, 4), hidden=16, seed=1), path, seconds=0.25)
    return load_model(path)


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal(int(RATE * seconds))).astype(np.float32)


def test_identity_round_trip_is_exact_and_aligned(identity):
    # encode delay 3 + decode delay 5 are removed: the output is the input, sample for sample.
    x = noise(0.1)[:2001]  # not a multiple of the frame size
    series = encode_audio(identity, x)
    assert series.delay == 3 and series.num_samples == 2001
    assert series.latent.shape == (16, 126)  # ceil((2001 + 3) / 16)
    np.testing.assert_array_equal(decode_series(identity, series), x)


def test_save_load_keeps_everything(toy, tmp_path):
    series = encode_audio(toy, noise(0.2), source="x.wav")
    path = series.save(tmp_path / "x.latent.npz")
    back = load_series(path)
    np.testing.assert_array_equal(back.latent, series.latent)
    for name in (
        "sampling_rate",
        "ratio",
        "latent_names",
        "model_sha256",
        "model_path",
        "model_kind",
        "num_samples",
        "delay",
        "source",
        "history",
    ):
        assert getattr(back, name) == getattr(series, name), name
    assert back.model_sha256 == toy.sha256 and back.model_kind == "toy_codec"
    assert back.history[0]["op"] == "encode"


def test_chunked_decode_equals_one_whole_decode(toy):
    series = encode_audio(toy, noise(3.0, seed=2))
    whole = decode_series(toy, series, chunk=10 * RATE)  # one call
    for chunk in (toy.block_size, 1000, 1 << 12):
        np.testing.assert_allclose(decode_series(toy, series, chunk=chunk), whole, atol=1e-5)
    assert whole.shape == (3 * RATE,) and np.abs(whole).max() > 1e-3


def test_chunked_encode_equals_one_whole_encode(toy):
    x = noise(2.0, seed=3)
    whole = encode_audio(toy, x, chunk=10 * RATE).latent
    np.testing.assert_allclose(encode_audio(toy, x, chunk=48).latent, whole, atol=1e-5)


def test_encode_file_streams_resamples_and_mixes_to_mono(toy, tmp_path):
    x = noise(1.0, seed=4)
    soundfile.write(tmp_path / "mono.wav", x, RATE, subtype="FLOAT")
    soundfile.write(tmp_path / "stereo.wav", np.stack([x, x], 1), RATE, subtype="FLOAT")
    soundfile.write(tmp_path / "48k.wav", np.repeat(x, 2), 2 * RATE, subtype="FLOAT")
    mono = encode_file(toy, tmp_path / "mono.wav", chunk=4096)
    np.testing.assert_allclose(mono.latent, encode_audio(toy, x).latent, atol=1e-5)
    np.testing.assert_allclose(encode_file(toy, tmp_path / "stereo.wav").latent, mono.latent, atol=1e-6)
    resampled = encode_file(toy, tmp_path / "48k.wav", chunk=4096)
    assert abs(resampled.num_samples - RATE) <= 2 and resampled.source == "48k.wav"


def test_decode_to_file_writes_what_decode_series_returns(toy, tmp_path):
    series = encode_audio(toy, noise(0.7, seed=5))
    result = decode_to_file(toy, series, tmp_path / "out.wav", chunk=2048)
    audio, rate = soundfile.read(tmp_path / "out.wav", dtype="float32")
    assert rate == RATE and result.samples == audio.size == series.num_samples
    np.testing.assert_array_equal(audio, decode_series(toy, series, chunk=2048))


def test_a_foreign_model_without_latencies_works(tmp_path):
    # RAVE-like: no encode_latency/decode_latency, no latent names, no reset: defaults apply.
    model = load_model(save(RaveLike(), tmp_path / "rave_like.ts"))
    assert (model.encode_latency, model.decode_latency, model.sampling_rate) == (0, 0, 44100)
    x = np.repeat(np.linspace(-0.5, 0.5, 10, dtype=np.float32), 64)
    series = encode_audio(model, x)
    assert series.latent_names == ["z0", "z1", "z2", "z3"]
    np.testing.assert_allclose(decode_series(model, series), x, atol=1e-6)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not an .npz archive"),
        (b"not a zip at all", "not an .npz archive"),
        (b"PK\x03\x04 broken zip", "not a readable .npz"),
    ],
)
def test_corrupt_series_files(tmp_path, content, words):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(SeriesError, match=words) as e:
        load_series(path)
    assert str(path) in str(e.value)


def test_npz_that_is_not_a_series(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(SeriesError, match="no 'latent' or 'meta' array"):
        load_series(tmp_path / "other.npz")
    np.savez(tmp_path / "other2.npz", latent=np.zeros((2, 3)), meta=np.array('{"format": "x"}'))
    with pytest.raises(SeriesError, match="format is not"):
        load_series(tmp_path / "other2.npz")
    with zipfile.ZipFile(tmp_path / "empty.npz", "w") as z:
        z.writestr("latent.npy", b"not npy")
    with pytest.raises(SeriesError, match="empty.npz: not a latent series file"):
        load_series(tmp_path / "empty.npz")


def test_missing_files(toy, tmp_path):
    with pytest.raises(SeriesError, match="no such latent series file"):
        load_series(tmp_path / "nope.npz")
    with pytest.raises(AudioFileError, match="no such audio file"):
        encode_file(toy, tmp_path / "nope.wav")
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nope.ts")
    (tmp_path / "bad.wav").write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(AudioFileError, match="cannot read audio"):
        encode_file(toy, tmp_path / "bad.wav")


def test_decoding_with_another_model_names_both(toy, other_toy, identity):
    series = encode_audio(toy, noise(0.2))
    with pytest.raises(ModelMismatchError) as e:
        decode_series(other_toy, series)
    message = str(e.value)
    assert toy.path in message and other_toy.path in message
    assert toy.sha256[:12] in message and other_toy.sha256[:12] in message
    # Same geometry: allowed when asked; another geometry never.
    assert decode_series(other_toy, series, any_model=True).shape == (series.num_samples,)
    with pytest.raises(ModelMismatchError, match="4 channels"):
        decode_series(identity, series, any_model=True)


def test_series_shape_is_checked():
    with pytest.raises(SeriesError, match="named channels"):
        LatentSeries(
            latent=np.zeros((3, 5)),
            sampling_rate=RATE,
            ratio=16,
            latent_names=["a", "b"],
            model_sha256="",
            model_path="",
            model_kind="",
            num_samples=80,
        )


def test_torch_threads_untouched(toy):
    before = torch.get_num_threads()
    decode_series(toy, encode_audio(toy, noise(0.1)))
    assert torch.get_num_threads() == before
