"""LatentSeries: latent frames plus what is needed to decode them; saved as .npz."""

import dataclasses
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Union

import numpy as np

from ..errors import InputError
from ..io import atomic_path
from ..validate import Field, check_mapping
from .errors import ModelMismatchError, SeriesError
from .model import OfflineModel, same_model

__all__ = ["LatentSeries", "load_series", "save_series", "check_model"]

PathLike = Union[str, Path]

FORMAT = "timbre_rt.latent_series"
VERSION = 1

# The schema of a series' metadata (the file's `meta` JSON, and LatentSeries' fields).
META_SCHEMA = {
    "sampling_rate": Field(int, min=1, max=10**6),
    "ratio": Field(int, min=1, max=10**7),
    "latent_names": Field(list, items=Field(str)),
    "model_sha256": Field(str),
    "model_path": Field(str),
    "model_kind": Field(str),
    "num_samples": Field(int, min=1),
    "delay": Field(int, min=0),
    "source": Field(str),
    "history": Field(list, items=Field(dict)),
}
FILE_SCHEMA = {**META_SCHEMA, "format": Field(str, choices=(FORMAT,)), "version": Field(int, choices=(VERSION,))}


def _check_sizes(meta: Dict[str, Any], frames: int, where: str) -> None:
    """A series cannot stand for more audio than its frames: num_samples and delay are
    bounded by frames * ratio (one frame of slack for stretch's rounding)."""
    span = (frames + 1) * meta["ratio"]
    for key in ("num_samples", "delay"):
        if meta[key] > span:
            raise SeriesError(
                f"{where}: {key}: {meta[key]} samples, but {frames} frames of "
                f"{meta['ratio']} samples stand for at most {span}"
            )


@dataclass
class LatentSeries:
    """latent: [C, N] float32, one frame per `ratio` samples at `sampling_rate`.

    num_samples: length of the audio the series stands for (decode writes
        exactly that many samples).
    delay: samples of delay inside the frames (the encoder's latency):
        frame k describes audio around time (k * ratio - delay) / sampling_rate.
    history: the operations that made it (encode, deform ops, morph...), so an
        edit can be read back and replayed.
    """

    latent: np.ndarray
    sampling_rate: int
    ratio: int
    latent_names: List[str]
    model_sha256: str
    model_path: str
    model_kind: str
    num_samples: int
    delay: int = 0
    source: str = ""
    history: List[Dict[str, Any]] = field(default_factory=list)

    def __post_init__(self):
        meta = {k: getattr(self, k) for k in META_SCHEMA}
        try:
            meta = check_mapping(meta, META_SCHEMA, "latent series")
        except InputError as e:
            raise SeriesError(str(e)) from None
        for key, value in meta.items():
            object.__setattr__(self, key, value)
        self.latent = np.ascontiguousarray(self.latent, dtype=np.float32)
        if self.latent.ndim != 2 or self.latent.shape[0] != len(self.latent_names):
            raise SeriesError(
                f"latent must be [C, N] with C = {len(self.latent_names)} named channels, got shape {self.latent.shape}"
            )
        if self.latent.shape[1] == 0:
            raise SeriesError("latent series: no frames")
        if not np.all(np.isfinite(self.latent)):  # e.g. a deform that overflowed float32
            raise SeriesError("latent series: frames hold NaN or inf")
        _check_sizes(meta, self.latent.shape[1], "latent series")

    @property
    def frames(self) -> int:
        return self.latent.shape[1]

    @property
    def seconds(self) -> float:
        return self.num_samples / self.sampling_rate

    @property
    def frame_rate(self) -> float:
        return self.sampling_rate / self.ratio

    def times(self) -> np.ndarray:
        """[N] time in seconds of each frame in the decoded audio."""
        return (np.arange(self.frames) * self.ratio - self.delay) / self.sampling_rate

    def with_latent(self, latent: np.ndarray, step: Dict[str, Any], **changes) -> "LatentSeries":
        """A copy with new frames, `step` appended to the history, and other fields changed."""
        changes.setdefault("history", self.history + [step])
        return dataclasses.replace(self, latent=latent, **changes)

    def save(self, path: PathLike) -> Path:
        return save_series(self, path)

    @staticmethod
    def load(path: PathLike) -> "LatentSeries":
        return load_series(path)


def save_series(series: LatentSeries, path: PathLike) -> Path:
    """Write `latent` and a JSON `meta` string to an .npz (no pickle: safe to share)."""
    meta = {k: v for k, v in dataclasses.asdict(series).items() if k != "latent"}
    meta.update(format=FORMAT, version=VERSION)
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        # a file object: np.savez would append .npz to other names
        np.savez(f, latent=series.latent, meta=np.array(json.dumps(meta)))
    return path


def load_series(path: PathLike) -> LatentSeries:
    """Read a series file; SeriesError names the file and the problem."""
    path = Path(path)
    if not path.is_file():
        raise SeriesError(f"{path}: no such latent series file")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":  # every .npz is a zip archive
            raise SeriesError(f"{path}: not a latent series file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("latent", "meta") if k not in data.files]
            if missing:
                raise SeriesError(
                    f"{path}: not a latent series file (no {' or '.join(repr(k) for k in missing)} array)"
                )
            latent = data["latent"]
            meta = json.loads(str(data["meta"][()]))
    except SeriesError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise SeriesError(f"{path}: not a latent series file (not a readable .npz: {e})") from None
    except ValueError as e:  # pickled arrays, bad JSON
        raise SeriesError(f"{path}: not a latent series file ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SeriesError(f"{path}: not a latent series file (format is not {FORMAT!r})")
    if meta.get("version") != VERSION:
        raise SeriesError(
            f"{path}: series format version {meta.get('version')!r}, this timbre_rt reads version {VERSION}"
        )
    try:
        meta = check_mapping(meta, FILE_SCHEMA, str(path))
    except InputError as e:
        raise SeriesError(str(e)) from None
    if latent.ndim != 2 or not np.issubdtype(latent.dtype, np.floating):
        raise SeriesError(f"{path}: latent: must be a 2-D float array [C, N], got {latent.dtype} {latent.shape}")
    if latent.shape[1] == 0:
        raise SeriesError(f"{path}: latent: no frames")
    _check_sizes(meta, latent.shape[1], str(path))
    if not np.all(np.isfinite(latent)):
        raise SeriesError(f"{path}: latent frames hold NaN or inf")
    names = META_SCHEMA.keys()
    try:
        return LatentSeries(latent=latent, **{k: meta[k] for k in names})
    except SeriesError as e:
        raise SeriesError(f"{path}: {e}") from None


def check_model(series: LatentSeries, model: OfflineModel, what: str = "series", any_model: bool = False) -> None:
    """Raise ModelMismatchError if `model` cannot decode `series`.

    The file hash must match (names both files and hashes) unless any_model,
    which still requires the same rate, ratio and channels."""
    if not any_model and not same_model(series.model_sha256, model.sha256):
        raise ModelMismatchError(
            f"{what} was encoded with model {series.model_path} (sha256 "
            f"{series.model_sha256[:12]}...), not {model.path} (sha256 {model.sha256[:12]}...); "
            "use the model it was made with (or --any-model to force a compatible one)"
        )
    geometry = (series.sampling_rate, series.ratio, len(series.latent_names))
    if geometry != (model.sampling_rate, model.ratio, model.channels):
        raise ModelMismatchError(
            f"{what} has {geometry[2]} channels, one frame per {geometry[1]} samples at "
            f"{geometry[0]} Hz; model {model.path} has {model.channels} channels, "
            f"{model.ratio} samples per frame at {model.sampling_rate} Hz"
        )
