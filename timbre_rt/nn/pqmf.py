"""Pseudo-QMF synthesis: N sub-band signals -> one full-band signal, causal."""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .cached_conv_transpose import CachedConvTranspose1d


def pqmf_prototype(taps: int = 62, cutoff: float = 0.142, beta: float = 9.0) -> np.ndarray:
    """Kaiser-windowed sinc low-pass of `taps + 1` coefficients.

    cutoff is a fraction of pi (0.142 with beta 9 gives near-perfect
    reconstruction for 4 bands).
    """
    n = np.arange(taps + 1) - taps / 2
    omega = cutoff * np.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        h = np.sin(omega * n) / (np.pi * n)
    h[taps // 2] = cutoff  # the limit at n = 0
    return h * np.kaiser(taps + 1, beta)


def pqmf_filters(bands: int, taps: int = 62, cutoff: float = 0.142, beta: float = 9.0):
    """Cosine-modulated (analysis, synthesis) filters: each [bands, taps + 1]."""
    h = pqmf_prototype(taps, cutoff, beta)
    n = np.arange(taps + 1) - taps / 2
    k = np.arange(bands)[:, None]
    phase = (2 * k + 1) * np.pi / (2 * bands) * n
    sign = (-1.0) ** k * np.pi / 4
    analysis = 2 * h * np.cos(phase + sign)
    synthesis = 2 * h * np.cos(phase - sign)
    return analysis, synthesis


@dataclass
class PQMFResponse:
    """How good a filter bank is, in dB (see `pqmf_response`)."""

    stopband_db: float  # prototype attenuation from pi / bands on (the next band's centre)
    ripple_db: float  # peak-to-peak of the analysis+synthesis magnitude response
    alias_db: float  # worst aliasing term relative to the distortion-free gain


def pqmf_response(
    bands: int = 4, taps: int = 62, cutoff: float = 0.142, beta: float = 9.0, points: int = 1 << 14
) -> PQMFResponse:
    """Measure the bank of `pqmf_filters` on a grid of `points` frequencies."""
    h = pqmf_prototype(taps, cutoff, beta)
    analysis, synthesis = pqmf_filters(bands, taps, cutoff, beta)
    spectrum = lambda f: np.fft.rfft(f, 2 * points)  # noqa: E731
    proto = np.abs(spectrum(h))
    edge = int(len(proto) / bands)  # pi / bands
    stopband = -20 * np.log10(proto[edge:].max() / proto[0])
    total = sum(np.convolve(analysis[k], synthesis[k]) for k in range(bands))
    gain = np.abs(spectrum(total))
    ripple = 20 * np.log10(gain.max() / gain.min())
    alias = 0.0
    n = np.arange(taps + 1)
    for shift in range(1, bands):  # A_k(z W^shift) S_k(z): what decimation folds back
        term = sum(
            np.convolve(analysis[k] * np.exp(2j * np.pi * shift * n / bands), synthesis[k]) for k in range(bands)
        )
        alias = max(alias, np.abs(np.fft.fft(term, 2 * points)).max())
    return PQMFResponse(float(stopband), float(ripple), float(20 * np.log10(alias / gain.mean() + 1e-30)))


class PQMFSynthesis(nn.Module):
    """Merge `bands` critically sampled sub-bands into a full-band signal.

    Zero-insertion upsampling followed by the synthesis filters is exactly a
    transposed convolution with stride `bands`, so the causal streaming block
    does it. The filter adds `delay` = taps / 2 samples.

    x: [B, bands, T / bands] -> [B, 1, T]
    """

    def __init__(self, bands: int = 4, taps: int = 62, cutoff: float = 0.142, beta: float = 9.0):
        super().__init__()
        _, synthesis = pqmf_filters(bands, taps, cutoff, beta)
        self.bands = bands
        self.delay = taps // 2
        self.conv = CachedConvTranspose1d(bands, 1, taps + 1, bands, bias=False)
        self.conv.weight.requires_grad_(False)
        with torch.no_grad():
            # The filters are defined for correlation (as conv1d applies them); a
            # transposed convolution convolves, hence the flip. The gain `bands`
            # restores the energy removed by zero insertion.
            kernel = np.ascontiguousarray(bands * synthesis[:, ::-1])
            self.conv.weight.copy_(torch.from_numpy(kernel).float().unsqueeze(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class PQMFAnalysis(nn.Module):
    """Split a full-band signal into `bands` sub-bands (training losses only).

    x: [B, 1, T] -> [B, bands, T / bands]
    """

    def __init__(self, bands: int = 4, taps: int = 62, cutoff: float = 0.142, beta: float = 9.0):
        super().__init__()
        analysis, _ = pqmf_filters(bands, taps, cutoff, beta)
        self.bands = bands
        self.register_buffer("filters", torch.from_numpy(analysis).float().unsqueeze(1))
        self.padding = taps // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.nn.functional.conv1d(x, self.filters, padding=self.padding)
        return y[:, :, :: self.bands][:, :, : math.ceil(x.size(-1) / self.bands)]
