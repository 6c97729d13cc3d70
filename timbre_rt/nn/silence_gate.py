"""A gate that closes on digital silence: a decoder's output is exactly 0 when its
loudness says nothing is playing (no vocoder hum, no band-edge tone)."""

import torch

from .base import CachedModule

SILENCE_OFFSET = 100.0  # the past before the first frame is -100 dB: silence


class SilenceGate(CachedModule):
    """Per-frame loudness (dB) -> per-sample gain in [0, 1], ramped between frames.

    g[j] = clamp((loudness[j] - floor_db) / width_db, 0, 1): 0 below floor_db,
    1 from floor_db + width_db up. The output block j ramps linearly from G[j-1]
    to G[j], with G[j] = max(g[j-1], g[j]): a decoder that is one frame late
    (its block j carries frame j-1's sound) opens before its first sound and
    closes after its last. The previous two loudness frames are the cache; before the
    first frame (offline, or after reset) the past is silence.

    loudness_db: [B, 1, L] -> gain: [B, 1, L * ratio]
    """

    def __init__(self, ratio: int, floor_db: float = -90.0, width_db: float = 10.0):
        super().__init__(1, 2)
        if width_db <= 0:
            raise ValueError(f"width_db must be > 0, got {width_db}")
        self.ratio = ratio
        self.floor_db = float(floor_db)
        self.width_db = float(width_db)
        self.offset = SILENCE_OFFSET  # TorchScript reads module attributes, not globals
        self.register_buffer("ramp", (torch.arange(ratio) + 1.0) / ratio, persistent=False)

    def forward(self, loudness_db: torch.Tensor) -> torch.Tensor:
        if not self.streaming:
            # The past of an offline call is silence (the loudness floor).
            loudness_db = torch.nn.functional.pad(loudness_db, (2, 0), value=-self.offset)
        else:
            loudness_db = self._with_past_loudness(loudness_db)
        g = torch.clamp((loudness_db - self.floor_db) / self.width_db, 0.0, 1.0)
        big = torch.maximum(g[..., 1:], g[..., :-1])  # G over frames -1 .. L-1
        start, end = big[..., :-1], big[..., 1:]  # [B, 1, L]
        gain = start.unsqueeze(-1) + (end - start).unsqueeze(-1) * self.ramp
        return gain.flatten(-2)

    def _with_past_loudness(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, L] -> [B, 1, 2 + L] with the previous two frames in front.

        The cache holds loudness + SILENCE_OFFSET, so that its reset value 0 reads
        as -100 dB (silence), like the offline past, and no loudness is special."""
        self._match_batch(x.size(0))
        y = torch.cat([(self.cache - self.offset).to(x.dtype), x], dim=-1)
        self.cache.copy_(y[:, :, y.size(-1) - 2 :].detach() + self.offset)
        return y
