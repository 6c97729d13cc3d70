"""Engine overhead benchmark: the Engine's worker vs the same TorchScript call from Python.

Run it with `python -m timbre_rt.bench` or `timbre-rt bench` (see --help).
"""
from .cli import add_arguments, check_arguments, main, run, run_bench
from .measure import BenchResult, Timing, bench_one, measure_pair
from .report import format_table, machine_info, write_report

__all__ = [
    "BenchResult",
    "Timing",
    "add_arguments",
    "bench_one",
    "check_arguments",
    "format_table",
    "machine_info",
    "main",
    "measure_pair",
    "run",
    "run_bench",
    "write_report",
]
