"""Find and read the evaluation's audio files: mono float32 at the model's rate."""
from pathlib import Path
from typing import List, Optional, Union

import numpy as np

from .errors import EvaluationError

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")


def find_audio_files(data_dir: Union[str, Path]) -> List[Path]:
    """Every .wav / .flac / .ogg file under data_dir (recursively), sorted.

    Raises EvaluationError for a missing folder or one without audio files.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise EvaluationError(f"data folder not found: {data_dir}")
    files = sorted(
        p for p in data_dir.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()
    )
    if not files:
        raise EvaluationError(
            f"no audio file ({', '.join(AUDIO_EXTENSIONS)}) in {data_dir}"
        )
    return files


def _require(module: str):
    # Imported on use: only evaluation needs them, training imports this package too.
    try:
        return __import__(module)
    except ImportError as e:
        raise EvaluationError(
            f"reading audio needs the '{module}' package (pip install {module})"
        ) from e


def load_audio(
    path: Union[str, Path], sampling_rate: int, max_seconds: Optional[float] = None
) -> np.ndarray:
    """Read `path` -> float32 [T] mono at `sampling_rate` (channels averaged,
    resampled with soxr when the file's rate differs), cut to max_seconds.

    Raises whatever soundfile raises for an unreadable file, and ValueError
    for a file without samples.
    """
    sf = _require("soundfile")
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)  # [T, channels]
    if audio.size == 0:
        raise ValueError("no audio samples")
    mono = audio.mean(axis=1)
    if max_seconds is not None:
        mono = mono[: max(1, int(round(max_seconds * rate)))]
    if rate != sampling_rate:
        soxr = _require("soxr")
        mono = soxr.resample(mono, rate, sampling_rate)
    if not np.all(np.isfinite(mono)):
        raise ValueError("non-finite samples (NaN or inf)")
    return np.ascontiguousarray(mono, dtype=np.float32)
