"""Trajectories on the interpolation plane: a CSV of (time, x, y) or a parametric path."""

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np

from .errors import GenerateError

__all__ = ["Trajectory", "PARAMETRIC", "read_path_csv", "parametric_path", "trajectory_from"]

PathLike = Union[str, Path]
PARAMETRIC = ("circle", "line", "figure-eight")


@dataclass
class Trajectory:
    """Positions over time on the plane (the unit square holds the 4 corner anchors).

    kind: "csv" (times [M] and xy [M, 2], linear between rows, ends held) or a
    PARAMETRIC name with `period` seconds, `center`, `radius` (circle,
    figure-eight) or `start`/`end` points (line: there and back each period).
    duration: the CSV's last time, None for parametric paths (endless).
    """

    kind: str
    times: Optional[np.ndarray] = None
    xy: Optional[np.ndarray] = None
    period: float = 4.0
    center: Tuple[float, float] = (0.5, 0.5)
    radius: float = 0.5
    start: Tuple[float, float] = (0.0, 0.0)
    end: Tuple[float, float] = (1.0, 1.0)

    @property
    def duration(self) -> Optional[float]:
        return float(self.times[-1]) if self.kind == "csv" else None

    def at(self, t: np.ndarray) -> np.ndarray:
        """t: [N] seconds -> positions [N, 2] (x, y)"""
        t = np.asarray(t, dtype=np.float64)
        if self.kind == "csv":
            return np.stack([np.interp(t, self.times, self.xy[:, 0]), np.interp(t, self.times, self.xy[:, 1])], axis=1)
        phase = 2 * np.pi * t / self.period
        cx, cy = self.center
        if self.kind == "circle":
            return np.stack([cx + self.radius * np.cos(phase), cy + self.radius * np.sin(phase)], 1)
        if self.kind == "figure-eight":  # a 1:2 Lissajous figure, crossing at the center
            return np.stack([cx + self.radius * np.sin(phase), cy + self.radius * np.sin(2 * phase)], 1)
        u = 1 - np.abs(1 - 2 * np.mod(t / self.period, 1.0))  # triangle wave 0 -> 1 -> 0
        a, b = np.asarray(self.start), np.asarray(self.end)
        return a[None] + u[:, None] * (b - a)[None]


def read_path_csv(path: PathLike) -> Trajectory:
    """A CSV with columns time,x,y (header optional; times in seconds, increasing)."""
    path = Path(path)
    if not path.is_file():
        raise GenerateError(f"{path}: no such path file")
    rows = [r for r in csv.reader(path.read_text().splitlines()) if r and any(c.strip() for c in r)]
    if rows and [c.strip().lower() for c in rows[0]] == ["time", "x", "y"]:
        rows = rows[1:]
    try:
        data = np.array([[float(c) for c in r] for r in rows], dtype=np.float64)
    except ValueError as e:
        raise GenerateError(f"{path}: expected rows of 3 numbers time,x,y ({e})") from None
    if data.ndim != 2 or data.shape[1] != 3 or len(data) == 0:
        raise GenerateError(f"{path}: expected a header time,x,y and rows of 3 numbers")
    if not np.all(np.isfinite(data)):
        raise GenerateError(f"{path}: NaN or inf in the path")
    if np.any(np.diff(data[:, 0]) <= 0):
        raise GenerateError(f"{path}: times must increase from row to row")
    return Trajectory("csv", times=data[:, 0], xy=data[:, 1:])


def parametric_path(kind: str, period: float = 4.0, **shape) -> Trajectory:
    """circle / line / figure-eight, one cycle per `period` seconds."""
    if kind not in PARAMETRIC:
        raise GenerateError(f"unknown path {kind!r}: a CSV file or one of {', '.join(PARAMETRIC)}")
    if not (math.isfinite(period) and period > 0):
        raise GenerateError(f"path period must be a positive number of seconds, got {period}")
    for name, value in shape.items():
        values = [] if value is None else np.ravel(np.asarray(value, dtype=np.float64))
        if not np.all(np.isfinite(values)):
            raise GenerateError(f"path {name} must be finite, got {value!r}")
    return Trajectory(kind, period=float(period), **{k: v for k, v in shape.items() if v is not None})


def trajectory_from(spec: str, period: float = 4.0, **shape) -> Trajectory:
    """A PARAMETRIC name, else a CSV file path."""
    if spec in PARAMETRIC:
        return parametric_path(spec, period, **shape)
    if not Path(spec).is_file():
        raise GenerateError(
            f"{spec}: no such path file (a path is a CSV of time,x,y or one of {', '.join(PARAMETRIC)})"
        )
    return read_path_csv(spec)
