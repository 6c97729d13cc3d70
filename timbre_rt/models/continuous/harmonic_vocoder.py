"""Harmonic-plus-noise vocoder: log-mels and pitch -> waveform, causal and streamable."""
import torch
import torch.nn.functional as F
from torch import nn

from ...nn.cached_conv import CachedConv1d
from ...nn.harmonic_noise import HarmonicNoiseSynth
from .config import VocoderConfig

NOISE_BIAS = -5.0  # the noise starts near silence: harmonics first, noise where they fail
LOG_MEL_SCALE = 0.2  # log-mels span about -11.5 .. 5: brought near unit range


def exp_sigmoid(x: torch.Tensor, ceiling: float = 2.0) -> torch.Tensor:
    """A positive amplitude with a bounded, well-scaled gradient (as DDSP's)."""
    return ceiling * torch.sigmoid(x) ** 2.302585 + 1e-7


class HarmonicVocoder(nn.Module):
    """(log_mel: [B, n_mels, L], f0: [B, 1, L / downsample] Hz,
        periodicity: [B, 1, L / downsample]) -> audio: [B, 1, L * hop]

    A small causal network on the mel frames, told the pitch, gives each frame a level,
    a distribution over `harmonics` harmonics of f0 (those above Nyquist get none) and
    `noise_bands` noise magnitudes; HarmonicNoiseSynth plays them. The output pitch is
    the f0 it is given, whatever the mels: pitch is kept by construction, and a player
    may replace it.
    """

    def __init__(self, n_mels: int, hop: int, downsample: int, sampling_rate: int,
                 cfg: VocoderConfig):
        super().__init__()
        c = cfg.channels
        self.downsample = downsample
        self.sampling_rate = int(sampling_rate)
        self.harmonics = cfg.harmonics
        self.mel_scale = LOG_MEL_SCALE  # TorchScript reads attributes, not globals
        convs = [CachedConv1d(n_mels + 2, c, 3)] + [CachedConv1d(c, c, 3) for _ in range(cfg.layers - 1)]
        self.convs = nn.ModuleList(convs)
        self.head = CachedConv1d(c, 1 + cfg.harmonics + cfg.noise_bands, 1)
        with torch.no_grad():
            self.head.bias[1 + cfg.harmonics :].fill_(NOISE_BIAS)
        self.synth = HarmonicNoiseSynth(sampling_rate, hop, hop * downsample, cfg.harmonics,
                                        cfg.noise_bands)
        self.register_buffer("numbers", torch.arange(1, cfg.harmonics + 1, dtype=torch.float32)[:, None],
                             persistent=False)

    def controls(self, log_mel: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor):
        """-> (harmonic amplitudes [B, K, L], noise magnitudes [B, N, L])"""
        f0_frames = f0.repeat_interleave(self.downsample, dim=-1)
        pitch = (12.0 * torch.log2(torch.clamp(f0_frames, min=1.0) / 440.0) + 9.0) / 24.0  # 0 at C4
        x = torch.cat([log_mel * self.mel_scale, pitch,
                       periodicity.repeat_interleave(self.downsample, dim=-1)], dim=1)
        for i, conv in enumerate(self.convs):
            y = F.leaky_relu(conv(x), 0.2)
            x = y if i == 0 else x + y
        out = self.head(x)
        k = self.harmonics
        level = exp_sigmoid(out[:, :1])
        audible = (self.numbers * f0_frames < 0.5 * self.sampling_rate).to(out.dtype)
        share = torch.softmax(out[:, 1 : 1 + k], dim=1) * audible
        share = share / torch.clamp(share.sum(dim=1, keepdim=True), min=1e-7)
        return level * share, exp_sigmoid(out[:, 1 + k :])

    def forward(self, log_mel: torch.Tensor, f0: torch.Tensor, periodicity: torch.Tensor) -> torch.Tensor:
        harmonic, noise = self.controls(log_mel, f0, periodicity)
        return self.synth(f0, harmonic, noise)
