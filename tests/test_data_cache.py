"""The chunk cache: chunking, split by sound, layout, re-runs, settings checks, CLI."""

import argparse
import json

import numpy as np
import pytest
import soundfile

from timbre_rt.audio import AudioFileError
from timbre_rt.data import DatasetError, read_manifest
from timbre_rt.data.cache import prepare_folder
from timbre_rt.data.chunking import chunk_audio, split_sounds
from timbre_rt.data.cli import add_parser, run

RATE = 8000
CHUNK = 1024


def make_folder(folder, n=10, rng=None):
    """n sounds; sound i is a constant level 0.05 * (i + 1) over 2.5 chunks (-> 3 chunks),
    so a chunk's value tells which sound it came from."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        x = np.full(int(2.5 * CHUNK), 0.05 * (i + 1), np.float32)
        soundfile.write(folder / f"s{i:02d}.wav", x, RATE, subtype="FLOAT")
    return folder


def prepare(src, out, **kw):
    kw.setdefault("sampling_rate", RATE)
    kw.setdefault("chunk", CHUNK)
    return prepare_folder(src, out, progress=False, **kw)


def level_to_name(value):
    return f"s{int(round(value / 0.05)) - 1:02d}.wav"


# chunk_audio / split_sounds -------------------------------------------------


def test_chunk_tail_padding_rule():
    x = np.ones(2 * 100 + 50, np.float32)  # tail exactly half a chunk: kept, zero-padded
    c = chunk_audio(x, 100)
    assert c.shape == (3, 100) and c.dtype == np.float32
    assert np.all(c[2, :50] == 1) and np.all(c[2, 50:] == 0)
    assert chunk_audio(np.ones(249, np.float32), 100).shape == (2, 100)  # 49 < half: dropped
    assert chunk_audio(np.ones(40, np.float32), 100).shape == (0, 100)


def test_quiet_chunks_are_dropped():
    loud, quiet = np.full(100, 0.01, np.float32), np.full(100, 1e-4, np.float32)  # -40, -80 dBFS
    c = chunk_audio(np.concatenate([quiet, loud, quiet, np.zeros(100, np.float32)]), 100)
    assert c.shape == (1, 100) and np.allclose(c, 0.01)


def test_split_is_by_name_deterministic_and_bounded():
    names = [f"n{i}" for i in range(20)]
    train, held = split_sounds(names, 0.1, seed=3)
    assert len(held) == 2 and not set(train) & set(held) and set(train) | set(held) == set(names)
    assert split_sounds(list(reversed(names)), 0.1, seed=3) == (train, held)
    assert split_sounds(names, 0.1, seed=4) != (train, held)
    assert len(split_sounds(["a", "b"], 0.1)[1]) == 1  # at least one held out
    assert split_sounds(["a"], 0.1) == (["a"], [])
    assert split_sounds(["a", "b"], 0.0) == (["a", "b"], [])
    with pytest.raises(DatasetError):
        split_sounds(names, 1.0)


# prepare_folder -------------------------------------------------------------


def test_layout_and_split_by_sound(tmp_path, capsys):
    src = make_folder(tmp_path / "src")
    (src / "x.wav").write_bytes(np.random.default_rng(0).bytes(3000))  # corrupt
    soundfile.write(src / "silent.wav", np.zeros(4 * CHUNK, np.float32), RATE)
    result = prepare(src, tmp_path / "out", held_out=0.2)
    assert result.created
    out = tmp_path / "out"
    m = read_manifest(out)
    assert (m.sampling_rate, m.chunk) == (RATE, CHUNK)
    assert dict(m.skipped).keys() == {"x.wav", "silent.wav"}
    assert "x.wav" in capsys.readouterr().err
    train, held = m.names("train"), m.names("held_out")
    assert len(held) == 2 and len(train) == 8 and not set(train) & set(held)
    for split, names in (("train", train), ("held_out", held)):
        a = np.load(out / f"{split}.npy", mmap_mode="r")
        assert a.dtype == np.float16 and a.shape == (3 * len(names), CHUNK)
        assert m.counts[split] == {
            "sounds": len(names),
            "chunks": 3 * len(names),
            "seconds": pytest.approx(2.5 * CHUNK / RATE * len(names)),
        }
        # Every chunk comes from a sound of this split, never from the other one.
        assert {level_to_name(float(row[0])) for row in a} == set(names)
    # Held-out sounds as float32 WAVs at the dataset rate.
    for entry in m.splits["held_out"]:
        info = soundfile.info(out / entry["file"])
        assert (info.samplerate, info.subtype, info.frames) == (RATE, "FLOAT", int(2.5 * CHUNK))
    assert sorted(p.name for p in (out / "held_out").iterdir()) == sorted(held)
    raw = json.loads((out / "manifest.json").read_text())
    assert raw["format"] == "timbre_rt.dataset" and raw["version"] == 1
    assert raw["source"]["kind"] == "folder" and raw["source"]["path"] == str(src.resolve())
    assert {s["name"] for s in raw["skipped"]} == {"x.wav", "silent.wav"}


def test_split_is_deterministic(tmp_path):
    src = make_folder(tmp_path / "src")
    a = prepare(src, tmp_path / "a", seed=7).manifest
    b = prepare(src, tmp_path / "b", seed=7).manifest
    assert a.splits == b.splits
    for split in ("train", "held_out"):
        np.testing.assert_array_equal(
            np.load(tmp_path / "a" / f"{split}.npy"), np.load(tmp_path / "b" / f"{split}.npy")
        )


def test_resamples_to_the_cache_rate(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    soundfile.write(src / "a.wav", np.full(3 * CHUNK, 0.3, np.float32), RATE * 2)
    m = prepare(src, tmp_path / "out").manifest
    assert m.counts["train"]["seconds"] == pytest.approx(1.5 * CHUNK / RATE, rel=1e-3)


def test_rerun_is_a_noop(tmp_path):
    src = make_folder(tmp_path / "src", n=3)
    out = tmp_path / "out"
    prepare(src, out)
    stamp = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = prepare(src, out)
    assert not again.created
    assert again.manifest.splits == read_manifest(out).splits
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamp


def test_other_settings_error_unless_overwrite(tmp_path):
    src = make_folder(tmp_path / "src", n=3)
    out = tmp_path / "out"
    prepare(src, out)
    with pytest.raises(DatasetError, match="chunk 1024 in the cache, 512 asked") as e:
        prepare(src, out, chunk=512)
    assert str(out) in str(e.value) and "--overwrite" in str(e.value)
    with pytest.raises(DatasetError, match="seed 0 in the cache, 1 asked"):
        prepare(src, out, seed=1)
    soundfile.write(src / "new.wav", np.full(CHUNK, 0.5, np.float32), RATE)
    with pytest.raises(DatasetError, match="files in the folder changed"):
        prepare(src, out)
    result = prepare(src, out, chunk=512, overwrite=True)
    assert result.created and read_manifest(out).chunk == 512
    assert np.load(out / "train.npy").shape[1] == 512


def test_foreign_folder_is_not_clobbered(tmp_path):
    src = make_folder(tmp_path / "src", n=2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(DatasetError, match="not empty and not a dataset cache"):
        prepare(src, out)
    # Leftovers of an interrupted run (arrays, no manifest) are ours: redone silently.
    (out / "thesis.tex").unlink()
    np.save(out / "train.npy", np.zeros((1, 3)))
    assert prepare(src, out).created


def test_empty_source_folder_errors(tmp_path):
    (tmp_path / "src").mkdir()
    with pytest.raises(AudioFileError, match="no audio files found"):
        prepare(tmp_path / "src", tmp_path / "out")
    (tmp_path / "src" / "x.wav").write_bytes(b"junk")
    with pytest.raises(DatasetError, match="no usable audio"):
        prepare(tmp_path / "src", tmp_path / "out")
    assert not (tmp_path / "out" / "manifest.json").exists()


# CLI ------------------------------------------------------------------------


def parse(argv):
    parser = argparse.ArgumentParser(prog="timbre-rt")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_summary_noop_and_error(tmp_path, capsys):
    src = make_folder(tmp_path / "src", n=4)
    argv = [
        "make-dataset",
        "--folder",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--rate",
        str(RATE),
        "--chunk",
        str(CHUNK),
    ]
    args = parse(argv)
    assert args.func is run and run(args) == 0
    out = capsys.readouterr().out
    assert "train     3 sounds" in out and "held_out  1 sounds" in out and "skipped   0" in out
    assert run(parse(argv)) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert run(parse(argv[:-1] + ["512"])) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("timbre-rt make-dataset: error: ")
    assert run(parse(["make-dataset", "--folder", str(tmp_path / "nope"), "--out", "x"])) == 1
    assert "nope: no such folder" in capsys.readouterr().err


def test_cli_needs_exactly_one_source(tmp_path):
    with pytest.raises(SystemExit):
        parse(["make-dataset", "--out", str(tmp_path)])
    with pytest.raises(SystemExit):
        parse(["make-dataset", "--folder", "a", "--soundfont", "default", "--out", str(tmp_path)])


def test_held_out_wav_names_are_flat_and_unique(tmp_path):
    from timbre_rt.data.layout import wav_names

    assert wav_names(["a/b.flac", "a__b.wav", "c.WAV", "d.mp3"]) == {
        "a/b.flac": "a__b.wav",
        "a__b.wav": "a__b_2.wav",
        "c.WAV": "c.wav",
        "d.mp3": "d.wav",
    }


def test_a_crash_leaves_no_manifest(tmp_path, monkeypatch):
    import timbre_rt.data.cache as cache

    src = make_folder(tmp_path / "src", n=4)
    out = tmp_path / "out"
    prepare(src, out)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "write_wav", crash)  # while writing the held-out WAVs
    with pytest.raises(KeyboardInterrupt):
        prepare(src, out, chunk=512, overwrite=True)
    # The old manifest went first; no manifest describes the new, unfinished arrays.
    assert not (out / "manifest.json").exists()
    with pytest.raises(DatasetError, match="no manifest"):
        read_manifest(out)
    monkeypatch.undo()
    assert prepare(src, out, chunk=512).created  # leftovers are ours: no --overwrite needed
