"""The discrete model's harmonic decoder: a code and a pitch -> harmonics plus noise.

A waveform loop of `window` samples repeats every `hop` samples, so its pitch can only
fall on a grid (rate / hop apart in the overlap-add): a code decoded to a loop cannot
keep an unseen pitch. Decoded to a harmonic distribution and noise bands instead, and
played at the frame's measured f0, the code names the timbre and the pitch channel
carries the pitch exactly.
"""

from typing import Tuple

import torch
from torch import nn

from ...nn.harmonic_head import HarmonicHead, pitch_feature
from ...nn.harmonic_noise import HarmonicNoiseSynth
from ...nn.level_lock import LevelLock, noise_power_matrix
from ...nn.yin import StreamingYin
from .config import DiscreteConfig
from .frame_codec import FrameCodec
from .networks import mlp


class HarmonicFrameDecoder(nn.Module):
    """(vectors [B, N, dim], f0 [B, 1, N] Hz, periodicity [B, 1, N])
    -> (harmonic amplitudes [B, K, N], noise magnitudes [B, bands, N]) at unit gain."""

    def __init__(self, cfg: DiscreteConfig):
        super().__init__()
        h = cfg.harmonic
        self.head = HarmonicHead(cfg.sampling_rate, h.harmonics, h.noise_bands)
        self.net = mlp(cfg.vq.dim + 2, cfg.decoder.hidden, cfg.decoder.layers, self.head.channels)
        self.head.init_bias(self.net[-1].bias)

    def forward(
        self, vectors: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([vectors, pitch_feature(f0).transpose(1, 2), periodicity.transpose(1, 2)], dim=-1)
        return self.head(self.net(x).transpose(1, 2), f0)


class HarmonicFrameCodec(FrameCodec):
    """FrameCodec whose frames are decoded to harmonics of their pitch plus noise.

    pitch:         x [B, 1, T] -> (f0 Hz, periodicity), each [B, 1, T / hop], one per
                   frame (causal YIN on the frame's own window)
    controls:      (vectors [B, N, dim], gains [B, N], f0 [B, 1, N], periodicity [B, 1, N])
                   -> (harmonic amplitudes [B, K, N], noise magnitudes [B, bands, N]) at
                   the frames' gains: the decoder's unit-gain level times the gain, or with
                   `harmonic.level_lock` exactly the gain's mean square (LevelLock)
    decode_frames: the same arguments -> audio [B, 1, N * hop], window / 2 samples late
                   (the frame's centre)
    """

    def __init__(self, cfg: DiscreteConfig):
        super().__init__(cfg)
        f, h = cfg.frames, cfg.harmonic
        self.pitch = StreamingYin(cfg.sampling_rate, f.window, f.hop, h.f0_min, h.f0_max, h.threshold)
        self.lock_level = h.level_lock
        self.level_lock = LevelLock(noise_power_matrix(self.synthesis))

    @torch.jit.unused
    def decoding(self, cfg: DiscreteConfig) -> Tuple[nn.Module, nn.Module]:
        """(decoder, synthesis): a vector and a pitch to harmonics plus noise, played."""
        f, h = cfg.frames, cfg.harmonic
        return (
            HarmonicFrameDecoder(cfg),
            HarmonicNoiseSynth(cfg.sampling_rate, f.hop, f.hop, h.harmonics, h.noise_bands),
        )

    def controls(
        self, vectors: torch.Tensor, gains: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        harmonic, noise = self.decoder(vectors, f0, periodicity)
        level = gains.unsqueeze(1)
        # At decode only: training still teaches the decoder each code's level (its loss
        # hears it); the lock corrects what it gets wrong, as the continuous vocoder's.
        if self.lock_level and not self.training:
            return self.level_lock(harmonic, noise, level.square())
        return harmonic * level, noise * level

    def decode_frames(
        self, vectors: torch.Tensor, gains: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor
    ) -> torch.Tensor:
        harmonic, noise = self.controls(vectors, gains, f0, periodicity)
        return self.synthesis(f0, harmonic, noise)
