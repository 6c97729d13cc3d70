"""Latent dimensions ordered by importance: the posterior means on principal axes.

A VAE's latent dimensions come in no order, and a few carry most of the
variation: a musician with 8 knobs wants those. `fit_latent_order` finds the
principal axes of the posterior means over a set of sounds; `LatentOrder` maps
the encoder's mean onto them (most variance first) and the decoder's input
back, so encode -> decode is unchanged, and each dimension's share of the
variance is kept with the model.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass
class LatentOrderFit:
    rotation: np.ndarray  # [D, D], column k = axis k (unit norm), by decreasing variance
    center: np.ndarray  # [D] mean of the posterior means
    share: np.ndarray  # [D] each axis' share of the total variance (sums to 1)


def fit_latent_order(means: np.ndarray) -> LatentOrderFit:
    """means: [N, D] posterior means (frames of many sounds) -> principal axes."""
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or means.shape[0] < 2:
        raise ValueError(f"need [N >= 2, D] posterior means, got shape {means.shape}")
    center = means.mean(axis=0)
    cov = np.cov(means - center, rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    # A fixed sign per axis (largest component positive): the same data, the same knobs.
    vectors *= np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(len(values))])
    total = values.sum()
    share = values / total if total > 0 else np.full(len(values), 1.0 / len(values))
    return LatentOrderFit(vectors, center, share)


class LatentOrder(nn.Module):
    """z = R^T (mu - c) and back; identity until `load_fit`.

    ordered / unordered: [B, D, L] -> [B, D, L]; logvar: the diagonal of the
    rotated posterior covariance, log(sum_j R_jk^2 exp(logvar_j)).
    """

    def __init__(self, dims: int):
        super().__init__()
        self.register_buffer("rotation", torch.eye(dims))
        self.register_buffer("center", torch.zeros(dims))

    def load_fit(self, fit: LatentOrderFit) -> None:
        with torch.no_grad():
            self.rotation.copy_(torch.from_numpy(fit.rotation).float())
            self.center.copy_(torch.from_numpy(fit.center).float())

    def ordered(self, mu: torch.Tensor) -> torch.Tensor:
        return torch.einsum("dk,bdl->bkl", self.rotation, mu - self.center[:, None])

    def unordered(self, z: torch.Tensor) -> torch.Tensor:
        return torch.einsum("dk,bkl->bdl", self.rotation, z) + self.center[:, None]

    def logvar(self, logvar: torch.Tensor) -> torch.Tensor:
        var = torch.einsum("dk,bdl->bkl", self.rotation * self.rotation, torch.exp(logvar))
        return torch.log(var)
