"""PNG plots of latent series and of the interpolation plane (matplotlib figures, Agg)."""
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..io import atomic_path
from .series import LatentSeries

__all__ = ["plot_series", "plot_plane"]

PathLike = Union[str, Path]


def _figure(**kwargs):
    # A bare Figure (not pyplot): renders with Agg and leaves a notebook's backend alone.
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _draw(axes, series: LatentSeries, title: str) -> None:
    """One line per dim over time; loudness (dB, another scale) on its own axes."""
    top, bottom = axes
    t = series.times()
    for i, name in enumerate(series.latent_names):
        ax = bottom if (name == "loudness" and bottom is not None) else top
        ax.plot(t, series.latent[i], lw=0.8, label=name)
    top.set_title(title, fontsize=10)
    top.set_ylabel("latent")
    if bottom is not None:
        bottom.set_ylabel("loudness (dB)")
    top.legend(fontsize=6, ncol=max(1, len(series.latent_names) // 6), loc="upper right")


def plot_series(series: LatentSeries, path: PathLike, before: Optional[LatentSeries] = None,
                title: Optional[str] = None) -> Path:
    """Write a PNG of `series` (and of `before` above it, for an edit); time in seconds on x."""
    shown = [(before, "before"), (series, "after")] if before is not None else [(series, title or "")]
    loud = "loudness" in series.latent_names
    rows = len(shown) * (2 if loud else 1)
    ratios = [3, 1] * len(shown) if loud else [1] * len(shown)
    fig = _figure(figsize=(10, 2.2 * rows + 0.6))
    axes = fig.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios}, squeeze=False)
    axes = axes[:, 0]
    for j, (s, label) in enumerate(shown):
        pair = (axes[2 * j], axes[2 * j + 1]) if loud else (axes[j], None)
        name = title or s.source
        _draw(pair, s, f"{label}: {name}" if before is not None else name)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
    return path


def plot_plane(positions: np.ndarray, labels: Sequence[str], xy: np.ndarray, times: np.ndarray,
               path: PathLike) -> Path:
    """Write a PNG of the plane: anchors labelled, the path coloured by time, its start marked.

    positions: [K, 2], xy: [N, 2] positions per frame, times: [N] seconds."""
    fig = _figure(figsize=(6, 6))
    ax = fig.subplots()
    points = ax.scatter(xy[:, 0], xy[:, 1], c=times, s=4, cmap="viridis")
    ax.plot(xy[:, 0], xy[:, 1], lw=0.5, color="gray", alpha=0.6)
    ax.plot(xy[0, 0], xy[0, 1], "o", ms=9, mfc="none", mec="black", label="start")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    middle = positions[:, 0].mean()
    for i, ((x, y), label) in enumerate(zip(positions, labels)):
        ax.plot(x, y, "s", ms=10, color="tab:red")
        right = x > middle  # labels point inwards so that they stay inside the axes
        ax.annotate(f"{letters[i % 26]}: {label}", (x, y), textcoords="offset points",
                    xytext=(-8 if right else 8, 8), ha="right" if right else "left", fontsize=9)
    lo = np.minimum(positions.min(axis=0), xy.min(axis=0)) - 0.1
    hi = np.maximum(positions.max(axis=0), xy.max(axis=0)) + 0.1
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="lower right", fontsize=8)
    fig.colorbar(points, ax=ax, label="time (s)", shrink=0.8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
    return path
