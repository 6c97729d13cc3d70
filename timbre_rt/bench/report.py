"""Describe the machine, format the results as a table, write the JSON and markdown reports."""

import datetime
import json
import math
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Sequence, Union

import numpy as np
import torch

from .measure import BenchResult

JSON_NAME = "engine_overhead.json"
MARKDOWN_NAME = "engine_overhead.md"

COLUMNS = [
    # (header, format of one row); times in ms
    ("model", lambda r: r.model),
    ("method", lambda r: r.method),
    ("buffer", lambda r: f"{r.buffer} ({r.buffer_ms:.1f} ms)"),
    ("threads", lambda r: str(r.threads)),
    ("engine p50 / p99 / max ms", lambda r: f"{r.engine_ms_p50:.3f} / {r.engine_ms_p99:.3f} / {r.engine_ms_max:.3f}"),
    ("direct p50 / p99 / max ms", lambda r: f"{r.direct_ms_p50:.3f} / {r.direct_ms_p99:.3f} / {r.direct_ms_max:.3f}"),
    ("overhead", lambda r: f"{r.overhead_pct:+.1f} %"),
    ("realtime x", lambda r: f"{r.realtime_factor:.1f}"),
    ("calls", lambda r: str(r.calls)),
]


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    # The affinity mask is what this process may use (containers often limit it).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine_info() -> Dict[str, Union[str, int]]:
    return {
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def header_lines(title: str, date: str, machine: Dict, command: str) -> List[str]:
    """A report's title and where / how it was measured, as markdown lines."""
    return [
        f"# {title}",
        "",
        f"- date: {date}",
        f"- CPU: {machine['cpu']} ({machine['cores']} cores usable)",
        f"- torch {machine['torch']}, numpy {machine['numpy']}, Python {machine['python']}",
        f"- platform: {machine['platform']}",
        f"- command: `{command}`",
        "",
    ]


def format_table(rows: Sequence[BenchResult], columns=None) -> str:
    """A markdown table, padded so that it also reads well in a terminal.

    columns: (header, row -> text) pairs; default: the engine-overhead report's."""
    columns = COLUMNS if columns is None else columns
    cells = [[header for header, _ in columns]] + [[fmt(r) for _, fmt in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]

    def line(row: List[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def _finite(value):
    # JSON has no NaN / Infinity: write null instead.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_report(rows: Sequence[BenchResult], out_dir: Union[str, Path], command: str, config: Dict) -> List[Path]:
    """Write engine_overhead.json and engine_overhead.md into out_dir; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    report = {
        "date": date,
        "command": command,
        "machine": machine,
        "config": config,
        "results": [{k: _finite(v) for k, v in asdict(r).items()} for r in rows],
    }
    json_path = out_dir / JSON_NAME
    json_path.write_text(json.dumps(report, indent=2) + "\n")

    md = header_lines("timbre_rt engine overhead", date, machine, command) + [
        "Per-call compute time of the model method: *engine* = inside the Engine's worker "
        "(`stats()`, sync mode, one buffer per call), *direct* = the same TorchScript method "
        "called from Python (`torch.jit.load`, `torch.no_grad`, same input shape and thread "
        f"count). {config.get('calls')} measured calls each, after {config.get('warmup')} "
        f"warm-up calls, in {config.get('rounds')} alternating engine / direct batches. "
        "overhead = (engine p50 - direct p50) / direct p50; realtime x = buffer duration / "
        "engine p50.",
        "",
        format_table(rows),
        "",
    ]
    md_path = out_dir / MARKDOWN_NAME
    md_path.write_text("\n".join(md))
    return [json_path, md_path]
