"""`timbre-rt encode|deform|decode|morph|plane`: same results as the API, one-line errors."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile

from timbre_rt.cli import main
from timbre_rt.generate import (
    decode_series,
    encode_file,
    load_model,
    load_series,
    morph_files,
    parametric_path,
    plane_files,
)

RATE = 24000


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wavs")
    rng = np.random.default_rng(0)
    paths = []
    for i in range(4):
        t = np.arange(int(RATE * (0.3 + 0.1 * i))) / RATE
        x = 0.3 * np.sin(2 * np.pi * 200 * (i + 1) * t) + 0.02 * rng.standard_normal(t.size)
        paths.append(folder / f"s{i}.wav")
        soundfile.write(paths[-1], x.astype(np.float32), RATE, subtype="FLOAT")
    return paths


def run(args, capsys):
    status = main([str(a) for a in args] + (["--no-progress"] if args[0] not in ("deform",) else []))
    out, err = capsys.readouterr()
    return status, out, err


def test_encode_decode_equals_the_api_exactly(toy_path, wavs, tmp_path, capsys):
    npz, wav = tmp_path / "s0.latent.npz", tmp_path / "s0.wav"
    assert run(["encode", toy_path, wavs[0], "-o", npz], capsys)[0] == 0
    assert npz.exists() and (tmp_path / "s0.latent.png").exists()
    assert run(["decode", toy_path, npz, "-o", wav], capsys)[0] == 0
    audio, rate = soundfile.read(wav, dtype="float32")
    series = encode_file(toy_path, wavs[0])
    np.testing.assert_array_equal(load_series(npz).latent, series.latent)
    np.testing.assert_array_equal(audio, decode_series(toy_path, series))
    assert rate == RATE and audio.size == soundfile.info(wavs[0]).frames


def test_identity_round_trip_through_the_cli(identity_path, wavs, tmp_path, capsys):
    npz, wav = tmp_path / "id.npz", tmp_path / "id.wav"
    assert run(["encode", identity_path, wavs[1], "-o", npz, "--no-plot"], capsys)[0] == 0
    assert run(["decode", identity_path, npz, "-o", wav, "--chunk", "16"], capsys)[0] == 0
    np.testing.assert_array_equal(soundfile.read(wav, dtype="float32")[0], soundfile.read(wavs[1], dtype="float32")[0])


def test_encode_default_output_name(toy_path, wavs, tmp_path, capsys):
    src = tmp_path / "voice.wav"
    src.write_bytes(wavs[0].read_bytes())
    assert run(["encode", toy_path, src], capsys)[0] == 0
    assert (tmp_path / "voice.latent.npz").exists() and (tmp_path / "voice.latent.png").exists()


def test_deform_writes_series_and_before_after_plot(toy_path, wavs, tmp_path, capsys):
    npz = tmp_path / "a.npz"
    run(["encode", toy_path, wavs[0], "-o", npz, "--no-plot"], capsys)
    (tmp_path / "d.yaml").write_text("ops:\n  - {op: offset, value: {z0: 1}}\n  - {op: stretch, factor: 2}\n")
    status, out, _ = run(["deform", npz, "--spec", tmp_path / "d.yaml", "-o", tmp_path / "b.npz"], capsys)
    assert status == 0 and "2 ops" in out and (tmp_path / "b.png").exists()
    a, b = load_series(npz), load_series(tmp_path / "b.npz")
    assert b.frames == 2 * a.frames and [h["op"] for h in b.history] == ["encode", "offset", "stretch"]
    assert run(["decode", toy_path, tmp_path / "b.npz", "-o", tmp_path / "b.wav"], capsys)[0] == 0
    assert soundfile.info(tmp_path / "b.wav").frames == 2 * a.num_samples


def test_morph_and_plane_equal_the_api(toy_path, wavs, tmp_path, capsys):
    status, _, _ = run(
        [
            "morph",
            toy_path,
            wavs[0],
            wavs[2],
            "-o",
            tmp_path / "m.wav",
            "--align",
            "pad",
            "--curve",
            "0:0,0.2:1",
            "--latent-out",
            tmp_path / "m.npz",
        ],
        capsys,
    )
    assert status == 0 and (tmp_path / "m.png").exists()
    model = load_model(toy_path)
    series = morph_files(model, wavs[0], wavs[2], align="pad", curve=[(0, 0), (0.2, 1)])
    np.testing.assert_array_equal(load_series(tmp_path / "m.npz").latent, series.latent)
    np.testing.assert_array_equal(soundfile.read(tmp_path / "m.wav", dtype="float32")[0], decode_series(model, series))

    (tmp_path / "path.csv").write_text("time,x,y\n0,0,0\n0.5,1,1\n")
    status, _, _ = run(["plane", toy_path, *wavs, "--path", tmp_path / "path.csv", "-o", tmp_path / "p.wav"], capsys)
    assert status == 0 and (tmp_path / "p.plane.png").exists()
    assert soundfile.info(tmp_path / "p.wav").frames == RATE // 2
    status, _, _ = run(
        [
            "plane",
            toy_path,
            *wavs[:3],
            "--positions",
            "0,0;1,0;0.5,1",
            "--path",
            "circle",
            "--period",
            "0.2",
            "--seconds",
            "0.3",
            "-o",
            tmp_path / "c.wav",
        ],
        capsys,
    )
    assert status == 0
    ref = plane_files(
        model, wavs[:3], parametric_path("circle", 0.2), seconds=0.3, positions=[(0, 0), (1, 0), (0.5, 1)]
    )
    np.testing.assert_array_equal(
        soundfile.read(tmp_path / "c.wav", dtype="float32")[0], decode_series(model, ref.series)
    )


def test_errors_are_one_line_and_exit_2(toy_path, identity_path, wavs, tmp_path, capsys):
    npz = tmp_path / "a.npz"
    run(["encode", toy_path, wavs[0], "-o", npz, "--no-plot"], capsys)
    (tmp_path / "corrupt.npz").write_bytes(b"garbage")
    (tmp_path / "bad.yaml").write_text("- {op: offset, value: {z7: 1}}\n")
    cases = [
        (
            ["decode", toy_path, tmp_path / "corrupt.npz", "-o", tmp_path / "x.wav"],
            "decode",
            "corrupt.npz: not a latent series file",
            1,
        ),
        (
            ["decode", toy_path, tmp_path / "missing.npz", "-o", tmp_path / "x.wav"],
            "decode",
            "no such latent series file",
            1,
        ),
        (["decode", identity_path, npz, "-o", tmp_path / "x.wav"], "decode", "identity.ts", 1),
        (["encode", tmp_path / "nope.ts", wavs[0], "-o", tmp_path / "x.npz"], "encode", "does not exist", 1),
        (["encode", toy_path, tmp_path / "nope.wav"], "encode", "no such audio file", 1),
        (
            ["deform", npz, "--spec", tmp_path / "bad.yaml", "-o", tmp_path / "x.npz"],
            "deform",
            "op 0 (offset): no latent dimension 'z7'",
            1,
        ),
        (
            ["morph", toy_path, wavs[0], wavs[1], "-o", tmp_path / "x.wav", "--curve", "up"],
            "morph",
            "--curve: breakpoints must read",
            2,
        ),
        (
            ["plane", toy_path, *wavs, "--path", "spiral", "-o", tmp_path / "x.wav"],
            "plane",
            "spiral: no such path file (a path is a CSV of time,x,y or one of circle",
            2,
        ),
        (
            ["plane", toy_path, *wavs[:3], "--path", "circle", "-o", tmp_path / "x.wav"],
            "plane",
            "3 anchors need --positions",
            2,
        ),
    ]
    for args, command, words, expected in cases:  # 2: bad command line, 1: bad file or model
        status, out, err = run(args, capsys)
        assert status == expected, args
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"timbre-rt {command}: error: "), err
        assert words in lines[0], (words, err)
        assert not (tmp_path / "x.wav").exists()


def test_help_lists_the_commands_with_examples(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("encode", "deform", "decode", "morph", "plane"):
        assert command in out
    with pytest.raises(SystemExit):
        main(["deform", "--help"])
    out = capsys.readouterr().out
    assert "op: curve" in out and "examples:" in out


def test_no_traceback_in_a_real_process(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"x")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "timbre_rt.cli",
            "deform",
            str(tmp_path / "bad.npz"),
            "--spec",
            str(tmp_path / "s.yaml"),
            "-o",
            str(tmp_path / "o.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip() == f"timbre-rt deform: error: {tmp_path / 'bad.npz'}: not a latent "
        "series file (not an .npz archive)"
    )


def test_rate_resamples_the_written_audio(toy_path, wavs, tmp_path, capsys):
    npz = tmp_path / "a.npz"
    run(["encode", toy_path, wavs[0], "-o", npz, "--no-plot"], capsys)
    samples = load_series(npz).num_samples
    status, out, _ = run(["decode", toy_path, npz, "-o", tmp_path / "a44.wav", "--rate", "44100"], capsys)
    info = soundfile.info(tmp_path / "a44.wav")
    assert status == 0 and "at 44100 Hz" in out
    assert info.samplerate == 44100 and info.frames == round(samples * 44100 / RATE)
    # The same sound: the resampled file's 200 Hz tone is where the model's rate put it.
    audio = soundfile.read(tmp_path / "a44.wav", dtype="float32")[0]
    native = decode_series(toy_path, load_series(npz))
    assert abs(np.sqrt(np.mean(audio**2)) - np.sqrt(np.mean(native**2))) < 0.05 * np.sqrt(np.mean(native**2))

    status, _, _ = run(["morph", toy_path, wavs[0], wavs[2], "-o", tmp_path / "m.wav", "--rate", "16000"], capsys)
    assert status == 0 and soundfile.info(tmp_path / "m.wav").samplerate == 16000
    assert (tmp_path / "m.png").exists()
    status, _, _ = run(
        [
            "plane",
            toy_path,
            *wavs,
            "--path",
            "line",
            "--seconds",
            "0.5",
            "--rate",
            "48000",
            "-o",
            tmp_path / "p.wav",
            "--no-plot",
        ],
        capsys,
    )
    info = soundfile.info(tmp_path / "p.wav")
    assert status == 0 and info.samplerate == 48000 and info.frames == 24000
    # The model's own rate: the file is the unresampled decode.
    assert run(["decode", toy_path, npz, "-o", tmp_path / "same.wav", "--rate", str(RATE)], capsys)[0] == 0
    np.testing.assert_array_equal(soundfile.read(tmp_path / "same.wav", dtype="float32")[0], native)


@pytest.mark.parametrize("value", ["0", "-44100", "768001", "abc", "44100.5", "nan"])
def test_bad_rate_is_one_line_and_exit_2(toy_path, wavs, tmp_path, capsys, value):
    npz = tmp_path / "a.npz"
    run(["encode", toy_path, wavs[0], "-o", npz, "--no-plot"], capsys)
    for args in (
        ["decode", toy_path, npz],
        ["morph", toy_path, wavs[0], wavs[1]],
        ["plane", toy_path, *wavs, "--path", "circle"],
    ):
        status, _, err = run(args + ["-o", tmp_path / "x.wav", f"--rate={value}"], capsys)
        lines = err.strip().splitlines()
        assert status == 2 and len(lines) == 1, err
        assert lines[0].startswith(f"timbre-rt {args[0]}: error: --rate: ") and "768000" in lines[0]
        assert not (tmp_path / "x.wav").exists()
