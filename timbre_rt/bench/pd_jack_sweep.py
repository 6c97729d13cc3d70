"""Live runs of one model in Pd under JACK: the objects' defaults, then the lowest-latency
settings that run without underruns, per Pd scheduler mode (polling, `-callback`).

The sweep tries (buffer, headroom) pairs in order of buffer + headroom with short runs; the
first with 0 underruns and 0 JACK xruns is run again for `confirm_seconds` and kept when it
holds. Every run goes through `pd_live.run_live` (live latency measured next to the reported
one)."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from .jack_server import jack_server
from .pd_live import LiveRun, LiveSettings, run_live

__all__ = ["JACK_PRIORITY", "ModelPlan", "SweepResult", "sweep_model"]

# jackd -P: its clients' process threads (Pd's, the probe's) run at 65, above the objects'
# realtime workers. At jackd's default (10, clients at 5) a worker at the same FIFO priority
# as the clients' threads holds a core through whole model calls and JACK xruns by hundreds.
JACK_PRIORITY = 70


@dataclass
class ModelPlan:
    label: str
    path: str
    rate: int  # Pd's and JACK's
    buffers: Sequence[int]
    headrooms: Sequence[int]
    reference: bool = True  # False for models whose output is random (RAVE's decode draws noise)


@dataclass
class SweepResult:
    plan: ModelPlan
    jack_priority: Optional[int]  # jackd's -P (None: its default, 10)
    rows: List[Tuple[str, LiveRun]] = field(default_factory=list)  # (what the row is, run)
    tried: List[LiveRun] = field(default_factory=list)  # the short sweep runs
    errors: List[str] = field(default_factory=list)


def clean(run: LiveRun) -> bool:
    return run.underruns == 0 and run.jack_xruns == 0


def _try(settings: LiveSettings, folder: Path, result: SweepResult) -> Optional[LiveRun]:
    """run_live, with a failed run (Pd died, no info) kept as an error line instead of raised."""
    try:
        return run_live(settings, folder)
    except RuntimeError as e:
        result.errors.append(
            f"{Path(settings.model).name} buffer {settings.buffer} headroom {settings.headroom} "
            f"{' '.join(settings.pd_flags())}: {str(e).splitlines()[0]}"
        )
        return None


def _lowest(
    plan: ModelPlan,
    callback: bool,
    seconds: float,
    confirm_seconds: float,
    folder: Path,
    result: SweepResult,
    log: Callable[[str], None],
) -> None:
    pairs = sorted(((b, h) for b in plan.buffers for h in plan.headrooms), key=lambda p: (p[0] + p[1], p[0]))
    mode = "-callback" if callback else "polling"
    for buffer, headroom in pairs:
        settings = LiveSettings(
            plan.path, buffer, headroom, callback=callback, seconds=seconds, reference=plan.reference
        )
        run = _try(settings, folder, result)
        if run is None:
            continue
        result.tried.append(run)
        log(
            f"  {mode} buffer {buffer} headroom {headroom}: {run.underruns} underruns, {run.jack_xruns} xruns, "
            f"reported {run.reported}, measured {run.measured}"
        )
        if not clean(run):
            continue
        settings.seconds = confirm_seconds
        confirmed = _try(settings, folder, result)
        if confirmed is None:
            continue
        log(f"  confirm {confirm_seconds:g} s: {confirmed.underruns} underruns, {confirmed.jack_xruns} xruns")
        if clean(confirmed):
            result.rows.append((f"lowest 0-underrun ({mode})", confirmed))
            return
        result.tried.append(confirmed)
    result.errors.append(f"{plan.label}: no {mode} setting ran without underruns and xruns")


def sweep_model(
    plan: ModelPlan,
    seconds: float,
    confirm_seconds: float,
    callbacks: Sequence[bool] = (False, True),
    log: Callable[[str], None] = print,
    realtime: Optional[bool] = None,
    priority: Optional[int] = JACK_PRIORITY,
) -> SweepResult:
    """Defaults and the lowest clean settings of one model, on a private jackd (dummy driver,
    period 256) at plan.rate. realtime None: SCHED_FIFO when allowed, else without."""
    with jack_server(f"timbre_bench_{os.getpid()}_{plan.rate}", plan.rate, 256, realtime=realtime, priority=priority):
        result = SweepResult(plan, priority)
        with tempfile.TemporaryDirectory(prefix="timbre_pd_jack_") as tmp:
            for callback in callbacks:
                settings = LiveSettings(plan.path, callback=callback, seconds=confirm_seconds, reference=plan.reference)
                run = _try(settings, Path(tmp), result)
                if run is None:
                    continue
                log(
                    f"{plan.label} defaults {settings.pd_flags() or 'polling'}: {run.underruns} underruns, "
                    f"reported {run.reported}, measured {run.measured}"
                )
                result.rows.append((f"defaults ({'-callback' if callback else 'polling'})", run))
            for callback in callbacks:
                _lowest(plan, callback, seconds, confirm_seconds, Path(tmp), result, log)
        return result
