"""Loudness probe: how well can frame loudness be predicted from the timbre latent z?

Fit on half of the files, score R^2 on the other half. R^2 near 0 (or
below) means loudness is not recoverable from z: the latent is loudness
invariant. Two probes: ridge regression (linear leakage) and a small MLP
(non-linear leakage, which an adversary in training may not remove).
"""

import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import torch
from torch import nn

SILENCE_DB = -70.0


@dataclass
class ProbeResult:
    """R^2 of loudness (dB) predicted from z on held-out frames; NaN when not computable."""

    r2_linear: float
    r2_mlp: float
    train_frames: int
    test_frames: int
    train_files: int
    test_files: int
    silent_frames: int  # excluded (loudness < silence_db)
    split: str  # "by file" or, with a single file, "by time"
    note: str = ""


def r2_score(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Coefficient of determination; NaN for a constant target."""
    y_true, y_pred = y_true.double().flatten(), y_pred.double().flatten()
    total = (y_true - y_true.mean()).square().sum()
    if total <= 0:
        return math.nan
    return float(1.0 - (y_true - y_pred).square().sum() / total)


def _standardise(train: torch.Tensor, *others: torch.Tensor):
    mean = train.mean(dim=0)
    std = train.std(dim=0, unbiased=False).clamp(min=1e-8)
    return [(t - mean) / std for t in (train,) + others]


def ridge_r2(z_train, y_train, z_test, y_test, alpha: float = 1.0) -> float:
    """Closed-form ridge regression with intercept on standardised z.

    z_*: [N, D], y_*: [N]
    """
    z_train, z_test = _standardise(z_train.double(), z_test.double())
    y_mean = y_train.double().mean()
    eye = torch.eye(z_train.size(1), dtype=torch.float64)
    w = torch.linalg.solve(z_train.T @ z_train + alpha * eye, z_train.T @ (y_train.double() - y_mean))
    return r2_score(y_test, z_test @ w + y_mean)


def mlp_r2(
    z_train,
    y_train,
    z_test,
    y_test,
    hidden: int = 64,
    steps: int = 300,
    lr: float = 3e-3,
    batch: int = 8192,
    seed: int = 0,
) -> float:
    """A fresh MLP z -> hidden -> hidden -> 1 (Adam, MSE on standardised data).

    z_*: [N, D], y_*: [N]. Full batch when N <= batch, else seeded minibatches.
    """
    z_train, z_test = _standardise(z_train.float(), z_test.float())
    y_mean, y_std = y_train.float().mean(), y_train.float().std(unbiased=False).clamp(min=1e-8)
    target = (y_train.float() - y_mean) / y_std
    # Seeded without touching the caller's global RNG state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = nn.Sequential(
            nn.Linear(z_train.size(1), hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n = z_train.size(0)
    with torch.enable_grad():
        for _ in range(steps):
            idx = torch.randint(n, (batch,), generator=gen) if n > batch else slice(None)
            loss = (net(z_train[idx]).squeeze(1) - target[idx]).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = net(z_test).squeeze(1) * y_std + y_mean
    return r2_score(y_test, pred)


def split_files(
    z: Sequence[torch.Tensor], loudness: Sequence[torch.Tensor]
) -> Tuple[List[Tuple[torch.Tensor, torch.Tensor]], List[Tuple[torch.Tensor, torch.Tensor]], str]:
    """Deterministic halves: even-indexed files fit, odd-indexed files test
    (alternating, so a folder sorted by instrument or take lands in both).
    A single file is cut in time instead: first half fit, second half test."""
    pairs = list(zip(z, loudness))
    if len(pairs) >= 2:
        return pairs[0::2], pairs[1::2], "by file"
    zf, lf = pairs[0]
    half = lf.numel() // 2
    return [(zf[:, :half], lf[:half])], [(zf[:, half:], lf[half:])], "by time"


def loudness_probe(
    z: Sequence[torch.Tensor],
    loudness: Sequence[torch.Tensor],
    silence_db: float = SILENCE_DB,
    alpha: float = 1.0,
    mlp_steps: int = 300,
    seed: int = 0,
) -> ProbeResult:
    """z[i]: [D, N_i] latent frames of file i; loudness[i]: [N_i] in dB.

    Frames quieter than `silence_db` are dropped (silence says nothing
    about timbre and its loudness is trivially predictable from a flat z).
    """
    if len(z) != len(loudness) or not z:
        raise ValueError("need one loudness curve per latent sequence, and at least one")
    for zi, li in zip(z, loudness):
        if zi.dim() != 2 or li.dim() != 1 or zi.size(1) != li.numel():
            raise ValueError(f"z must be [D, N] and loudness [N], got {tuple(zi.shape)} and {tuple(li.shape)}")
    train, test, split = split_files(z, loudness)

    def frames(pairs):
        zs = torch.cat([p[0] for p in pairs], dim=1).T  # [N, D]
        ls = torch.cat([p[1] for p in pairs])
        keep = ls >= silence_db
        return zs[keep], ls[keep], int((~keep).sum())

    z_train, y_train, silent_train = frames(train)
    z_test, y_test, silent_test = frames(test)
    result = ProbeResult(
        math.nan,
        math.nan,
        len(y_train),
        len(y_test),
        len(train),
        len(test),
        silent_train + silent_test,
        split,
    )
    if len(y_train) < 2 or len(y_test) < 2:
        result.note = "fewer than 2 non-silent frames in a half: no probe"
        return result
    result.r2_linear = ridge_r2(z_train, y_train, z_test, y_test, alpha)
    result.r2_mlp = mlp_r2(z_train, y_train, z_test, y_test, steps=mlp_steps, seed=seed)
    return result
