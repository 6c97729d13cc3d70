"""manifest.json of a dataset cache: what was made, from what, and how.

Standard library only, so a training machine without soundfile/soxr can read
a cache. The manifest is written last and atomically: its presence means the
arrays next to it are complete.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

from .errors import DatasetError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "SPLITS",
    "Manifest",
    "read_manifest",
    "write_manifest",
    "cache_folder",
]

FORMAT = "timbre_rt.dataset"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SPLITS = ("train", "held_out")

PathLike = Union[str, Path]


@dataclass
class Manifest:
    """Contents of OUT/manifest.json.

    splits maps "train" / "held_out" to one entry per sound:
    {"name": ..., "chunks": n, "seconds": s} (+ "file": "held_out/x.wav" for held_out).
    """

    sampling_rate: int
    chunk: int
    source: Dict[str, Any]  # {"kind": "folder"|"soundfont", "path": ..., ...}
    settings: Dict[str, Any]  # held_out fraction, seed, silence threshold, ...
    counts: Dict[str, Any]
    splits: Dict[str, List[Dict[str, Any]]]
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (name, reason)
    version: int = FORMAT_VERSION
    created: str = ""
    folder: Path = Path(".")  # the cache folder it was read from (not stored)

    def to_json(self) -> Dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "created": self.created,
            "sampling_rate": self.sampling_rate,
            "chunk": self.chunk,
            "source": self.source,
            "settings": self.settings,
            "counts": self.counts,
            "splits": self.splits,
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
        }

    def array_path(self, split: str) -> Path:
        """OUT/train.npy or OUT/held_out.npy."""
        if split not in SPLITS:
            raise DatasetError(f"unknown split {split!r}: expected one of {', '.join(SPLITS)}")
        return self.folder / f"{split}.npy"

    def names(self, split: str) -> List[str]:
        return [s["name"] for s in self.splits.get(split, [])]


def cache_folder(path: PathLike) -> Path:
    """The cache folder for OUT, OUT/manifest.json or OUT/<split>.npy."""
    path = Path(path)
    if path.suffix in (".json", ".npy") or path.name == MANIFEST_NAME:
        return path.parent
    return path


def read_manifest(path: PathLike) -> Manifest:
    """Read the manifest of a cache: `path` is OUT, OUT/manifest.json or OUT/train.npy."""
    folder = cache_folder(path)
    file = folder / MANIFEST_NAME
    if not file.is_file():
        raise DatasetError(
            f"{file}: no manifest: {folder} is not a finished dataset cache (make one with `timbre-rt make-dataset`)"
        )
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as e:
        raise DatasetError(f"{file}: unreadable manifest: {e}") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DatasetError(f"{file}: not a {FORMAT} manifest")
    if data.get("version") != FORMAT_VERSION:
        raise DatasetError(
            f"{file}: manifest version {data.get('version')} is not supported "
            f"(this code reads version {FORMAT_VERSION}); remake the cache"
        )
    try:
        return Manifest(
            sampling_rate=int(data["sampling_rate"]),
            chunk=int(data["chunk"]),
            source=data["source"],
            settings=data["settings"],
            counts=data["counts"],
            splits=data["splits"],
            skipped=[(s["name"], s["reason"]) for s in data.get("skipped", [])],
            version=data["version"],
            created=data.get("created", ""),
            folder=folder,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise DatasetError(f"{file}: malformed manifest ({e!r})") from e


def write_manifest(manifest: Manifest, folder: PathLike) -> Path:
    """Write OUT/manifest.json atomically (temp file + rename): never half a manifest."""
    folder = Path(folder)
    file = folder / MANIFEST_NAME
    tmp = folder / (MANIFEST_NAME + ".tmp")
    with open(tmp, "w") as f:
        json.dump(manifest.to_json(), f, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, file)
    return file
