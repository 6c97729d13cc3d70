"""The Griffin-Lim floor: phase-less inversion of the model's own mel spectrogram.

What a vocoder-free inversion of the same mels achieves (mel -> linear by
pseudo-inverse, phase by Griffin-Lim). A decoder that does not beat it has
learnt nothing beyond the magnitudes its mel front end already keeps.
"""

from dataclasses import dataclass

import torch

from ..nn.mel import mel_filterbank

MEL_ATTRIBUTES = ("mel_n_fft", "mel_hop", "mel_n_mels", "mel_fmin", "mel_fmax")


@dataclass(frozen=True)
class MelParams:
    """A model's mel analysis. fmax 0 means the Nyquist frequency."""

    sampling_rate: int
    n_fft: int
    hop: int
    n_mels: int
    fmin: float = 0.0
    fmax: float = 0.0

    @classmethod
    def from_module(cls, module) -> "MelParams":
        """Read `sampling_rate` and the mel_* attributes of a (scripted) model.

        Raises AttributeError naming the missing attributes.
        """
        missing = [n for n in ("sampling_rate",) + MEL_ATTRIBUTES if not hasattr(module, n)]
        if missing:
            raise AttributeError(f"model has no attribute {', '.join(missing)}")
        return cls(
            sampling_rate=int(module.sampling_rate),
            n_fft=int(module.mel_n_fft),
            hop=int(module.mel_hop),
            n_mels=int(module.mel_n_mels),
            fmin=float(module.mel_fmin),
            fmax=float(module.mel_fmax),
        )

    def filters(self) -> torch.Tensor:
        """[n_mels, n_fft // 2 + 1]"""
        return mel_filterbank(self.sampling_rate, self.n_fft, self.n_mels, self.fmin, self.fmax)


def _stft(x: torch.Tensor, p: MelParams, window: torch.Tensor) -> torch.Tensor:
    """x: [B, T] -> complex [B, n_fft // 2 + 1, frames] (centred, zero padded)"""
    return torch.stft(x, p.n_fft, p.hop, window=window, center=True, pad_mode="constant", return_complex=True)


def mel_power(x: torch.Tensor, p: MelParams) -> torch.Tensor:
    """x: [B, 1, T] -> mel power spectrogram [B, n_mels, frames]."""
    window = torch.hann_window(p.n_fft, device=x.device, dtype=x.dtype)
    spec = _stft(x.reshape(x.size(0), -1), p, window)
    power = spec.real.square() + spec.imag.square()
    return torch.matmul(p.filters().to(x), power)


def mel_to_magnitude(mel: torch.Tensor, p: MelParams, nnls_iters: int = 50) -> torch.Tensor:
    """mel power [B, n_mels, frames] -> linear magnitude [B, n_fft // 2 + 1, frames].

    Non-negative least squares for the linear power: the filterbank's
    pseudo-inverse clamped at 0, refined by multiplicative updates (they
    keep it non-negative). The clamped pseudo-inverse alone leaks each
    band's energy into its neighbours, which costs a pure tone about 5x
    the mel distance. Bins outside [fmin, fmax] come out 0.
    """
    fb = p.filters().to(mel)
    power = torch.matmul(torch.linalg.pinv(fb.double()).to(mel), mel).clamp(min=0.0)
    # Off zero, so that the updates can still move a bin the clamp zeroed.
    power = power + 1e-10 * power.amax(dim=(1, 2), keepdim=True)
    gram, target = fb.T @ fb, fb.T @ mel  # [F, F], [B, F, frames]
    tiny = torch.finfo(mel.dtype).tiny
    for _ in range(nnls_iters):
        power = power * target / torch.matmul(gram, power).clamp(min=tiny)
    return power.sqrt()


def griffin_lim(
    magnitude: torch.Tensor,
    p: MelParams,
    length: int,
    n_iter: int = 32,
    momentum: float = 0.99,
    seed: int = 0,
) -> torch.Tensor:
    """Fast Griffin-Lim (Perraudin et al. 2013; momentum 0 gives the classic one).

    magnitude: [B, n_fft // 2 + 1, frames] -> audio [B, length].
    The initial phase is uniform random, from a generator seeded with `seed`.
    """
    if n_iter < 0:
        raise ValueError(f"n_iter must be >= 0, got {n_iter}")
    window = torch.hann_window(p.n_fft, device=magnitude.device, dtype=magnitude.dtype)
    gen = torch.Generator().manual_seed(seed)
    phase = torch.rand(magnitude.shape, generator=gen, dtype=magnitude.dtype) * 2 * torch.pi
    angles = torch.polar(torch.ones_like(magnitude), phase.to(magnitude.device))
    previous = torch.zeros_like(angles)

    def istft(a: torch.Tensor) -> torch.Tensor:
        return torch.istft(magnitude * a, p.n_fft, p.hop, window=window, center=True, length=length)

    for _ in range(n_iter):
        rebuilt = _stft(istft(angles), p, window)
        # Momentum: extrapolate along the last projection step.
        angles = rebuilt - (momentum / (1 + momentum)) * previous
        angles = angles / angles.abs().clamp(min=1e-16)
        previous = rebuilt
    return istft(angles)


@torch.no_grad()
def griffin_lim_resynthesis(
    x: torch.Tensor, p: MelParams, n_iter: int = 32, seed: int = 0, nnls_iters: int = 50
) -> torch.Tensor:
    """Mel analysis of x with the model's parameters, then Griffin-Lim.

    x: [B, 1, T] -> [B, 1, T]
    """
    if x.dim() != 3 or x.size(1) != 1:
        raise ValueError(f"expected mono audio [B, 1, T], got shape {tuple(x.shape)}")
    magnitude = mel_to_magnitude(mel_power(x, p), p, nnls_iters)
    return griffin_lim(magnitude, p, x.size(-1), n_iter=n_iter, seed=seed).unsqueeze(1)
