"""Harmonic-plus-noise synthesis from frame-rate controls, causal and streamable."""

import math

import torch
import torch.nn.functional as F

from .base import CachedModule

NOISE_TABLE = 1 << 17  # 5.5 s at 24 kHz: a fixed noise source, identical in every host
NOISE_SEED = 20261201


def _ramp(frames: torch.Tensor, previous: torch.Tensor, hop: int, ramp: torch.Tensor) -> torch.Tensor:
    """frames [B, C, L], previous [B, C, 1] -> [B, C, L * hop]: block l ramps linearly
    from frame l - 1 to frame l (so the last sample of block l is frame l)."""
    start = torch.cat([previous, frames[..., :-1]], dim=-1)
    out = start.unsqueeze(-1) + (frames - start).unsqueeze(-1) * ramp
    return out.flatten(-2)


class HarmonicNoiseSynth(CachedModule):
    """Sum of harmonics of f0 plus filtered noise; block l of the output ramps from
    frame l - 1's controls to frame l's (one frame of delay, as SilenceGate).

    f0:       [B, 1, L_f] Hz, one frame per `f0_hop` samples
    harmonic: [B, K, L] amplitudes of harmonics 1..K, one frame per `hop` samples
              (harmonics at or above Nyquist are silenced here)
    noise:    [B, N, L] noise magnitudes at N frequencies evenly spread over 0..Nyquist
    -> audio: [B, 1, L * hop]   (L_f * f0_hop == L * hop)

    Noise frame l is a 2 * hop slice of a fixed white-noise table, sqrt-Hann windowed,
    shaped in the frequency domain, windowed again and overlap-added: with flat
    magnitudes the table comes back exactly, with no modulation at the frame rate.
    Block l holds the second half of frame l - 1's slice and the first half of frame l's.

    State (`cache`, zeros after reset: silence, phase 0, table start) = [previous f0,
    phase in cycles (float32 value and remainder), noise table frame, previous harmonic
    amplitudes (K), noise tail (hop)].
    """

    def __init__(self, sampling_rate: int, hop: int, f0_hop: int, harmonics: int, noise_bands: int):
        if f0_hop % hop:
            raise ValueError(f"f0_hop {f0_hop} must be a multiple of hop {hop}")
        super().__init__(1, 4 + harmonics + hop)
        self.sampling_rate = int(sampling_rate)
        self.hop = hop
        self.f0_hop = f0_hop
        self.harmonics = harmonics
        self.noise_bands = noise_bands
        if NOISE_TABLE % hop:
            raise ValueError(f"hop {hop} must divide the noise table's {NOISE_TABLE} samples")
        gen = torch.Generator().manual_seed(NOISE_SEED)
        table = torch.rand(NOISE_TABLE, generator=gen, dtype=torch.float64) * 2.0 - 1.0
        self.register_buffer("table", table.float(), persistent=False)
        window = torch.hann_window(2 * hop, periodic=True, dtype=torch.float64).sqrt()
        self.register_buffer("window", window.float(), persistent=False)
        # The spectra of every windowed noise frame (the table read circularly), computed
        # once: a call only shapes and inverts them. [frames in table, hop + 1, 2] (re, im)
        starts = torch.arange(0, NOISE_TABLE, hop)[:, None] + torch.arange(2 * hop)
        spectra = torch.fft.rfft(table[starts % NOISE_TABLE] * window, dim=-1)
        self.register_buffer("spectra", torch.view_as_real(spectra).float(), persistent=False)
        self.table_frames = NOISE_TABLE // hop
        # Linear interpolation of the noise bands onto the FFT bins, as one matrix [N, hop + 1].
        eye = torch.eye(noise_bands, dtype=torch.float64)[:, None]
        spread = F.interpolate(eye, size=hop + 1, mode="linear", align_corners=True)[:, 0]
        self.register_buffer("spread", spread.float(), persistent=False)
        self.register_buffer("ramp", (torch.arange(hop) + 1.0) / hop, persistent=False)
        self.register_buffer("f0_ramp", (torch.arange(f0_hop) + 1.0) / f0_hop, persistent=False)
        self.register_buffer("numbers", torch.arange(1, harmonics + 1, dtype=torch.float32)[:, None], persistent=False)

    def forward(self, f0: torch.Tensor, harmonic: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        b, k, frames = harmonic.shape
        samples = frames * self.hop
        if self.streaming:
            self._match_batch(b)
            state = self.cache.to(harmonic.dtype)
        else:
            state = torch.zeros(b, 1, self.cache_size, dtype=harmonic.dtype, device=harmonic.device)
        # narrow() on the last dim: one op each (state[:, 0, a:b] is three).
        prev_f0 = state.narrow(-1, 0, 1)  # [B, 1, 1]
        # The phase is kept as a float32 pair (value, remainder): one float32 would move
        # harmonic 64 by 1e-5 rad per call, and chunked calls would drift from one call.
        phase0 = state.narrow(-1, 1, 1).double() + state.narrow(-1, 2, 1).double()  # [B, 1, 1]
        position = state.view(-1)[3]  # the same for every stream of the batch
        prev_amps = state.narrow(-1, 4, k).transpose(1, 2)  # [B, K, 1]
        tail = state.narrow(-1, 4 + k, self.hop)  # [B, 1, hop]

        # Harmonics: the phase summed in float64 (long offline calls would drift). In
        # block l, sum_k a_k(n) sin(k phase(n)) with a_k ramping from start_k to end_k is
        # two sums over k with fixed weights: one matrix product per block, no [K, T]
        # amplitude ramps. A harmonic at or above Nyquist anywhere in its block is silent.
        f0_wave = _ramp(f0, prev_f0, self.f0_hop, self.f0_ramp)  # [B, 1, T]
        cycles = torch.cumsum(f0_wave.double() / self.sampling_rate, dim=-1) + phase0  # [B, 1, T]
        phase = torch.remainder(cycles, 1.0).to(harmonic.dtype).transpose(1, 2)  # [B, T, 1]
        waves = torch.sin((2.0 * math.pi) * phase * self.numbers.view(1, 1, k))  # [B, T, K]
        f0_top = torch.maximum(f0, torch.cat([prev_f0, f0[..., :-1]], dim=-1))
        f0_top = f0_top.repeat_interleave(self.f0_hop // self.hop, dim=-1)  # [B, 1, L]
        audible = (self.numbers * f0_top < 0.5 * self.sampling_rate).to(harmonic.dtype)  # [B, K, L]
        end = harmonic * audible
        begin = torch.cat([prev_amps, harmonic[..., :-1]], dim=-1) * audible
        weights = torch.stack([begin, end - begin], dim=-1).transpose(1, 2)  # [B, L, K, 2]
        sums = torch.matmul(waves.view(b, frames, self.hop, k), weights)  # [B, L, hop, 2]
        voiced = (sums[..., 0] + sums[..., 1] * self.ramp).reshape(b, 1, samples)

        # Noise: frame l is the table's frame (position + l), shaped and overlap-added.
        count = self.table_frames
        index = torch.remainder(torch.arange(frames, device=harmonic.device) + position, float(count)).long()
        gains = torch.matmul(noise.transpose(1, 2), self.spread)  # [B, L, hop + 1]
        spectra = torch.view_as_complex(self.spectra[index]) * gains
        shaped = torch.fft.irfft(spectra, n=2 * self.hop, dim=-1) * self.window  # [B, L, 2 hop]
        heads, tails = shaped[..., : self.hop], shaped[..., self.hop :]
        past = torch.cat([tail, tails[:, :-1]], dim=1)  # [B, L, hop]
        unvoiced = (heads + past).reshape(b, 1, samples)

        if self.streaming:
            phase_end = torch.remainder(cycles.narrow(-1, samples - 1, 1), 1.0)  # [B, 1, 1]
            phase_hi = phase_end.to(harmonic.dtype)
            new_state = torch.cat(
                [
                    f0.narrow(-1, f0.size(-1) - 1, 1),
                    phase_hi,
                    (phase_end - phase_hi.double()).to(harmonic.dtype),
                    torch.remainder(position + float(frames), float(count)).expand(b, 1, 1).to(f0.dtype),
                    harmonic.narrow(-1, frames - 1, 1).transpose(1, 2),
                    tails.narrow(1, frames - 1, 1),
                ],
                dim=-1,
            )
            self.cache.copy_(new_state.detach())
        return voiced + unvoiced
