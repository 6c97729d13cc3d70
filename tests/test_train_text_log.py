"""`train --no-progress`: the text line printed after each validation."""

import io
from types import SimpleNamespace

import torch

from timbre_rt.train.text_log import TextLog, format_line


def test_format_line_splits_training_and_validation_values():
    line = format_line(
        "vae", 300, 1000, 3725.0, {"val/loss": 0.3456789, "vae/recon": 0.12, "vae/kl": 4.5, "val/mel_distance": 1.5}
    )
    assert line == (
        "[vae] step 300/1000 1:02:05 | train vae/kl 4.5 vae/recon 0.12 | val val/loss 0.3457 val/mel_distance 1.5"
    )
    assert format_line("s", 1, 2, 0.0, {}) == "[s] step 1/2 0:00:00"
    assert format_line("s", 2, 2, 5.0, {"val/loss": 1.0}, final=True) == "[s] step 2/2 (final) 0:00:05 | val val/loss 1"


def _trainer(step, fn="fit", sanity=False, rank0=True):
    metrics = {
        "gen/loss": torch.tensor(float("nan")),
        "val/loss": torch.tensor(0.5),
        "per_band": torch.ones(3),
    }  # not a scalar: left out
    return SimpleNamespace(
        sanity_checking=sanity,
        is_global_zero=rank0,
        global_step=step,
        callback_metrics=metrics,
        state=SimpleNamespace(fn=fn),
    )


def test_callback_prints_one_line_per_validation_on_rank_zero():
    out = io.StringIO()
    log = TextLog("adversarial", 100, optimizers=2, stream=out)
    log.on_fit_start(None, None)
    log.on_validation_end(_trainer(40), None)
    log.on_validation_end(_trainer(40, sanity=True), None)  # the sanity check: nothing
    log.on_validation_end(_trainer(40, rank0=False), None)  # other ranks: nothing
    log.on_validation_end(_trainer(200, fn="validate"), None)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[adversarial] step 20/100 0:00:0")  # 2 optimizer steps per step
    assert lines[0].endswith("| train gen/loss nan | val val/loss 0.5")  # a NaN loss shows
    assert lines[1].startswith("[adversarial] step 100/100 (final)")
