"""`timbre-rt play` through a private JACK server (`jackd -d dummy`, a paced device without
a sound card): a looped file through the pipeline, a MIDI knob that changes what is heard,
the device list, and clear errors for unknown devices, ports, maps and files."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from jack_server import RATE, jackd, sender  # noqa: F401  (fixtures)
from timbre_rt.audio import read_wav, write_wav
from timbre_rt.cli import main

try:
    import sounddevice  # noqa: F401
except (ImportError, OSError) as e:  # OSError: PortAudio (libportaudio2) missing
    pytest.skip(f"sounddevice cannot load PortAudio ({e}): install libportaudio2", allow_module_level=True)


@pytest.fixture
def tone(tmp_path):
    path = tmp_path / "tone.wav"
    t = np.arange(24000) / 24000
    write_wav(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 24000)
    return path


def play(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "timbre_rt.cli", "play", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def test_play_a_looped_file_through_jack(jackd, toy_path, tone, tmp_path):  # noqa: F811
    record = tmp_path / "out.wav"
    run = play(toy_path, "--input", str(tone), "--seconds", "3", "--record", str(record), "--block", "256")
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "at 48000 Hz (model 24000 Hz)" in err
    status = [line for line in err.splitlines() if "| latency" in line]
    assert len(status) >= 2, err  # one line a second when stderr is not a terminal
    assert (
        "xruns" in status[-1] and "underruns" in status[-1] and "cpu" in status[-1] and "z0 +0.00 x1.00" in status[-1]
    )
    assert re.search(r"played 3\.\d s", err) and "errors 0" in err, err
    audio, rate = read_wav(record)
    audio = audio.reshape(-1)
    assert rate == RATE and audio.size >= 3 * RATE
    latency_ms = float(re.search(r"played 3\.\d s: latency ([\d.]+) ms", err).group(1))
    assert 100 < latency_ms < 1000
    heard = audio[int(latency_ms * RATE / 1000) + RATE // 10 :]
    assert np.sqrt(np.mean(heard**2)) > 1e-3, "the model's output reaches the device"


def test_a_midi_knob_changes_what_is_played(jackd, sender, identity_path, tmp_path):  # noqa: F811
    silence = tmp_path / "silence.wav"
    write_wav(silence, np.zeros(24000, dtype=np.float32), 24000)
    knobs = tmp_path / "knobs.yaml"
    knobs.write_text("port: timbre-test-knobs\ncontrols:\n  - {cc: 1, dim: 0, range: [0.0, 1.0]}\n")
    record = tmp_path / "out.wav"
    run = play(
        identity_path,
        "--input",
        str(silence),
        "--seconds",
        "4",
        "--record",
        str(record),
        "--map",
        str(knobs),
        "--buffer",
        "512",
    )
    lines = []
    moved = threading.Event()

    def watch():
        for line in run.stderr:
            lines.append(line)
            if "| latency" in line and not moved.is_set():
                time.sleep(1.0)
                sender.send_message([0xB0, 1, 127])  # z0 offset -> 1.0
                moved.set()

    reader = threading.Thread(target=watch)
    reader.start()
    try:
        assert run.wait(timeout=120) == 0, "".join(lines)
    finally:
        if run.poll() is None:
            run.kill()
        reader.join(timeout=10)
    err = "".join(lines)
    assert moved.is_set() and "MIDI 'timbre-test:timbre-test-knobs'" in err and "midi events 1" in err, err
    assert "z0 +1.00" in [line for line in lines if "| latency" in line][-1]
    audio = read_wav(record)[0].reshape(-1)
    assert not audio[: RATE // 2].any(), "silence in, knobs at rest: silence out"
    assert np.abs(audio[-RATE // 2 :]).max() > 0.05, "the offset on z0 is heard after the knob moved"


def test_list_shows_jack_devices_and_midi_ports(jackd, sender, capsys):  # noqa: F811
    assert main(["play", "--list"]) == 0
    out = capsys.readouterr().out
    assert "JACK Audio Connection Kit" in out and "timbre-test-knobs" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--output-device", "no-such-card"], "no output device matches 'no-such-card'"),
        (["--input-device", "no-such-mic", "--input", "mic"], "no input device matches 'no-such-mic'"),
        (["--midi", "no-such-port", "--map", "{map}"], "no MIDI input port matches 'no-such-port'"),
        (["--map", "{bad_map}"], r"controls[0]: 'cc' must be an integer 0..127, got 300"),
        (["--map", "{map_out_of_range}"], "controls[0]: dim 7 is out of range: the model has 4 latent dimensions"),
        (["--midi", "timbre-test-knobs"], "--midi needs a knob map"),
        (["--input", "{missing_wav}"], "missing.wav: no such audio file"),
    ],
)
def test_unknown_devices_ports_maps_and_files_fail_clearly(
    jackd,
    sender,
    toy_path,
    tone,
    tmp_path,
    capsys,  # noqa: F811
    extra,
    message,
):
    files = {
        "map": tmp_path / "map.yaml",
        "bad_map": tmp_path / "bad.yaml",
        "map_out_of_range": tmp_path / "range.yaml",
        "missing_wav": tmp_path / "missing.wav",
    }
    files["map"].write_text("controls: [{cc: 1, dim: 0}]\n")
    files["bad_map"].write_text("controls: [{cc: 300, dim: 0}]\n")
    files["map_out_of_range"].write_text("port: timbre-test-knobs\ncontrols: [{cc: 1, dim: 7}]\n")
    args = ["play", toy_path, "--input", str(tone), "--seconds", "1"] + [a.format(**files) for a in extra]
    assert main(args) == 1  # a failure, not a bad command line
    err = capsys.readouterr().err
    assert err.startswith("timbre-rt play: error: ") and message in err, err


def test_missing_model_fails_clearly(jackd, tone, tmp_path, capsys):  # noqa: F811
    assert main(["play", str(tmp_path / "none.ts"), "--input", str(tone)]) == 1
    assert "none.ts" in capsys.readouterr().err


def test_ctrl_c_stops_cleanly(jackd, toy_path, tone, tmp_path):  # noqa: F811
    record = tmp_path / "out.wav"
    run = play(toy_path, "--input", str(tone), "--record", str(record))  # no --seconds: until Ctrl-C
    lines = []
    for line in run.stderr:
        lines.append(line)
        if "| latency" in line:
            run.send_signal(signal.SIGINT)
            break
    rest = run.communicate(timeout=60)[1]
    err = "".join(lines) + rest
    assert run.returncode == 0, err
    assert "played" in rest and "Traceback" not in err
    assert read_wav(record)[0].size > 0


def test_play_from_the_input_device_with_an_odd_block(jackd, toy_path):  # noqa: F811
    run = play(toy_path, "--input", "mic", "--seconds", "2", "--block", "441", "--quiet")
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "block 441" in err and "input device" in err and "| latency" not in err  # --quiet: no status line
    assert re.search(r"played 2\.\d s: .*errors 0", err), err
