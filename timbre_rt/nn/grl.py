"""Gradient reversal: identity forward, -weight * gradient backward."""

import torch
from torch import nn


class _ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: float) -> torch.Tensor:
        ctx.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return -ctx.weight * grad, None


class GradientReversal(nn.Module):
    """Domain-adaptation layer (Ganin & Lempitsky): what follows learns to
    predict, what precedes learns to defeat the prediction.

    `weight` is a plain attribute so a training loop can ramp it.
    x: any shape -> same tensor values
    """

    def __init__(self, weight: float = 1.0):
        super().__init__()
        self.weight = float(weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _ReverseGradient.apply(x, self.weight)

    def extra_repr(self) -> str:
        return f"weight={self.weight}"
