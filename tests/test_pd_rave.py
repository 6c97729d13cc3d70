"""RAVE v2 exports (built at bench time by scripts/rave_export.sh, never committed) stream
through [encoder~] -> [decoder~] in Pd at 44.1 and 48 kHz, at their own rate and across
rates, with a reported latency of a few buffers (a 44.1 kHz model with 2048-sample frames
once reported 6.9 s at 48 kHz). Skipped where the exports are not built."""

from pathlib import Path

import numpy as np
import pytest

from timbre_rt.pd_render import render, reported_latencies
from pd_checks import assert_pd_ok

RAVE = Path(__file__).resolve().parents[1] / ".cache" / "rave"
BUFFER = 2048


@pytest.mark.parametrize("model_rate, pd_rate", [(44100, 44100), (44100, 48000), (48000, 48000), (48000, 44100)])
def test_rave_export_streams_through_the_pd_chain(tmp_path, model_rate, pd_rate):
    path = RAVE / f"rave_v2_random_{model_rate}.ts"
    if not path.exists():
        pytest.skip(f"{path.name} is not built (bash scripts/rave_export.sh)")
    t = np.arange(pd_rate) / pd_rate
    tone = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    objects = [f"encoder~ {path} {BUFFER} 0", f"decoder~ {path} {BUFFER} 0"]
    run = render(tmp_path, tone, pd_rate, objects, [(0, k, 1, k) for k in range(8)] + [(1, 0, -1, 0)], extra=("info",))
    assert_pd_ok(run)
    assert ("resampled" in run.stderr) == (model_rate != pd_rate)
    encoder, decoder = reported_latencies(run.stderr)
    # Each object: its buffer, plus at a foreign rate at most one frame of padding and the
    # resampler (under 3 ms); RAVE declares no delay of its own.
    scale = pd_rate / model_rate
    bound = BUFFER * scale + (2048 * scale + 0.003 * pd_rate if model_rate != pd_rate else 0)
    assert BUFFER * scale - 1 <= encoder <= bound + 1 and BUFFER * scale - 1 <= decoder <= bound + 1, (encoder, decoder)
    assert run.output.shape == tone.shape and np.isfinite(run.output).all()
    # Silence until the decoder's first buffer is out, then sound.
    assert np.abs(run.output[: decoder - int(0.003 * pd_rate)]).max() == 0
    assert np.abs(run.output[encoder + decoder :]).max() > 1e-4
