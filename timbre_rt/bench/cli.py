"""Command line of the benchmark: `python -m timbre_rt.bench` and `timbre-rt bench`."""
import argparse
import shlex
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .._core import ModelError
from ..model_file import list_methods
from .latency import Plan, latency_rows
from .latency_report import format_latency_table, write_latency_report
from .measure import STATS_WINDOW, BenchResult, bench_one
from .report import format_table, write_report

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
one. Writes FILE.md, FILE.json and FILE.png. Defaults: buffers 512..8192,
host blocks 64 256 441 1024, threads 1 2, devices cpu (+ cuda when present);
--quick: buffer 2048, host block 256, one thread, cpu, short runs.

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

LATENCY_DEFAULTS = dict(buffers=[512, 1024, 2048, 4096, 8192], hosts=[64, 256, 441, 1024], threads=[1, 2],
                        calls=200, paced_seconds=2.0)
QUICK_DEFAULTS = dict(buffers=[2048], hosts=[256], threads=[1], calls=50, paced_seconds=1.0)
OVERHEAD_DEFAULTS = dict(buffers=[2048], threads=[1], calls=1000)
QUICK_REPORT = "latency_quick.md"  # in --out, when --quick has no --report

# A ToyCodec of a realistic size for the default run (ratio 128, 64 channels).
DEFAULT_TOY = dict(hidden=64, strides=(4, 4, 4, 2), latent_channels=4)
DEFAULT_TOY_LABEL = "ToyCodec(hidden=64, strides=4x4x4x2)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models", nargs="+", metavar="MODEL",
        help="TorchScript model files (default: a ToyCodec with hidden=64 and strides "
        "(4, 4, 4, 2), exported to a temporary folder)",
    )
    parser.add_argument(
        "--methods", nargs="+", metavar="METHOD",
        help="methods to measure (default: every method each file declares)",
    )
    parser.add_argument(
        "--buffers", nargs="+", type=int, metavar="N",
        help="samples per model call; the engine rounds up to the model's block size "
        "(default: 2048; latency: 512 1024 2048 4096 8192)",
    )
    parser.add_argument(
        "--threads", nargs="+", type=int, metavar="N",
        help="intra-op threads for both the engine worker and the direct call (default: 1; latency: 1 2)",
    )
    parser.add_argument(
        "--calls", type=int,
        help=f"measured calls per configuration, at most {STATS_WINDOW} (the engine keeps "
        "that many compute times) (default: 1000; latency: 200, quick: 50)",
    )
    parser.add_argument(
        "--report", metavar="FILE.md",
        help="run the latency benchmark and write FILE.md, FILE.json and FILE.png",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help=f"latency benchmark on a small matrix (report: --report, else {QUICK_REPORT} in --out)",
    )
    parser.add_argument(
        "--pd-jack", action="store_true",
        help="measure the Pd chain live under JACK and write pd_jack.md and pd_jack.json into --out",
    )
    parser.add_argument(
        "--hosts", nargs="+", type=int, metavar="N",
        help="latency: host block sizes (default: 64 256 441 1024; quick: 256)",
    )
    parser.add_argument(
        "--devices", nargs="+", metavar="DEV",
        help="latency: cpu, cuda, cuda:1 ... (default: cpu, and cuda when present; quick: cpu)",
    )
    parser.add_argument(
        "--paced-seconds", type=float, metavar="S",
        help="latency: length of each paced realtime run (default: 2; quick: 1)",
    )
    parser.add_argument(
        "--warmup", type=int, default=20,
        help="unmeasured calls first: TorchScript optimises a method after its first calls "
        "(default: 20)",
    )
    parser.add_argument(
        "--rounds", type=int, default=10,
        help="split the measured calls into this many alternating engine / direct batches, "
        "so that a drift in the machine's speed affects both sides alike (default: 10)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise inputs (default: 0)")
    parser.add_argument(
        "--out", default="bench/",
        help="folder for engine_overhead.json and engine_overhead.md (default: bench/)",
    )


def latency_mode(args: argparse.Namespace) -> bool:
    return bool(args.report or args.quick)


