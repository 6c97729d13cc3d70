"""Audio files in: decode (soundfile), mix to mono, resample (soxr), float32.

As encodec's `convert_audio`: whatever a file's format, channels and rate, the
caller gets mono float32 [T] at the rate it asks for, channels averaged.
load_audio reads a file whole; read_blocks streams it through one soxr stream,
so a long file never sits whole in memory. Every failure is an AudioFileError
whose one line names the file.
"""

import re
from pathlib import Path
from typing import Iterator, Optional, Tuple, Union

import numpy as np
import soundfile
import soxr

from .errors import AudioFileError

__all__ = ["frames_at_rate", "load_audio", "open_audio", "read_blocks", "read_wav"]

PathLike = Union[str, Path]
QUALITY = "HQ"  # soxr's default, said once for the whole and the streamed reader
# soundfile raises LibsndfileError (a RuntimeError) for a bad file, TypeError for some odd ones.
_DECODE_ERRORS = (RuntimeError, TypeError)
# libsndfile's log line for a data chunk longer than the file: "data : 96000 (should be 47978)"
_SHORT_DATA = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)


def _cannot_read(path: Path, error: Exception) -> AudioFileError:
    # libsndfile's own words: soundfile's message repeats the path ("Error opening '...': ").
    reason = (getattr(error, "error_string", None) or str(error)).strip().rstrip(".")
    return AudioFileError(f"{path}: cannot read audio ({reason})")


def open_audio(path: PathLike, strict: bool = True) -> soundfile.SoundFile:
    """Open `path` for reading; use the result as a context manager.

    strict: also refuse a file without samples, and a WAV/AIFF whose header declares
    more audio than the file holds (truncated, or a forged length): libsndfile reads
    it as the shorter file and only notes it in its log, so the result would silently
    be short.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such audio file")
    try:
        f = soundfile.SoundFile(str(path))
    except _DECODE_ERRORS as e:
        raise _cannot_read(path, e) from None
    problem = _not_whole(f) if strict else None
    if problem:
        f.close()
        raise AudioFileError(f"{path}: {problem}")
    return f


def _not_whole(f: soundfile.SoundFile) -> Optional[str]:
    """Why an opened file cannot be read whole (truncated, empty), or None."""
    found = _SHORT_DATA.search(f.extra_info)
    if found and int(found.group(1)) > int(found.group(2)):
        return (
            f"truncated or damaged: its header declares {found.group(1)} bytes of audio, "
            f"the file holds {found.group(2)}"
        )
    return "empty (no audio samples)" if f.frames == 0 else None


def _read(f: soundfile.SoundFile, path: Path, frames: int = -1) -> np.ndarray:
    """The next `frames` (-1: all the rest) as float32 [T, channels]."""
    try:
        return f.read(frames, dtype="float32", always_2d=True)
    except _DECODE_ERRORS as e:  # a file damaged past its header
        raise _cannot_read(path, e) from None


def _mono(frames: np.ndarray, path: Path) -> np.ndarray:
    """[T, channels] -> [T] float32, channels averaged; NaN or inf is an error."""
    mono = np.ascontiguousarray(frames.mean(axis=1, dtype=np.float32))
    if not np.all(np.isfinite(mono)):
        raise AudioFileError(f"{path}: non-finite samples (NaN or inf)")
    return mono


def load_audio(path: PathLike, sampling_rate: int, max_seconds: Optional[float] = None) -> np.ndarray:
    """Read `path` -> float32 [T] mono at `sampling_rate`, only its first `max_seconds`
    if given. Raises AudioFileError for a missing, unreadable, truncated or empty
    file, or one holding NaN or inf."""
    path = Path(path)
    with open_audio(path) as f:
        frames = -1 if max_seconds is None else max(1, int(round(max_seconds * f.samplerate)))
        audio = _read(f, path, frames)
        rate = f.samplerate
    mono = _mono(audio, path)
    if rate != sampling_rate:
        mono = soxr.resample(mono, rate, sampling_rate, quality=QUALITY)
    return np.ascontiguousarray(mono, dtype=np.float32)


def frames_at_rate(path: PathLike, rate: int) -> int:
    """Approximate length of `path` in samples at `rate` (for progress bars)."""
    with open_audio(path) as f:
        return int(round(f.frames * rate / f.samplerate))


def read_blocks(path: PathLike, rate: int, block: int = 1 << 16) -> Iterator[np.ndarray]:
    """Yield the file as mono float32 pieces [<= block] at `rate` (channels averaged).

    Resampling, when the file's rate differs, is one soxr stream over the whole
    file, so the pieces join without seams."""
    path = Path(path)
    with open_audio(path) as f:
        stream = (
            None
            if f.samplerate == rate
            else soxr.ResampleStream(f.samplerate, rate, 1, dtype="float32", quality=QUALITY)
        )
        while True:
            piece = _read(f, path, block)
            last = piece.shape[0] < block
            mono = _mono(piece, path)
            if stream is not None:
                mono = stream.resample_chunk(mono, last=last)
            if mono.size:
                yield mono
            if last:
                return


def read_wav(path: PathLike) -> Tuple[np.ndarray, int]:
    """Read a sound file as stored -> (audio float32 [channels, T], sampling rate).

    No mixing or resampling: integer PCM is scaled to [-1, 1), float samples are
    returned unchanged. The header's length is not checked (a sound a crashed
    writer left is read as far as it goes)."""
    path = Path(path)
    with open_audio(path, strict=False) as f:
        return _read(f, path).T.copy(), int(f.samplerate)
