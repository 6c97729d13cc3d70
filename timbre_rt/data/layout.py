"""The files of a cache folder: which are ours, atomic writes, and the re-run check.

A cache is committed by its manifest: arrays are written (temp file + rename)
first, the manifest last, and an old manifest is deleted before anything else
is touched, so a crash never leaves a manifest over half-written arrays.
"""

import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional

import numpy as np

from .errors import DatasetError
from .manifest import MANIFEST_NAME, SPLITS, Manifest, read_manifest

__all__ = ["HELD_OUT_DIR", "settings_key", "check_out", "remove_ours", "save_array", "wav_names"]

HELD_OUT_DIR = "held_out"
# Everything a cache writes into OUT; anything else there is not ours to delete.
OURS = {MANIFEST_NAME, HELD_OUT_DIR} | {f"{s}.npy" for s in SPLITS}


def settings_key(sampling_rate: int, chunk: int, source: Dict, settings: Dict) -> Dict:
    """What must match for a re-run to be a no-op, in its JSON form (tuples -> lists)."""
    key = {"sampling_rate": sampling_rate, "chunk": chunk, "source": source, "settings": settings}
    return json.loads(json.dumps(key))


def _differences(old: Dict, new: Dict) -> List[str]:
    out = []
    for field in ("sampling_rate", "chunk"):
        if old[field] != new[field]:
            out.append(f"{field} {old[field]} in the cache, {new[field]} asked")
    for k in sorted(set(old["settings"]) | set(new["settings"])):
        a, b = old["settings"].get(k), new["settings"].get(k)
        if a != b:
            out.append(f"{k} {a} in the cache, {b} asked")
    a, b = old["source"], new["source"]
    if (a.get("kind"), a.get("path")) != (b.get("kind"), b.get("path")):
        out.append(f"source {a.get('kind')} {a.get('path')} in the cache, {b['kind']} {b['path']} asked")
    elif a != b:
        what = "the files in the folder" if b["kind"] == "folder" else "the soundfont or render settings"
        out.append(f"{what} changed since the cache was made")
    return out


def check_out(out: Path, key: Dict, overwrite: bool) -> Optional[Manifest]:
    """The existing manifest when OUT already holds this very cache (a no-op), else None.

    Raises DatasetError when OUT holds another cache or foreign files, unless
    overwrite (which still never deletes foreign files).
    """
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out}: exists and is not a folder")
    if (out / MANIFEST_NAME).is_file():
        try:
            old = read_manifest(out)
        except DatasetError:
            if overwrite:
                return None
            raise
        old_key = settings_key(old.sampling_rate, old.chunk, old.source, old.settings)
        if old_key == key and not overwrite:
            check_arrays(old)  # the same settings over a damaged array is no cache
            return old
        if not overwrite:
            raise DatasetError(
                f"{out}: holds a dataset cache made with other settings ("
                + "; ".join(_differences(old_key, key))
                + "); use another --out or --overwrite"
            )
        return None
    others = sorted(p.name for p in out.iterdir() if p.name.removesuffix(".tmp") not in OURS) if out.exists() else []
    if others and not overwrite:
        raise DatasetError(
            f"{out}: not empty and not a dataset cache (holds {', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}); use an empty or new folder"
        )
    return None


def check_arrays(manifest: Manifest) -> None:
    """DatasetError unless each split's array holds the chunks its manifest counts."""
    for split in SPLITS:
        path = manifest.array_path(split)
        expected = (int(manifest.counts.get(split, {}).get("chunks", -1)), manifest.chunk)
        try:
            shape = np.load(path, mmap_mode="r").shape
        except (OSError, ValueError, EOFError) as e:
            raise DatasetError(f"{path}: damaged cache array ({e}); rebuild it with --overwrite") from None
        if tuple(shape) != expected:
            raise DatasetError(
                f"{path}: damaged cache array: shape {tuple(shape)}, the "
                f"manifest says {expected}; rebuild it with --overwrite"
            )


def remove_ours(out: Path) -> None:
    """Delete a previous cache's files (manifest first), leaving anything else."""
    for name in [MANIFEST_NAME] + sorted(OURS - {MANIFEST_NAME}):
        for p in (out / name, out / (name + ".tmp")):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()


def save_array(path: Path, array: np.ndarray) -> None:
    """np.save through a temp file and a rename: the final name is never half written."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:  # a file object: np.save(path) would append ".npy"
        np.save(f, array)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def wav_names(names: List[str]) -> Dict[str, str]:
    """Flat, unique WAV file names for sounds named by relative path (a/b.flac -> a__b.wav)."""
    out, used = {}, set()
    for name in names:
        base = PurePosixPath(name).with_suffix("").as_posix().replace("/", "__")
        candidate, i = base + ".wav", 2
        while candidate in used:
            candidate, i = f"{base}_{i}.wav", i + 1
        used.add(candidate)
        out[name] = candidate
    return out
