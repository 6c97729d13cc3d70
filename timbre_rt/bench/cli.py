"""Command line of the benchmark: `python -m timbre_rt.bench` and `timbre-rt bench`."""

import argparse
import shlex
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Optional, Sequence

from .._core import ModelError
from . import latency_bench, overhead_bench
from .default_model import models_to_time
from .latency_bench import FULL_DEFAULTS, QUICK_DEFAULTS, QUICK_REPORT
from .measure import STATS_WINDOW
from .overhead_bench import DEFAULTS as OVERHEAD_DEFAULTS

__all__ = ["DESCRIPTION", "EPILOG", "add_arguments", "benchmark", "check_arguments", "main", "run"]

DESCRIPTION = """\
Benchmark the C++ core. Two reports:

engine overhead (default): for every model file x method x buffer x threads,
times the per-call compute of (a) the Engine's worker (sync mode, noise fed
through process() one buffer at a time, read from stats()) and (b) the same
TorchScript method called directly from Python on the same input shape.
Prints a table and writes engine_overhead.json and engine_overhead.md into --out.

latency (--report FILE.md, or --quick): for every model x method (and
"pipeline" = encode -> decode) x device x threads x buffer x host block:
realtime factor, compute p50/p99/max, the same call from plain Python
(TorchScript, and eager when the model class can be rebuilt), underruns in a
paced run in real time, and the impulse-measured latency against the reported
one. Writes FILE.md, FILE.json and FILE.png. Defaults: buffers {full_buffers},
host blocks {full_hosts}, threads {full_threads}, devices cpu (+ cuda when present);
--quick: buffer {quick_buffers}, host block {quick_hosts}, one thread, cpu, short runs.

Pd under JACK (--pd-jack): the [encoder~] -> [decoder~] chain in `pd -jack` on a
private `jackd -d dummy -p 256`, at the objects' defaults and at the lowest
0-underrun settings of a sweep (buffer x headroom, Pd polling and -callback):
underruns, JACK xruns, reported latency and the live latency a JACK client
measures with a click; plus realtime factors on one thread. --models default:
models/continuous.ts and the RAVE exports of scripts/rave_export.sh when built;
--quick: continuous.ts, a small sweep. Writes pd_jack.md and pd_jack.json into
--out (options: python -m timbre_rt.bench.pd_jack --help).
"""

EPILOG = """\
examples:
  python -m timbre_rt.bench                      # built-in ToyCodec, all methods
  timbre-rt bench --models a.ts --methods forward --buffers 512 2048 --threads 1 2
  timbre-rt bench --models models/*.ts --report bench/report.md    # latency, full matrix
  timbre-rt bench --quick                                           # latency, small matrix
  timbre-rt bench --pd-jack --out bench/                            # Pd under JACK, live
"""


def _listed(values) -> str:
    """Default values as the help shows them: `512 2048`, `2`."""
    return " ".join(
        f"{v:g}" if isinstance(v, float) else str(v) for v in (values if isinstance(values, list) else [values])
    )


DESCRIPTION = DESCRIPTION.format(
    full_buffers=f"{FULL_DEFAULTS['buffers'][0]}..{FULL_DEFAULTS['buffers'][-1]}",
    full_hosts=_listed(FULL_DEFAULTS["hosts"]),
    full_threads=_listed(FULL_DEFAULTS["threads"]),
    quick_buffers=_listed(QUICK_DEFAULTS["buffers"]),
    quick_hosts=_listed(QUICK_DEFAULTS["hosts"]),
)


