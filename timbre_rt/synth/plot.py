"""The PNG of `timbre-rt synth`: each target descriptor against what the audio achieved,
the codes chosen and their gain, and the written audio's spectrogram."""

from pathlib import Path
from typing import Union

import numpy as np

from ..generate.plot_parts import draw_codes, draw_line, draw_spectrogram, finish, panels, save_png
from ..generate.spectrogram import Spectrogram
from ..models.discrete.descriptors import LOG_SCALED
from .offline import SynthResult
from .targets import Targets

__all__ = ["plot_synth", "synth_figure"]

PathLike = Union[str, Path]
# Axis units (descriptors.UNITS says more, too long for an axis label); none for ratios.
AXIS_UNITS = {"centroid": "Hz", "bandwidth": "Hz", "rolloff": "Hz", "loudness": "dB", "f0": "Hz"}
GRID_POINTS = 2000  # the target curve is drawn from this many points


def _descriptor(ax, name: str, targets: Targets, result: SynthResult, seconds: float) -> None:
    """Target (what was asked, as synthesis interpolates it) and achieved curves of one descriptor."""
    grid = np.linspace(0.0, seconds, GRID_POINTS)
    ax.plot(grid, targets.at(grid)[name], color="tab:orange", lw=2.0, alpha=0.8, label="target")
    got = result.achieved.curves.get(name) if result.achieved is not None else None
    if got is not None:  # NaN (silent or unvoiced frames) leaves gaps
        ax.plot(result.achieved.times, got, color="black", lw=0.9, label="achieved")
    error = result.errors.get(name, {})
    mae = error.get("mae")
    unit = AXIS_UNITS.get(name, "")
    note = f": mean abs error {mae:.3g} {unit}".rstrip() if mae is not None and np.isfinite(mae) else ""
    ax.set_title(f"{name}{note}", fontsize=9, loc="left")
    label = name.replace("_", " ")
    ax.set_ylabel(f"{label} ({unit})" if unit else label, fontsize=9)
    values = np.concatenate([targets.curves[name], got if got is not None else []])
    if name in LOG_SCALED and np.nanmin(values, initial=np.inf) > 0:
        _log_axis(ax, np.nanmin(values), np.nanmax(values))
    ax.grid(alpha=0.3)


def _log_axis(ax, lo: float, hi: float) -> None:
    """A log y axis (octaves read evenly, as the synthesis compares them) labelled in plain
    numbers: 10^k ticks over decades, 1, 2, 5 x 10^k over a few octaves, even steps over less."""
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    ax.set_yscale("log")
    ratio = hi / lo
    locator = LogLocator() if ratio > 30.0 else LogLocator(subs=(1.0, 2.0, 5.0)) if ratio > 4.0 else MaxNLocator(4)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_synth(targets: Targets, result: SynthResult, spectrogram: Spectrogram, path: PathLike) -> Path:
    """Write the PNG of synth_figure."""
    return save_png(synth_figure(targets, result, spectrogram), path)


def synth_figure(targets: Targets, result: SynthResult, spectrogram: Spectrogram):
    """One panel per target descriptor (target and achieved over time), then the codes
    (occupancy), the gain, and the spectrogram. result: measured
    (render_targets(measure=True)), with times for its codes."""
    names = list(targets.curves)
    seconds = len(result.audio) / result.sampling_rate
    p = panels([1.5] * len(names) + [1.4, 1.1, 2.2])
    for row, name in enumerate(names):
        _descriptor(p.axes[row], name, targets, result, seconds)
    p.axes[0].legend(loc="upper right", fontsize=8)
    row = len(names)
    draw_codes(p, row, result.times, result.codes)
    draw_line(p, row + 1, result.times, result.gains, "gain")
    draw_spectrogram(p, row + 2, spectrogram, "spectrogram of the synthesis")
    p.axes[0].set_xlim(0.0, seconds)
    finish(p, hspace=0.45)
    return p.fig
