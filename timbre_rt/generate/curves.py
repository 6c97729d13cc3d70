"""Breakpoint curves and crossfade shapes, evaluated at frame times."""

from typing import List, Sequence, Tuple, Union

import numpy as np

from .errors import GenerateError

__all__ = ["Breakpoints", "parse_breakpoints", "breakpoint_curve", "crossfade_weights", "CROSSFADES"]

Breakpoints = List[Tuple[float, float]]

# The weight of B over normalized time u in [0, 1]; A gets 1 - w.
CROSSFADES = ("linear", "cosine", "equal-power")


def parse_breakpoints(points: Union[str, Sequence], what: str = "curve") -> Breakpoints:
    """[[t, v], ...] or "t:v,t:v,..." -> sorted [(t, v)], times in seconds.

    Raises GenerateError (naming `what`) for anything else, NaN, or repeated times."""
    if isinstance(points, str):
        try:
            points = [tuple(float(x) for x in p.split(":")) for p in points.split(",") if p.strip()]
        except ValueError:
            raise GenerateError(f"{what}: breakpoints must read 'time:value,time:value,...', got {points!r}") from None
    try:
        pairs = [(float(t), float(v)) for t, v in points]
    except (TypeError, ValueError):
        raise GenerateError(f"{what}: breakpoints must be [time, value] pairs, got {points!r}") from None
    if not pairs:
        raise GenerateError(f"{what}: no breakpoints")
    if not all(np.isfinite(t) and np.isfinite(v) for t, v in pairs):
        raise GenerateError(f"{what}: breakpoints must be finite numbers")
    pairs.sort(key=lambda p: p[0])
    times = [t for t, _ in pairs]
    if len(set(times)) != len(times):
        raise GenerateError(f"{what}: two breakpoints at the same time")
    return pairs


def breakpoint_curve(points: Breakpoints, times: np.ndarray) -> np.ndarray:
    """Linear interpolation between breakpoints; the end values hold outside them.

    times: [N] seconds -> [N] values"""
    t, v = zip(*points)
    return np.interp(times, np.asarray(t), np.asarray(v)).astype(np.float32)


def crossfade_weights(shape: Union[str, Breakpoints], times: np.ndarray) -> np.ndarray:
    """Weight of the second sound per frame, 0 at the first frame, 1 at the last.

    shape "linear": w = u; "cosine" (= "equal-power"): w = (1 - cos(pi u)) / 2,
    an S-curve. Latent mixing needs weights that sum to 1, so equal-power is
    taken in the power domain: A's weight cos^2(pi u / 2) and B's sin^2(pi u / 2)
    are the squared gains of an equal-power crossfade, which is the same curve.
    A list of (seconds, weight) breakpoints gives a custom curve over `times`.
    times: [N] frame times in seconds -> [N] float32 (custom curves are not clipped)."""
    frames = len(times)
    u = np.linspace(0.0, 1.0, frames) if frames > 1 else np.zeros(frames)
    if isinstance(shape, str):
        if shape == "linear":
            w = u
        elif shape in ("cosine", "equal-power"):
            w = 0.5 - 0.5 * np.cos(np.pi * u)
        else:
            raise GenerateError(
                f"unknown crossfade curve {shape!r} (one of {', '.join(CROSSFADES)}, or breakpoints 'time:weight,...')"
            )
        return w.astype(np.float32)
    return breakpoint_curve(shape, np.asarray(times))
