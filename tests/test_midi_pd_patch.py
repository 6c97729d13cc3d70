"""The Pd example with MIDI knobs ([ctlin] -> latent offsets and scale, [notein] -> freeze)
opens in headless Pd with every object created and every connection made. (Pd's own MIDI
input does not work on a machine without MIDI hardware; the mapping is the README's
example knob map.)"""
import shutil
import subprocess
from pathlib import Path

import pytest

from timbre_rt.pd_render import PD_EXTERNALS

PATCH = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "midi-knobs.pd"


def test_midi_knobs_patch_creates_all_its_objects(toy_path, tmp_path):
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    assert (PD_EXTERNALS / "encoder~.pd_linux").exists(), "build the project first"
    text = PATCH.read_text()
    assert "../../models/toy.ts" in text and "ctlin 16" in text and "notein" in text
    patch = tmp_path / "midi-knobs.pd"
    patch.write_text(text.replace("../../models/toy.ts", toy_path))
    run = subprocess.run(["pd", "-nogui", "-nosound", "-stderr", "-path", str(PD_EXTERNALS), "-open", str(patch),
                          "-send", "pd quit"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    log = run.stderr + run.stdout
    assert "couldn't create" not in log, log
    assert "connection failed" not in log, log
    assert "error" not in log.lower(), log
    # Every CC of the example map is in the patch, wired to the right latent.
    for cc in (16, 17, 0):
        assert f"ctlin {cc};" in text
    assert "sel 36;" in text
