"""The latency benchmark (`timbre-rt bench --report FILE.md` or `--quick`): for every model x
method (and "pipeline") x device x threads x buffer x host block, the realtime factor,
paced underruns and the impulse-measured latency (see latency.py)."""

import argparse
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Tuple

from .latency import Plan, latency_rows
from .latency_report import format_latency_table, write_latency_report

__all__ = ["FULL_DEFAULTS", "QUICK_DEFAULTS", "QUICK_REPORT", "defaults", "check", "run"]

# The full matrix: buffers from a Pd-like 512 to a safe 8192, the host blocks of Pd (64),
# JACK (256, 1024) and 10 ms at 44.1 kHz (441, not a power of two), one and two threads;
# 200 calls and 2 s paced runs per row keep the full run within minutes.
FULL_DEFAULTS = dict(
    buffers=[512, 1024, 2048, 4096, 8192], hosts=[64, 256, 441, 1024], threads=[1, 2], calls=200, paced_seconds=2.0
)
# --quick: one setting a live host would pick, short runs, to see that it all works.
QUICK_DEFAULTS = dict(buffers=[2048], hosts=[256], threads=[1], calls=50, paced_seconds=1.0)
QUICK_REPORT = "latency_quick.md"  # in --out, when --quick has no --report
# What the report records of the run, next to the command line.
CONFIG_KEYS = (
    "models",
    "methods",
    "devices",
    "threads",
    "buffers",
    "hosts",
    "calls",
    "warmup",
    "paced_seconds",
    "seed",
)


def defaults(args: argparse.Namespace) -> Dict:
    """The values options left unset take: the quick or the full matrix; devices: cpu,
    and cuda when present unless --quick."""
    values = dict(QUICK_DEFAULTS if args.quick else FULL_DEFAULTS)
    import torch  # imported here: only the latency report asks for the devices

    values["devices"] = ["cpu"] + (["cuda"] if torch.cuda.is_available() and not args.quick else [])
    return values


def check(args: argparse.Namespace) -> Optional[str]:
    """The usage error of this report's own options, or None."""
    if any(h < 1 for h in args.hosts):
        return "--hosts must be positive"
    if args.paced_seconds <= 0:
        return "--paced-seconds must be > 0"
    return None


def run(args: argparse.Namespace, models: Sequence[Tuple[str, str]], command: str, log: Callable[[str], None]) -> int:
    """Measure, print the table and write the report (--report, else QUICK_REPORT in --out)."""
    plan = Plan(
        methods=args.methods,
        devices=args.devices,
        threads=args.threads,
        buffers=args.buffers,
        hosts=args.hosts,
        calls=args.calls,
        warmup=args.warmup,
        paced_seconds=args.paced_seconds,
        seed=args.seed,
    )
    rows = latency_rows(models, plan, log=log)
    config = {k: getattr(args, k) for k in CONFIG_KEYS}
    config["quick"] = bool(args.quick)
    report = args.report or str(Path(args.out) / QUICK_REPORT)
    paths = write_latency_report(rows, report, command, config)
    print(format_latency_table(rows))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
