"""Posterior statistics per latent dimension: KL to the prior and activity.

A dimension the decoder uses must carry information: its posterior must
move away from N(0, 1) (KL > 0) and its mean must vary across frames
(active units, Burda et al. 2016: Var_x[E_q(z|x) z] > 0.01).
"""

from dataclasses import dataclass, field
from typing import List, Optional

import torch

KL_THRESHOLD = 0.01  # nats per frame
VARIANCE_THRESHOLD = 0.01


@dataclass
class LatentStats:
    """Per-dimension statistics over all frames of all files."""

    frames: int
    kl_per_dim: List[float]  # mean over frames of KL(q(z_d | x) || N(0, 1)), nats
    mean_variance_per_dim: List[float]  # variance over frames of the posterior mean
    kl_threshold: float = KL_THRESHOLD
    variance_threshold: float = VARIANCE_THRESHOLD
    names: List[str] = field(default_factory=list)
    # Derived (fields, not properties, so that asdict / JSON carry them):
    kl_total: float = field(init=False)
    active_dims: int = field(init=False)  # mean KL > kl_threshold
    active_units: int = field(init=False)  # variance of the mean > variance_threshold (Burda)

    def __post_init__(self):
        self.kl_total = float(sum(self.kl_per_dim))
        self.active_dims = sum(k > self.kl_threshold for k in self.kl_per_dim)
        self.active_units = sum(v > self.variance_threshold for v in self.mean_variance_per_dim)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Elementwise KL(N(mu, exp(logvar)) || N(0, 1)) in nats, same shape as mu."""
    return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar)


class LatentStatsAccumulator:
    """Streams the statistics over files without keeping the frames.

    update(mu, logvar) with mu, logvar: [D, N] (or [1, D, N]).
    Sums in float64 so that long evaluations do not lose precision.
    """

    def __init__(self, names: Optional[List[str]] = None):
        self.names = list(names or [])
        self.frames = 0
        self._kl = None
        self._sum = None
        self._sum_sq = None

    def update(self, mu: torch.Tensor, logvar: torch.Tensor) -> None:
        if mu.dim() == 3:
            mu, logvar = mu[0], logvar[0]
        if mu.shape != logvar.shape or mu.dim() != 2:
            raise ValueError(f"mu and logvar must both be [D, N], got {tuple(mu.shape)} and {tuple(logvar.shape)}")
        mu, logvar = mu.double(), logvar.double()
        kl = gaussian_kl(mu, logvar).sum(dim=1)
        if self._kl is None:
            self._kl, self._sum, self._sum_sq = kl, mu.sum(dim=1), mu.square().sum(dim=1)
        else:
            if kl.numel() != self._kl.numel():
                raise ValueError(f"latent size changed from {self._kl.numel()} to {kl.numel()}")
            self._kl += kl
            self._sum += mu.sum(dim=1)
            self._sum_sq += mu.square().sum(dim=1)
        self.frames += mu.size(1)

    def result(self) -> LatentStats:
        if not self.frames:
            raise ValueError("no frame was accumulated")
        n = self.frames
        mean = self._sum / n
        variance = (self._sum_sq / n - mean.square()).clamp(min=0.0)
        return LatentStats(
            frames=n,
            kl_per_dim=(self._kl / n).tolist(),
            mean_variance_per_dim=variance.tolist(),
            names=self.names,
        )


def latent_stats(mu: torch.Tensor, logvar: torch.Tensor, names: Optional[List[str]] = None) -> LatentStats:
    """mu, logvar: [D, N] -> LatentStats over the N frames."""
    acc = LatentStatsAccumulator(names)
    acc.update(mu, logvar)
    return acc.result()
