"""Framing, gain split, encoder and decoder: the quantiser-free part of the model."""

from typing import Tuple

import torch
from torch import nn

from ...nn.cached_frames import CachedFrames
from .config import DiscreteConfig
from .networks import FrameDecoder, FrameEncoder
from .loop_synthesis import LoopSynthesis


def frame_gain(frames: torch.Tensor) -> torch.Tensor:
    """frames: [B, N, window] -> RMS per frame [B, N]"""
    return frames.square().mean(-1).sqrt()


class FrameCodec(nn.Module):
    """audio -> (vectors, gains) and (vectors, gains) -> audio, around a quantiser.

    Encoder: MLP on each unit-gain frame's log spectrum. Decoder: MLP from a
    vector to a loop, played by LoopSynthesis.

    Each frame's gain (its RMS) is split off before encoding and multiplied
    back after decoding, so the vectors (hence the codes) cannot follow the
    level: scaling the input scales the gains and leaves the vectors as they
    are (exactly, up to float rounding, above `gain_floor`).
    """

    def __init__(self, cfg: DiscreteConfig):
        super().__init__()
        f, vq = cfg.frames, cfg.vq
        self.window = f.window
        self.hop = f.hop
        self.gain_floor = f.gain_floor
        self.frames = CachedFrames(f.window, f.hop)
        self.encoder = FrameEncoder(f.window, vq.dim, cfg.encoder.hidden, cfg.encoder.layers)
        self.decoder, self.synthesis = self.decoding(cfg)

    @torch.jit.unused
    def decoding(self, cfg: DiscreteConfig) -> Tuple[nn.Module, nn.Module]:
        """(decoder, synthesis): a vector to a loop, played by LoopSynthesis."""
        f, vq = cfg.frames, cfg.vq
        return (FrameDecoder(f.window, vq.dim, cfg.decoder.hidden, cfg.decoder.layers), LoopSynthesis(f.window, f.hop))

    def analyse(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """x: [B, 1, T] -> (vectors [B, T / hop, dim], gains [B, T / hop])"""
        frames = self.frames(x)
        gains = frame_gain(frames)
        unit = frames / torch.clamp(gains, min=self.gain_floor).unsqueeze(-1)
        return self.encoder(unit), gains

    def decode_frames(self, vectors: torch.Tensor, gains: torch.Tensor) -> torch.Tensor:
        """vectors [B, N, dim], gains [B, N] -> audio [B, 1, N * hop], delayed by window - hop"""
        return self.synthesis(self.decoder(vectors), gains)
