"""Overlapping analysis frames of a stream, block-causal like CachedConv1d."""
import torch
import torch.nn.functional as F

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
        p = self.cache_size
        if self.streaming:
            if x.size(-1) % self.hop != 0:
                raise ValueError("streaming chunk length must be a multiple of hop")
            if p > 0:
                self._match_batch(x.size(0))
                x = torch.cat([self.cache.to(x.dtype), x], dim=-1)
                self.cache.copy_(x[:, :, x.size(-1) - p :].detach())
        elif p > 0:
            x = F.pad(x, (p, 0))
        return x[:, 0].unfold(-1, self.size, self.hop)
