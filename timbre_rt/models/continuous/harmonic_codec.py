"""The continuous model with the harmonic vocoder: its latents carry pitch and periodicity."""
import torch

from ...nn.yin import hz_to_midi, midi_to_hz
from .codec import ContinuousCodec, build_pitch
from .config import ContinuousConfig
from .harmonic_vocoder import HarmonicVocoder
from .vae import MelVAE

PITCH_RANGE = (0.0, 140.0)  # MIDI notes decode accepts (8 Hz .. 13 kHz); beyond: clamped
REFERENCE_NOTE = 57.0  # A3: what a NaN pitch plays


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
        self.pitch_min = PITCH_RANGE[0]
        self.pitch_max = PITCH_RANGE[1]
        self.reference_note = REFERENCE_NOTE

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
        note = torch.nan_to_num(z.narrow(1, d, 1), nan=self.reference_note)
        note = torch.clamp(note, self.pitch_min, self.pitch_max)
        periodicity = torch.clamp(torch.nan_to_num(z.narrow(1, d + 1, 1), nan=0.0), 0.0, 1.0)
        return self.vocoder(log_mel, midi_to_hz(note), periodicity) * self.gate(loudness)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))
