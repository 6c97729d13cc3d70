"""Least-cost code sequence: per-frame costs plus transition costs, by dynamic programming."""

from typing import Union

import torch

__all__ = ["embedding_transitions", "viterbi"]


def viterbi(unary: torch.Tensor, transition: Union[torch.Tensor, float]) -> torch.Tensor:
    """The path minimising sum_n unary[n, k_n] + sum_n transition[k_{n-1}, k_n].

    unary: [N, K] cost of each state at each frame.
    transition: [K, K] cost of going from state i to state j, or a number:
        a constant cost for every change of state (staying is free).
    Returns the path [N] (long). Ties go to the lowest index.
    """
    if unary.dim() != 2 or unary.size(0) == 0:
        raise ValueError(f"unary must be [N, K] with N >= 1, got {tuple(unary.shape)}")
    n, k = unary.shape
    unary = unary.double()
    if not isinstance(transition, torch.Tensor):
        transition = float(transition) * (1.0 - torch.eye(k, dtype=torch.float64))
    transition = transition.to(unary)
    if transition.shape != (k, k):
        raise ValueError(f"transition must be [{k}, {k}], got {tuple(transition.shape)}")
    cost = unary[0].clone()
    back = torch.empty(n, k, dtype=torch.long)
    for i in range(1, n):
        best, back[i] = (cost[:, None] + transition).min(dim=0)  # over the previous state
        cost = best + unary[i]
    path = torch.empty(n, dtype=torch.long)
    path[-1] = int(cost.argmin())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def embedding_transitions(embeddings: torch.Tensor, switch_cost: float) -> torch.Tensor:
    """[K, dim] code vectors -> [K, K] transition costs.

    Changing code costs `switch_cost` times (1 + distance / mean distance):
    a change is never free, and jumping to a distant code costs more than
    moving to a neighbour (which decodes to a similar frame). Staying is free.
    """
    dist = torch.cdist(embeddings.double(), embeddings.double())
    k = dist.size(0)
    off = ~torch.eye(k, dtype=torch.bool)
    mean = dist[off].mean() if k > 1 else torch.ones((), dtype=torch.float64)
    return switch_cost * (1.0 + dist / mean.clamp(min=1e-12)) * off
