"""Data pipeline: folders and soundfonts -> a memory-mapped chunk cache -> ChunkDataset.

Eager imports need only numpy and torch (a training machine without soundfile,
soxr or tinysoundfont can read a cache); the preprocessing names load on first use.
"""

import importlib

from .dataset import ChunkDataset
from .errors import DatasetError
from .manifest import Manifest, read_manifest

__all__ = [
    "ChunkDataset",
    "DatasetError",
    "Manifest",
    "read_manifest",
    # preprocessing and augmentation, imported on first use
    "AugmentConfig",
    "DEFAULT_SOUNDFONT",
    "LoadedFolder",
    "Note",
    "Performance",
    "PerformanceConfig",
    "PrepareResult",
    "RenderConfig",
    "Sound",
    "chunk_audio",
    "load_folder",
    "note_list",
    "performance_list",
    "prepare_folder",
    "prepare_performances",
    "prepare_soundfont",
    "render_notes",
    "resolve_soundfont",
    "split_sounds",
]

_LAZY = {
    "AugmentConfig": "augment",
    "Performance": "performance",
    "PerformanceConfig": "performance",
    "performance_list": "performance",
    "prepare_performances": "cache",
    "LoadedFolder": "sources",
    "Sound": "sources",
    "load_folder": "sources",
    "DEFAULT_SOUNDFONT": "soundfont",
    "Note": "soundfont",
    "RenderConfig": "soundfont",
    "note_list": "soundfont",
    "render_notes": "soundfont",
    "resolve_soundfont": "soundfont",
    "chunk_audio": "chunking",
    "split_sounds": "chunking",
    "PrepareResult": "cache",
    "prepare_folder": "cache",
    "prepare_soundfont": "cache",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # next access skips __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
