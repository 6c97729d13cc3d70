"""Network outputs -> harmonic-plus-noise controls: what every harmonic decoder shares."""

import torch
from torch import nn

NOISE_BIAS = -5.0  # a decoder's noise starts near silence: harmonics first, noise where they fail


def exp_sigmoid(x: torch.Tensor, ceiling: float = 2.0) -> torch.Tensor:
    """A positive amplitude with a bounded, well-scaled gradient (as DDSP's)."""
    return ceiling * torch.sigmoid(x) ** 2.302585 + 1e-7


def pitch_feature(f0: torch.Tensor) -> torch.Tensor:
    """f0 Hz -> a network input near unit range: semitones from middle C / 24."""
    return (12.0 * torch.log2(torch.clamp(f0, min=1.0) / 440.0) + 9.0) / 24.0


class HarmonicHead(nn.Module):
    """raw: [B, 1 + K + N, L] (level, K harmonic logits, N noise logits), f0: [B, 1, L] Hz
    -> (harmonic amplitudes [B, K, L], noise magnitudes [B, N, L]) for HarmonicNoiseSynth.

    The level is shared by the harmonics as a softmax distribution; harmonics at or
    above Nyquist get none (the others take their share)."""

    def __init__(self, sampling_rate: int, harmonics: int, noise_bands: int):
        super().__init__()
        self.sampling_rate = int(sampling_rate)
        self.harmonics = harmonics
        self.noise_bands = noise_bands
        self.register_buffer("numbers", torch.arange(1, harmonics + 1, dtype=torch.float32)[:, None], persistent=False)

    @property
    def channels(self) -> int:
        """Outputs the network in front must give."""
        return 1 + self.harmonics + self.noise_bands

    @torch.jit.unused
    def init_bias(self, bias: torch.Tensor) -> None:
        """Start the network's last layer (its bias [channels]) with quiet noise."""
        with torch.no_grad():
            bias[1 + self.harmonics :].fill_(NOISE_BIAS)

    def forward(self, raw: torch.Tensor, f0: torch.Tensor):
        k = self.harmonics
        level = exp_sigmoid(raw[:, :1])
        audible = (self.numbers * f0 < 0.5 * self.sampling_rate).to(raw.dtype)
        share = torch.softmax(raw[:, 1 : 1 + k], dim=1) * audible
        share = share / torch.clamp(share.sum(dim=1, keepdim=True), min=1e-7)
        return level * share, exp_sigmoid(raw[:, 1 + k :])
