"""Audio files of a folder: find, decode (soundfile), mix to mono, resample (soxr).

A file that cannot be used is skipped and reported by name, never fatal: one
bad file in a folder of thousands must not cost the whole preprocessing run.
"""
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple, Union

import numpy as np
import soundfile
import soxr
from tqdm import tqdm

from .errors import DatasetError

__all__ = [
    "AUDIO_EXTENSIONS",
    "Sound",
    "LoadedFolder",
    "find_audio_files",
    "load_audio",
    "load_folder",
    "report_skipped",
]

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")

PathLike = Union[str, Path]


@dataclass
class Sound:
    """One decoded sound. audio: [T] float32 mono at the requested rate."""

    name: str  # path relative to the folder, "/"-separated
    audio: np.ndarray


@dataclass
class LoadedFolder:
    """Result of load_folder: the usable sounds and the files skipped, with why."""

    folder: Path
    sampling_rate: int
    sounds: List[Sound] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


def find_audio_files(folder: PathLike) -> List[Path]:
    """Audio files under `folder`, recursively, sorted by relative path.

    Extensions are matched case-insensitively (x.WAV counts). Raises
    DatasetError if `folder` does not exist, is not a folder, or holds no
    audio file.
    """
    folder = Path(folder)
    if not folder.exists():
        raise DatasetError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder")
    files = sorted(
        (p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    if not files:
        raise DatasetError(
            f"{folder}: no audio files found (looked recursively for "
            f"{', '.join(AUDIO_EXTENSIONS)}, any case)"
        )
    return files


def load_audio(path: PathLike, sampling_rate: int) -> np.ndarray:
    """Decode `path` to mono float32 at `sampling_rate`. Returns audio: [T].

    Channels are averaged. Raises DatasetError naming the file if it cannot
    be decoded, holds no frames, or holds NaN/inf samples.
    """
    path = Path(path)
    try:
        audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)  # [T, C]
    except Exception as e:  # libsndfile reports bad files as several error types
        raise DatasetError(f"{path}: cannot decode: {e}") from e
    if audio.shape[0] == 0 or audio.shape[1] == 0:
        raise DatasetError(f"{path}: empty (no audio frames)")
    audio = audio.mean(axis=1, dtype=np.float32)
    if not np.isfinite(audio).all():
        raise DatasetError(f"{path}: holds NaN or infinite samples")
    if rate != sampling_rate:
        audio = soxr.resample(audio, rate, sampling_rate, quality="HQ")
    return np.ascontiguousarray(audio, dtype=np.float32)


def report_skipped(name: str, reason: str, where: str = "") -> None:
    """Print one 'skipped' warning line; tqdm.write keeps a progress bar intact."""
    where = f" (in {where})" if where else ""
    tqdm.write(f"warning: skipping {name}{where}: {reason}", file=sys.stderr)


def load_folder(folder: PathLike, sampling_rate: int, progress: bool = True) -> LoadedFolder:
    """Decode every audio file of `folder` (recursively) into memory.

    Unreadable, empty or non-finite files are skipped, printed as warnings and
    listed in `.skipped`. Raises DatasetError if no file at all is usable.
    For large folders prefer prepare_folder, which keeps only chunks in memory.
    """
    folder = Path(folder)
    result = LoadedFolder(folder=folder, sampling_rate=sampling_rate)
    files = find_audio_files(folder)
    for path in tqdm(files, desc="decoding", unit="file", disable=None if progress else True):
        name = path.relative_to(folder).as_posix()
        try:
            result.sounds.append(Sound(name, load_audio(path, sampling_rate)))
        except DatasetError as e:
            reason = str(e).removeprefix(f"{path}: ")
            result.skipped.append((name, reason))
            report_skipped(str(path), reason)
    if not result.sounds:
        raise DatasetError(
            f"{folder}: no readable audio: all {len(files)} audio file(s) were skipped"
        )
    return result
