"""[latentsN <name>]: the abstraction the examples put between encoder~ and decoder~ passes
every latent through unchanged until an offset is sent, and the committed latents19.pd is
what the generator writes."""

from pathlib import Path

import numpy as np

from timbre_rt.pd_patches import latents_patch
from timbre_rt.pd_render import render
from pd_checks import assert_pd_ok

REPO = Path(__file__).resolve().parents[1]

RATE = 24000
LATENTS = 4  # the toy model's


def test_committed_abstraction_is_the_generated_one():
    assert (REPO / "pd_externals" / "examples" / "latents19.pd").read_text() == latents_patch(19)


def _render(folder, signal, toy, middle, wires_in, extra_objects=()):
    folder.mkdir()
    (folder / f"latents{LATENTS}.pd").write_text(latents_patch(LATENTS))  # found beside the render patch
    objects = [f"encoder~ {toy} 256 0", *middle, f"decoder~ {toy} 256 0", *extra_objects]
    dec = 1 + len(middle)
    wires = wires_in(dec) + [(dec, 0, -1, 0)]
    for k in range(len(extra_objects) - 1):
        wires.append((dec + 1 + k, 0, dec + 2 + k, 0))
    run = render(folder, signal, RATE, objects, wires)
    assert_pd_ok(run)
    assert run.output.shape == signal.shape, run.stderr
    return run.output


def test_latents_pass_through_and_take_offsets(tmp_path, toy_path):
    t = np.arange(RATE // 2) / RATE
    tone = (0.4 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    direct = _render(tmp_path / "direct", tone, toy_path, [], lambda dec: [(0, k, dec, k) for k in range(LATENTS)])
    through = [(0, k, 1, k) for k in range(LATENTS)] + [(1, k, 2, k) for k in range(LATENTS)]
    passed = _render(tmp_path / "through", tone, toy_path, [f"latents{LATENTS} lt"], lambda dec: through)
    moved = _render(
        tmp_path / "offset",
        tone,
        toy_path,
        [f"latents{LATENTS} lt"],
        lambda dec: through,
        extra_objects=("loadbang", "f 0.5", "s lt-z1"),
    )
    assert np.abs(direct).max() > 0.01
    np.testing.assert_array_equal(passed, direct)
    assert np.abs(moved - direct).max() > 1e-3  # the offset reaches the decoder