def _fill_defaults(args: argparse.Namespace) -> None:
    """Options left unset take the defaults of the report asked for."""
    if latency_mode(args):
        defaults = dict(QUICK_DEFAULTS if args.quick else LATENCY_DEFAULTS)
        if args.devices is None:
            import torch

            args.devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() and not args.quick else [])
    else:
        defaults = OVERHEAD_DEFAULTS
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    _fill_defaults(args)
    if latency_mode(args) and any(h < 1 for h in args.hosts):
        parser.error("--hosts must be positive")
    if latency_mode(args) and args.paced_seconds <= 0:
        parser.error("--paced-seconds must be > 0")
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


def _export_default(folder: Path) -> str:
    # Imported here: building and exporting a model is only needed for the default run.
    import torch

    from ..export import export_model
    from ..models import ToyCodec

    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # small chunked calls: one thread is fastest
    try:
        path = folder / "toy_hidden64.ts"
        export_model(ToyCodec(**DEFAULT_TOY), path, seconds=0.25)
    finally:
        torch.set_num_threads(previous)
    return str(path)


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
            raise ModelError(f"model file '{path}' has none of the methods {list(methods)} "
                             f"(it has: {', '.join(available)})")
        plan += [(path, label, m, b, t) for m in chosen for b in buffers for t in threads]
    rows = []
    for i, (path, label, method, buffer, n_threads) in enumerate(plan, 1):
        row = bench_one(path, label, method, buffer, n_threads, calls, warmup, seed, rounds)
        log(f"[{i}/{len(plan)}] {label} {method} buffer={row.buffer} threads={n_threads}: "
            f"engine p50 {row.engine_ms_p50:.3f} ms, direct p50 {row.direct_ms_p50:.3f} ms, "
            f"overhead {row.overhead_pct:+.1f} %")
        rows.append(row)
    return rows


def run_latency(args: argparse.Namespace, models: Sequence[Tuple[str, str]], command: str, log) -> int:
    """The latency benchmark for parsed `args` (see DESCRIPTION)."""
    plan = Plan(methods=args.methods, devices=args.devices, threads=args.threads, buffers=args.buffers,
                hosts=args.hosts, calls=args.calls, warmup=args.warmup, paced_seconds=args.paced_seconds, seed=args.seed)
    try:
        rows = latency_rows(models, plan, log=log)
    except ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    keys = ("models", "methods", "devices", "threads", "buffers", "hosts", "calls", "warmup", "paced_seconds", "seed")
    config = {k: getattr(args, k) for k in keys}
    config["quick"] = bool(args.quick)
    report = args.report or str(Path(args.out) / QUICK_REPORT)
    paths = write_latency_report(rows, report, command, config)
    print(format_latency_table(rows))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def run(args: argparse.Namespace, command: str) -> int:
    """Run the benchmark for parsed `args`; `command` is recorded in the reports."""
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    if args.pd_jack:
        from .pd_jack import run_report  # imported here: only this report needs JACK-Client

        return run_report(args.models, args.out, seconds=6.0, confirm_seconds=30.0, quick=args.quick, command=command)
    _fill_defaults(args)
    with tempfile.TemporaryDirectory(prefix="timbre_rt_bench_") as tmp:
        if args.models:
            models = [(p, p) for p in args.models]
        else:
            log(f"exporting {DEFAULT_TOY_LABEL} ...")
            models = [(_export_default(Path(tmp)), DEFAULT_TOY_LABEL)]
        if latency_mode(args):
            return run_latency(args, models, command, log)
        try:
            rows = run_bench(models, args.methods, args.buffers, args.threads,
                             args.calls, args.warmup, args.seed, args.rounds, log=log)
        except ModelError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    keys = ("models", "methods", "buffers", "threads", "calls", "warmup", "rounds", "seed")
    config = {k: getattr(args, k) for k in keys}
    paths = write_report(rows, args.out, command, config)
    print(format_table(rows))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.bench", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    return run(args, shlex.join(["python", "-m", "timbre_rt.bench"] + argv))
