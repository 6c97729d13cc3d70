"""The `timbre-rt` command line: info, demo (exact against a Python reference), bench reports,
and the WAV reader / writer the demo relies on."""

import json
import subprocess
import sys
import wave
from dataclasses import fields

import numpy as np
import pytest

from streaming import chain_reference
from timbre_rt.audio import read_wav, write_wav
from timbre_rt.bench import BenchResult
from timbre_rt.cli import main


def test_no_subcommand_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: timbre-rt" in out and "bench" in out and "info" in out and "demo" in out


def test_info_good_file(toy_path, capsys):
    assert main(["info", toy_path]) == 0
    out = capsys.readouterr().out
    assert "toy_codec" in out and "24000 Hz" in out and "16 samples" in out
    assert "encode" in out and "decode" in out and "forward" in out
    assert "[1 ch, 1/1] -> [4 ch, 1/16]" in out  # encode's shapes


def test_info_bad_file_is_one_clear_line_and_exit_1(tmp_path):
    bad = tmp_path / "bad.ts"
    bad.write_bytes(b"this is not a model")
    # A real process: checks the exit status and that no traceback reaches stderr.
    run = subprocess.run(
        [sys.executable, "-m", "timbre_rt.cli", "info", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1  # a failure (2 is for a bad command line)
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "not a TorchScript file" in lines[0] and str(bad) in lines[0]


def test_info_missing_file(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.ts")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


@pytest.mark.parametrize("host", ["pd", "python"])
def test_demo_equals_python_reference(toy_path, tmp_path, capsys, host):
    out = tmp_path / "demo.wav"
    args = [
        "demo",
        "--model",
        toy_path,
        "--out",
        str(out),
        "--buffer",
        "2048",
        "--block",
        "64",
        "--seconds",
        "0.5",
        "--host",
        host,
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "latency:  4096 samples (170.7 ms)" in printed and "24000 Hz" in printed

    x, rate_in = read_wav(tmp_path / "demo_input.wav")
    y, rate_out = read_wav(out)
    assert rate_in == rate_out == 24000
    assert x.shape == y.shape == (1, x.shape[-1])
    assert x.shape[-1] % 16 == 0 and np.abs(x).max() > 0.1
    # Exactly what the chain computes, the encoder's startup silence included.
    expected = chain_reference(toy_path, x, 2048, 2048)
    error = np.abs(y - expected).max()
    assert error <= 1e-5, f"max abs error {error}"
    assert np.abs(y[:, 4096:]).max() > 0.01  # the sound did come out


def test_wav_float32_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    audio = (2.0 * rng.standard_normal((2, 1001))).astype(np.float32)  # beyond [-1, 1] too
    write_wav(tmp_path / "a.wav", audio, 44100)
    back, rate = read_wav(tmp_path / "a.wav")
    assert rate == 44100 and back.dtype == np.float32
    assert np.array_equal(back, audio)

    mono = audio[0]
    write_wav(tmp_path / "m.wav", mono, 24000)
    back, rate = read_wav(tmp_path / "m.wav")
    assert rate == 24000 and np.array_equal(back, mono[None])


def test_read_wav_integer_pcm(tmp_path):
    # 16- and 24-bit stereo files written by the stdlib, read back scaled to [-1, 1).
    ints = np.array([[0, 1, -1, 32767, -32768], [5, -5, 100, -100, 0]], dtype=np.int64)  # [C, T]
    for width, scale in [(2, 1 << 15), (3, 1 << 23)]:
        values = ints * (1 << 8) if width == 3 else ints
        frames = b"".join(int(v).to_bytes(width, "little", signed=True) for v in values.T.ravel())
        path = tmp_path / f"pcm{8 * width}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(width)
            w.setframerate(16000)
            w.writeframes(frames)
        audio, rate = read_wav(path)
        assert rate == 16000 and audio.shape == (2, 5)
        assert np.array_equal(audio, (values / scale).astype(np.float32)), width


def test_bench_tiny_writes_both_reports(toy_path, tmp_path, capsys):
    args = [
        "bench",
        "--models",
        toy_path,
        "--buffers",
        "256",
        "--calls",
        "5",
        "--warmup",
        "2",
        "--rounds",
        "2",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    report = json.loads((tmp_path / "engine_overhead.json").read_text())
    assert set(report) >= {"date", "command", "machine", "config", "results"}
    assert set(report["machine"]) >= {"cpu", "cores", "torch"}
    assert report["command"].startswith("timbre-rt bench --models")
    rows = report["results"]
    assert [r["method"] for r in rows] == ["encode", "decode", "forward"]
    for r in rows:
        assert set(r) == {f.name for f in fields(BenchResult)}
        assert r["buffer"] == 256 and r["threads"] == 1 and r["calls"] == 5
        assert r["engine_ms_p50"] > 0 and r["direct_ms_p50"] > 0 and r["errors"] == 0
        assert r["realtime_factor"] > 0 and r["overhead_pct"] is not None

    md = (tmp_path / "engine_overhead.md").read_text()
    assert md.startswith("# timbre_rt engine overhead")
    assert "CPU:" in md and "torch" in md and "`timbre-rt bench --models" in md
    assert md.count("| " + toy_path) == 3
    assert "| encode" in capsys.readouterr().out  # the table is printed too


def test_bench_bad_model_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.ts"
    bad.write_bytes(b"")
    assert main(["bench", "--models", str(bad), "--calls", "1", "--out", str(tmp_path)]) == 2
    assert "is empty" in capsys.readouterr().err
    assert not (tmp_path / "engine_overhead.json").exists()


def test_bench_default_model(tmp_path, capsys):
    # No --models: a ToyCodec is exported to a temporary folder and labelled as such.
    assert main(["bench", "--methods", "forward", "--calls", "3", "--warmup", "1", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "engine_overhead.json").read_text())["results"]
    assert len(rows) == 1 and rows[0]["model"].startswith("ToyCodec(") and rows[0]["buffer"] == 2048
