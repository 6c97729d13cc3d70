"""A discrete model's code -> descriptor table, and the standardised scale used to compare.

Distances between descriptor values are taken on the "standard" scale: log
for the frequency-like and ratio descriptors (LOG_SCALED), then z-scored by
the mean and standard deviation over the codes (floored: MIN_SPREAD), so that
one unit means "one spread of the codebook" for every descriptor.
"""

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .descriptors import LOG_SCALED, MIN_SPREAD, UNITS, Framing

LOG_FLOOR = 1e-10


def standardisation(values: np.ndarray, names: Sequence[str]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """table [K, D] -> (log_mask [D], mean [D], std [D]) of its standard scale.

    std is floored by MIN_SPREAD (1e-6 for other names)."""
    log_mask = np.array([n in LOG_SCALED for n in names], dtype=bool)
    scaled = to_scale(values, log_mask)
    floor = np.array([MIN_SPREAD.get(n, 1e-6) for n in names])
    return log_mask, scaled.mean(0), np.maximum(scaled.std(0), floor)


def to_scale(values: np.ndarray, log_mask: np.ndarray) -> np.ndarray:
    """values [..., D] -> log where log_mask, unchanged elsewhere (NaN stays NaN)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        logs = np.log(np.maximum(values, LOG_FLOOR))
    return np.where(log_mask, logs, values)


@dataclass
class CodeTable:
    """names: D descriptor names; values: [K, D] in natural units (see UNITS);
    embeddings: [K, dim] code vectors; weights: [D] default synthesis weights."""

    names: List[str]
    values: np.ndarray
    embeddings: np.ndarray
    framing: Framing
    weights: np.ndarray

    def __post_init__(self):
        self.log_mask, self.mean, self.std = standardisation(self.values, self.names)
        self.standard = self.standardise(self.values)  # [K, D]

    @property
    def codes(self) -> int:
        return self.values.shape[0]

    @classmethod
    def from_model(cls, model) -> "CodeTable":
        """From a loaded discrete .ts file (torch.jit.load) or a DiscreteCodec."""
        if getattr(model, "model_kind", None) != "discrete":
            raise ValueError(f"not a discrete model (model_kind {getattr(model, 'model_kind', None)!r})")
        values = model.descriptors.detach().double().cpu().numpy()
        if not np.isfinite(values).all() or not values.any():
            raise ValueError("the model holds no descriptor table (export it with `timbre-rt export`)")
        framing = Framing(
            int(model.sampling_rate),
            int(model.frame_window),
            int(model.frame_hop),
            float(model.f0_min),
            float(model.f0_max),
        )
        return cls(
            [str(n) for n in model.descriptor_names],
            values,
            model.codebook.embeddings.detach().double().cpu().numpy(),
            framing,
            model.synth_weights.detach().double().cpu().numpy(),
        )

    def index(self, name: str) -> int:
        if name not in self.names:
            raise ValueError(f"unknown descriptor {name!r}: the model has {', '.join(self.names)}")
        return self.names.index(name)

    def standardise(self, values: np.ndarray) -> np.ndarray:
        """[..., D] natural units -> standard scale (NaN stays NaN)."""
        return (to_scale(values, self.log_mask) - self.mean) / self.std

    def standardise_one(self, name: str, values: np.ndarray) -> np.ndarray:
        """One descriptor's values [...] -> standard scale."""
        d = self.index(name)
        scaled = to_scale(values, np.array(self.log_mask[d]))
        return (scaled - self.mean[d]) / self.std[d]

    def rows(self) -> List[Dict[str, float]]:
        """One dict per code: {"code": k, name: value, ...}."""
        return [{"code": k, **{n: float(v) for n, v in zip(self.names, self.values[k])}} for k in range(self.codes)]

    def units(self) -> Dict[str, str]:
        return {n: UNITS.get(n, "") for n in self.names}
