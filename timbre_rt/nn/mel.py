"""Streamable log-mel analysis: an STFT written as a fixed, block-causal convolution."""

import torch
from torch import nn

from .cached_frames import CachedFrames


def hz_to_mel(f: torch.Tensor) -> torch.Tensor:
    """HTK mel scale."""
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def mel_to_hz(m: torch.Tensor) -> torch.Tensor:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(sampling_rate: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float = 0.0) -> torch.Tensor:
    """Triangular mel filters, area-normalised: [n_mels, n_fft // 2 + 1].

    fmax <= 0 means the Nyquist frequency.
    """
    fmax = fmax if fmax > 0 else sampling_rate / 2
    if not 0 <= fmin < fmax <= sampling_rate / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= {sampling_rate / 2}, got {fmin}, {fmax}")
    freqs = torch.linspace(0, sampling_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    edges = mel_to_hz(
        torch.linspace(hz_to_mel(torch.tensor(fmin)), hz_to_mel(torch.tensor(fmax)), n_mels + 2, dtype=torch.float64)
    )
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - lower) / (centre - lower)
    falling = (upper - freqs) / (upper - centre)
    fb = torch.clamp(torch.minimum(rising, falling), min=0.0)
    # Area normalisation keeps a white spectrum flat across bands (Slaney style).
    fb = fb * (2.0 / (upper - lower))
    return fb.float()


class StreamingSTFT(nn.Module):
    """Power spectrum of Hann-windowed frames, one frame per `hop` samples.

    Frame n covers samples [(n + 1) * hop - n_fft, (n + 1) * hop): it is
    ready as soon as its hop block has arrived, so the analysis streams on
    chunks that are multiples of `hop` (see CachedFrames).

    x: [B, 1, T] -> power: [B, n_fft // 2 + 1, T // hop]
    """

    def __init__(self, n_fft: int, hop: int):
        super().__init__()
        self.n_fft = n_fft
        self.hop = hop
        self.bins = n_fft // 2 + 1
        self.frames = CachedFrames(n_fft, hop)
        window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
        self.register_buffer("window", window.float())
        # Mean square of the windowed frame from its one-sided power (Parseval).
        self.mean_square_scale = 2.0 / (n_fft * float((window**2).sum()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spec = torch.fft.rfft(self.frames(x) * self.window, dim=-1)  # [B, L, bins]
        return (spec.real.square() + spec.imag.square()).transpose(1, 2)


def log_mel(mel: torch.Tensor, floor: float = 1e-5) -> torch.Tensor:
    """Natural log of mel power, floored at `floor` (absolute: -50 dB)."""
    return torch.log(torch.clamp(mel, min=floor))


def relative_log_mel(mel: torch.Tensor, energy: torch.Tensor, floor: float = 1e-7) -> torch.Tensor:
    """Log of mel power relative to the frame's energy, floored `floor` below it.

    A gain on the input leaves this unchanged (the floor moves with the
    frame), down to silence: what an encoder that must not follow the level
    should see.
    mel: [B, n_mels, L], energy: [B, 1, L] -> [B, n_mels, L]
    """
    return torch.log(torch.clamp(mel / (energy + 1e-12), min=floor))


class MelSpectrogram(nn.Module):
    """Streamable mel power spectrogram and frame energy.

    x: [B, 1, T] -> (mel: [B, n_mels, T // hop], energy: [B, 1, T // hop])
    energy is the frame's mean square (windowed), linear.
    """

    def __init__(
        self,
        sampling_rate: int,
        n_fft: int = 1024,
        hop: int = 256,
        n_mels: int = 80,
        fmin: float = 0.0,
        fmax: float = 0.0,
    ):
        super().__init__()
        self.stft = StreamingSTFT(n_fft, hop)
        self.register_buffer("filters", mel_filterbank(sampling_rate, n_fft, n_mels, fmin, fmax))
        self.hop = hop

    def forward(self, x: torch.Tensor):
        power = self.stft(x)
        energy = power.sum(dim=1, keepdim=True) * self.stft.mean_square_scale
        return torch.matmul(self.filters, power), energy
