"""The shipped default model: contract, the main job (Pd demo), the example patch."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from timbre_rt import read_model_info
from timbre_rt.audio import read_wav
from timbre_rt.cli import main
from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_render import run_pd

from streaming import chain_reference
from pd_checks import assert_pd_ok

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "continuous.ts"


def test_shipped_model_follows_the_contract():
    info = read_model_info(str(MODEL))
    assert info["model_kind"] == "continuous" and info["sampling_rate"] == 24000
    assert info["latent_names"] == [f"z{i}" for i in range(16)] + ["pitch", "periodicity", "loudness"]
    assert info["methods"]["encode"]["params"] == [1, 1, 19, 512]
    assert info["methods"]["decode"]["params"] == [19, 512, 1, 1]
    assert MODEL.stat().st_size < 16 * 2**20


@pytest.mark.parametrize("program, pitch", [(0, 60), (40, 67), (73, 76)])
def test_shipped_model_reconstructs_notes(program, pitch):
    # A trained model, not a random one: soundfont notes come back close in mel distance
    # (0.27 to 0.86 on these notes; the held-out average is in models/README.md; the same
    # architecture with random weights gives 1.6 to 2.4).
    from timbre_rt.data.soundfont import Note, NoteRenderer, RenderConfig
    from timbre_rt.nn.loss import MultiScaleMelDistance

    renderer = NoteRenderer("default", RenderConfig(programs=(program,), pitches=(pitch,), velocities=(90,)))
    note = torch.from_numpy(renderer.render(Note(program, pitch, 90)))[: 46 * 512]
    m = torch.jit.load(str(MODEL))
    m.reset()
    with torch.no_grad():
        y = m.forward(note[None, None])
    delay = m.forward_latency
    out, ref = y[..., delay:], note[None, None, : note.numel() - delay]
    distance = MultiScaleMelDistance(24000)(out, ref)
    assert distance < 1.0, distance
    # The level lock plays each frame at its loudness channel: the note keeps its level.
    level_db = 10 * torch.log10(out.square().mean() / ref.square().mean())
    assert abs(level_db) < 1.5, level_db


def test_main_job_renders_the_shipped_model_in_pd(tmp_path, capsys):
    out = tmp_path / "demo.wav"
    assert main(["demo", "--out", str(out), "--seconds", "1"]) == 0
    printed = capsys.readouterr().out
    assert "continuous.ts" in printed and "latency:  4608 samples" in printed
    x, _ = read_wav(tmp_path / "demo_input.wav")
    y, _ = read_wav(out)
    # The same samples as the Python chain: encoder and decoder latency 2048 + its 512.
    expected = chain_reference(str(MODEL), x, 2048, 2048 + 512 - 512)
    np.testing.assert_allclose(y, expected, atol=1e-4)
    assert np.abs(y).max() > 0.01


def test_example_patch_creates_its_objects(tmp_path):
    patch = (ROOT / "pd_externals" / "examples" / "timbre-chain.pd").read_text()
    assert patch.count("../../models/continuous.ts") == 2
    # Run it headless for a moment from a copy, its relative model path made absolute.
    patch = patch.replace("../../models/continuous.ts", str(MODEL))
    c = Canvas.parse(patch)
    load, wait = c.obj(600, 40, "loadbang"), c.obj(600, 70, "delay 500")
    c.connect([(load, 0, wait, 0), (wait, 0, c.msg(600, 100, "\\; pd quit"), 0)])
    # Its abstraction ([latents19]) is found beside the patch, as in examples/.
    shutil.copy(ROOT / "pd_externals" / "examples" / "latents19.pd", tmp_path)
    run = run_pd(c.render(), tmp_path, 24000)
    assert_pd_ok(run)
