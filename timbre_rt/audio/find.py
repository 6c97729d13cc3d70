"""Which files of a folder are sounds: one list of endings for every command."""

from pathlib import Path
from typing import Dict, List, Tuple, Union

import soundfile

from .errors import AudioFileError

__all__ = ["AUDIO_EXTENSIONS", "find_audio_files"]

PathLike = Union[str, Path]

# File endings of the formats libsndfile reads (soundfile.available_formats() names them).
# Left out: RAW (no header: any file would "decode"), MAT4/MAT5 (.mat holds any Matlab
# data), HTK (.htk: mostly speech features), MPC2K (.mpc is also Musepack, unreadable).
_ENDINGS: Dict[str, Tuple[str, ...]] = {
    "WAV": (".wav",),
    "WAVEX": (".wav",),
    "RF64": (".rf64",),
    "W64": (".w64",),
    "FLAC": (".flac",),
    "OGG": (".ogg", ".oga", ".opus"),
    "MP3": (".mp3",),
    "AIFF": (".aif", ".aiff", ".aifc"),
    "AU": (".au", ".snd"),
    "CAF": (".caf",),
    "IRCAM": (".sf",),
    "NIST": (".sph",),
    "VOC": (".voc",),
    "SVX": (".8svx",),
    "PAF": (".paf",),
    "AVR": (".avr",),
    "SD2": (".sd2",),
    "XI": (".xi",),
    "SDS": (".sds",),
    "PVF": (".pvf",),
    "WVE": (".wve",),
}


def _installed_endings() -> Tuple[str, ...]:
    readable = soundfile.available_formats()  # depends on how libsndfile was built (MP3: 1.1+)
    endings = (e for name, es in _ENDINGS.items() if name in readable for e in es)
    return tuple(dict.fromkeys(endings))  # unique, in the order above


AUDIO_EXTENSIONS = _installed_endings()


def find_audio_files(folder: PathLike) -> List[Path]:
    """Audio files under `folder`, recursively, sorted by relative path.

    Endings (AUDIO_EXTENSIONS) match in any case (x.WAV counts). Raises
    AudioFileError if `folder` does not exist, is not a folder, or holds no
    audio file.
    """
    folder = Path(folder)
    if not folder.exists():
        raise AudioFileError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise AudioFileError(f"{folder}: not a folder")
    files = sorted(
        (p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    if not files:
        raise AudioFileError(
            f"{folder}: no audio files found (looked recursively for {', '.join(AUDIO_EXTENSIONS)}, any case)"
        )
    return files
