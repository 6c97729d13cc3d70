"""Harmonic-plus-noise vocoder: log-mels and pitch -> waveform, causal and streamable."""

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from ...nn.cached_conv import CachedConv1d
from ...nn.harmonic_head import HarmonicHead, pitch_feature
from ...nn.harmonic_noise import HarmonicNoiseSynth
from ...nn.level_lock import LevelLock, noise_power_matrix
from .config import VocoderConfig

LOG_MEL_SCALE = 0.2  # log-mels span about -11.5 .. 5: brought near unit range


class HarmonicVocoder(nn.Module):
    """(log_mel: [B, n_mels, L], f0: [B, 1, L / downsample] Hz,
        periodicity: [B, 1, L / downsample], loudness_db: [B, 1, L / downsample] or None)
    -> audio: [B, 1, L * hop]

    A small causal network on the mel frames, told the pitch, gives each frame a level,
    a distribution over `harmonics` harmonics of f0 (those above Nyquist get none) and
    `noise_bands` noise magnitudes; HarmonicNoiseSynth plays them. The output pitch is
    the f0 it is given, whatever the mels: pitch is kept by construction, and a player
    may replace it. With `level_lock`, each frame is scaled to the loudness given
    (LevelLock): the output level is the loudness channel's.
    """

    def __init__(self, n_mels: int, hop: int, downsample: int, sampling_rate: int, cfg: VocoderConfig):
        super().__init__()
        c = cfg.channels
        self.downsample = downsample
        self.mel_scale = LOG_MEL_SCALE  # TorchScript reads attributes, not globals
        convs = [CachedConv1d(n_mels + 2, c, 3)] + [CachedConv1d(c, c, 3) for _ in range(cfg.layers - 1)]
        self.convs = nn.ModuleList(convs)
        self.controls_of = HarmonicHead(sampling_rate, cfg.harmonics, cfg.noise_bands)
        self.head = CachedConv1d(c, self.controls_of.channels, 1)
        self.controls_of.init_bias(self.head.bias)
        self.synth = HarmonicNoiseSynth(sampling_rate, hop, hop * downsample, cfg.harmonics, cfg.noise_bands)
        self.lock_level = cfg.level_lock
        self.level_lock = LevelLock(noise_power_matrix(self.synth))

    def controls(self, log_mel: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor):
        """-> (harmonic amplitudes [B, K, L], noise magnitudes [B, N, L])"""
        f0_frames = f0.repeat_interleave(self.downsample, dim=-1)
        x = torch.cat(
            [
                log_mel * self.mel_scale,
                pitch_feature(f0_frames),
                periodicity.repeat_interleave(self.downsample, dim=-1),
            ],
            dim=1,
        )
        for i, conv in enumerate(self.convs):
            y = F.leaky_relu(conv(x), 0.2)
            x = y if i == 0 else x + y
        return self.controls_of(self.head(x), f0_frames)

    def forward(
        self,
        log_mel: torch.Tensor,
        f0: torch.Tensor,
        periodicity: torch.Tensor,
        loudness_db: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        harmonic, noise = self.controls(log_mel, f0, periodicity)
        if self.lock_level and loudness_db is not None:
            loudness = loudness_db.repeat_interleave(self.downsample, dim=-1)
            harmonic, noise = self.level_lock(harmonic, noise, torch.pow(10.0, 0.1 * loudness))
        return self.synth(f0, harmonic, noise)
