"""`python -m timbre_rt.bench.pd_defaults`: what a musician gets from `[encoder~ MODEL]` ->
`[decoder~ MODEL]` with no other argument, live under JACK: one chain (as in a patch), Pd
with `-callback` and in its polling mode, and the inline mode, each for a run of N seconds.
Writes `pd_defaults.md` (underruns, JACK xruns, reported and live latency)."""

import argparse
import datetime
import os
import tempfile
from pathlib import Path
from typing import List, Sequence, Tuple

from .jack_server import jack_server
from .pd_live import LiveRun, LiveSettings, run_live
from .report import format_table, header_lines, machine_info

__all__ = ["main", "run_defaults"]

NAME = "pd_defaults.md"

COLUMNS = [
    ("setting", lambda r: r[0]),
    ("Pd flags", lambda r: r[1].pd_flags or "(polling)"),
    ("seconds", lambda r: f"{r[1].seconds:g}"),
    ("underruns", lambda r: str(r[1].underruns)),
    ("JACK xruns", lambda r: str(r[1].jack_xruns)),
    ("reported chain latency", lambda r: f"{r[1].reported} ({r[1].ms(r[1].reported)} ms)"),
    (
        "live latency (Pd I/O included)",
        lambda r: "-" if r[1].measured is None else f"{r[1].measured} ({r[1].ms(r[1].measured)} ms)",
    ),
    ("Pd I/O delay", lambda r: "-" if r[1].pd_io is None else str(r[1].pd_io)),
]


def run_defaults(model: str, seconds: float) -> List[Tuple[str, LiveRun]]:
    plans = [
        ("defaults, -callback", LiveSettings(model, callback=True, seconds=seconds, reference=False)),
        ("defaults, polling", LiveSettings(model, seconds=seconds, reference=False)),
        ("inline 1, -callback", LiveSettings(model, callback=True, inline=True, seconds=seconds, reference=False)),
    ]
    runs = []
    with jack_server(f"timbre_defaults_{os.getpid()}", 48000, 256, realtime=True, priority=70):
        for name, settings in plans:
            with tempfile.TemporaryDirectory() as folder:
                run = run_live(settings, Path(folder))
            print(
                f"{name}: {run.underruns} underruns, {run.jack_xruns} xruns, reported {run.reported}, live {run.measured}",
                flush=True,
            )
            runs.append((name, run))
    return runs


def main(argv: Sequence[str] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.bench.pd_defaults",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default="models/continuous.ts", help="model file (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run (default: %(default)s)")
    parser.add_argument("--out", default="bench", help="folder for pd_defaults.md (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.seconds > 0):
        parser.error(f"--seconds must be positive, got {args.seconds}")
    runs = run_defaults(args.model, args.seconds)
    load = os.getloadavg()
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    command = f"python -m timbre_rt.bench.pd_defaults --model {args.model} --seconds {args.seconds:g}"
    lines = header_lines("Pd chain with the objects' defaults, live under JACK", date, machine_info(), command)
    lines += [
        f"Load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} when written. `jackd -d dummy -r 48000 -p 256`"
        f" (SCHED_FIFO, -P 70); one `[adc~] -> [encoder~ {Path(args.model).name}] -> [decoder~ ...] -> [dac~]` chain;"
        " a JACK client plays a click and records (timbre_rt.bench.pd_live). Underruns: encoder + decoder.",
        "",
        format_table(runs, COLUMNS),
        "",
    ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / NAME).write_text("\n".join(lines))
    print(f"wrote {out / NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
