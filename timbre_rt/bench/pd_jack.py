"""`timbre-rt bench --pd-jack` / `python -m timbre_rt.bench.pd_jack`: the [encoder~] ->
[decoder~] chain in Pd under a paced JACK dummy device (no sound card needed), measured live.

Per model: the objects' defaults and the lowest-latency settings with 0 underruns found by a
small sweep (buffer x headroom, Pd polling and -callback), each with the latency the objects
report next to the live latency a JACK client measures with a click (pd_live); plus the
realtime factor of the models on one thread (the engine benchmark, measure.bench_one).
Writes pd_jack.md and pd_jack.json. RAVE exports are included when scripts/rave_export.sh
has built them (.cache/rave/)."""

import argparse
import datetime
import json
import os
import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import List, Optional, Sequence

from .measure import BenchResult, bench_one
from .pd_jack_sweep import ModelPlan, SweepResult, sweep_model
from .pd_live import LiveRun
from .report import format_table, header_lines, machine_info

__all__ = ["default_plans", "main", "realtime_factors", "rewrite_markdown", "write_pd_jack_report"]

REPO = Path(__file__).resolve().parents[2]
RAVE_DIR = REPO / ".cache" / "rave"

# Run lengths (s), for both command lines: a sweep point runs long enough to meet a rare
# underrun; the default settings and the lowest setting found run longer to confirm it.
SWEEP_SECONDS = 6.0
CONFIRM_SECONDS = 30.0
# RAVE's chain has seconds of latency (and of compute) per run: its runs must outlast them.
RAVE_MIN_SWEEP_SECONDS = 12.0
RAVE_MIN_CONFIRM_SECONDS = 20.0


def default_plans(quick: bool = False) -> List[ModelPlan]:
    """The shipped continuous model at 48 kHz, and the RAVE exports when built, each at its
    own rate (44.1 and 48 kHz)."""
    buffers, headrooms = ([512, 1024], [0, 256, 512]) if quick else ([512, 1024, 2048], [0, 128, 256, 512, 1024])
    plans = [ModelPlan("continuous.ts", str(REPO / "models" / "continuous.ts"), 48000, buffers, headrooms)]
    # RAVE's decode draws noise: no reference chain (its output could not match), and half the CPU.
    for name, rate in [("rave_v2_random_48000.ts", 48000), ("rave_v2_random_44100.ts", 44100)]:
        if (RAVE_DIR / name).exists() and not quick:
            # One sweep point: on one thread RAVE v2 computes about as fast as real time, so
            # only a large buffer has a chance; each run takes seconds of model loading.
            plans.append(
                ModelPlan(
                    f"{name} (RAVE v2, random weights)",
                    str(RAVE_DIR / name),
                    rate,
                    buffers=[4096],
                    headrooms=[4096],
                    reference=False,
                )
            )
    return plans


def realtime_factors(paths: Sequence[str], buffers: Sequence[int], calls: int = 50) -> List[BenchResult]:
    """encode and decode of each model at each buffer, one thread (engine worker, sync mode)."""
    rows = []
    for path in paths:
        for buffer in buffers:
            for method in ("encode", "decode"):
                rows.append(bench_one(path, Path(path).name, method, buffer, 1, calls=calls, warmup=5, rounds=2))
    return rows


def _ms(run: LiveRun, samples: Optional[int]) -> str:
    return "-" if samples is None else f"{samples} ({run.ms(samples)} ms)"


def _pd_io(run: LiveRun) -> str:
    if run.pd_io is None:
        return "-"
    return f"{run.pd_io}" + (f" (moved {run.pd_io_spread})" if run.pd_io_spread else "")


def _doubt(run: LiveRun) -> str:
    """Underruns or xruns can shift the chain's timeline: its measured delays are suspect."""
    return " (!)" if run.underruns or run.jack_xruns else ""


LIVE_COLUMNS = [
    ("setting", lambda r: r[0]),
    ("Pd flags", lambda r: f"`{r[1].pd_flags}`" if r[1].pd_flags else "(polling)"),
    ("buffer", lambda r: str(r[1].buffer)),
    ("headroom", lambda r: "default" if r[1].headroom is None else str(r[1].headroom)),
    ("seconds", lambda r: f"{r[1].seconds:g}"),
    ("underruns", lambda r: str(r[1].underruns)),
    ("JACK xruns", lambda r: str(r[1].jack_xruns)),
    ("reported chain latency", lambda r: _ms(r[1], r[1].reported)),
    ("measured live latency", lambda r: _ms(r[1], r[1].measured) + _doubt(r[1])),
    ("Pd I/O delay", lambda r: _pd_io(r[1])),
    ("live - Pd I/O (onset / peak)", lambda r: f"{_fmt(r[1].measured_chain)} / {_fmt(r[1].peak_chain)}" + _doubt(r[1])),
]


