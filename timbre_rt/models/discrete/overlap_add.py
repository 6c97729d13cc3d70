"""Causal overlap-add of decoded frames, streamable like CachedConvTranspose1d."""

import torch
import torch.nn.functional as F

from ...nn.base import CachedModule


class OverlapAdd(CachedModule):
    """Add frame n at output samples [n * hop, n * hop + window).

    The overlap-add of N frames is (N - 1) * hop + window samples long; the
    call returns the first N * hop and, in streaming mode, keeps the tail
    (window - hop samples, owed to the next frames) in `cache` to add to the
    head of the next call (otherwise it is dropped). Output sample t depends
    only on frames <= t // hop.

    With CachedFrames' framing (frame n = input samples [(n + 1) * hop -
    window, (n + 1) * hop)), a frame decoded to its own input reappears
    `window - hop` samples late: that is the model's declared delay.

    frames: [B, N, window] -> [B, 1, N * hop]
    """

    def __init__(self, window: int, hop: int):
        if not 1 <= hop <= window:
            raise ValueError(f"need window >= hop >= 1, got {window}, {hop}")
        super().__init__(1, window - hop)
        self.window = window
        self.hop = hop

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        b, n, w = frames.shape
        if w != self.window:
            raise ValueError(f"expected frames of {self.window} samples, got {w}")
        total = (n - 1) * self.hop + w
        y = F.fold(frames.transpose(1, 2), output_size=[1, total], kernel_size=[1, w], stride=[1, self.hop]).reshape(
            b, 1, total
        )
        r = self.cache_size
        keep = n * self.hop
        if self.streaming and r > 0:
            self._match_batch(b)
            y[:, :, :r].add_(self.cache.to(y.dtype))
            self.cache.copy_(y[:, :, keep:].detach())
        return y[:, :, :keep]
