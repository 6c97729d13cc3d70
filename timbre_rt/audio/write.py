"""Audio files out: 32-bit float WAVs (soundfile), written beside the target and renamed
into place, so a failure never leaves a half-written file at the path."""

from pathlib import Path
from typing import Optional, Union

import numpy as np
import soundfile
import soxr

from ..io import atomic_path
from .errors import AudioFileError
from .read import QUALITY

__all__ = ["WavWriter", "write_wav"]

PathLike = Union[str, Path]
# Float samples are stored as they are: no clipping, no scaling (a model may overshoot 1).
_FORMAT = dict(format="WAV", subtype="FLOAT")


def write_wav(path: PathLike, audio: np.ndarray, rate: int) -> Path:
    """Write `audio` ([channels, T] or [T], any real dtype, taken as float values) as a
    32-bit float WAV at `rate`. Creates the parent folder. Returns the path."""
    audio = np.asarray(audio, dtype=np.float32)  # ints as their values, not PCM full scale
    if audio.ndim == 1:
        audio = audio[None]
    if audio.ndim != 2:
        raise ValueError(f"audio must be [channels, T] or [T], got shape {audio.shape}")
    if audio.shape[0] < 1:
        raise ValueError("audio has no channel")
    path = Path(path)
    with atomic_path(path) as tmp:
        soundfile.write(str(tmp), audio.T, int(rate), **_FORMAT)
    return path


class WavWriter:
    """Append mono float32 pieces to a 32-bit float WAV at `rate` (a context manager).

    input_rate: the pieces' rate when it is not `rate`: they pass through one soxr
    stream (no seams between pieces), and the file holds round(n * rate / input_rate)
    samples for n given. The pieces go to a temporary file beside `path`, renamed to
    `path` when the block ends without an exception: a failed decode leaves `path` as it was."""

    def __init__(self, path: PathLike, rate: int, input_rate: Optional[int] = None):
        self.path = Path(path)
        self._stream = (
            None
            if input_rate in (None, rate)
            else soxr.ResampleStream(int(input_rate), int(rate), 1, dtype="float32", quality=QUALITY)
        )
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        try:
            self._file = soundfile.SoundFile(str(tmp), "w", samplerate=int(rate), channels=1, **_FORMAT)
        except (soundfile.LibsndfileError, RuntimeError) as e:
            self._atomic.__exit__(type(e), e, None)
            raise AudioFileError(f"{self.path}: cannot write audio ({e})") from None
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
