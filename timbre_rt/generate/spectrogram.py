"""Log-magnitude spectrograms for plots, of an array or of an audio file (bounded memory).

A plot needs at most a screen's width of columns, so a long sound is not
transformed whole: one Hann window is read at each of <= `max_columns`
evenly spaced positions (a file is read window by window, seeking).
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Union

import numpy as np

from ..audio import open_audio
from .errors import GenerateError

__all__ = ["Spectrogram", "array_spectrogram", "file_spectrogram"]

PathLike = Union[str, Path]
N_FFT = 2048
MAX_COLUMNS = 1200
FLOOR_DB = -160.0  # digital silence: a finite floor, not -inf, so the colour scale holds


@dataclass
class Spectrogram:
    """db: [F, N] magnitude in dB (0 dB = a full-scale sine), frequency bins x columns;
    times: [N] seconds at each column's centre; freqs: [F] Hz."""

    db: np.ndarray
    times: np.ndarray
    freqs: np.ndarray
    sampling_rate: int

    @property
    def seconds(self) -> float:
        return float(self.times[-1]) if self.times.size else 0.0


def _columns(
    read: Callable[[int, int], np.ndarray], frames: int, rate: int, n_fft: int, max_columns: int
) -> Spectrogram:
    """read(start, n) -> [n] mono samples from `start` (zeros outside the sound)."""
    if frames <= 0:
        raise GenerateError("spectrogram: the sound has no samples")
    hop = max(n_fft // 4, math.ceil(frames / max_columns))
    centres = np.arange(0, frames, hop)
    window = np.hanning(n_fft).astype(np.float32)
    scale = 2.0 / window.sum()  # a full-scale sine peaks at 1 (0 dB)
    db = np.empty((n_fft // 2 + 1, centres.size), dtype=np.float32)
    for j, c in enumerate(centres):
        spectrum = np.abs(np.fft.rfft(read(int(c) - n_fft // 2, n_fft) * window)) * scale
        db[:, j] = 20.0 * np.log10(np.maximum(spectrum, 10.0 ** (FLOOR_DB / 20.0)))
    return Spectrogram(db, centres / rate, np.fft.rfftfreq(n_fft, 1.0 / rate), int(rate))


def _slice(audio: np.ndarray, start: int, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    lo, hi = max(start, 0), min(start + n, audio.size)
    if hi > lo:
        out[lo - start : hi - start] = audio[lo:hi]
    return out


def array_spectrogram(
    audio: np.ndarray, rate: int, *, n_fft: int = N_FFT, max_columns: int = MAX_COLUMNS
) -> Spectrogram:
    """audio: [T] mono at `rate` Hz -> Spectrogram with <= max_columns columns."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    return _columns(lambda s, n: _slice(audio, s, n), audio.size, rate, n_fft, max_columns)


def file_spectrogram(path: PathLike, *, n_fft: int = N_FFT, max_columns: int = MAX_COLUMNS) -> Spectrogram:
    """The spectrogram of an audio file (channels averaged), reading one window per column."""
    with open_audio(path, strict=False) as f:  # AudioFileError naming the file

        def read(start: int, n: int) -> np.ndarray:
            lo = max(start, 0)
            f.seek(min(lo, f.frames))
            piece = f.read(n - (lo - start), dtype="float32", always_2d=True).mean(axis=1)
            out = np.zeros(n, dtype=np.float32)
            out[lo - start : lo - start + piece.size] = piece
            return out

        return _columns(read, f.frames, f.samplerate, n_fft, max_columns)
