"""Panels shared by the PNG plots: latent heatmap, code occupancy, named lines, spectrogram.

A figure is a column of panels over one time axis, with a narrow column on
the right for colour bars (left empty beside line panels), so that every
panel's time axis lines up with the others.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

from ..io import atomic_path
from .spectrogram import Spectrogram

__all__ = [
    "Panels",
    "CHANNEL_UNITS",
    "channel_groups",
    "draw_codes",
    "draw_heatmap",
    "draw_line",
    "draw_spectrogram",
    "finish",
    "panels",
    "save_png",
    "spectrogram_image",
]

# Named (non-latent) channels and the units their values are in.
CHANNEL_UNITS = {"loudness": "dB", "gain": "linear"}
_LATENT = re.compile(r"^z\d+$")
MAX_CODE_COLUMNS = 1500  # occupancy bins across the plot: about one per pixel column
SPECTROGRAM_RANGE_DB = 80.0


@dataclass
class Panels:
    """fig: a matplotlib Figure; axes[i]: panel i (time on x, shared); bars[i]: its colour-bar axes."""

    fig: object
    axes: List[object] = field(default_factory=list)
    bars: List[object] = field(default_factory=list)


def panels(heights: Sequence[float], width: float = 11.0) -> Panels:
    """A bare Figure (not pyplot: leaves a notebook's backend alone) with one row per height (inches)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, sum(heights) + 0.4))
    grid = fig.add_gridspec(len(heights), 2, height_ratios=list(heights), width_ratios=[1, 0.015], wspace=0.02)
    out = Panels(fig)
    for i in range(len(heights)):
        out.axes.append(fig.add_subplot(grid[i, 0], sharex=out.axes[0] if out.axes else None))
        bar = fig.add_subplot(grid[i, 1])
        bar.set_axis_off()  # shown again by the panels that draw a colour bar
        out.bars.append(bar)
    return out


def finish(p: Panels, xlabel: str = "time (s)", hspace: float = 0.35) -> None:
    """Label the shared x axis once, under the last panel, and fix the margins in inches
    (tight_layout cannot lay out the colour-bar column)."""
    for ax in p.axes[:-1]:
        ax.tick_params(labelbottom=False)
    p.axes[-1].set_xlabel(xlabel)
    height = p.fig.get_figheight()
    p.fig.subplots_adjust(left=0.09, right=0.93, top=1 - 0.4 / height, bottom=0.5 / height, hspace=hspace)


def save_png(fig, path: Union[str, Path]) -> Path:
    """Write `fig` as a PNG at `path`, atomically (creating its folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
    return path


def channel_groups(names: Sequence[str]) -> Tuple[List[int], List[int], List[int]]:
    """Channel indices -> (latent dims for the heatmap, code channels, named channels
    drawn as lines). Latent dims are `z<k>`; `code` is a discrete model's code index."""
    latent = [i for i, n in enumerate(names) if _LATENT.match(n)]
    codes = [i for i, n in enumerate(names) if n == "code"]
    named = [i for i in range(len(names)) if i not in latent and i not in codes]
    return latent, codes, named


def _edges(t: np.ndarray) -> Tuple[float, float]:
    """The time span covered by samples at `t` [N], half a step beyond each end."""
    step = float(t[1] - t[0]) if t.size > 1 else 1.0
    return float(t[0]) - step / 2, float(t[-1]) + step / 2


def _bar(fig, image, bar, label: str) -> None:
    bar.set_axis_on()
    fig.colorbar(image, cax=bar).set_label(label, fontsize=8)


def draw_heatmap(p: Panels, row: int, t: np.ndarray, values: np.ndarray, names: Sequence[str], limit: float) -> None:
    """values: [D, N] latent dims over frames at times t [N]; one row per dim, top to bottom
    in `names` order; colours from -limit (blue) through 0 (white) to +limit (red)."""
    ax = p.axes[row]
    lo, hi = _edges(t)
    image = ax.imshow(
        values,
        aspect="auto",
        interpolation="nearest",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        extent=(lo, hi, len(names) - 0.5, -0.5),
    )
    every = max(1, int(np.ceil(len(names) / 32)))  # a readable label size for any count
    ticks = list(range(0, len(names), every))
    ax.set_yticks(ticks, [names[i] for i in ticks], fontsize=7 if len(names) > 8 else 8)
    ax.set_ylabel("latent dim")
    _bar(p.fig, image, p.bars[row], "latent value")


def draw_codes(p: Panels, row: int, t: np.ndarray, codes: np.ndarray) -> None:
    """codes: [N] code index per frame at times t [N] -> code x time occupancy raster
    (a piano roll): a bar over each time bin at every code used in it, darker the more
    of the bin's frames use it. Bars, not image rows: 256+ codes are more rows than
    pixels, and an image would drop most of them."""
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap

    ax = p.axes[row]
    index = np.clip(np.rint(codes), 0, None).astype(np.int64)
    n, k = index.size, int(index.max()) + 1
    columns = min(n, MAX_CODE_COLUMNS)
    bins = np.arange(n) * columns // n
    share = np.zeros((k, columns))
    np.add.at(share, (index, bins), 1.0)
    share /= np.bincount(bins, minlength=columns)[None]
    code, column = np.nonzero(share)
    step = float(t[1] - t[0]) if n > 1 else 1.0
    starts = np.searchsorted(bins, np.arange(columns))  # first frame of each bin
    ends = np.append(starts[1:], n) - 1
    lo, hi = t[starts] - step / 2, t[ends] + step / 2
    segments = np.stack([np.stack([lo[column], code], 1), np.stack([hi[column], code], 1)], 1)
    # Greys from light, not white: a code used in one frame of a bin stays visible.
    greys = ListedColormap(colormaps["Greys"](np.linspace(0.3, 1.0, 256)))
    bars = LineCollection(segments, array=share[code, column], cmap=greys, linewidths=3.0)
    bars.set_clim(0.0, 1.0)
    ax.add_collection(bars)
    ax.set_xlim(lo[0], hi[-1])
    ax.set_ylim(-0.5 - 0.06 * k, k - 0.5 + 0.06 * k)
    ax.set_ylabel("code")
    ax.grid(alpha=0.3)
    _bar(p.fig, bars, p.bars[row], "share of frames")


def draw_line(
    p: Panels, row: int, t: np.ndarray, values: np.ndarray, name: str, units: Dict[str, str] = CHANNEL_UNITS
) -> None:
    """values: [N] one named channel at times t [N], on its own axes in its own units."""
    ax = p.axes[row]
    ax.plot(t, values, lw=0.9, color="black")
    unit = units.get(name)
    ax.set_ylabel(f"{name} ({unit})" if unit else name)
    ax.grid(alpha=0.3)


def spectrogram_image(ax, spec: Spectrogram, title: str = ""):
    """The loudest SPECTROGRAM_RANGE_DB dB of `spec` on `ax`, time (s) x frequency (Hz);
    returns the image (for a colour bar)."""
    top = float(spec.db.max())
    lo, hi = _edges(spec.times)
    image = ax.imshow(
        spec.db,
        aspect="auto",
        interpolation="nearest",
        origin="lower",
        cmap="magma",
        vmin=top - SPECTROGRAM_RANGE_DB,
        vmax=top,
        extent=(lo, hi, float(spec.freqs[0]), float(spec.freqs[-1])),
    )
    ax.set_ylabel("frequency (Hz)")
    if title:
        ax.set_title(title, fontsize=9)
    return image


def draw_spectrogram(p: Panels, row: int, spec: Spectrogram, title: str = "") -> None:
    """spectrogram_image on panel `row`, with its dB colour bar."""
    _bar(p.fig, spectrogram_image(p.axes[row], spec, title), p.bars[row], "dB")