def _fmt(value: Optional[int]) -> str:
    return "-" if value is None else str(value)


RT_COLUMNS = [
    ("model", lambda r: r.model),
    ("method", lambda r: r.method),
    ("buffer", lambda r: f"{r.buffer} ({r.buffer_ms:.1f} ms at {r.sampling_rate} Hz)"),
    ("compute p50 / p99 ms", lambda r: f"{r.engine_ms_p50:.2f} / {r.engine_ms_p99:.2f}"),
    ("realtime x", lambda r: f"{r.realtime_factor:.1f}"),
]


def _combined(rows: Sequence[BenchResult]) -> List[str]:
    """encode + decode per model and buffer: buffer duration / (p50 encode + p50 decode)."""
    lines = []
    for model, buffer in dict.fromkeys((r.model, r.buffer) for r in rows):
        pair = [r for r in rows if r.model == model and r.buffer == buffer]
        total = sum(r.engine_ms_p50 for r in pair)
        lines.append(
            f"- {model}, buffer {buffer}: encode + decode {total:.2f} ms per call = "
            f"{pair[0].buffer_ms / total:.1f}x realtime on one thread"
        )
    return lines


def markdown(
    results: Sequence[SweepResult],
    factors: Sequence[BenchResult],
    command: str,
    date: str,
    load_average: Sequence[float],
) -> str:
    load = " / ".join(f"{v:.2f}" for v in load_average)
    lines = header_lines("Pd chain under JACK, measured live", date, machine_info(), command) + [
        f"**Loaded machine**: load average {load} (1 / 5 / 15 min) when the report was written, on "
        f"{os.cpu_count()} cores shared with other jobs (training, builds, tests): underruns and xruns here are "
        "upper bounds of what a quiet machine gets.",
        "",
        "Setup: `jackd -d dummy -p 256` (SCHED_FIFO when allowed) at the model's row rate; `pd -jack -nojackconnect` "
        "with `[adc~ 1 2] -> [dac~ 1]` (plain: Pd's own I/O delay), `[adc~ 2] -> [encoder~ M args] -> [decoder~ M args] "
        "-> [dac~ 2]` (chain A) and, for deterministic models, the same chain fed silence -> `[dac~ 3]` (reference). A "
        "JACK client (`timbre_rt.bench.jack_probe`) plays a click into Pd and records its outputs on JACK's clock.",
        "",
        "- *reported chain latency*: encoder + decoder `info` (samples at Pd's rate);",
        "- *measured live latency*: click into JACK -> first sample where chain A departs from the reference "
        "(RAVE: from silence, above 4x the noise it makes before the click): what a listener gets, Pd's I/O included;",
        "- *live - Pd I/O*: the chain's own share, onset and peak of the response. The onset can come before the "
        "reported latency (a frame starts before its click; a linear-phase resampler rings ahead of its delay); "
        "for a delay-only model the peak is the delay (tests/test_pd_jack_live.py checks it is exactly the report);",
        "- *underruns*: chain A's encoder + decoder, whole run; *JACK xruns*: from DSP on to `info`. (!) marks "
        "delays measured in a run with either: an xrun moves Pd's I/O, an underrun can swallow the click, and "
        "the automatic headroom (defaults) can grow after the click while `info` is read at the end, so those "
        "numbers need not be the reported latency (with an explicit headroom, hundreds of underruns leave a "
        "resampled identity chain's delay exactly as reported); a peak far away is a later burst.",
        "- `-callback` runs: Pd 0.53 under JACK hangs in `pd quit` with -callback (also without our objects); the "
        "benchmark stops it with SIGTERM after its `info` lines.",
        "",
    ]
    for result in results:
        plan = result.plan
        lines += [f"## {plan.label} in Pd at {plan.rate} Hz", ""]
        if result.rows:
            realtime = all(run.jack_realtime for _, run in result.rows)
            priority = "" if result.jack_priority is None or not realtime else f" (-P {result.jack_priority})"
            lines += [
                f"jackd {'with' if realtime else 'without'} realtime scheduling{priority}. Sweep: buffers "
                f"{list(plan.buffers)} x headrooms {list(plan.headrooms)}, short runs, the first clean one "
                f"(0 underruns, 0 xruns) confirmed by a long run.",
                "",
                format_table(result.rows, LIVE_COLUMNS),
                "",
            ]
        if result.tried:
            lines += [
                f"<details><summary>{len(result.tried)} sweep runs</summary>",
                "",
                format_table([("sweep", run) for run in result.tried], LIVE_COLUMNS),
                "",
                "</details>",
                "",
            ]
        lines += [f"- {e}" for e in result.errors] + ([""] if result.errors else [])
    if factors:
        lines += (
            [
                "## Realtime factor, one thread",
                "",
                "Engine worker in sync mode (`timbre_rt.bench.measure.bench_one`), per call at the model's rate; "
                "a buffer smaller than the model's block size is rounded up to it.",
                "",
                format_table(factors, RT_COLUMNS),
                "",
            ]
            + _combined(factors)
            + [""]
        )
    return "\n".join(lines)


