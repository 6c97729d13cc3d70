"""The deformation operations on a LatentSeries, one function per op.

Each op takes the series and its spec entry (a dict, already checked for
unknown keys) and returns a new series; bad values raise OpError, which
`apply_ops` turns into a DeformError naming the op's index. Times are in
seconds of the decoded audio (LatentSeries.times()).
"""

import math
from typing import Any, Callable, Dict, List, NamedTuple, Union

import numpy as np

from ..validate import MAX_SECONDS
from .curves import breakpoint_curve, parse_breakpoints
from .errors import GenerateError
from .series import LatentSeries

__all__ = ["OPS", "OpError", "resolve_dim", "per_dim"]

Spec = Dict[str, Any]
FLOAT32_MAX = float(np.finfo(np.float32).max)


class OpError(Exception):
    """A bad value in one op (the caller adds which op)."""


def resolve_dim(series: LatentSeries, dim: Union[str, int]) -> int:
    """A channel by name ("z3", "loudness") or index (3 or "3") -> its index."""
    names = series.latent_names
    if isinstance(dim, str) and dim in names:
        return names.index(dim)
    if isinstance(dim, str) and dim.strip().lstrip("-").isdigit():
        dim = int(dim)
    if isinstance(dim, int) and not isinstance(dim, bool) and 0 <= dim < len(names):
        return dim
    raise OpError(f"no latent dimension {dim!r} (names: {', '.join(names)}; or indices 0..{len(names) - 1})")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OpError(f"{what} must be a finite number, got {value!r}")
    if abs(value) > FLOAT32_MAX:  # latents are float32: it would become inf
        raise OpError(f"{what} is too large ({value:g}); latents are float32 (max {FLOAT32_MAX:.3g})")
    return float(value)


def per_dim(series: LatentSeries, value: Any, neutral: float, what: str) -> np.ndarray:
    """A number (every dim) or a mapping {dim: number} (others get `neutral`) -> [C, 1]."""
    out = np.full(len(series.latent_names), neutral, dtype=np.float32)
    if isinstance(value, dict):
        for dim, v in value.items():
            out[resolve_dim(series, dim)] = _number(v, f"{what}[{dim}]")
    else:
        out[:] = _number(value, what)
    return out[:, None]


def _dims(series: LatentSeries, spec: Spec) -> List[int]:
    dims = spec.get("dims")
    if dims is None:
        return list(range(len(series.latent_names)))
    return [resolve_dim(series, d) for d in (dims if isinstance(dims, list) else [dims])]


def _frames_or_seconds(series: LatentSeries, spec: Spec) -> float:
    if ("frames" in spec) == ("seconds" in spec):
        raise OpError("give exactly one of 'frames' or 'seconds'")
    if "frames" in spec:
        n = _number(spec["frames"], "frames")
    else:
        n = _number(spec["seconds"], "seconds") * series.frame_rate
    if n <= 0:
        raise OpError(f"the length must be positive, got {n:g} frames")
    if n > series.frames:  # a longer window is the series' mean, at the cost of a huge pad
        raise OpError(f"the length ({n:g} frames) is longer than the series ({series.frames} frames)")
    return n


def offset(series: LatentSeries, spec: Spec) -> LatentSeries:
    """z += value"""
    return series.with_latent(series.latent + per_dim(series, spec["value"], 0.0, "value"), spec)


def scale(series: LatentSeries, spec: Spec) -> LatentSeries:
    """z = center + value * (z - center); center: zero (default) or mean (per dim)."""
    center = spec.get("center", "zero")
    if center not in ("zero", "mean"):
        raise OpError(f"center must be 'zero' or 'mean', got {center!r}")
    c = series.latent.mean(axis=1, keepdims=True) if center == "mean" else 0.0
    s = per_dim(series, spec["value"], 1.0, "value")
    return series.with_latent(c + s * (series.latent - c), spec)


def curve(series: LatentSeries, spec: Spec) -> LatentSeries:
    """A breakpoint curve on one dim, added or replacing, between its first and
    last breakpoint (outside: untouched, or the end values held with outside: hold)."""
    try:
        points = parse_breakpoints(spec["points"], "points")
    except GenerateError as e:
        raise OpError(str(e)) from None
    mode, outside = spec.get("mode", "replace"), spec.get("outside", "keep")
    if mode not in ("replace", "add"):
        raise OpError(f"mode must be 'replace' or 'add', got {mode!r}")
    if outside not in ("keep", "hold"):
        raise OpError(f"outside must be 'keep' or 'hold', got {outside!r}")
    d = resolve_dim(series, spec["dim"])
    times = series.times()
    values = breakpoint_curve(points, times)
    inside = np.ones(times.size, bool) if outside == "hold" else (times >= points[0][0]) & (times <= points[-1][0])
    z = series.latent.copy()
    z[d, inside] = values[inside] + (z[d, inside] if mode == "add" else 0.0)
    return series.with_latent(z, spec)


