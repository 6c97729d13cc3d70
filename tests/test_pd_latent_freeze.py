"""[freezeN <name>]: the abstraction midi-knobs.pd puts between encoder~ and latents19. In
headless Pd, with a sound that keeps changing: the latents it passes on follow the encoder,
stand still from [; <name>-freeze 1( on (the knobs' offsets, added after it, still move
them), and follow again after [; <name>-freeze 0(. The committed freeze19.pd is what the
generator writes."""

from pathlib import Path

import numpy as np
import pytest

from timbre_rt.pd_patches.latent_freeze import freeze_patch
from timbre_rt.pd_patches import Canvas, latents_patch
from timbre_rt.pd_render import RECORD, render
from pd_checks import assert_pd_ok

REPO = Path(__file__).resolve().parents[1]
RATE = 24000
LATENTS = 4  # the toy model's
FREEZE_MS, OFFSET_MS, RELEASE_MS = 300, 500, 700
OFFSET = 0.5


def test_committed_abstraction_is_the_generated_one():
    assert (REPO / "pd_externals" / "examples" / "freeze19.pd").read_text() == freeze_patch(19)


def test_refuses_no_channels():
    with pytest.raises(ValueError):
        freeze_patch(0)


def changing_sound(seconds: float = 1.0) -> np.ndarray:
    """A glide from 150 to 900 Hz under a swelling level: its latents never stand still."""
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * (150 * t + 375 * t**2)
    return (0.1 + 0.5 * t) * np.sin(phase).astype(np.float32)


def timeline(channel: int) -> str:
    """An abstraction that, from the patch's load (when the sound starts), freezes at
    FREEZE_MS, turns channel's knob to OFFSET at OFFSET_MS and releases at RELEASE_MS. Its
    [inlet] takes the render patch's configuration messages and drops them."""
    c = Canvas(500, 300)
    c.obj(300, 20, "inlet")
    load, steps = c.obj(20, 20, "loadbang"), c.obj(20, 50, "t b b b")
    for outlet, (ms, message) in enumerate(
        [(RELEASE_MS, "fz-freeze 0"), (OFFSET_MS, f"fz-z{channel} {OFFSET}"), (FREEZE_MS, "fz-freeze 1")]
    ):
        wait = c.obj(20 + 150 * outlet, 90, f"delay {ms}")
        c.wire(steps, outlet, wait, 0)
        c.wire(wait, 0, c.msg(20 + 150 * outlet, 120, f"\\; {message}"), 0)
    c.wire(load, 0, steps, 0)
    return c.render()


def record_channel(folder: Path, toy: str, channel: int) -> np.ndarray:
    """Latent `channel` after [freeze4 fz] -> [latents4 fz], with timeline(channel)."""
    folder.mkdir()
    for name, text in (
        (f"freeze{LATENTS}", freeze_patch(LATENTS)),
        (f"latents{LATENTS}", latents_patch(LATENTS)),
        ("timeline", timeline(channel)),
    ):
        (folder / f"{name}.pd").write_text(text)  # found beside the render patch
    chain = [f"encoder~ {toy} 256 0", f"freeze{LATENTS} fz", f"latents{LATENTS} fz", "timeline"]
    wires = [(0, k, 1, k) for k in range(LATENTS)] + [(1, k, 2, k) for k in range(LATENTS)] + [(2, channel, RECORD, 0)]
    run = render(folder, changing_sound(), RATE, chain, wires)
    assert_pd_ok(run)
    return run.output


def window(z: np.ndarray, start_ms: float, end_ms: float) -> np.ndarray:
    margin = 10  # ms: messages land on a block boundary
    return z[int((start_ms + margin) * RATE / 1000) : int((end_ms - margin) * RATE / 1000)]


@pytest.mark.parametrize("channel", [0, 2])
def test_frozen_latents_stand_still_take_offsets_and_follow_after_release(tmp_path, toy_path, channel):
    z = record_channel(tmp_path / f"z{channel}", toy_path, channel)
    before, frozen = window(z, 100, FREEZE_MS), window(z, FREEZE_MS, OFFSET_MS)
    offset, after = window(z, OFFSET_MS, RELEASE_MS), window(z, RELEASE_MS, 1000)
    assert np.ptp(before) > 1e-3 and np.ptp(after) > 1e-3, (np.ptp(before), np.ptp(after))  # the latents move
    assert np.ptp(frozen) == 0, np.ptp(frozen)  # held, exactly
    assert abs(frozen[0] - z[int(FREEZE_MS * RATE / 1000) - 200]) < np.ptp(before)  # what it was at the press
    assert np.ptp(offset) == 0 and offset[0] == pytest.approx(frozen[0] + OFFSET, abs=1e-6)  # the knob still acts
    assert not np.allclose(after, offset[0])  # released: it follows the sound again
