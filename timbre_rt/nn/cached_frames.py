"""Overlapping analysis frames of a stream, block-causal like CachedConv1d."""

import torch

from .base import CachedModule


class CachedFrames(CachedModule):
    """Cut a mono signal into frames of `size` samples every `hop` samples.

    Frame n covers samples [(n + 1) * hop - size, (n + 1) * hop): it is ready
    when its hop block has arrived. In streaming mode the last size - hop
    samples are kept in `cache` so chunks (multiples of hop) give the same
    frames as the whole signal; otherwise the past is zeros.

    x: [B, 1, T] -> frames: [B, T // hop, size]
    """

    def __init__(self, size: int, hop: int):
        if size < hop or hop < 1:
            raise ValueError(f"need size >= hop >= 1, got size {size}, hop {hop}")
        super().__init__(1, size - hop)
        self.size = size
        self.hop = hop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._with_past(x, self.hop)[:, 0].unfold(-1, self.size, self.hop)
