"""PNG plots of latent series and of the interpolation plane (matplotlib figures, Agg).

A series is drawn as panels over time: its latent dims as one heatmap (one
row per dim, so 16+ dims stay apart, which a line per dim in 10 cycle
colours does not), a discrete model's codes as a code x time occupancy
raster, and each named channel (loudness, gain) on its own axes in its own
units. With the decoded audio's spectrogram, a last panel shows what it sounds like.
"""

from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from .plot_parts import (
    Panels,
    channel_groups,
    draw_codes,
    draw_heatmap,
    draw_line,
    draw_spectrogram,
    finish,
    panels,
    save_png,
    spectrogram_image,
)
from .series import LatentSeries
from .spectrogram import Spectrogram

__all__ = ["plane_figure", "plot_plane", "plot_series", "series_figure"]

PathLike = Union[str, Path]
SPECTROGRAM_HEIGHT = 2.2  # inches


def _rows(series: LatentSeries) -> List[Tuple[str, List[int], float]]:
    """[(kind, channel indices, height in inches)] of the panels drawing one series."""
    latent, codes, named = channel_groups(series.latent_names)
    rows = []
    if latent:
        rows.append(("heatmap", latent, max(1.4, 0.16 * len(latent))))
    rows += [("codes", [i], 1.6) for i in codes]
    rows += [("line", [i], 1.0) for i in named]
    return rows


def _draw(p: Panels, first: int, series: LatentSeries, title: str, limit: float) -> int:
    """Draw `series` from panel `first` on; returns the next free panel."""
    t = series.times()
    row = first
    for kind, channels, _ in _rows(series):
        if kind == "heatmap":
            draw_heatmap(p, row, t, series.latent[channels], [series.latent_names[i] for i in channels], limit)
        elif kind == "codes":
            draw_codes(p, row, t, series.latent[channels[0]])
        else:
            draw_line(p, row, t, series.latent[channels[0]], series.latent_names[channels[0]])
        row += 1
    p.axes[first].set_title(title, fontsize=10)
    return row


def _limit(shown: Sequence[LatentSeries]) -> float:
    """One colour scale for every heatmap (before and after an edit compare by colour)."""
    values = [np.abs(s.latent[channel_groups(s.latent_names)[0]]) for s in shown]
    top = max((float(v.max()) for v in values if v.size), default=1.0)
    return max(top, 1e-6)


def plot_series(
    series: LatentSeries,
    path: PathLike,
    before: Optional[LatentSeries] = None,
    title: Optional[str] = None,
    spectrogram: Optional[Spectrogram] = None,
) -> Path:
    """Write a PNG of `series` (and of `before` above it, for an edit): see series_figure."""
    return save_png(series_figure(series, before, title, spectrogram), path)


def series_figure(
    series: LatentSeries,
    before: Optional[LatentSeries] = None,
    title: Optional[str] = None,
    spectrogram: Optional[Spectrogram] = None,
):
    """The Figure of `series` (and of `before` above it); time in seconds on x.

    spectrogram: of the audio decoded from `series`, drawn in a last panel."""
    shown = [(before, "before"), (series, "after")] if before is not None else [(series, "")]
    heights = [h for s, _ in shown for _, _, h in _rows(s)]
    heights += [SPECTROGRAM_HEIGHT] if spectrogram is not None else []
    p = panels(heights)
    limit = _limit([s for s, _ in shown])
    row = 0
    for s, label in shown:
        name = title or s.source
        row = _draw(p, row, s, f"{label}: {name}" if label else name, limit)
    starts, ends = zip(*[(s.times()[0], s.times()[-1]) for s, _ in shown])
    lo, hi = min(starts), max(ends)
    if spectrogram is not None:
        draw_spectrogram(p, row, spectrogram, "spectrogram of the decoded audio")
        hi = max(hi, spectrogram.seconds)
    p.axes[0].set_xlim(lo, hi)
    finish(p)
    return p.fig


def plot_plane(
    positions: np.ndarray,
    labels: Sequence[str],
    xy: np.ndarray,
    times: np.ndarray,
    path: PathLike,
    spectrogram: Optional[Spectrogram] = None,
) -> Path:
    """Write a PNG of the plane: see plane_figure."""
    return save_png(plane_figure(positions, labels, xy, times, spectrogram), path)


def plane_figure(
    positions: np.ndarray,
    labels: Sequence[str],
    xy: np.ndarray,
    times: np.ndarray,
    spectrogram: Optional[Spectrogram] = None,
):
    """The plane's Figure: anchors labelled, the path coloured by time, its start marked;
    below it the spectrogram of the decoded audio, when given.

    positions: [K, 2], xy: [N, 2] positions per frame, times: [N] seconds."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 6 + (3 if spectrogram is not None else 0)))
    if spectrogram is not None:
        ax, low = fig.subplots(2, 1, gridspec_kw={"height_ratios": [2, 1]})
    else:
        ax, low = fig.subplots(), None
    points = ax.scatter(xy[:, 0], xy[:, 1], c=times, s=4, cmap="viridis")
    ax.plot(xy[:, 0], xy[:, 1], lw=0.5, color="gray", alpha=0.6)
    ax.plot(xy[0, 0], xy[0, 1], "o", ms=9, mfc="none", mec="black")
    ax.annotate("start", xy[0], textcoords="offset points", xytext=(-9, 0), ha="right", va="center", fontsize=8)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    middle = positions.mean(axis=0)
    for i, ((x, y), label) in enumerate(zip(positions, labels)):
        ax.plot(x, y, "s", ms=10, color="tab:red")
        # Labels point inwards horizontally and outwards vertically: inside the axes,
        # off a path that runs between the anchors.
        right, up = x > middle[0], y >= middle[1]
        ax.annotate(
            f"{letters[i % 26]}: {label}",
            (x, y),
            textcoords="offset points",
            xytext=(-8 if right else 8, 9 if up else -9),
            ha="right" if right else "left",
            va="bottom" if up else "top",
            fontsize=9,
        )
    lo = np.minimum(positions.min(axis=0), xy.min(axis=0)) - 0.12
    hi = np.maximum(positions.max(axis=0), xy.max(axis=0)) + 0.12
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    fig.colorbar(points, ax=ax, label="time (s)", shrink=0.8)
    if low is not None:
        image = spectrogram_image(low, spectrogram, "spectrogram of the decoded audio")
        low.set_xlabel("time (s)")
        fig.colorbar(image, ax=low, label="dB")
    fig.tight_layout()
    return fig