def write_pd_jack_report(
    results: Sequence[SweepResult], factors: Sequence[BenchResult], out: Path, command: str
) -> List[Path]:
    out.mkdir(parents=True, exist_ok=True)
    date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    data = {
        "date": date,
        "command": command,
        "machine": machine_info(),
        "load_average": list(os.getloadavg()),
        "models": [
            {
                "plan": asdict(r.plan),
                "jack_priority": r.jack_priority,
                "rows": [{"setting": s, **asdict(run)} for s, run in r.rows],
                "tried": [asdict(run) for run in r.tried],
                "errors": r.errors,
            }
            for r in results
        ],
        "realtime_factors": [asdict(f) for f in factors],
    }
    (out / "pd_jack.json").write_text(json.dumps(data, indent=2) + "\n")
    (out / "pd_jack.md").write_text(markdown(results, factors, command, date, data["load_average"]))
    return [out / "pd_jack.md", out / "pd_jack.json"]


def rewrite_markdown(json_path: Path) -> Path:
    """pd_jack.md again from pd_jack.json (after a change of layout), without measuring."""
    data = json.loads(json_path.read_text())
    results = []
    for model in data["models"]:
        result = SweepResult(ModelPlan(**model["plan"]), model.get("jack_priority"), errors=model["errors"])
        result.rows = [(row.pop("setting"), LiveRun(**row)) for row in model["rows"]]
        result.tried = [LiveRun(**run) for run in model["tried"]]
        results.append(result)
    factors = [BenchResult(**f) for f in data["realtime_factors"]]
    path = json_path.with_suffix(".md")
    path.write_text(markdown(results, factors, data["command"], data["date"], data["load_average"]))
    return path


def run_report(
    models: Optional[Sequence[str]], out: str, seconds: float, confirm_seconds: float, quick: bool, command: str
) -> int:
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    plans = default_plans(quick)
    if models:
        plans = [p for p in plans if any(Path(m).resolve() == Path(p.path).resolve() for m in models)] or [
            ModelPlan(Path(m).name, str(Path(m).resolve()), 48000, [512, 1024, 2048], [0, 256, 512]) for m in models
        ]
    results = []
    for plan in plans:
        log(f"== {plan.label} at {plan.rate} Hz")
        if plan.reference:
            results.append(sweep_model(plan, seconds, confirm_seconds, log=log))
        else:  # RAVE: polling mode only
            results.append(
                sweep_model(
                    plan,
                    max(seconds, RAVE_MIN_SWEEP_SECONDS),
                    max(confirm_seconds, RAVE_MIN_CONFIRM_SECONDS),
                    callbacks=(False,),
                    log=log,
                )
            )
    calls = 20 if quick else 50
    factors = realtime_factors([str(REPO / "models" / m) for m in ("continuous.ts", "discrete.ts")], [512, 2048], calls)
    rave = RAVE_DIR / "rave_v2_random_44100.ts"
    if rave.exists() and not quick:
        factors += realtime_factors([str(rave)], [2048], calls)
    for path in write_pd_jack_report(results, factors, Path(out), command):
        print(f"wrote {path}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.bench.pd_jack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="MODEL",
        help="model files (default: models/continuous.ts, and the RAVE exports in .cache/rave/ when built)",
    )
    parser.add_argument(
        "--seconds", type=float, default=SWEEP_SECONDS, help=f"length of each sweep run (default: {SWEEP_SECONDS:g})"
    )
    parser.add_argument(
        "--confirm-seconds",
        type=float,
        default=CONFIRM_SECONDS,
        help="length of the default-settings runs and of the run confirming the lowest setting "
        f"(default: {CONFIRM_SECONDS:g})",
    )
    parser.add_argument("--quick", action="store_true", help="continuous.ts only, a smaller sweep, fewer calls")
    parser.add_argument("--out", default="bench", help="folder for pd_jack.md and pd_jack.json (default: bench)")
    parser.add_argument("--rewrite", action="store_true", help="only write pd_jack.md again from --out's pd_jack.json")
    args = parser.parse_args(argv)
    if args.rewrite:
        source = Path(args.out) / "pd_jack.json"
        if not source.exists():
            print(f"error: {source} does not exist: run the benchmark first", file=sys.stderr)
            return 1
        print(f"wrote {rewrite_markdown(source)}")
        return 0
    return run_report(
        args.models,
        args.out,
        args.seconds,
        args.confirm_seconds,
        args.quick,
        shlex.join(["python", "-m", "timbre_rt.bench.pd_jack"] + argv),
    )


if __name__ == "__main__":
    sys.exit(main())
