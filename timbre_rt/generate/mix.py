"""Linear mixing of latent series (what interpolation means for continuous latents).

Every channel is mixed linearly with weights that sum to 1, the loudness
channel of the continuous model included: it is in dB, so loudness is
interpolated in dB (a geometric mean of the levels), which sounds even.
Discrete (code index) series are refused: see errors.check_mixable.
"""

from typing import Sequence

import numpy as np

from .errors import ModelMismatchError, check_mixable
from .model import same_model
from .series import LatentSeries

__all__ = ["mix_latents", "resample_frames", "check_compatible"]


def mix_latents(latents: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """latents: K arrays [C, N], weights: [K, N] -> sum_k weights[k] * latents[k]: [C, N]"""
    weights = np.asarray(weights, dtype=np.float32)
    out = np.zeros_like(latents[0], dtype=np.float32)
    for z, w in zip(latents, weights):
        out += w[None, :] * z
    return out


def resample_frames(latent: np.ndarray, frames: int) -> np.ndarray:
    """[C, N] -> [C, frames], linear interpolation with both ends kept in place."""
    n = latent.shape[1]
    if n == frames:
        return latent.copy()
    pos = np.linspace(0.0, n - 1, frames) if frames > 1 else np.zeros(frames)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = (pos - lo).astype(np.float32)
    return latent[:, lo] * (1 - frac) + latent[:, hi] * frac


def check_compatible(series: Sequence[LatentSeries], labels: Sequence[str], what: str) -> None:
    """All series come from one model (hash and geometry) whose latents mix linearly."""
    first = series[0]
    for s, label in zip(series[1:], labels[1:]):
        if not same_model(first.model_sha256, s.model_sha256) or (s.sampling_rate, s.ratio, s.latent_names) != (
            first.sampling_rate,
            first.ratio,
            first.latent_names,
        ):
            raise ModelMismatchError(
                f"{what}: {labels[0]} was encoded with {first.model_path} "
                f"(sha256 {first.model_sha256[:12]}...), {label} with {s.model_path} "
                f"(sha256 {s.model_sha256[:12]}...): mix series of one model only"
            )
    check_mixable(first.model_kind, what)
