"""The discrete model with the harmonic decoder: latents [code, gain, pitch, periodicity]."""

import torch

from ...nn.harmonic_noise import HarmonicNoiseSynth
from ...nn.pitch_input import REFERENCE_NOTE, PitchInput
from ...nn.yin import hz_to_midi
from .codec import DiscreteCodec
from .config import DiscreteConfig
from .descriptors import DESCRIPTOR_NAMES
from .vqvae import VQVAE

# A frame's RMS gain beyond which decode clamps: an infinite gain from a host would leave
# infinities in the synthesiser's state, and every later call would be NaN.
GAIN_LIMIT = 4.0


class HarmonicDiscreteCodec(DiscreteCodec):
    """DiscreteCodec whose codes decode to harmonics of the pitch channel plus noise.

    encode:     audio [B, 1, T] -> [B, 4, T / hop]: code, gain, pitch (MIDI note, from a
                causal YIN on the frame's window), periodicity (0..1)
    decode:     [B, 4, T / hop] -> audio [B, 1, T], window / 2 samples late
    synthesize: as DiscreteCodec's, but the code is chosen on the timbre descriptors only:
                the f0 target is played as the pitch (NaN: 220 Hz) and the f0
                confidence target as the periodicity (NaN: 1).
    """

    def __init__(self, cfg: DiscreteConfig, vqvae: VQVAE):
        super().__init__(cfg, vqvae)
        f, h = cfg.frames, cfg.harmonic
        self.live_synthesis = HarmonicNoiseSynth(cfg.sampling_rate, f.hop, f.hop, h.harmonics, h.noise_bands)
        self.pitch_input = PitchInput()
        self.gain_limit = GAIN_LIMIT  # TorchScript reads attributes, not globals
        self.f0_index = DESCRIPTOR_NAMES.index("f0")
        self.confidence_index = DESCRIPTOR_NAMES.index("f0_confidence")

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, 4, T / hop]"""
        vectors, gains = self.net.analyse(x)
        codes = self.codebook.nearest(vectors).to(x.dtype)
        f0, periodicity = self.net.pitch(x)
        return torch.stack([codes, gains, hz_to_midi(f0[:, 0]), periodicity[:, 0]], dim=1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, 4, T / hop] -> [B, 1, T]"""
        codes = torch.nan_to_num(z[:, 0]).round().clamp(0, self.codes - 1).long()
        gains = torch.clamp(torch.nan_to_num(z[:, 1], nan=0.0), 0.0, self.gain_limit)
        f0, periodicity = self.pitch_input.notes(z[:, 2:3], z[:, 3:4])
        return self.net.decode_frames(self.codebook.lookup(codes), gains, f0, periodicity)

    @torch.jit.export
    def synthesize(self, targets: torch.Tensor) -> torch.Tensor:
        """targets: [B, D + 1, T / hop] -> [B, 1, T]"""
        d = self.standard_table.size(1)
        codes = self.picker(targets[:, :d].transpose(1, 2), self.standard_table, self.synth_weights)
        gains = torch.clamp(torch.nan_to_num(targets[:, d], nan=0.0), 0.0, self.gain_limit)
        f0 = self.pitch_input.hz(self._natural(targets, self.f0_index))
        # No voicing target means voiced: the f0 target (or 220 Hz) is what is asked for.
        periodicity = self.pitch_input.periodicity(self._natural(targets, self.confidence_index), 1.0)
        harmonic, noise = self.net.controls(self.codebook.lookup(codes), gains, f0, periodicity)
        return self.live_synthesis(f0, harmonic, noise)

    def _natural(self, targets: torch.Tensor, index: int) -> torch.Tensor:
        """Descriptor `index` of the standardised targets back in natural units: [B, 1, N]."""
        x = targets[:, index : index + 1] * self.descriptor_std[index] + self.descriptor_mean[index]
        return torch.exp(x) if bool(self.descriptor_log[index] > 0.5) else x

    @torch.jit.unused
    def held_decode(self, z: torch.Tensor) -> torch.Tensor:
        """[code, gain] frames [B, 2, N] played at REFERENCE_NOTE, fully periodic."""
        pitch = torch.full_like(z[:, :1], REFERENCE_NOTE)
        return self.decode(torch.cat([z, pitch, torch.ones_like(pitch)], dim=1))

    @torch.jit.unused
    def streaming_synthesis(self) -> bool:
        return self.net.synthesis.streaming
