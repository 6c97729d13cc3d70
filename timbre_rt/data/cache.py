"""Preprocess a folder or a soundfont, once, into a memory-mappable cache folder.

Layout of OUT/:
  train.npy, held_out.npy   float16 [N, chunk] (np.load(..., mmap_mode="r"))
  held_out/                 the held-out sounds as float32 WAVs at the dataset rate
  manifest.json             written last: its presence means the rest is complete
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union

import numpy as np
from tqdm import tqdm

from ..audio import AudioFileError, find_audio_files, load_audio, write_wav
from .chunking import DEFAULT_CHUNK, MIN_TAIL, SILENCE_DB, chunk_audio, split_sounds
from .errors import DatasetError
from .layout import HELD_OUT_DIR, check_out, remove_ours, save_array, settings_key, wav_names
from .manifest import SPLITS, Manifest, write_manifest
from .performance import PerformanceConfig, PerformanceRenderer, performance_list
from .soundfont import NoteRenderer, RenderConfig, note_list, resolve_soundfont
from .sources import report_skipped

__all__ = ["DEFAULT_CHUNK", "PrepareResult", "prepare_folder", "prepare_performances", "prepare_soundfont"]


PathLike = Union[str, Path]


@dataclass
class PrepareResult:
    manifest: Manifest
    created: bool  # False: the cache was already there with the same settings (no-op)

    @property
    def folder(self) -> Path:
        return self.manifest.folder


@dataclass
class _Source:
    description: Dict  # JSON-safe; stored in the manifest and compared on re-runs
    names: List[str]
    load: Callable[[str], np.ndarray]  # name -> audio [T] float32; DatasetError / AudioFileError skips it
    label: str  # the folder or soundfont, for messages
    setup: Callable[[], None] = lambda: None  # once, after the no-op check; errors are fatal


def prepare_folder(
    folder: PathLike,
    out: PathLike,
    *,
    sampling_rate: int = 24000,
    chunk: int = DEFAULT_CHUNK,
    held_out: float = 0.1,
    seed: int = 0,
    overwrite: bool = False,
    progress: bool = True,
) -> PrepareResult:
    """Cache every audio file under `folder` (recursively), resampled to `sampling_rate`.

    Unreadable files are skipped, reported and listed in the manifest. Raises
    AudioFileError for a missing folder or one without audio files, DatasetError
    for one without usable audio.
    """
    folder = Path(folder).resolve()
    files = find_audio_files(folder)
    names = [p.relative_to(folder).as_posix() for p in files]
    # Names and sizes (not mtimes, which copies change): a re-run notices added,
    # removed or re-encoded files without decoding anything.
    listing = "\n".join(f"{n}\t{p.stat().st_size}" for n, p in zip(names, files))
    description = {
        "kind": "folder",
        "path": str(folder),
        "files": len(files),
        "fingerprint": hashlib.sha256(listing.encode()).hexdigest()[:16],
    }
    source = _Source(description, names, lambda n: load_audio(folder / n, sampling_rate), str(folder))
    return _prepare(source, out, sampling_rate, chunk, held_out, seed, overwrite, progress)


def _soundfont_source(path: Path, kind: str, items: Dict, config, make_renderer) -> _Source:
    """A source that renders `items` (name -> what to render) from the soundfont at `path`.

    The renderer is built after the no-op check: a re-run never loads the sf2."""
    if not items:
        raise DatasetError("the render config selects no sound (check programs, pitches, ranges)")
    renderer: List = []
    description = {"kind": kind, "path": str(path), "size": path.stat().st_size, "render": config.to_json()}
    return _Source(
        description,
        list(items),
        lambda n: renderer[0].render(items[n]),
        str(path),
        setup=lambda: renderer.append(make_renderer()),
    )


def prepare_soundfont(
    soundfont: PathLike,
    out: PathLike,
    *,
    config: Optional[RenderConfig] = None,
    chunk: int = DEFAULT_CHUNK,
    held_out: float = 0.1,
    seed: int = 0,
    overwrite: bool = False,
    progress: bool = True,
) -> PrepareResult:
    """Render the notes of `config` (default RenderConfig()) from `soundfont` ("default"
    is FluidR3_GM) and cache them at config.sampling_rate, one sound per note."""
    config = config or RenderConfig()
    path = resolve_soundfont(soundfont).resolve()
    notes = {n.name: n for n in note_list(config)}
    source = _soundfont_source(path, "soundfont", notes, config, lambda: NoteRenderer(path, config))
    return _prepare(source, out, config.sampling_rate, chunk, held_out, seed, overwrite, progress)


def prepare_performances(
    soundfont: PathLike,
    out: PathLike,
    *,
    config: Optional[PerformanceConfig] = None,
    chunk: int = DEFAULT_CHUNK,
    held_out: float = 0.1,
    seed: int = 0,
    overwrite: bool = False,
    progress: bool = True,
) -> PrepareResult:
    """Render the played set of `config` (default PerformanceConfig(): every GM program
    at every semitone, gestures, chords, drums) and cache it, one sound per performance."""
    config = config or PerformanceConfig()
    path = resolve_soundfont(soundfont).resolve()
    perfs = {p.name: p for p in performance_list(config)}
    source = _soundfont_source(
        path, "soundfont-performances", perfs, config, lambda: PerformanceRenderer(path, config.sampling_rate)
    )
    return _prepare(source, out, config.sampling_rate, chunk, held_out, seed, overwrite, progress)


def _skip_reason(error: ValueError, name: str) -> str:
    """The reason part of 'some/path/<name>: reason'."""
    msg = str(error)
    at = msg.find(name + ": ")
    return msg[at + len(name) + 2 :] if at >= 0 else msg


def _prepare(
    source: _Source,
    out: PathLike,
    sampling_rate: int,
    chunk: int,
    held_out: float,
    seed: int,
    overwrite: bool,
    progress: bool,
) -> PrepareResult:
    out = Path(out)
    if chunk < 1:
        raise DatasetError(f"chunk must be >= 1 sample, got {chunk}")
    if not 0.0 <= held_out < 1.0:
        raise DatasetError(f"held-out fraction must be in [0, 1), got {held_out}")
    settings = {"held_out": held_out, "seed": seed, "silence_db": SILENCE_DB, "min_tail": MIN_TAIL}
    key = settings_key(sampling_rate, chunk, source.description, settings)
    existing = check_out(out, key, overwrite)
    if existing is not None:
        return PrepareResult(existing, created=False)
    source.setup()
    bar = None if progress else True  # tqdm: None hides the bar when stderr is not a TTY

    # Pass 1: decode / render every sound and keep only its chunks (float16).
    chunks: Dict[str, np.ndarray] = {}
    seconds: Dict[str, float] = {}
    skipped = []
    for name in tqdm(source.names, desc="chunking", unit="sound", disable=bar):
        try:
            audio = source.load(name)
        except (DatasetError, AudioFileError) as e:
            skipped.append((name, _skip_reason(e, name)))
            report_skipped(name, skipped[-1][1], source.label)
            continue
        c = chunk_audio(audio, chunk)
        if len(c) == 0:
            skipped.append(
                (
                    name,
                    f"no chunk kept: silent (below {SILENCE_DB:g} dBFS) or shorter than {MIN_TAIL:g} x {chunk} samples",
                )
            )
            report_skipped(name, skipped[-1][1], source.label)
            continue
        chunks[name] = c.astype(np.float16)
        seconds[name] = len(audio) / sampling_rate
    if not chunks:
        raise DatasetError(f"{source.label}: no usable audio: all {len(source.names)} sound(s) were skipped")
    train, held = split_sounds(list(chunks), held_out, seed)

    # Old cache out (manifest first), arrays in, held-out WAVs, the manifest last.
    out.mkdir(parents=True, exist_ok=True)
    remove_ours(out)
    splits = {}
    for split, names in (("train", train), ("held_out", held)):
        array = np.concatenate([chunks[n] for n in names]) if names else np.zeros((0, chunk), np.float16)
        save_array(out / f"{split}.npy", array)
        splits[split] = [{"name": n, "chunks": len(chunks[n]), "seconds": round(seconds[n], 4)} for n in names]
    wav_dir = out / (HELD_OUT_DIR + ".tmp")
    wav_dir.mkdir()
    files = wav_names(held)
    for entry in tqdm(splits["held_out"], desc="held-out wavs", unit="file", disable=bar):
        audio = source.load(entry["name"])  # loaded again: pass 1 kept only chunks
        write_wav(wav_dir / files[entry["name"]], audio, sampling_rate)
        entry["file"] = f"{HELD_OUT_DIR}/{files[entry['name']]}"
    os.replace(wav_dir, out / HELD_OUT_DIR)

    counts = {
        split: {
            "sounds": len(splits[split]),
            "chunks": sum(e["chunks"] for e in splits[split]),
            "seconds": round(sum(e["seconds"] for e in splits[split]), 3),
        }
        for split in SPLITS
    }
    counts["skipped"] = len(skipped)
    manifest = Manifest(
        sampling_rate=sampling_rate,
        chunk=chunk,
        source=key["source"],
        settings=key["settings"],
        counts=counts,
        splits=splits,
        skipped=skipped,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        folder=out,
    )
    write_manifest(manifest, out)
    return PrepareResult(manifest, created=True)
