"""Command line of the benchmark: `python -m timbre_rt.bench` and `timbre-rt bench`."""
import argparse
import shlex
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .._core import ModelError
from ..model_file import list_methods
from .measure import STATS_WINDOW, BenchResult, bench_one
from .report import format_table, write_report

DESCRIPTION = """\
Measure how much time the C++ Engine adds around a model call.

For every model file x method x buffer x threads, times the per-call compute
of (a) the Engine's worker (sync mode, noise fed through process() one buffer
at a time, read from stats()) and (b) the same TorchScript method called
directly from Python on the same input shape. Prints a table and writes
engine_overhead.json and engine_overhead.md into --out.
"""

EPILOG = """\
examples:
  python -m timbre_rt.bench                      # built-in ToyCodec, all methods
  timbre-rt bench --models a.ts --methods forward --buffers 512 2048 --threads 1 2
"""

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
        "--buffers", nargs="+", type=int, default=[2048], metavar="N",
        help="samples per model call; the engine rounds up to the model's block size "
        "(default: 2048)",
    )
    parser.add_argument(
        "--threads", nargs="+", type=int, default=[1], metavar="N",
        help="intra-op threads for both the engine worker and the direct call (default: 1)",
    )
    parser.add_argument(
        "--calls", type=int, default=1000,
        help=f"measured calls per configuration, at most {STATS_WINDOW} (the engine keeps "
        "that many compute times) (default: 1000)",
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


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
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


def run(args: argparse.Namespace, command: str) -> int:
    """Run the benchmark for parsed `args`; `command` is recorded in the reports."""
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="timbre_rt_bench_") as tmp:
        if args.models:
            models = [(p, p) for p in args.models]
        else:
            log(f"exporting {DEFAULT_TOY_LABEL} ...")
            models = [(_export_default(Path(tmp)), DEFAULT_TOY_LABEL)]
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
