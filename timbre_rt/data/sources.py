"""A folder of sounds in memory, each decoded by timbre_rt.audio (mono, the asked rate).

A file that cannot be used is skipped and reported by name, never fatal: one
bad file in a folder of thousands must not cost the whole preprocessing run.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple, Union

import numpy as np
from tqdm import tqdm

from ..audio import AudioFileError, find_audio_files, load_audio
from .errors import DatasetError

__all__ = ["Sound", "LoadedFolder", "load_folder", "report_skipped"]

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


def report_skipped(name: str, reason: str, where: str = "") -> None:
    """Print one 'skipped' warning line; tqdm.write keeps a progress bar intact."""
    where = f" (in {where})" if where else ""
    tqdm.write(f"warning: skipping {name}{where}: {reason}", file=sys.stderr)


def load_folder(folder: PathLike, sampling_rate: int, progress: bool = True) -> LoadedFolder:
    """Decode every audio file of `folder` (recursively) into memory.

    Unreadable, empty or non-finite files are skipped, printed as warnings and
    listed in `.skipped`. Raises AudioFileError for a missing folder or one
    without audio files, DatasetError if no file at all is usable.
    For large folders prefer prepare_folder, which keeps only chunks in memory.
    """
    folder = Path(folder)
    result = LoadedFolder(folder=folder, sampling_rate=sampling_rate)
    files = find_audio_files(folder)
    for path in tqdm(files, desc="decoding", unit="file", disable=None if progress else True):
        name = path.relative_to(folder).as_posix()
        try:
            result.sounds.append(Sound(name, load_audio(path, sampling_rate)))
        except AudioFileError as e:
            reason = str(e).removeprefix(f"{path}: ")
            result.skipped.append((name, reason))
            report_skipped(str(path), reason)
    if not result.sounds:
        raise DatasetError(f"{folder}: no readable audio: all {len(files)} audio file(s) were skipped")
    return result
