"""Time-linear interpolation from sound A to sound B (the seed paper's figure).

Both sounds are encoded, brought to one length, then frame k is
(1 - w_k) z_A[k] + w_k z_B[k] with w going from 0 (pure A) to 1 (pure B)
along a crossfade curve; decoding gives a sound that turns from A into B.
"""

from pathlib import Path
from typing import Tuple, Union

import numpy as np

from .codec import DEFAULT_CHUNK, encode_file
from .curves import Breakpoints, crossfade_weights
from .errors import GenerateError, check_mixable
from .mix import check_compatible, mix_latents, resample_frames
from .model import OfflineModel, model_of
from .series import LatentSeries

__all__ = ["ALIGNS", "align_pair", "morph_series", "morph_files"]

PathLike = Union[str, Path]
ALIGNS = ("truncate", "stretch", "pad")


def _pad(series: LatentSeries, frames: int) -> np.ndarray:
    """[C, N] -> [C, frames], the last frame repeated."""
    extra = frames - series.frames
    return np.concatenate([series.latent, np.repeat(series.latent[:, -1:], extra, axis=1)], axis=1)


def align_pair(a: LatentSeries, b: LatentSeries, align: str) -> Tuple[np.ndarray, np.ndarray, int]:
    """-> (z_a [C, N], z_b [C, N], num_samples) of one common length.

    truncate: both cut to the shorter; stretch: B resampled (linearly, ends
    kept) to A's length; pad: the shorter holds its last frame to the longer's."""
    if align == "truncate":
        n = min(a.frames, b.frames)
        return a.latent[:, :n], b.latent[:, :n], min(a.num_samples, b.num_samples)
    if align == "stretch":
        return a.latent, resample_frames(b.latent, a.frames), a.num_samples
    if align == "pad":
        n = max(a.frames, b.frames)
        return _pad(a, n), _pad(b, n), max(a.num_samples, b.num_samples)
    raise GenerateError(f"unknown alignment {align!r} (one of {', '.join(ALIGNS)})")


def morph_series(
    a: LatentSeries, b: LatentSeries, *, align: str = "truncate", curve: Union[str, Breakpoints] = "linear"
) -> LatentSeries:
    """Interpolate from `a` to `b` over time -> a series of the aligned length.

    curve: "linear", "cosine"/"equal-power", or (seconds, weight) breakpoints
    (see curves.crossfade_weights). The first frame is A's, the last B's
    (for the built-in curves). Raises DiscreteLatentError for discrete series,
    ModelMismatchError for series of two models."""
    check_compatible([a, b], ["A", "B"], "morph")
    za, zb, samples = align_pair(a, b, align)
    out = a.with_latent(za, {}, num_samples=samples)  # for the frame times
    w = crossfade_weights(curve, out.times())
    z = mix_latents([za, zb], np.stack([1 - w, w]))
    step = {
        "op": "morph",
        "a": a.source,
        "b": b.source,
        "align": align,
        "curve": curve if isinstance(curve, str) else [list(p) for p in curve],
    }
    return out.with_latent(z, step, history=[step], source=f"{a.source} -> {b.source}")


def morph_files(
    model: Union[OfflineModel, PathLike],
    a: PathLike,
    b: PathLike,
    *,
    align: str = "truncate",
    curve: Union[str, Breakpoints] = "linear",
    chunk: int = DEFAULT_CHUNK,
    progress: bool = False,
) -> LatentSeries:
    """Encode two audio files with `model` and morph_series them."""
    model = model_of(model)
    check_mixable(model.model_kind, "morph")  # before spending time encoding
    if align not in ALIGNS:
        raise GenerateError(f"unknown alignment {align!r} (one of {', '.join(ALIGNS)})")
    sa = encode_file(model, a, chunk=chunk, progress=progress)
    sb = encode_file(model, b, chunk=chunk, progress=progress)
    return morph_series(sa, sb, align=align, curve=curve)
