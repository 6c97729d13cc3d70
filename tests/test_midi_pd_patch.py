"""The Pd example with MIDI knobs ([ctlin] -> latent offsets and a scale on the shipped
continuous model) opens in headless Pd with every object created and every connection
made, and every one of the model's 19 latents is wired through [latents19]. (Pd's own MIDI
input does not work on a machine without MIDI hardware.)"""
import shutil
import subprocess
from pathlib import Path

import pytest

from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_render import PD_EXTERNALS

PATCH = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "midi-knobs.pd"
LATENTS = 19  # models/continuous.ts: z0..z15, pitch, periodicity, loudness


def _index(canvas, pattern, kind="obj"):
    return [box.index for box in canvas.find(pattern) if box.kind == kind]


def test_midi_knobs_patch_creates_all_its_objects():
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    assert (PD_EXTERNALS / "encoder~.pd_linux").exists(), "build the project first"
    run = subprocess.run(["pd", "-nogui", "-nosound", "-stderr", "-path", str(PD_EXTERNALS), "-open", str(PATCH),
                          "-send", "pd quit"], capture_output=True, text=True, timeout=120, cwd=PATCH.parent)
    log = run.stderr + run.stdout
    assert "couldn't create" not in log, log
    assert "connection failed" not in log, log
    assert "error" not in log.lower(), log


def test_every_latent_is_wired_and_every_knob_has_a_cc():
    patch = Canvas.parse(PATCH.read_text())
    [enc] = _index(patch, r"^encoder~ \.\./\.\./models/continuous\.ts")
    [lat] = _index(patch, rf"^latents{LATENTS} ")
    [dec] = _index(patch, r"^decoder~ \.\./\.\./models/continuous\.ts")
    wires = set(patch.connections())
    for k in range(LATENTS):
        assert (enc, k, lat, k) in wires and (lat, k, dec, k) in wires, k
    for cc in (16, 17, 18, 19, 0, 20):
        assert _index(patch, rf"^ctlin {cc}$"), cc
