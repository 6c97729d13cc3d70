"""Frame encoder (spectrum -> vector) and frame decoder (vector -> waveform loop)."""

import torch
from torch import nn


def mlp(inputs: int, hidden: int, layers: int, outputs: int) -> nn.Sequential:
    """`layers` hidden Linear + LeakyReLU layers, then a Linear to `outputs`."""
    mods = []
    width = inputs
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    mods.append(nn.Linear(width, outputs))
    return nn.Sequential(*mods)


class FrameEncoder(nn.Module):
    """Unit-gain waveform frames [B, N, window] -> vectors [B, N, dim].

    Reads the frame's log-magnitude spectrum (Hann window): the code should
    name the frame's timbre, not where its waveform's cycles fall inside the
    window (the raw samples of one steady tone change with every hop).
    """

    def __init__(self, window: int, dim: int, hidden: int, layers: int, floor: float = 1e-3):
        super().__init__()
        hann = torch.hann_window(window, periodic=True)
        # Scaled so that unit-RMS white noise has unit expected magnitude per bin.
        self.register_buffer("analysis_window", hann / hann.square().sum().sqrt())
        self.floor = floor
        bins = window // 2 + 1
        # Per-bin standardisation (running statistics once trained): the spectral shape
        # all frames share would otherwise dominate the first layer, and every frame
        # would land near one vector (one code).
        self.norm = nn.BatchNorm1d(bins, affine=False)
        self.net = mlp(bins, hidden, layers, dim)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        magnitude = torch.fft.rfft(frames * self.analysis_window, dim=-1).abs()
        spectrum = torch.log(magnitude + self.floor)
        b, n, bins = spectrum.shape
        return self.net(self.norm(spectrum.reshape(b * n, bins)).reshape(b, n, bins))


class FrameDecoder(nn.Module):
    """Vectors [B, N, dim] -> waveform loops [B, N, window] at unit gain
    (one period each; LoopSynthesis turns them into audio)."""

    def __init__(self, window: int, dim: int, hidden: int, layers: int):
        super().__init__()
        self.net = mlp(dim, hidden, layers, window)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.net(vectors)
