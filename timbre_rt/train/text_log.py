"""One text line per validation, for runs without a progress bar (`train --no-progress`).

Without the bar nothing else says how training goes until a stage ends (TensorBoard
aside): a log of a long run on a cluster then shows only the stage headers. The
line carries the stage, the step, the elapsed time, the latest logged training
losses and the validation metrics, so that `tail -f` / `grep val/` on the log work.
"""

import sys
import time
from typing import Mapping, Optional, TextIO

from lightning.pytorch.callbacks import Callback

__all__ = ["TextLog", "format_line"]


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _values(metrics: Mapping[str, float]) -> str:
    return " ".join(f"{k} {v:.4g}" for k, v in sorted(metrics.items()))


def format_line(
    stage: str, step: int, steps: int, seconds: float, metrics: Mapping[str, float], final: bool = False
) -> str:
    """`[stage] step 300/1000 0:01:02 | train a 0.1 b 2 | val c 0.3`: metrics named
    val/... are the validation's, the others the latest logged training values."""
    val = {k: v for k, v in metrics.items() if k.startswith("val/")}
    train = {k: v for k, v in metrics.items() if not k.startswith("val/")}
    parts = [f"[{stage}] step {step}/{steps}{' (final)' if final else ''} {_elapsed(seconds)}"]
    if train:
        parts.append(f"train {_values(train)}")
    if val:
        parts.append(f"val {_values(val)}")
    return " | ".join(parts)


class TextLog(Callback):
    """Prints format_line after every validation (rank 0 only, not in the sanity check).

    steps: the stage's steps; optimizers: Lightning counts each optimizer's step in
    global_step (GAN stages), the line counts the stage's steps. stream: default stderr
    (looked up at print time)."""

    def __init__(self, stage: str, steps: int, optimizers: int = 1, stream: Optional[TextIO] = None):
        self.stage, self.steps, self.optimizers, self.stream = stage, steps, optimizers, stream
        self.start = time.monotonic()

    def on_fit_start(self, trainer, pl_module) -> None:
        self.start = time.monotonic()

    def on_validation_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or not trainer.is_global_zero:
            return
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if getattr(v, "numel", lambda: 1)() == 1}
        final = getattr(trainer.state.fn, "value", trainer.state.fn) == "validate"
        line = format_line(
            self.stage,
            trainer.global_step // self.optimizers,
            self.steps,
            time.monotonic() - self.start,
            metrics,
            final=final,
        )
        print(line, file=self.stream or sys.stderr, flush=True)
