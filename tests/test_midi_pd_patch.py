"""The Pd example with MIDI knobs ([ctlin] -> latent offsets and a scale on the shipped
continuous model) opens in headless Pd with every object created and every connection
made, every one of the model's 19 latents is wired through [freeze19] and [latents19], and
the freeze note reaches the freeze: a note-on of FREEZE_NOTE sends what a click on the
freeze toggle sends, and two presses freeze and release. It is what midi_knobs_patch
writes. (Pd's own MIDI input does not work on a machine without MIDI hardware, so the note
is followed by its wires and the press is sent as [sel] sends it; tests/test_pd_latent_freeze.py
shows what a freeze does to the latents.)"""

import shutil
from pathlib import Path

import pytest

from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_patches.midi_knobs import FREEZE_NOTE, midi_knobs_patch
from timbre_rt.pd_render import PD_EXTERNALS
from pd_checks import run_opened

PATCH = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "midi-knobs.pd"
LATENTS = 19  # models/continuous.ts: z0..z15, pitch, periodicity, loudness
NAMES = [f"z{k}" for k in range(16)] + ["pitch", "periodicity", "loudness"]


def _index(canvas, pattern, kind="obj"):
    return [box.index for box in canvas.find(pattern) if box.kind == kind]


def run_patch(tmp_path, *messages: str) -> str:
    """The example opened headless beside a probe that prints mk-freeze; `messages` sent -> its
    log, which has no error in it."""
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    assert (PD_EXTERNALS / "encoder~.pd_linux").exists(), "build the project first"
    probe = Canvas(300, 200, x=0, y=0)
    probe.wire(probe.obj(10, 10, "r mk-freeze"), 0, probe.obj(10, 40, "print freeze"), 0)
    (tmp_path / "probe.pd").write_text(probe.render())
    return run_opened([tmp_path / "probe.pd", PATCH], messages, cwd=PATCH.parent)


def test_midi_knobs_patch_creates_all_its_objects(tmp_path):
    run_patch(tmp_path)  # asserts a clean log


def test_the_committed_patch_is_what_the_function_writes():
    assert midi_knobs_patch(NAMES) == PATCH.read_text()


def test_the_freeze_note_toggles_the_freeze(tmp_path):
    patch = Canvas.parse(PATCH.read_text())
    wires = set(patch.connections())
    [note] = _index(patch, r"^notein$")
    [on] = _index(patch, r"^stripnote$")
    [which] = _index(patch, rf"^sel {FREEZE_NOTE}$")
    [press] = [box for box in patch.boxes if (which, 0, box.index, 0) in wires]
    assert {(note, 0, on, 0), (note, 1, on, 1), (on, 0, which, 0)} <= wires  # note-ons (velocity > 0) only
    [toggle] = patch.find(r"^tgl ")
    send, receive = toggle.text.split()[3:5]
    assert press.text == f"s {receive}" and send == "mk-freeze"  # the freeze19 mk's [r $1-freeze]
    # What [sel] sends on a press, twice: frozen, then released.
    log = run_patch(tmp_path, f"{receive} bang", f"{receive} bang")
    assert [line for line in log.splitlines() if line.startswith("freeze:")] == ["freeze: 1", "freeze: 0"], log


def test_every_latent_is_wired_and_every_knob_has_a_cc():
    patch = Canvas.parse(PATCH.read_text())
    [enc] = _index(patch, r"^encoder~ \.\./\.\./models/continuous\.ts")
    [freeze] = _index(patch, rf"^freeze{LATENTS} mk")
    [lat] = _index(patch, rf"^latents{LATENTS} mk")
    [dec] = _index(patch, r"^decoder~ \.\./\.\./models/continuous\.ts")
    wires = set(patch.connections())
    for k in range(LATENTS):
        assert (enc, k, freeze, k) in wires and (freeze, k, lat, k) in wires and (lat, k, dec, k) in wires, k
    for cc in (16, 17, 18, 19, 0, 20):
        assert _index(patch, rf"^ctlin {cc}$"), cc
