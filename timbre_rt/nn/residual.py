"""Causal dilated residual stack (MelGAN style), streamable."""

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .cached_conv import CachedConv1d


class ResidualStack(nn.Module):
    """x + conv1x1(lrelu(conv3_dilated(lrelu(x)))) for each dilation.

    Causal convolutions keep the residual sum aligned without any delay.
    x: [B, C, T] -> [B, C, T]
    """

    def __init__(self, channels: int, dilations: Sequence[int] = (1, 3, 9), kernel_size: int = 3):
        super().__init__()
        self.dilated = nn.ModuleList([CachedConv1d(channels, channels, kernel_size, dilation=d) for d in dilations])
        self.pointwise = nn.ModuleList([CachedConv1d(channels, channels, 1) for _ in dilations])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dilated, pointwise in zip(self.dilated, self.pointwise):
            x = x + pointwise(F.leaky_relu(dilated(F.leaky_relu(x, 0.2)), 0.2))
        return x