def smooth(series: LatentSeries, spec: Spec) -> LatentSeries:
    """kind moving_average (centered window of `frames`/`seconds`, edges held)
    or one_pole (time constant of `frames`/`seconds`, causal)."""
    kind = spec.get("kind", "moving_average")
    n = _frames_or_seconds(series, spec)
    z = series.latent.copy()
    dims = _dims(series, spec)
    if kind == "moving_average":
        w = max(1, int(round(n)))
        padded = np.pad(z[dims], ((0, 0), (w // 2, w - 1 - w // 2)), mode="edge")
        cumsum = np.cumsum(np.pad(padded, ((0, 0), (1, 0))), axis=1, dtype=np.float64)
        z[dims] = (cumsum[:, w:] - cumsum[:, :-w]) / w
    elif kind == "one_pole":
        a = 1.0 - math.exp(-1.0 / n)  # reaches 63% of a step after n frames
        y = z[dims].astype(np.float64)
        for k in range(1, y.shape[1]):
            y[:, k] = y[:, k - 1] + a * (y[:, k] - y[:, k - 1])
        z[dims] = y
    else:
        raise OpError(f"kind must be 'moving_average' or 'one_pole', got {kind!r}")
    return series.with_latent(z, spec)


def stretch(series: LatentSeries, spec: Spec) -> LatentSeries:
    """Time-stretch by `factor` (2 = twice as long), frames linearly interpolated."""
    factor = _number(spec["factor"], "factor")
    if factor <= 0:
        raise OpError(f"factor must be positive, got {factor:g}")
    if series.seconds * factor > MAX_SECONDS:
        raise OpError(
            f"factor {factor:g} would make {series.seconds:.3g} s last "
            f"{series.seconds * factor:.3g} s, past the limit of {MAX_SECONDS:g} s"
        )
    n = max(1, int(round(series.frames * factor)))
    pos = np.minimum(np.arange(n) / factor, series.frames - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, series.frames - 1)
    frac = (pos - lo).astype(np.float32)
    z = series.latent[:, lo] * (1 - frac) + series.latent[:, hi] * frac
    return series.with_latent(z, spec, num_samples=max(1, int(round(series.num_samples * factor))))


def reverse(series: LatentSeries, spec: Spec) -> LatentSeries:
    """Frames in reverse order."""
    return series.with_latent(series.latent[:, ::-1].copy(), spec)


def freeze(series: LatentSeries, spec: Spec) -> LatentSeries:
    """Hold the frame at time `at` over [start, end) (default: everywhere), on `dims`."""
    times = series.times()
    at = _number(spec["at"], "at")
    start = _number(spec["start"], "start") if "start" in spec else -math.inf
    end = _number(spec["end"], "end") if "end" in spec else math.inf
    if end <= start:
        raise OpError(f"end ({end:g}) must be after start ({start:g})")
    src = int(np.argmin(np.abs(times - at)))
    where = (times >= start) & (times < end)
    z = series.latent.copy()
    for d in _dims(series, spec):
        z[d, where] = series.latent[d, src]
    return series.with_latent(z, spec)


def noise(series: LatentSeries, spec: Spec) -> LatentSeries:
    """Add seeded Gaussian noise, standard deviation `amount` (number or per dim)."""
    amount = per_dim(series, spec["amount"], 0.0, "amount")
    if np.any(amount < 0):
        raise OpError("amount must not be negative")
    seed = spec.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise OpError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    z = series.latent + amount * rng.standard_normal(series.latent.shape).astype(np.float32)
    return series.with_latent(z, spec)


class Op(NamedTuple):
    run: Callable[[LatentSeries, Spec], LatentSeries]
    required: tuple
    optional: tuple
    changes_values: bool  # False: only moves frames (fine for discrete codes)


OPS: Dict[str, Op] = {
    "offset": Op(offset, ("value",), (), True),
    "scale": Op(scale, ("value",), ("center",), True),
    "curve": Op(curve, ("dim", "points"), ("mode", "outside"), True),
    "smooth": Op(smooth, (), ("kind", "frames", "seconds", "dims"), True),
    "stretch": Op(stretch, ("factor",), (), True),
    "reverse": Op(reverse, (), (), False),
    "freeze": Op(freeze, ("at",), ("start", "end", "dims"), False),
    "noise": Op(noise, ("amount",), ("seed",), True),
}
