"""The continuous model with the harmonic vocoder: its latents carry pitch and periodicity."""

import torch

from ...nn.pitch_input import PitchInput
from ...nn.yin import hz_to_midi
from .codec import ContinuousCodec, build_pitch
from .config import ContinuousConfig
from .harmonic_vocoder import HarmonicVocoder
from .vae import MelVAE


class HarmonicCodec(ContinuousCodec):
    """ContinuousCodec whose latents are [z (D), pitch, periodicity, loudness].

    encode: audio [B, 1, T] -> [B, D + 3, T / ratio]; pitch is a MIDI note number
            (fractional: 60.5 is a quarter tone above middle C) from a causal YIN on
            the latent frame's analysis window, periodicity in [0, 1] (0 on silence).
    decode: [B, D + 3, T / ratio] -> audio [B, 1, T]; the output's pitch is the pitch
            channel, so a player may replace it (a MIDI note, a glide) and keep the timbre.
    """

    def __init__(self, cfg: ContinuousConfig, vae: MelVAE, vocoder: HarmonicVocoder):
        super().__init__(cfg, vae, vocoder)
        self.pitch = build_pitch(cfg)
        self.pitch_input = PitchInput()

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, D + 3, T / ratio]"""
        mu, _, loudness = self._analyse(x)
        f0, periodicity = self.pitch(x)
        return torch.cat([self.order.ordered(mu), hz_to_midi(f0), periodicity, loudness], dim=1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, D + 3, T / ratio] -> [B, 1, T]"""
        d = self.latent_dims
        timbre, loudness = self.clean_latents(z)
        log_mel = self.decoder(timbre, loudness)
        f0, periodicity = self.pitch_input.notes(z.narrow(1, d, 1), z.narrow(1, d + 1, 1))
        return self.vocoder(log_mel, f0, periodicity, loudness) * self.gate(loudness)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))
