"""Multi-band MelGAN generator: log-mel frames -> waveform, causal and streamable."""

import torch
import torch.nn.functional as F
from torch import nn

from ...nn.cached_conv import CachedConv1d
from ...nn.cached_conv_transpose import CachedConvTranspose1d
from ...nn.pqmf import PQMFSynthesis
from ...nn.residual import ResidualStack
from .config import VocoderConfig


class MelGANGenerator(nn.Module):
    """log_mel: [B, n_mels, L] -> audio: [B, 1, L * hop]

    Upsamples to `bands` sub-band signals at rate/bands, then merges them with
    PQMF synthesis: the convolutions run at a quarter of the audio rate.
    """

    def __init__(self, n_mels: int, cfg: VocoderConfig):
        super().__init__()
        c = cfg.channels
        self.pre = CachedConv1d(n_mels, c, 7)
        ups, stacks = [], []
        for r in cfg.upsample:
            ups.append(CachedConvTranspose1d(c, c // 2, 2 * r, r))
            c //= 2
            stacks.append(ResidualStack(c, cfg.dilations))
        self.ups = nn.ModuleList(ups)
        self.stacks = nn.ModuleList(stacks)
        self.post = CachedConv1d(c, cfg.bands, 7)
        self.pqmf = PQMFSynthesis(cfg.bands)

    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:
        x = self.pre(log_mel)
        for up, stack in zip(self.ups, self.stacks):
            x = stack(up(F.leaky_relu(x, 0.2)))
        bands = torch.tanh(self.post(F.leaky_relu(x, 0.2)))
        return self.pqmf(bands)
