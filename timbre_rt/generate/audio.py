"""Audio files in pieces: read mono at the model's rate, write WAV incrementally.

Long files never sit whole in memory: reading resamples with a streaming soxr
resampler and writing appends to an open soundfile.SoundFile.
"""
import re
from pathlib import Path
from typing import Iterator, Optional, Union

import numpy as np
import soundfile
import soxr

from ..io import atomic_path
from .errors import GenerateError

__all__ = ["read_blocks", "frames_at_rate", "WavWriter"]

PathLike = Union[str, Path]
# libsndfile's log line for a data chunk longer than the file: "data : 96000 (should be 47978)"
_SHORT_DATA = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)


def _open(path: Path) -> soundfile.SoundFile:
    if not path.is_file():
        raise GenerateError(f"{path}: no such audio file")
    try:
        f = soundfile.SoundFile(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as e:
        raise GenerateError(f"{path}: cannot read audio ({e})") from None
    _check_complete(f, path)
    return f


def _check_complete(f: soundfile.SoundFile, path: Path) -> None:
    """libsndfile reads a WAV/AIFF whose header declares more audio than the file holds
    (truncated, or a forged length) as the shorter file, and only notes it in its log:
    refuse it, or the result would silently be short."""
    found = _SHORT_DATA.search(f.extra_info)
    if found:
        declared, present = int(found.group(1)), int(found.group(2))
        if declared > present:
            f.close()
            raise GenerateError(f"{path}: truncated or damaged: its header declares "
                                f"{declared} bytes of audio, the file holds {present}")


def frames_at_rate(path: PathLike, rate: int) -> int:
    """Approximate length of `path` in samples at `rate` (for progress bars)."""
    with _open(Path(path)) as f:
        return int(round(f.frames * rate / f.samplerate))


def read_blocks(path: PathLike, rate: int, block: int = 1 << 16) -> Iterator[np.ndarray]:
    """Yield the file as mono float32 pieces [<= block] at `rate` (channels averaged).

    Resampling, when the file's rate differs, is one soxr stream over the
    whole file, so the pieces join without seams."""
    path = Path(path)
    with _open(path) as f:
        if f.frames == 0:
            raise GenerateError(f"{path}: no audio samples")
        stream = None if f.samplerate == rate else soxr.ResampleStream(
            f.samplerate, rate, 1, dtype="float32", quality="HQ")
        while True:
            try:
                piece = f.read(block, dtype="float32", always_2d=True)
            except (soundfile.LibsndfileError, RuntimeError) as e:
                raise GenerateError(f"{path}: cannot read audio ({e})") from None
            last = piece.shape[0] < block
            mono = np.ascontiguousarray(piece.mean(axis=1), dtype=np.float32)
            if not np.all(np.isfinite(mono)):
                raise GenerateError(f"{path}: non-finite samples (NaN or inf)")
            if stream is not None:
                mono = stream.resample_chunk(mono, last=last)
            if mono.size:
                yield mono
            if last:
                return


class WavWriter:
    """Append mono float32 pieces to a 32-bit float WAV at `rate` (a context manager).

    input_rate: the pieces' rate when it is not `rate`: they pass through one soxr
    stream (no seams between pieces), and the file holds round(n * rate / input_rate)
    samples for n given. The pieces go to a temporary file beside `path`, renamed to
    `path` when the block ends without an exception: a failed decode leaves `path` as it was."""

    def __init__(self, path: PathLike, rate: int, input_rate: Optional[int] = None):
        self.path = Path(path)
        self._stream = None if input_rate in (None, rate) else soxr.ResampleStream(
            int(input_rate), int(rate), 1, dtype="float32", quality="HQ")
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        try:
            self._file = soundfile.SoundFile(str(tmp), "w", samplerate=int(rate),
                                             channels=1, subtype="FLOAT", format="WAV")
        except (soundfile.LibsndfileError, RuntimeError) as e:
            self._atomic.__exit__(type(e), e, None)
            raise GenerateError(f"{self.path}: cannot write audio ({e})") from None
        self.frames = 0

    def write(self, piece: np.ndarray, last: bool = False) -> None:
        """piece: [n] samples at the input rate; last: flush the resampler (close does it too)"""
        piece = np.ascontiguousarray(piece, dtype=np.float32).reshape(-1)
        if self._stream is not None:
            piece = self._stream.resample_chunk(piece, last=last)
            if last:
                self._stream = None
        self._file.write(piece)
        self.frames += int(piece.size)

    def close(self, failed: bool = False) -> None:
        """Finish the file; failed: drop it instead of renaming it into place."""
        if self._stream is not None and not failed:
            self.write(np.zeros(0, dtype=np.float32), last=True)  # the resampler's delayed tail
        self._file.close()
        if failed:
            error = RuntimeError("write abandoned")
            self._atomic.__exit__(RuntimeError, error, None)
        else:
            self._atomic.__exit__(None, None, None)

    def __enter__(self) -> "WavWriter":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(failed=exc_type is not None)
