"""Spectral losses: differentiable distances between two signals (as DAC's nn/loss.py).

Training minimises them and evaluation reports them, so both measure the same thing.

Convention for every distance here: `distance(x, y)` with x the signal under
test (a reconstruction, a model output) and y the reference. Only spectral
convergence is asymmetric (it is normalised by the reference).
"""

from typing import Dict, Sequence

import torch
from torch import nn

from .mel import mel_filterbank

DEFAULT_N_FFTS = (512, 1024, 2048)


def _as_batch(x: torch.Tensor, name: str) -> torch.Tensor:
    """[B, 1, T] or [B, T] -> [B, T]"""
    if x.dim() == 3:
        if x.size(1) != 1:
            raise ValueError(f"{name}: expected mono [B, 1, T], got shape {tuple(x.shape)}")
        return x[:, 0]
    if x.dim() == 2:
        return x
    raise ValueError(f"{name}: expected [B, 1, T] or [B, T], got shape {tuple(x.shape)}")


def _check_pair(x: torch.Tensor, y: torch.Tensor):
    x, y = _as_batch(x, "x"), _as_batch(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    return x, y


def _reduce(per_item: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_item.mean()
    if reduction == "none":
        return per_item
    raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}")


def stft_power(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """|STFT|^2 of x: [B, T] -> [B, n_fft // 2 + 1, frames].

    Centred frames with zero padding (not reflection: it would fail on
    signals shorter than n_fft / 2, and a distance must accept any length).
    """
    spec = torch.stft(
        x,
        n_fft,
        hop_length=hop,
        window=window,
        center=True,
        pad_mode="constant",
        return_complex=True,
    )
    return spec.real.square() + spec.imag.square()


class MultiScaleMelDistance(nn.Module):
    """Mean L1 distance of log10(mel power + eps) at several STFT sizes.

    Hann window, hop n_fft / 4, `n_mels` mel bands (area-normalised
    triangles from `mel_filterbank`), averaged over bands, frames and scales.

    x, y: [B, 1, T] (or [B, T]) -> scalar (reduction "mean") or [B] ("none").
    """

    def __init__(
        self,
        sampling_rate: int,
        n_ffts: Sequence[int] = DEFAULT_N_FFTS,
        n_mels: int = 80,
        fmin: float = 0.0,
        fmax: float = 0.0,
        eps: float = 1e-5,
        reduction: str = "mean",
    ):
        super().__init__()
        if not n_ffts:
            raise ValueError("n_ffts must name at least one STFT size")
        self.sampling_rate = int(sampling_rate)
        self.n_ffts = [int(n) for n in n_ffts]
        self.eps = eps
        self.reduction = reduction
        for n in self.n_ffts:
            self.register_buffer(f"window_{n}", torch.hann_window(n), persistent=False)
            self.register_buffer(
                f"filters_{n}",
                mel_filterbank(sampling_rate, n, n_mels, fmin, fmax),
                persistent=False,
            )

    def log_mel(self, x: torch.Tensor, n_fft: int) -> torch.Tensor:
        """x: [B, T] -> log10 mel power [B, n_mels, frames] at STFT size n_fft."""
        power = stft_power(x, n_fft, n_fft // 4, getattr(self, f"window_{n_fft}"))
        mel = torch.matmul(getattr(self, f"filters_{n_fft}"), power)
        return torch.log10(mel + self.eps)

    def per_scale(self, x: torch.Tensor, y: torch.Tensor) -> Dict[int, torch.Tensor]:
        """{n_fft: [B] distance at that scale}"""
        x, y = _check_pair(x, y)
        return {n: (self.log_mel(x, n) - self.log_mel(y, n)).abs().mean(dim=(1, 2)) for n in self.n_ffts}

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        per_item = torch.stack(list(self.per_scale(x, y).values())).mean(dim=0)
        return _reduce(per_item, self.reduction)


class MultiResolutionSTFTDistance(nn.Module):
    """Log-magnitude L1 + spectral convergence, averaged over STFT sizes.

    At each size (Hann window, hop n_fft / 4):
        log_mag = mean |log|X| - log|Y||
        sc      = || |X| - |Y| ||_F / || |Y| ||_F      (Y: the reference)
    Magnitudes are floored at sqrt(eps) so that gradients stay finite at 0.

    x, y: [B, 1, T] (or [B, T]) -> scalar (reduction "mean") or [B] ("none").
    """

    def __init__(
        self,
        n_ffts: Sequence[int] = DEFAULT_N_FFTS,
        eps: float = 1e-7,
        reduction: str = "mean",
    ):
        super().__init__()
        if not n_ffts:
            raise ValueError("n_ffts must name at least one STFT size")
        self.n_ffts = [int(n) for n in n_ffts]
        self.eps = eps
        self.reduction = reduction
        for n in self.n_ffts:
            self.register_buffer(f"window_{n}", torch.hann_window(n), persistent=False)

    def per_scale(self, x: torch.Tensor, y: torch.Tensor) -> Dict[int, Dict[str, torch.Tensor]]:
        """{n_fft: {"log_mag": [B], "sc": [B]}}"""
        x, y = _check_pair(x, y)
        out = {}
        for n in self.n_ffts:
            window = getattr(self, f"window_{n}")
            px = stft_power(x, n, n // 4, window).clamp(min=self.eps)
            py = stft_power(y, n, n // 4, window).clamp(min=self.eps)
            # log|X| = log(|X|^2) / 2: no sqrt needed for the log term.
            log_mag = 0.5 * (px.log() - py.log()).abs().mean(dim=(1, 2))
            mx, my = px.sqrt(), py.sqrt()
            sc = (mx - my).flatten(1).norm(dim=1) / my.flatten(1).norm(dim=1)
            out[n] = {"log_mag": log_mag, "sc": sc}
        return out

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        terms = [d["log_mag"] + d["sc"] for d in self.per_scale(x, y).values()]
        return _reduce(torch.stack(terms).mean(dim=0), self.reduction)


def multiscale_mel_distance(x: torch.Tensor, y: torch.Tensor, sampling_rate: int, **kwargs) -> torch.Tensor:
    """Functional form of `MultiScaleMelDistance` (builds the filters on each call)."""
    return MultiScaleMelDistance(sampling_rate, **kwargs).to(x.device)(x, y)


def multiresolution_stft_distance(x: torch.Tensor, y: torch.Tensor, **kwargs) -> torch.Tensor:
    """Functional form of `MultiResolutionSTFTDistance`."""
    return MultiResolutionSTFTDistance(**kwargs).to(x.device)(x, y)