def _defaults(key: str) -> str:
    """`(default: ...; latency: ...; quick: ...)` for option `key`, from the benchmarks' own
    defaults; a latency-only option shows the full matrix's as its default."""
    parts = (
        [("default", OVERHEAD_DEFAULTS[key]), ("latency", FULL_DEFAULTS[key])]
        if key in OVERHEAD_DEFAULTS
        else [("default", FULL_DEFAULTS[key])]
    )
    parts.append(("quick", QUICK_DEFAULTS[key]))
    return "(" + "; ".join(f"{name}: {_listed(values)}" for name, values in parts) + ")"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="MODEL",
        help="TorchScript model files (default: a ToyCodec with hidden=64 and strides "
        "(4, 4, 4, 2), exported to a temporary folder)",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        metavar="METHOD",
        help="methods to measure (default: every method each file declares)",
    )
    parser.add_argument(
        "--buffers",
        nargs="+",
        type=int,
        metavar="N",
        help="samples per model call; the engine rounds up to the model's block size " + _defaults("buffers"),
    )
    parser.add_argument(
        "--threads",
        nargs="+",
        type=int,
        metavar="N",
        help="intra-op threads for both the engine worker and the direct call " + _defaults("threads"),
    )
    parser.add_argument(
        "--calls",
        type=int,
        help=f"measured calls per configuration, at most {STATS_WINDOW} (the engine keeps "
        "that many compute times) " + _defaults("calls"),
    )
    parser.add_argument(
        "--report",
        metavar="FILE.md",
        help="run the latency benchmark and write FILE.md, FILE.json and FILE.png",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"latency benchmark on a small matrix (report: --report, else {QUICK_REPORT} in --out)",
    )
    parser.add_argument(
        "--pd-jack",
        action="store_true",
        help="measure the Pd chain live under JACK and write pd_jack.md and pd_jack.json into --out",
    )
    parser.add_argument(
        "--hosts",
        nargs="+",
        type=int,
        metavar="N",
        help="latency: host block sizes " + _defaults("hosts"),
    )
    parser.add_argument(
        "--devices",
        nargs="+",
        metavar="DEV",
        help="latency: cpu, cuda, cuda:1 ... (default: cpu, and cuda when present; quick: cpu)",
    )
    parser.add_argument(
        "--paced-seconds",
        type=float,
        metavar="S",
        help="latency: length of each paced realtime run " + _defaults("paced_seconds"),
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="unmeasured calls first: TorchScript optimises a method after its first calls (default: 20)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="split the measured calls into this many alternating engine / direct batches, "
        "so that a drift in the machine's speed affects both sides alike (default: 10)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise inputs (default: 0)")
    parser.add_argument(
        "--out",
        default="bench/",
        help="folder for engine_overhead.json and engine_overhead.md (default: bench/)",
    )


def benchmark(args: argparse.Namespace) -> ModuleType:
    """The report asked for: latency (--report or --quick), else engine overhead. Each has
    defaults(args), check(args) and run(args, models, command, log)."""
    return latency_bench if args.report or args.quick else overhead_bench


def _fill_defaults(args: argparse.Namespace) -> None:
    """Options left unset take the defaults of the report asked for."""
    for key, value in benchmark(args).defaults(args).items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    _fill_defaults(args)
    problem = benchmark(args).check(args)
    if problem:
        parser.error(problem)
    if not 1 <= args.calls <= STATS_WINDOW:
        parser.error(f"--calls must be between 1 and {STATS_WINDOW}")
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    if args.warmup < 0:
        parser.error("--warmup must be >= 0")
    if any(b < 1 for b in args.buffers):
        parser.error("--buffers must be positive")
    if any(t < 1 for t in args.threads):
        parser.error("--threads must be positive")
    if Path(args.out).exists() and not Path(args.out).is_dir():
        parser.error(f"--out {args.out} is a file; give a folder (the reports are written into it)")


def run(args: argparse.Namespace, command: str) -> int:
    """Run the benchmark for parsed `args`; `command` is recorded in the reports."""
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    if args.pd_jack:
        from .pd_jack import CONFIRM_SECONDS, SWEEP_SECONDS, run_report  # only this report needs JACK-Client

        return run_report(
            args.models,
            args.out,
            seconds=SWEEP_SECONDS,
            confirm_seconds=CONFIRM_SECONDS,
            quick=args.quick,
            command=command,
        )
    _fill_defaults(args)
    with tempfile.TemporaryDirectory(prefix="timbre_rt_bench_") as tmp:
        models = models_to_time(args.models, Path(tmp), log)
        try:
            return benchmark(args).run(args, models, command, log)
        except ModelError as e:  # a model file the engine refuses: one line
            print(f"error: {e}", file=sys.stderr)
            return 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.bench",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    return run(args, shlex.join(["python", "-m", "timbre_rt.bench"] + argv))
