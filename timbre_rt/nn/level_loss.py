"""How far a signal's level is from a reference's, frame by frame, in dB."""

import torch
from torch import nn


class FrameLevelDistance(nn.Module):
    """Mean |level(x) - level(y)| in dB over frames of `frame` samples every `hop`, counting
    only frames where the reference is above `floor_db` (its silence has no level to match).

    Spectral distances (log magnitudes, spectral convergence) leave the absolute level
    loosely tied: a decoder whose partials sit a little off can lower its error by
    playing softer. This term asks for the level directly.
    x, y: [B, 1, T] -> scalar
    """

    def __init__(self, frame: int = 1024, hop: int = 256, floor_db: float = -60.0):
        super().__init__()
        self.frame, self.hop, self.floor_db = frame, hop, floor_db

    def level_db(self, x: torch.Tensor) -> torch.Tensor:
        """[B, 1, T] -> [B, frames] dB (mean square, floored at -120 dB)."""
        frames = x[:, 0].unfold(-1, self.frame, self.hop)
        return 10.0 * torch.log10(frames.square().mean(-1) + 1e-12)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        got, want = self.level_db(x), self.level_db(y)
        heard = want > self.floor_db
        if not bool(heard.any()):
            return x.new_zeros(())
        return (got - want).abs()[heard].mean()
