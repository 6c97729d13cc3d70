"""Small untrained models for tests, benchmarks and demos."""

from typing import List, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..export.model import StreamingModel
from ..nn.cached_conv import CachedConv1d
from ..nn.cached_conv_transpose import CachedConvTranspose1d


class ToyCodec(StreamingModel):
    """Random-weight convolutional codec.

    encode: [B, 1, T] -> [B, latent_channels, T / prod(strides)]
    decode: [B, latent_channels, T / prod(strides)] -> [B, 1, T]
    forward: decode(encode(x))
    """

    def __init__(
        self,
        sampling_rate: int = 24000,
        latent_channels: int = 4,
        strides: Sequence[int] = (4, 4),
        hidden: int = 16,
        seed: int = 0,
    ):
        super().__init__(sampling_rate, "toy_codec", [f"z{i}" for i in range(latent_channels)])
        ratio = 1
        for s in strides:
            ratio *= int(s)
        # Seeded without touching the caller's global RNG state.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            down: List[nn.Module] = []
            c = 1
            for s in strides:
                down.append(CachedConv1d(c, hidden, 2 * s, stride=s))
                c = hidden
            self.down = nn.ModuleList(down)
            self.to_latent = CachedConv1d(hidden, latent_channels, 3)
            up: List[nn.Module] = []
            c = latent_channels
            for s in reversed(list(strides)):
                up.append(CachedConvTranspose1d(c, hidden, 2 * s, s))
                c = hidden
            self.up = nn.ModuleList(up)
            self.to_audio = CachedConv1d(hidden, 1, 3)
        self.declare_method("encode", 1, 1, latent_channels, ratio)
        self.declare_method("decode", latent_channels, ratio, 1, 1)
        self.declare_method("forward", 1, 1, 1, 1)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> z: [B, latent_channels, T / ratio]"""
        for conv in self.down:
            x = F.leaky_relu(conv(x), 0.2)
        return self.to_latent(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, latent_channels, T / ratio] -> [B, 1, T]"""
        for conv in self.up:
            z = F.leaky_relu(conv(z), 0.2)
        return self.to_audio(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, 1, T]"""
        return self.decode(self.encode(x))


def _pure_delay(samples: int) -> CachedConv1d:
    # Kernel samples + 1 with weight 1 on the oldest tap: y[t] = x[t - samples].
    conv = CachedConv1d(1, 1, samples + 1, bias=False)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 0] = 1.0
    return conv


class IdentityCodec(StreamingModel):
    """Exact identity apart from pure delays, to measure latency with an impulse.

    encode: [B, 1, T] -> [B, ratio, T / ratio], channel i = sample i of each
        block, delayed by encode_delay samples.
    decode: [B, ratio, T / ratio] -> [B, 1, T], the inverse, then delayed by
        decode_delay samples.
    forward: decode(encode(x)) = x delayed by encode_delay + decode_delay.
    """

    def __init__(
        self,
        ratio: int = 16,
        encode_delay: int = 3,
        decode_delay: int = 5,
        sampling_rate: int = 24000,
    ):
        super().__init__(sampling_rate, "identity_codec", [f"z{i}" for i in range(ratio)])
        self.encode_delay = _pure_delay(encode_delay)
        self.frame = CachedConv1d(1, ratio, ratio, stride=ratio, bias=False)
        self.unframe = CachedConvTranspose1d(ratio, 1, ratio, ratio, bias=False)
        self.decode_delay = _pure_delay(decode_delay)
        eye = torch.eye(ratio)
        with torch.no_grad():
            self.frame.weight.copy_(eye.unsqueeze(1))  # [ratio, 1, ratio]
            self.unframe.weight.copy_(eye.unsqueeze(1))  # [ratio, 1, ratio]
        self.declare_method("encode", 1, 1, ratio, ratio, latency=encode_delay)
        self.declare_method("decode", ratio, ratio, 1, 1, latency=decode_delay)
        self.declare_method("forward", 1, 1, 1, 1, latency=encode_delay + decode_delay)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> z: [B, ratio, T / ratio]"""
        return self.frame(self.encode_delay(x))

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, ratio, T / ratio] -> [B, 1, T]"""
        return self.decode_delay(self.unframe(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, 1, T]"""
        return self.decode(self.encode(x))
