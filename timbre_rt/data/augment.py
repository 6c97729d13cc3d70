"""On-the-fly augmentation of training segments: pitch shift by resampling, EQ, gain, silence.

Numpy only (the training machine needs nothing else). Every draw comes from the
generator the caller passes, so a dataset can seed it from torch per worker.
"""

import math
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from .errors import DatasetError

__all__ = ["AugmentConfig", "Augmenter", "resample_segment"]

SINC_HALF = 8  # taps each side of the windowed-sinc interpolator
PHASES = 256  # fractional positions of the polyphase table


@dataclass
class AugmentConfig:
    """What to vary. 0 (or equal gain bounds) turns a transform off; the defaults
    change nothing."""

    pitch_semitones: float = 0.0  # shift drawn uniformly in +-, by resampling
    gain_db: Tuple[float, float] = (0.0, 0.0)
    eq_db: float = 0.0  # peak boost/cut of a smooth random EQ curve
    silence: float = 0.0  # probability that an example starts or stops in digital silence

    @property
    def active(self) -> bool:
        return bool(self.pitch_semitones or self.eq_db or self.silence or self.gain_db != (0.0, 0.0))

    def __post_init__(self):
        self.gain_db = tuple(float(g) for g in self.gain_db)
        if len(self.gain_db) != 2 or self.gain_db[0] > self.gain_db[1]:
            raise DatasetError(f"augment.gain_db must be [lo, hi] with lo <= hi, got {self.gain_db}")
        if not 0 <= self.pitch_semitones <= 12:
            raise DatasetError(f"augment.pitch_semitones must be in 0..12, got {self.pitch_semitones}")
        if self.eq_db < 0 or not 0 <= self.silence <= 1:
            raise DatasetError("augment.eq_db must be >= 0 and augment.silence in 0..1")


def resample_segment(x: np.ndarray, ratio: float, length: int) -> np.ndarray:
    """Read x: [T] at `ratio` samples per output sample -> [length] (band-limited).

    x must hold at least ceil((length - 1) * ratio) + 2 * SINC_HALF samples; the
    output starts at x[SINC_HALF]. ratio > 1 raises the pitch.
    """
    need = math.ceil((length - 1) * ratio) + 2 * SINC_HALF
    if len(x) < need:
        raise ValueError(f"resample_segment: {len(x)} samples given, {need} needed")
    pos = SINC_HALF + np.arange(length) * ratio
    base = np.floor(pos).astype(np.int64)
    # Polyphase: the fractional read position quantised to PHASES steps, one row of
    # tap weights per step (a table of PHASES x taps instead of length x taps sincs).
    phase_index = np.minimum(np.round((pos - base) * PHASES).astype(np.int64), PHASES)
    k = np.arange(-SINC_HALF + 1, SINC_HALF + 1)  # [taps]
    d = k[None, :] - (np.arange(PHASES + 1) / PHASES)[:, None]  # [phases, taps]
    # Low-pass before reading faster, with room for the short filter's transition.
    cutoff = 1.0 if ratio <= 1.0 else 0.9 / ratio
    # Blackman window over the taps (np.kaiser's Bessel function is ~10x slower here).
    phase = np.pi * np.clip(d / SINC_HALF, -1.0, 1.0)
    window = 0.42 + 0.5 * np.cos(phase) + 0.08 * np.cos(2 * phase)
    table = (cutoff * np.sinc(cutoff * d) * window).astype(np.float32)
    taps = x[base[:, None] + k[None, :]]  # [length, taps]
    return np.einsum("lt,lt->l", taps, table[phase_index]).astype(np.float32)


class Augmenter:
    """augment(source: [T], segment, rng) -> [segment] float32.

    `span(segment)` is how many source samples to hand over: enough for the
    largest pitch shift.
    """

    def __init__(self, config: AugmentConfig, sampling_rate: int):
        self.config = config
        self.rate = sampling_rate

    def span(self, segment: int) -> int:
        top = 2.0 ** (self.config.pitch_semitones / 12.0)
        return math.ceil((segment - 1) * top) + 2 * SINC_HALF

    def __call__(self, source: np.ndarray, segment: int, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        st = rng.uniform(-c.pitch_semitones, c.pitch_semitones) if c.pitch_semitones else 0.0
        ratio = 2.0 ** (st / 12.0)
        used = math.ceil((segment - 1) * ratio) + 2 * SINC_HALF
        start = int(rng.integers(0, len(source) - used + 1))
        x = resample_segment(source[start : start + used], ratio, segment)
        if c.eq_db > 0:
            x = self._equalise(x, rng)
        lo, hi = c.gain_db
        x = x * np.float32(10.0 ** (rng.uniform(lo, hi) / 20.0))
        if c.silence and rng.uniform() < c.silence:
            cut = int(rng.integers(segment // 8, segment // 2))
            if rng.uniform() < 0.5:
                x[:cut] = 0.0  # starts from silence
            else:
                x[-cut:] = 0.0  # stops into silence
        return x.astype(np.float32)

    def _equalise(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A smooth random gain curve over log frequency (3 cosines, +-eq_db at most)."""
        spec = np.fft.rfft(x)
        f = np.fft.rfftfreq(len(x), 1.0 / self.rate)
        octave = np.log2(np.maximum(f, 20.0) / 20.0)  # 0 .. ~9.2 octaves
        db = np.zeros_like(octave)
        for _ in range(3):
            period = rng.uniform(2.0, 10.0)
            db += np.cos(2 * np.pi * octave / period + rng.uniform(0, 2 * np.pi))
        db *= self.config.eq_db / 3.0
        return np.fft.irfft(spec * 10.0 ** (db / 20.0), n=len(x)).astype(np.float32)
