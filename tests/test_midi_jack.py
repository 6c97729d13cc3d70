"""MIDI through a private JACK server: a virtual port (python-rtmidi, JACK MIDI API) sends
control changes and notes, the pipeline's knobs follow; unknown ports fail clearly; and
`timbre-rt midi-learn` writes the map from the controls moved."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import yaml

from jack_server import jackd, sender  # noqa: F401  (fixtures)
from timbre_rt import Pipeline
from timbre_rt.play import MidiError, MidiKnobs, open_input, parse_map

pytest.importorskip("rtmidi", reason="python-rtmidi is not installed")


def wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_controls_from_a_virtual_port_move_the_pipeline_knobs(sender, identity_path):
    pipeline = Pipeline(identity_path, buffer=64, sync=True)
    knobs = parse_map(
        {
            "controls": [
                {"cc": 16, "dim": 0, "range": [0.0, 1.0]},
                {"cc": 17, "dim": "z1", "target": "scale", "range": [0.0, 2.0]},
            ],
            "notes": [{"note": 36, "dim": 2, "action": "freeze"}],
        }
    )
    midi = MidiKnobs(knobs, pipeline, pipeline.latent_names, pipeline.latent_channels)
    midi_in, port = open_input("test-knobs")  # part of the name is enough
    assert port.endswith("timbre-test-knobs")
    midi.attach(midi_in)
    try:
        for value in (0, 32, 64, 127):
            sender.send_message([0xB0, 16, value])
            assert wait_until(lambda: pipeline.offset(0) == pytest.approx(value / 127.0)), (value, pipeline.offset(0))  # noqa: B023 (waited on here)
        sender.send_message([0xB3, 17, 127])  # channel 4: the map takes all channels
        sender.send_message([0x90, 36, 100])
        assert wait_until(lambda: pipeline.scale(1) == 2.0 and pipeline.frozen(2))
        assert midi.events == 6
        # The audio path applies them within one latent frame.
        frame = np.zeros(pipeline.latent_ratio, dtype=np.float32)
        pipeline.process(frame, frame.copy())
        assert (pipeline.applied_offset(0), pipeline.applied_scale(1), pipeline.applied_freeze(2)) == (1.0, 2.0, 1.0)
    finally:
        midi_in.cancel_callback()
        midi_in.close_port()
        midi_in.delete()


def test_unknown_port_names_the_ports_there_are(sender):
    with pytest.raises(
        MidiError, match=r"no MIDI input port matches 'nanoKONTROL' \(jack API; available: .*timbre-test-knobs"
    ):
        open_input("nanoKONTROL")


def test_midi_learn_writes_the_map_of_the_controls_moved(sender, toy_path, tmp_path):
    out = tmp_path / "knobs.yaml"
    command = [
        sys.executable,
        "-m",
        "timbre_rt.cli",
        "midi-learn",
        toy_path,
        "--midi",
        "timbre-test-knobs",
        "-o",
        str(out),
        "--dims",
        "0",
        "z2",
        "--freeze",
        "--timeout",
        "30",
    ]
    learn = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    answers = [  # prompt -> what the user does
        ("z0 (offset)", [[0xB0, 20, 10], [0xB0, 20, 11]]),
        ("z0 (freeze)", [[0xB0, 20, 12], [0x90, 40, 90]]),  # the knob still moving is ignored
        ("z2 (offset)", [[0xB0, 20, 13], [0xB1, 21, 5]]),  # CC 20 is taken: CC 21 on channel 2
        ("z2 (freeze)", [[0x90, 40, 90], [0x90, 41, 90]]),  # note 40 is taken
    ]
    lines = []

    def respond():
        pending = list(answers)
        for line in learn.stderr:
            lines.append(line)
            if pending and line.startswith(pending[0][0]):
                time.sleep(0.2)
                for message in pending.pop(0)[1]:
                    sender.send_message(message)
                    time.sleep(0.05)

    reader = threading.Thread(target=respond)
    reader.start()
    try:
        assert learn.wait(timeout=120) == 0, "".join(lines)
    finally:
        if learn.poll() is None:
            learn.kill()
        reader.join(timeout=10)
    data = yaml.safe_load(out.read_text())
    assert data["port"] == "timbre-test-knobs"
    assert data["controls"] == [
        {"cc": 20, "dim": 0, "target": "offset", "range": [-3.0, 3.0], "channel": 1},
        {"cc": 21, "dim": 2, "target": "offset", "range": [-3.0, 3.0], "channel": 2},
    ]
    assert data["notes"] == [
        {"note": 40, "dim": 0, "action": "freeze", "mode": "toggle", "channel": 1},
        {"note": 41, "dim": 2, "action": "freeze", "mode": "toggle", "channel": 1},
    ]
    assert "wrote" in "".join(lines)


def test_midi_learn_unknown_port_and_bad_dim(jackd, toy_path, tmp_path, capsys):  # noqa: F811
    from timbre_rt.cli import main

    # A port that is not there is a failure (1), not a malformed command line (2).
    assert main(["midi-learn", toy_path, "--midi", "no-such-port", "-o", str(tmp_path / "k.yaml")]) == 1
    assert "no MIDI input port matches 'no-such-port'" in capsys.readouterr().err
    # A dimension the model file does not have: checked against the file, a failure too.
    assert main(["midi-learn", toy_path, "--midi", "x", "--dims", "9", "-o", str(tmp_path / "k.yaml")]) == 1
    assert "dim 9 is out of range: the model has 4" in capsys.readouterr().err
    assert not (tmp_path / "k.yaml").exists()
