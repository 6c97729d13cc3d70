"""Log-mel VAE whose latent is made loudness-invariant by domain adaptation."""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ...nn.cached_conv import CachedConv1d
from ...nn.cached_conv_transpose import CachedConvTranspose1d
from ...nn.grl import GradientReversal
from ...nn.mel import log_mel, relative_log_mel
from .config import VAEConfig

# Bounds of the posterior log-variance: exp(-12) to exp(6). Without them one silent or
# saturated frame early in training gives an infinite KL or reparameterisation noise.
LOGVAR_MIN, LOGVAR_MAX = -12.0, 6.0
# The decoder's loudness input, (dB - centre) / span: the -100..0 dB of real signals in -1..1.
LOUDNESS_CENTRE_DB, LOUDNESS_SPAN_DB = -50.0, 50.0


def energy_to_db(energy: torch.Tensor) -> torch.Tensor:
    """Mean square -> dB, floored at -100 dB (silence)."""
    return torch.clamp(10.0 * torch.log10(energy + 1e-10), min=-100.0)


def latent_loudness(energy: torch.Tensor, downsample: int) -> torch.Tensor:
    """Per-mel-frame mean square [B, 1, L] -> loudness dB [B, 1, L / downsample]."""
    b, _, n = energy.shape
    return energy_to_db(energy.reshape(b, 1, n // downsample, downsample).mean(-1))


class MelEncoder(nn.Module):
    """log_mel: [B, n_mels, L] -> (mu, logvar): each [B, D, L / downsample]"""

    def __init__(self, n_mels: int, cfg: VAEConfig):
        super().__init__()
        h = cfg.hidden
        self.convs = nn.ModuleList(
            [
                CachedConv1d(n_mels, h, 3),
                CachedConv1d(h, h, 2 * cfg.downsample, stride=cfg.downsample),
                CachedConv1d(h, h, 3),
            ]
        )
        self.head = CachedConv1d(h, 2 * cfg.latent_dims, 1)
        self.latent_dims = cfg.latent_dims
        self.logvar_min, self.logvar_max = LOGVAR_MIN, LOGVAR_MAX  # TorchScript reads attributes

    def forward(self, log_mel: torch.Tensor):
        x = log_mel
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
        stats = self.head(x)
        mu, logvar = stats[:, : self.latent_dims], stats[:, self.latent_dims :]
        return mu, torch.clamp(logvar, self.logvar_min, self.logvar_max)


class MelDecoder(nn.Module):
    """(z: [B, D, L'], loudness_db: [B, 1, L']) -> log_mel: [B, n_mels, L' * downsample]"""

    def __init__(self, n_mels: int, cfg: VAEConfig):
        super().__init__()
        h = cfg.hidden
        self.pre = CachedConv1d(cfg.latent_dims + 1, h, 3)
        self.up = CachedConvTranspose1d(h, h, 2 * cfg.downsample, cfg.downsample)
        self.convs = nn.ModuleList([CachedConv1d(h, h, 3), CachedConv1d(h, h, 3)])
        self.post = CachedConv1d(h, n_mels, 3)
        self.loudness_centre, self.loudness_span = LOUDNESS_CENTRE_DB, LOUDNESS_SPAN_DB

    def forward(self, z: torch.Tensor, loudness_db: torch.Tensor) -> torch.Tensor:
        loud = (loudness_db - self.loudness_centre) / self.loudness_span
        x = F.leaky_relu(self.pre(torch.cat([z, loud], dim=1)), 0.2)
        x = F.leaky_relu(self.up(x), 0.2)
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
        return self.post(x)


class LoudnessAdversary(nn.Module):
    """Per-frame loudness classifier on z behind a gradient reversal layer.

    z: [B, D, L] -> logits: [B, bins, L]
    """

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.reverse = GradientReversal(0.0)
        self.net = nn.Sequential(
            nn.Conv1d(cfg.latent_dims, 64, 1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(64, cfg.loudness_bins, 1),
        )
        self.bins = cfg.loudness_bins
        self.min_db = cfg.loudness_min_db
        self.max_db = cfg.loudness_max_db

    def classes(self, loudness_db: torch.Tensor) -> torch.Tensor:
        """[B, 1, L] dB -> [B, L] class indices (bins of equal width, clamped)."""
        pos = (loudness_db[:, 0] - self.min_db) / (self.max_db - self.min_db)
        return torch.clamp((pos * self.bins).long(), 0, self.bins - 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.reverse(z))


@dataclass
class VAEOutput:
    """Shapes: mel [B, n_mels, L]; z/mu/logvar [B, D, L'], loudness_db [B, 1, L']."""

    log_mel: torch.Tensor
    mu: torch.Tensor
    logvar: torch.Tensor
    z: torch.Tensor
    loudness_db: torch.Tensor


class MelVAE(nn.Module):
    """Encoder + decoder + adversary; the frontend (MelSpectrogram) lives outside."""

    def __init__(self, n_mels: int, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = MelEncoder(n_mels, cfg)
        self.decoder = MelDecoder(n_mels, cfg)
        self.adversary = LoudnessAdversary(cfg)

    def encode(self, mel: torch.Tensor, energy: torch.Tensor):
        """mel power [B, n_mels, L], energy [B, 1, L] ->
        (mu, logvar) [B, D, L'], loudness dB [B, 1, L']"""
        x = relative_log_mel(mel, energy) if self.cfg.normalize_level else log_mel(mel)
        mu, logvar = self.encoder(x)
        return mu, logvar, latent_loudness(energy, self.cfg.downsample)

    def forward(self, mel: torch.Tensor, energy: torch.Tensor, sample: bool = True) -> VAEOutput:
        """Decodes to the absolute log-mel (`log_mel(mel)` is the target)."""
        mu, logvar, loud = self.encode(mel, energy)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if sample else mu
        return VAEOutput(self.decoder(z, loud), mu, logvar, z, loud)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(q || N(0, 1)) per element: same shape as mu."""
    return 0.5 * (mu * mu + torch.exp(logvar) - 1.0 - logvar)
