"""Harmonic-plus-noise controls scaled so that each frame plays at a target loudness."""

import torch
from torch import nn

from .harmonic_noise import HarmonicNoiseSynth

# The most a frame is raised. A frame the network got wrong (a bell's inharmonic partials
# played as harmonics, a narrow noise band spread wide) is raised in the wrong bands too:
# on the unseen set a 12 dB cap brings the level from -5.2 to -0.9 dB for +0.021 of the
# mel ratio, 20 dB to -0.4 dB for +0.029, 6 dB to -2.0 dB for +0.008.
MAX_GAIN_DB = 12.0


def noise_power_matrix(synth: HarmonicNoiseSynth) -> torch.Tensor:
    """Q [N, N] such that the synth's noise, with band magnitudes m [N], has mean square
    m^T Q m (in expectation over its noise table).

    Shaping is linear in the FFT-bin gains G = spread^T m, and the bins of white noise are
    uncorrelated, so the power is sum_k c_k G_k^2: c_k is bin k's share of the table's
    power (Parseval; the DC and Nyquist bins count once, the others twice), scaled so
    that flat gains of 1 give the table back exactly, as the synth's overlap-add does."""
    spectra = synth.spectra.double()  # [frames, hop + 1, 2]
    bin_power = spectra.square().sum(-1).mean(0)  # [hop + 1]
    weight = torch.full_like(bin_power, 2.0)
    weight[0] = weight[-1] = 1.0
    share = weight * bin_power
    c = share / share.sum() * synth.table.double().square().mean()
    spread = synth.spread.double()  # [N, hop + 1]
    return ((spread * c) @ spread.T).float()


class LevelLock(nn.Module):
    """(harmonic [B, K, L], noise [B, N, L], target mean square [B, 1, L]) -> both
    scaled by one gain per frame, so that their expected mean square is the target.

    A decoder's level then follows its level channel exactly (the continuous model's
    loudness in dB, the discrete model's frame RMS), as a player expects of such a
    channel: the network chooses the spectrum, the channel its level.
    Without it the harmonic decoder plays a few dB under unseen inputs, whose energy
    beyond its harmonics and noise bands it cannot place. The gain is capped at
    `max_gain_db` (see MAX_GAIN_DB); lowering a frame is not capped.
    """

    def __init__(self, noise_power: torch.Tensor, max_gain_db: float = MAX_GAIN_DB):
        super().__init__()
        self.register_buffer("noise_power", noise_power.clone(), persistent=False)
        self.max_gain = 10.0 ** (max_gain_db / 20.0)

    def expected_power(self, harmonic: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """-> mean square per frame [B, 1, L]: a sinusoid of amplitude a has a^2 / 2."""
        harmonic_power = 0.5 * harmonic.square().sum(dim=1, keepdim=True)
        noise_power = (noise * torch.matmul(self.noise_power, noise)).sum(dim=1, keepdim=True)
        return harmonic_power + noise_power

    def forward(self, harmonic: torch.Tensor, noise: torch.Tensor, mean_square: torch.Tensor):
        gain = torch.sqrt(mean_square / (self.expected_power(harmonic, noise) + 1e-12))
        gain = torch.clamp(gain, max=self.max_gain)
        return harmonic * gain, noise * gain
