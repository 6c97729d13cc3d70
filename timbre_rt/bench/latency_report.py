"""Write the latency benchmark: JSON (every field), a markdown table, a PNG plot."""

import datetime
import json
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

from .latency import LatencyRow
from .report import _finite, format_table, header_lines, machine_info

__all__ = ["format_latency_table", "write_latency_report"]


def _ms(value: Optional[float], digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _latency(r: LatencyRow) -> str:
    measured = "none" if r.latency_measured is None else str(r.latency_measured)
    mark = "" if r.latency_measured == r.latency_reported else " (!)"
    return f"{r.latency_reported} / {measured}{mark} ({r.ms(r.latency_reported):.1f} ms)"


COLUMNS = [
    ("model", lambda r: r.model),
    ("method", lambda r: r.method),
    ("device", lambda r: r.device),
    ("threads", lambda r: str(r.threads)),
    ("buffer", lambda r: f"{r.buffer} ({r.buffer_ms:.1f} ms)"),
    ("host", lambda r: str(r.host_block)),
    ("realtime x", lambda r: f"{r.realtime_factor:.1f}"),
    ("engine p50 / p99 / max ms", lambda r: f"{r.engine_ms_p50:.3f} / {r.engine_ms_p99:.3f} / {r.engine_ms_max:.3f}"),
    ("TorchScript p50 / p99 ms", lambda r: f"{r.torchscript_ms_p50:.3f} / {r.torchscript_ms_p99:.3f}"),
    ("eager p50 / p99 ms", lambda r: f"{_ms(r.eager_ms_p50)} / {_ms(r.eager_ms_p99)}"),
    ("underruns / calls", lambda r: f"{r.underruns} / {r.paced_calls}"),
    ("dropped", lambda r: str(r.dropped)),
    ("latency reported / measured", _latency),
]


def format_latency_table(rows: Sequence[LatencyRow]) -> str:
    return format_table(rows, COLUMNS)


def plot(rows: Sequence[LatencyRow], path: Path) -> Path:
    """Left: realtime factor against buffer, per model/method/device/threads. Right: paced
    underruns (share of host calls) against buffer, per host block (all else pooled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    series: Dict[str, Dict[int, float]] = {}
    for r in rows:
        series.setdefault(f"{Path(r.model).name} {r.method} {r.device} t{r.threads}", {})[r.buffer] = r.realtime_factor
    for label, points in sorted(series.items()):
        buffers = sorted(points)
        left.plot(buffers, [points[b] for b in buffers], marker="o", label=label)
    left.axhline(1.0, color="red", linestyle="--", linewidth=1)
    left.set(
        xscale="log",
        yscale="log",
        xlabel="buffer (samples)",
        ylabel="realtime factor (engine p50)",
        title="compute: buffer duration / compute time",
    )
    left.legend(fontsize=7)
    shares: Dict[int, Dict[int, List[float]]] = {}
    for r in rows:
        shares.setdefault(r.host_block, {}).setdefault(r.buffer, []).append(r.underruns / max(r.paced_calls, 1))
    for host, points in sorted(shares.items()):
        buffers = sorted(points)
        right.plot(buffers, [100.0 * max(points[b]) for b in buffers], marker="s", label=f"host block {host}")
    right.set_ylim(bottom=0)
    right.set(
        xscale="log",
        xlabel="buffer (samples)",
        ylabel="underruns, % of host calls (worst row)",
        title="paced run in real time (headroom = buffer / 2)",
    )
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_latency_report(
    rows: Sequence[LatencyRow], markdown_path: Union[str, Path], command: str, config: Dict
) -> List[Path]:
    """Write markdown_path, and the JSON and PNG next to it (same stem). Returns the paths."""
    md_path = Path(markdown_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    json_path, png_path = md_path.with_suffix(".json"), md_path.with_suffix(".png")
    machine = machine_info()
    date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    results = []
    for r in rows:
        d = {k: _finite(v) for k, v in asdict(r).items()}
        d["latency_ms"] = r.ms(r.latency_reported)
        results.append(d)
    json_path.write_text(
        json.dumps(
            {"date": date, "command": command, "machine": machine, "config": config, "results": results}, indent=2
        )
        + "\n"
    )
    plot(rows, png_path)
    exact = sum(r.latency_measured == r.latency_reported for r in rows)
    md = header_lines("timbre_rt latency benchmark", date, machine, command) + [
        "Per row: one model method (or *pipeline* = encode -> latent knobs -> decode in "
        "`timbre_rt.Pipeline`) on one device with an intra-op thread count and a model buffer, fed "
        "by a host with a block size.",
        "",
        f"- *engine*: compute time per buffer in the engine's worker (sync mode, {config.get('calls')} "
        "calls after warm-up; pipeline: encode + decode); *realtime x* = buffer duration / engine p50.",
        "- *TorchScript* / *eager*: the same call(s) from plain Python on the same input shape and "
        "thread count (`torch.jit.load`; eager = the model class rebuilt from the file, `-` when "
        "it cannot be).",
        f"- *underruns / calls*: a paced run of {config.get('paced_seconds')} s in real time, "
        "process() every host-block duration in realtime mode, headroom = buffer / 2: calls that "
        "had to output silence for want of a result; *dropped*: buffers never computed.",
        "- *latency*: reported by the engine (buffer + headroom + the method's own delay; pipeline: "
        "encoder + decoder) / measured with an impulse against silence in sync mode (first output "
        "sample that differs). (!) marks a difference: a model whose output reacts before its "
        "declared delay (a frame shown before its last input sample), or later (a response that "
        "starts at zero).",
        f"- {exact} of {len(rows)} rows measured exactly the reported latency.",
        "",
        f"![plot]({png_path.name})",
        "",
        format_latency_table(rows),
        "",
    ]
    md_path.write_text("\n".join(md))
    return [md_path, json_path, png_path]
