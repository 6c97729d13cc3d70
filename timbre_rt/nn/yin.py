"""Streamable, causal YIN pitch estimation: f0 and periodicity per frame."""

import torch
from torch import nn

from .cached_frames import CachedFrames

# A frame quieter than this mean square (-90 dBFS) has no pitch: YIN's ratio is 0/0 there.
SILENT_MEAN_SQUARE = 1e-9


class StreamingYin(nn.Module):
    """YIN (de Cheveigné & Kawahara 2002) on frames of `frame` samples every `hop`.

    Frame n covers samples [(n + 1) * hop - frame, (n + 1) * hop), like StreamingSTFT:
    it is ready when its hop block has arrived, so the estimate streams. The
    difference function integrates frame - max_lag samples; the lag is the first
    local minimum of the cumulative-mean-normalised difference under `threshold`
    (else the global minimum), refined by a parabola.

    x: [B, 1, T] -> (f0 Hz: [B, 1, T // hop], periodicity: [B, 1, T // hop])
    periodicity = 1 - normalised difference at the lag, in [0, 1]: near 1 for a
    steady tone, low for noise, 0 on silence. f0 is always a number in
    [f0_min, f0_max] (the best lag even where the frame is not periodic).
    """

    def __init__(
        self,
        sampling_rate: int,
        frame: int = 1024,
        hop: int = 512,
        f0_min: float = 50.0,
        f0_max: float = 1600.0,
        threshold: float = 0.15,
    ):
        super().__init__()
        max_lag = int(sampling_rate / f0_min) + 1
        min_lag = max(2, int(sampling_rate / f0_max))
        if not 0 < f0_min < f0_max <= sampling_rate / 4:
            raise ValueError(f"need 0 < f0_min < f0_max <= rate / 4, got {f0_min}, {f0_max}")
        if max_lag >= frame // 2:
            raise ValueError(f"f0_min {f0_min} Hz needs frames longer than {2 * max_lag} samples")
        self.frames = CachedFrames(frame, hop)
        self.sampling_rate = int(sampling_rate)
        self.window = frame - max_lag  # samples the difference function sums over
        self.max_lag = max_lag
        self.min_lag = min_lag
        self.threshold = float(threshold)
        self.silent = SILENT_MEAN_SQUARE  # TorchScript reads attributes, not globals
        self.n_fft = 1 << (2 * frame - 1).bit_length()
        self.register_buffer("lags", torch.arange(max_lag + 1, dtype=torch.float32), persistent=False)
        # Candidate lags' positions, and the position "none found" (one past the last).
        self.register_buffer("positions", torch.arange(max_lag - min_lag), persistent=False)
        self.none_found = max_lag - min_lag

    def difference(self, frames: torch.Tensor) -> torch.Tensor:
        """frames: [B, L, frame] -> cumulative-mean-normalised difference [B, L, max_lag + 1]."""
        w, lags = self.window, self.max_lag + 1
        head = frames[..., :w]
        spec = torch.fft.rfft(frames, self.n_fft) * torch.fft.rfft(head, self.n_fft).conj()
        corr = torch.fft.irfft(spec, self.n_fft)[..., :lags]  # sum_j x_j x_{j + lag}
        power = torch.cumsum(torch.nn.functional.pad(frames.square(), (1, 0)), dim=-1)
        shifted = power[..., w : w + lags] - power[..., :lags]  # energy of x[lag : lag + w]
        diff = torch.clamp(shifted[..., :1] + shifted - 2.0 * corr, min=0.0)
        running = torch.cumsum(diff, dim=-1)
        return diff * self.lags / torch.clamp(running, min=1e-12)  # lag 0 (0 / 0) is never read

    def forward(self, x: torch.Tensor):
        frames = self.frames(x)  # [B, L, frame]
        norm = self.difference(frames)
        lo, hi = self.min_lag, self.max_lag
        mid = norm[..., lo:hi]  # lags lo .. hi - 1, each with both neighbours
        left, right = norm[..., lo - 1 : hi - 1], norm[..., lo + 1 : hi + 1]
        dips = (mid < self.threshold) & (mid <= left) & (mid < right)
        first = torch.where(dips, self.positions, self.none_found).min(dim=-1).values
        pick = torch.where(first < self.none_found, first, mid.argmin(dim=-1))  # [B, L]
        at = pick.unsqueeze(-1)
        a, b, c = left.gather(-1, at), mid.gather(-1, at), right.gather(-1, at)
        curve = a - 2.0 * b + c
        shift = torch.where(curve > 1e-9, 0.5 * (a - c) / torch.clamp(curve, min=1e-9), 0.0)
        lag = at.to(x.dtype) + lo + torch.clamp(shift, -0.5, 0.5)
        f0 = (self.sampling_rate / lag).squeeze(-1)
        heard = frames[..., -self.window :].square().mean(-1) > self.silent  # silence: no pitch
        periodicity = torch.where(heard, torch.clamp(1.0 - b.squeeze(-1), 0.0, 1.0), 0.0)
        return f0.unsqueeze(1), periodicity.unsqueeze(1)


def hz_to_midi(f0: torch.Tensor) -> torch.Tensor:
    """Hz -> MIDI note number (69 = A4 = 440 Hz)."""
    return 69.0 + 12.0 * torch.log2(f0 / 440.0)


def midi_to_hz(note: torch.Tensor) -> torch.Tensor:
    return 440.0 * torch.pow(2.0, (note - 69.0) / 12.0)
