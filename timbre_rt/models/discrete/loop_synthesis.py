"""Decoded code loops -> audio: each frame reads its loop at the stream's position."""

import math

import torch
from torch import nn

from ...nn.base import CachedModule
from .overlap_add import OverlapAdd


class FrameClock(CachedModule):
    """Position of the next frames in a stream, modulo `period` frames.

    The streams of a batch advance together; `cache` ([B, 1, 1]) holds the
    position of the next frame (reset: 0). Not streaming: every call starts at 0.

    forward(n) -> positions [n] (long)
    """

    def __init__(self, period: int):
        super().__init__(1, 1)
        self.period = period

    def forward(self, batch: int, n: int) -> torch.Tensor:
        start = 0
        if self.streaming:
            self._match_batch(batch)
            start = int(self.cache[0, 0, 0].item())
            self.cache.fill_(float((start + n) % self.period))
        return (start + torch.arange(n, device=self.cache.device)) % self.period


class LoopSynthesis(nn.Module):
    """Loops [B, N, window] (one per frame), gains [B, N] -> audio [B, 1, N * hop].

    A code decodes to one period of a `window`-sample loop; frame n plays the
    window of that loop that sits at its absolute time (samples n * hop ..
    n * hop + window, modulo window), Hann-windowed, times its gain, and the
    frames overlap-add. A held code is thus its loop repeated seamlessly:
    periodic every `window` samples, with partials on a sampling_rate / window
    grid (11.7 Hz at 24 kHz / 2048), where reading the same frame every hop
    would repeat every hop (a 4x coarser grid: pitches off by up to a semitone
    or more). Delay: window - hop, as OverlapAdd.
    """

    def __init__(self, window: int, hop: int):
        super().__init__()
        self.window = window
        self.hop = hop
        self.clock = FrameClock(window // math.gcd(window, hop))
        self.overlap_add = OverlapAdd(window, hop)
        self.register_buffer("synthesis_window", torch.hann_window(window, periodic=True))

    def forward(self, loops: torch.Tensor, gains: torch.Tensor) -> torch.Tensor:
        b, n, w = loops.shape
        positions = self.clock(b, n) * self.hop  # [N] samples into the loop
        index = (torch.arange(w, device=loops.device)[None] + positions[:, None]) % w
        frames = loops.gather(-1, index[None].expand(b, n, w))
        return self.overlap_add(frames * self.synthesis_window * gains.unsqueeze(-1))
