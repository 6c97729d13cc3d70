"""Finding and decoding audio files: formats, mix-down, resampling, bad files."""

import numpy as np
import pytest
import soundfile

from timbre_rt.audio import AudioFileError, find_audio_files, load_audio
from timbre_rt.data import DatasetError
from timbre_rt.data.sources import load_folder


def sine(freq, rate, seconds, amp=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(x, rate):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spectrum) * rate / len(x)


def test_find_is_recursive_sorted_and_case_insensitive(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ["b.wav", "A.WAV", "sub/c.Flac", "sub/d.ogg", "e.mp3", "notes.txt", "f.wav.bak"]:
        (tmp_path / name).write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in find_audio_files(tmp_path)]
    assert found == ["A.WAV", "b.wav", "e.mp3", "sub/c.Flac", "sub/d.ogg"]


def test_missing_and_empty_folders_raise(tmp_path):
    with pytest.raises(AudioFileError, match="no such folder") as e:
        find_audio_files(tmp_path / "nope")
    assert "nope" in str(e.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AudioFileError, match="no audio files found") as e:
        load_folder(tmp_path / "empty", 24000)
    assert str(tmp_path / "empty") in str(e.value)
    (tmp_path / "file.wav").write_bytes(b"")
    with pytest.raises(AudioFileError, match="not a folder"):
        find_audio_files(tmp_path / "file.wav")


def test_corrupt_and_empty_files_are_skipped_by_name(tmp_path, capsys):
    rng = np.random.default_rng(0)
    soundfile.write(tmp_path / "good.wav", sine(440, 24000, 0.1), 24000)
    (tmp_path / "x.wav").write_bytes(rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    (tmp_path / "zero_bytes.flac").write_bytes(b"")
    soundfile.write(tmp_path / "no_frames.wav", np.zeros(0, np.float32), 24000)
    loaded = load_folder(tmp_path, 24000)
    assert [s.name for s in loaded.sounds] == ["good.wav"]
    skipped = dict(loaded.skipped)
    assert set(skipped) == {"x.wav", "zero_bytes.flac", "no_frames.wav"}
    assert "empty" in skipped["no_frames.wav"]
    err = capsys.readouterr().err
    for name in skipped:
        assert f"skipping {tmp_path / name}" in err


def test_folder_without_readable_audio_raises(tmp_path):
    (tmp_path / "x.wav").write_bytes(b"RIFF garbage")
    with pytest.raises(DatasetError, match="no readable audio") as e:
        load_folder(tmp_path, 24000)
    assert str(tmp_path) in str(e.value)


def test_load_audio_error_names_the_file(tmp_path):
    (tmp_path / "x.wav").write_bytes(b"not audio at all")
    with pytest.raises(AudioFileError, match="cannot read audio") as e:
        load_audio(tmp_path / "x.wav", 24000)
    assert str(tmp_path / "x.wav") in str(e.value)


def test_resampling_keeps_length_and_frequency(tmp_path):
    soundfile.write(tmp_path / "tone.wav", sine(1000, 44100, 1.0), 44100, subtype="FLOAT")
    x = load_audio(tmp_path / "tone.wav", 24000)
    assert x.dtype == np.float32 and x.ndim == 1
    assert abs(len(x) - 24000) <= 1
    assert abs(peak_hz(x, 24000) - 1000) < 2
    # HQ resampling keeps the level of an in-band tone.
    assert np.sqrt(np.mean(x[1000:-1000] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_stereo_is_mixed_to_mono(tmp_path):
    left = sine(440, 24000, 0.2)
    soundfile.write(tmp_path / "st.wav", np.stack([left, np.zeros_like(left)], 1), 24000, subtype="FLOAT")
    x = load_audio(tmp_path / "st.wav", 24000)
    np.testing.assert_allclose(x, left / 2, atol=1e-6)


@pytest.mark.parametrize("fmt", ["FLAC", "OGG", "MP3"])
def test_compressed_formats(tmp_path, fmt):
    if fmt not in soundfile.available_formats():
        pytest.skip(f"the installed libsndfile cannot write {fmt}")
    path = tmp_path / f"tone.{fmt.lower()}"
    subtype = {"FLAC": "PCM_16", "OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}[fmt]
    soundfile.write(path, sine(440, 24000, 1.0), 24000, subtype=subtype)
    x = load_audio(path, 16000)
    # Lossy codecs pad a little; the length and the pitch must still be right.
    assert abs(len(x) - 16000) < 1600
    assert abs(peak_hz(x, 16000) - 440) < 3
