"""Pd quits cleanly whatever the engines' workers are doing (it used to die in libtorch's
static destructors while a worker was inside a model call)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from timbre_rt.pd_render import render
from fixture_models import Slow, save


class SlowEncode(Slow):
    """encode: the identity after `rounds` matrix products (what [encoder~] calls)."""

    def __init__(self, rounds: int):
        super().__init__(rounds)
        self.register_buffer("encode_params", torch.tensor([1, 1, 1, 1]))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(x)


SHIPPED = str(Path(__file__).resolve().parents[1] / "models" / "continuous.ts")


def clean_exit(run, frames):
    assert run.returncode == 0, f"Pd exited with {run.returncode}:\n{run.stderr[-2000:]}"
    for words in ("Segmentation", "double free", "terminate called", "Aborted", "couldn't create"):
        assert words not in run.stderr, run.stderr[-2000:]
    assert run.output.shape == (frames,)


@pytest.mark.parametrize("attempt", range(3))
def test_resampled_shipped_chain_quits_cleanly(tmp_path, attempt):
    rate = 96000
    t = np.arange(rate // 2) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    objects = [f"encoder~ {SHIPPED} 2048", f"decoder~ {SHIPPED} 2048"]
    run = render(tmp_path, tone, rate, objects, [(0, k, 1, k) for k in range(19)] + [(1, 0, -1, 0)])
    clean_exit(run, tone.size)
    assert np.abs(run.output).max() > 0.01


def test_quit_while_a_worker_is_inside_a_model_call(tmp_path):
    # Realtime mode (sync 0): the render does not wait for the slow model, so Pd quits while
    # a worker is in the middle of a call that takes a good part of a second.
    slow = save(SlowEncode(rounds=60), tmp_path / "slow.ts")
    signal = np.zeros(24000, dtype=np.float32)
    run = render(tmp_path, signal, 24000, [f"encoder~ {slow} 256 0"], [(0, 0, -1, 0)], config=("sync 0",))
    clean_exit(run, signal.size)
