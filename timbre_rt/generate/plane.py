"""The interpolation plane: anchor sounds at points of a 2-D plane, a path over it.

Four anchors sit at the corners of the unit square, A (0, 0), B (1, 0),
C (0, 1), D (1, 1), and mix bilinearly: at (x, y) the weights are
A (1-x)(1-y), B x(1-y), C (1-x)y, D xy (positions clipped to the square).
Any number of anchors at given positions mix by inverse-distance weights
(1 / d^2, normalized; exactly the anchor on its position).
Frame k of the result mixes frame k of each anchor (looped, or its last frame
held, when the anchor is shorter than the path).
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np

from .codec import DEFAULT_CHUNK, encode_file
from .errors import GenerateError, check_mixable
from ..validate import check_duration
from .mix import check_compatible, mix_latents
from .model import OfflineModel, model_of
from .paths import Trajectory
from .series import LatentSeries

__all__ = ["CORNERS", "ANCHOR_MODES", "PlaneResult", "bilinear_weights", "idw_weights", "plane_series", "plane_files"]

PathLike = Union[str, Path]
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # A, B, C, D
ANCHOR_MODES = ("loop", "hold")


@dataclass
class PlaneResult:
    series: LatentSeries
    xy: np.ndarray  # [N, 2] the position at each frame
    weights: np.ndarray  # [K, N] each anchor's weight at each frame
    positions: np.ndarray  # [K, 2] the anchors' positions
    labels: List[str]


def bilinear_weights(xy: np.ndarray) -> np.ndarray:
    """xy: [N, 2] -> weights of the corners A, B, C, D: [4, N] (sum 1)."""
    x, y = np.clip(xy[:, 0], 0, 1), np.clip(xy[:, 1], 0, 1)
    return np.stack([(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y]).astype(np.float32)


def idw_weights(xy: np.ndarray, positions: np.ndarray, power: float = 2.0) -> np.ndarray:
    """xy: [N, 2], positions: [K, 2] -> inverse-distance weights [K, N] (sum 1)."""
    d = np.linalg.norm(xy[None, :, :] - positions[:, None, :], axis=-1)  # [K, N]
    hit = d < 1e-9
    w = 1.0 / np.maximum(d, 1e-9) ** power
    w = np.where(hit.any(axis=0, keepdims=True), hit.astype(float), w)  # on an anchor: that one
    return (w / w.sum(axis=0, keepdims=True)).astype(np.float32)


def _positions(count: int, positions: Optional[Sequence]) -> np.ndarray:
    if positions is None:
        if count != 4:
            raise GenerateError(
                f"plane: {count} anchors need --positions (4 anchors default to the corners of the unit square)"
            )
        return CORNERS.copy()
    p = np.asarray(positions, dtype=np.float64)
    if p.shape != (count, 2):
        raise GenerateError(f"plane: expected {count} anchor positions (x, y), got {positions!r}")
    if not np.all(np.isfinite(p)):
        raise GenerateError(f"plane: anchor positions must be finite numbers, got {positions!r}")
    return p


def plane_series(
    anchors: Sequence[LatentSeries],
    path: Trajectory,
    *,
    seconds: Optional[float] = None,
    positions: Optional[Sequence] = None,
    anchor_mode: str = "loop",
    labels: Optional[Sequence[str]] = None,
) -> PlaneResult:
    """Mix `anchors` along `path` for `seconds` (default: the CSV path's
    duration, else the longest anchor's).

    Weights: bilinear for 4 anchors without positions, inverse distance
    otherwise. Raises DiscreteLatentError for discrete series."""
    if len(anchors) < 2:
        raise GenerateError("plane: give at least 2 anchor sounds")
    if anchor_mode not in ANCHOR_MODES:
        raise GenerateError(f"plane: anchor mode {anchor_mode!r} is not one of {', '.join(ANCHOR_MODES)}")
    labels = list(labels or [s.source for s in anchors])
    check_compatible(anchors, labels, "plane")
    pos = _positions(len(anchors), positions)
    first = anchors[0]
    if seconds is None:  # 0 is a value (refused below), not "unset"
        seconds = path.duration or max(s.seconds for s in anchors)
    seconds = check_duration(seconds, "plane: duration")
    samples = int(round(seconds * first.sampling_rate))
    frames = math.ceil((samples + first.delay) / first.ratio)
    out = first.with_latent(np.zeros((len(first.latent_names), frames), np.float32), {}, num_samples=samples)
    xy = path.at(np.maximum(out.times(), 0.0))
    weights = bilinear_weights(xy) if positions is None else idw_weights(xy, pos)
    k = np.arange(frames)
    picked = [s.latent[:, k % s.frames if anchor_mode == "loop" else np.minimum(k, s.frames - 1)] for s in anchors]
    step = {
        "op": "plane",
        "anchors": labels,
        "path": path.kind,
        "seconds": seconds,
        "anchor_mode": anchor_mode,
        "positions": pos.tolist(),
    }
    series = out.with_latent(mix_latents(picked, weights), step, history=[step], source="plane: " + ", ".join(labels))
    return PlaneResult(series, xy, weights, pos, labels)


def plane_files(
    model: Union[OfflineModel, PathLike],
    files: Sequence[PathLike],
    path: Trajectory,
    *,
    seconds: Optional[float] = None,
    positions: Optional[Sequence] = None,
    anchor_mode: str = "loop",
    chunk: int = DEFAULT_CHUNK,
    progress: bool = False,
) -> PlaneResult:
    """Encode the anchor files with `model` and plane_series them."""
    model = model_of(model)
    check_mixable(model.model_kind, "plane")  # before spending time encoding
    _positions(len(files), positions)
    anchors = [encode_file(model, f, chunk=chunk, progress=progress) for f in files]
    return plane_series(
        anchors,
        path,
        seconds=seconds,
        positions=positions,
        anchor_mode=anchor_mode,
        labels=[Path(f).name for f in files],
    )
