"""The trainable discrete model: frame codec + EMA vector quantiser."""

from dataclasses import dataclass

import torch
from torch import nn

from ...nn.vector_quantizer import VectorQuantizer, VQOutput
from .config import DiscreteConfig
from .frame_codec import FrameCodec


@dataclass
class VQVAEOutput:
    """audio: [B, 1, T] reconstruction, `delay` samples late; gains: [B, N]; vq: the
    quantiser's output (indices [B, N], losses and usage statistics)."""

    audio: torch.Tensor
    gains: torch.Tensor
    vq: VQOutput


class VQVAE(nn.Module):
    """x: [B, 1, T] -> VQVAEOutput; T a multiple of the hop."""

    def __init__(self, cfg: DiscreteConfig):
        super().__init__()
        v = cfg.vq
        self.harmonic = cfg.harmonic_synthesis
        if self.harmonic:
            from .harmonic_frames import HarmonicFrameCodec

            self.net = HarmonicFrameCodec(cfg)
        else:
            self.net = FrameCodec(cfg)
        self.quantizer = VectorQuantizer(
            v.codes,
            v.dim,
            decay=v.decay,
            kmeans_batches=v.kmeans_batches,
            kmeans_iters=v.kmeans_iters,
            dead_after=v.dead_after,
            memory=v.memory,
        )
        self.delay = cfg.delay

    def forward(self, x: torch.Tensor) -> VQVAEOutput:
        vectors, gains = self.net.analyse(x)
        vq = self.quantizer(vectors)
        if self.harmonic:
            with torch.no_grad():
                f0, periodicity = self.net.pitch(x)
            audio = self.net.decode_frames(vq.quantized, gains, f0, periodicity)
        else:
            audio = self.net.decode_frames(vq.quantized, gains)
        return VQVAEOutput(audio, gains, vq)
