"""Offline descriptor-based synthesis: target curves -> codes (Viterbi) + gains -> audio."""

import math
from dataclasses import dataclass, field
from typing import Dict, Optional

import numpy as np
import torch

from ..models.discrete.table import CodeTable
from .targets import TargetError, Targets, targets_like
from .decode import decode_codes
from .viterbi import embedding_transitions, viterbi

__all__ = ["SynthResult", "descriptor_errors", "frame_costs", "render_targets"]


@dataclass
class SynthResult:
    """audio: [T]; codes, gains: [N] per decoded frame, sounding at `times` [N] (s);
    errors: per descriptor, target vs achieved (see `descriptor_errors`);
    achieved: the result's descriptor curves (None unless measured)."""

    audio: np.ndarray
    sampling_rate: int
    codes: np.ndarray
    gains: np.ndarray
    errors: Dict[str, Dict[str, float]] = field(default_factory=dict)
    times: Optional[np.ndarray] = None
    achieved: Optional[Targets] = None


def frame_costs(table: CodeTable, values: Dict[str, np.ndarray], weights: Dict[str, float]) -> np.ndarray:
    """Per-frame target values {name: [N]} -> cost of each code [N, K].

    Weighted mean over the given descriptors of the squared distance on the
    standard scale (targets clipped to the codes' range); a frame without any
    target costs 0 for every code.
    """
    n = len(next(iter(values.values())))
    num = np.zeros((n, table.codes))
    den = np.zeros((n, 1))
    for name, v in values.items():
        w = weights.get(name, 1.0)
        if w == 0:
            continue
        column = table.standard[:, table.index(name)]
        # Clipped to the codes' range, as CodePicker does (NaN stays NaN).
        z = np.clip(table.standardise_one(name, v), column.min(), column.max())[:, None]  # [N, 1]
        given = ~np.isnan(z)
        d2 = (np.nan_to_num(z) - column[None]) ** 2
        num += w * given * d2
        den += w * given
    return num / np.maximum(den, 1e-12)


def render_targets(
    model,
    targets: Targets,
    *,
    weights: Optional[Dict[str, float]] = None,
    smoothness: float = 0.2,
    gain_db: float = -20.0,
    seconds: Optional[float] = None,
    measure: bool = True,
) -> SynthResult:
    """Render `targets` with a discrete model (a loaded .ts file or a DiscreteCodec): the
    whole curve at once, the least-cost code path by Viterbi. (The model's own
    `synthesize` method is the live counterpart: a greedy choice frame by frame.)

    weights: per descriptor (default 1; loudness is never matched by the code: a
    loudness curve sets the gain instead, relative to the chosen code's own loudness).
    smoothness: cost of changing code, in units of the mean squared standard-scale
    distance (see embedding_transitions); 0 picks the nearest code at every frame.
    gain_db: the constant level (frame RMS, dB) when there is no loudness curve.
    seconds: output length (default: the last target time).
    measure: analyse the result and fill `errors` (needs pYIN: seconds per minute of audio).
    """
    table = CodeTable.from_model(model)
    f = table.framing
    for name in targets.curves:
        table.index(name)  # unknown names fail here, clearly
    seconds = targets.duration if seconds is None else float(seconds)
    if not seconds > 0:
        raise TargetError("the targets span no time: give a last row at the end time, or a length")
    total = int(round(seconds * f.sampling_rate))
    n = math.ceil(total / f.hop) + f.window // f.hop
    # Decoded frame n sounds centred on output sample n * hop + window / 2.
    centres = (np.arange(n) * f.hop + f.window / 2) / f.sampling_rate
    values = targets.at(centres)
    weights = {**{k: float(v) for k, v in zip(table.names, table.weights)}, **(weights or {})}
    weights["loudness"] = 0.0
    codes = np.zeros(n, dtype=np.int64)
    if any(weights.get(k, 1.0) > 0 for k in values):
        unary = torch.from_numpy(frame_costs(table, values, weights))
        transition = embedding_transitions(torch.from_numpy(table.embeddings), smoothness)
        codes = viterbi(unary, transition).numpy()
    gains = np.full(n, 10.0 ** (gain_db / 20.0))
    if "loudness" in values:
        own = table.values[codes, table.index("loudness")]
        # Capped at 0 dB RMS: a faint code is not worth a clipped output.
        curve = np.minimum(10.0 ** ((values["loudness"] - own) / 20.0), 1.0)
        gains = np.where(np.isnan(curve), gains, curve)
    audio = decode_codes(model, codes, gains, values.get("f0"), values.get("f0_confidence"))[:total]
    result = SynthResult(audio.astype(np.float32), f.sampling_rate, codes, gains, times=centres)
    if measure:
        result.achieved = targets_like(audio, f)
        result.errors = descriptor_errors(table, targets, audio, achieved=result.achieved)
    return result


def descriptor_errors(
    table: CodeTable, targets: Targets, audio: np.ndarray, achieved: Optional[Targets] = None
) -> Dict[str, Dict[str, float]]:
    """Analyse `audio` (or take its analysis, `achieved`) and compare with the targets at
    its frames' centres.

    Per target descriptor: mean absolute error in natural units ("mae") and on the
    standard scale ("mae_standard": 1 = one codebook spread), over the frames that
    have both a target and a measured value; "frames" counts them.
    """
    achieved = targets_like(audio, table.framing) if achieved is None else achieved
    wanted = targets.at(achieved.times)
    errors = {}
    for name, target in wanted.items():
        got = achieved.curves[name]
        ok = ~np.isnan(target) & ~np.isnan(got)
        if not ok.any():
            errors[name] = {"mae": math.nan, "mae_standard": math.nan, "frames": 0}
            continue
        diff = np.abs(got[ok] - target[ok])
        zdiff = np.abs(table.standardise_one(name, got[ok]) - table.standardise_one(name, target[ok]))
        errors[name] = {"mae": float(diff.mean()), "mae_standard": float(zdiff.mean()), "frames": int(ok.sum())}
    return errors
