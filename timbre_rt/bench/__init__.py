"""Benchmarks of the C++ core: engine overhead (the Engine's worker vs the same TorchScript
call from Python) and latency (realtime factor, paced underruns, impulse-measured latency,
plain Python side by side) per model x method x device x threads x buffer x host block; and
the Pd chain measured live under JACK (pd_jack: a JACK client clicks into `pd -jack`).

Run them with `python -m timbre_rt.bench` or `timbre-rt bench` (see --help).
"""

from .cli import add_arguments, check_arguments, main, run
from .overhead_bench import run_bench
from .latency import LatencyRow, Plan, latency_rows
from .latency_report import format_latency_table, write_latency_report
from .jack_server import JackServerError, jack_server
from .measure import BenchResult, Timing, bench_one, measure_pair
from .pd_jack_sweep import ModelPlan, SweepResult, sweep_model
from .pd_live import LiveRun, LiveSettings, run_live
from .report import format_table, machine_info, write_report

__all__ = [
    "BenchResult",
    "JackServerError",
    "LatencyRow",
    "LiveRun",
    "LiveSettings",
    "ModelPlan",
    "Plan",
    "SweepResult",
    "Timing",
    "add_arguments",
    "bench_one",
    "check_arguments",
    "format_latency_table",
    "format_table",
    "jack_server",
    "latency_rows",
    "machine_info",
    "main",
    "measure_pair",
    "run",
    "run_bench",
    "run_live",
    "sweep_model",
    "write_latency_report",
    "write_report",
]
