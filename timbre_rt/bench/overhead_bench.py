"""The engine overhead benchmark (`timbre-rt bench`, the default report): for every model
file x method x buffer x threads, the Engine worker's per-call compute against the same
TorchScript method called directly from Python (see measure.py)."""

import argparse
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .._core import ModelError
from ..model_file import list_methods
from .measure import BenchResult, bench_one
from .report import format_table, write_report

__all__ = ["DEFAULTS", "defaults", "check", "run", "run_bench"]

# One buffer size a live host uses and one thread: the overhead is the engine's own cost,
# so one setting shows it; 1000 calls give a stable p99 within the engine's stats window.
DEFAULTS = dict(buffers=[2048], threads=[1], calls=1000)
# What the report records of the run, next to the command line.
CONFIG_KEYS = ("models", "methods", "buffers", "threads", "calls", "warmup", "rounds", "seed")


def defaults(args: argparse.Namespace) -> Dict:
    """The values options left unset take."""
    return dict(DEFAULTS)


def check(args: argparse.Namespace) -> Optional[str]:
    """Nothing beyond the options every report checks."""
    return None


def run_bench(
    models: Sequence[Tuple[str, str]],
    methods: Optional[Sequence[str]],
    buffers: Sequence[int],
    threads: Sequence[int],
    calls: int,
    warmup: int,
    seed: int = 0,
    rounds: int = 10,
    log=print,
) -> List[BenchResult]:
    """models: (path, label) pairs. Logs one line per measurement; returns the rows."""
    plan = []
    for path, label in models:
        available = list_methods(path)
        chosen = available if not methods else [m for m in methods if m in available]
        if methods and not chosen:
            raise ModelError(
                f"model file '{path}' has none of the methods {list(methods)} (it has: {', '.join(available)})"
            )
        plan += [(path, label, m, b, t) for m in chosen for b in buffers for t in threads]
    rows = []
    for i, (path, label, method, buffer, n_threads) in enumerate(plan, 1):
        row = bench_one(path, label, method, buffer, n_threads, calls, warmup, seed, rounds)
        log(
            f"[{i}/{len(plan)}] {label} {method} buffer={row.buffer} threads={n_threads}: "
            f"engine p50 {row.engine_ms_p50:.3f} ms, direct p50 {row.direct_ms_p50:.3f} ms, "
            f"overhead {row.overhead_pct:+.1f} %"
        )
        rows.append(row)
    return rows


def run(args: argparse.Namespace, models: Sequence[Tuple[str, str]], command: str, log: Callable[[str], None]) -> int:
    """Measure, print the table and write engine_overhead.json and .md into --out."""
    rows = run_bench(
        models, args.methods, args.buffers, args.threads, args.calls, args.warmup, args.seed, args.rounds, log=log
    )
    paths = write_report(rows, args.out, command, {k: getattr(args, k) for k in CONFIG_KEYS})
    print(format_table(rows))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
