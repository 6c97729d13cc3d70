"""The codebook as a listener sees it: table files, traversal by centroid (audio + plot)."""

import csv
import json
import math
from pathlib import Path
from typing import Tuple

import numpy as np

from ..models.discrete.table import CodeTable
from .decode import decode_codes

__all__ = ["centroid_order", "plot_traversal", "traversal", "write_table"]


def write_table(table: CodeTable, out: Path) -> Tuple[Path, Path]:
    """descriptors.csv (one row per code) and descriptors.json (with units and scale)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = table.rows()
    csv_path, json_path = out / "descriptors.csv", out / "descriptors.json"
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code"] + table.names)
        writer.writeheader()
        writer.writerows(rows)
    json_path.write_text(
        json.dumps(
            {
                "names": table.names,
                "units": table.units(),
                "log_scaled": [n for n, m in zip(table.names, table.log_mask) if m],
                "standard_mean": table.mean.tolist(),
                "standard_std": table.std.tolist(),
                "codes": rows,
            },
            indent=1,
        )
    )
    return csv_path, json_path


def centroid_order(table: CodeTable) -> np.ndarray:
    """Code indices sorted by increasing spectral centroid."""
    return np.argsort(table.values[:, table.index("centroid")], kind="stable")


def traversal(model, table: CodeTable, hold: float = 0.25, level_db: float = -20.0) -> Tuple[np.ndarray, np.ndarray]:
    """Every code in centroid order, each held `hold` seconds at the same loudness.

    The overlap-add cross-fades consecutive codes over one window.
    Returns (audio [T], order [K]); code order[i] starts at i * hold_frames * hop.
    """
    f = table.framing
    order = centroid_order(table)
    frames = max(1, math.ceil(hold * f.sampling_rate / f.hop))
    codes = np.repeat(order, frames)
    loudness = table.values[codes, table.index("loudness")]
    gains = np.minimum(10.0 ** ((level_db - loudness) / 20.0), 1.0)  # equal A-weighted loudness
    tail = f.window // f.hop  # let the last code ring out
    codes = np.concatenate([codes, np.full(tail, codes[-1])])
    gains = np.concatenate([gains, np.zeros(tail)])
    audio = decode_codes(model, codes, gains).astype(np.float32)
    return audio, order


def plot_traversal(table: CodeTable, audio: np.ndarray, order: np.ndarray, path: Path) -> Path:
    """PNG: centroid (and f0 of the voiced codes) per code in traversal order, over the
    traversal's spectrogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f = table.framing
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7))
    rank = np.arange(len(order))
    top.semilogy(rank, table.values[order, table.index("centroid")], ".-", label="centroid")
    voiced = table.values[order, table.index("f0_confidence")] >= 0.5  # pYIN's guess is noise below
    top.semilogy(
        rank[voiced],
        table.values[order, table.index("f0")][voiced],
        ".",
        alpha=0.6,
        label=f"f0 (pYIN), {int(voiced.sum())} voiced codes",
    )
    top.set_xlabel("code rank (sorted by centroid)")
    top.set_ylabel("Hz")
    top.set_xlim(-0.5, len(order) - 0.5)
    top.legend(loc="upper left")
    top.set_title(f"{len(order)} codes")
    bottom.specgram(audio, NFFT=1024, Fs=f.sampling_rate, noverlap=768, cmap="magma", vmin=-120)
    bottom.set_xlabel("time (s)")
    bottom.set_ylabel("frequency (Hz)")
    bottom.set_title("traversal: each code held, in centroid order")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
