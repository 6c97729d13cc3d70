"""ChunkDataset: training examples read from a cache's float16 chunk array.

numpy, torch and the standard library only: the training machine has no
soundfile/soxr/tinysoundfont.
"""

from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np
import torch
from torch.utils.data import Dataset

from .augment import AugmentConfig, Augmenter
from .errors import DatasetError
from .manifest import SPLITS, read_manifest

__all__ = ["ChunkDataset"]

PathLike = Union[str, Path]


class ChunkDataset(Dataset):
    """Segments of the chunks of OUT/train.npy or OUT/held_out.npy.

    path: the cache folder OUT (then `split` picks the array) or one of its .npy files.
    segment: samples per example, <= the cache's chunk (default: the whole chunk).
    random_crop: a random offset per call; False takes the centre, deterministically.
    gain_db: (lo, hi) draws a uniform random gain in dB per call; None leaves levels as they are.
    sampling_rate: if given, the rate the caller expects; a cache made at another
    rate raises DatasetError naming both.
    augment: an AugmentConfig: each example is pitch-shifted by resampling, equalised,
    scaled and sometimes cut into silence (random crops only; replaces gain_db).

    dataset[i] -> x: [1, segment] float32.
    """

    def __init__(
        self,
        path: PathLike,
        segment: Optional[int] = None,
        *,
        split: str = "train",
        random_crop: bool = True,
        gain_db: Optional[Tuple[float, float]] = None,
        sampling_rate: Optional[int] = None,
        augment: Optional[AugmentConfig] = None,
    ):
        path = Path(path)
        if path.suffix == ".npy":
            split = path.stem
        self.manifest = read_manifest(path)
        if split not in SPLITS:
            raise DatasetError(f"{path}: unknown split {split!r}: expected one of {', '.join(SPLITS)}")
        self.path = self.manifest.array_path(split)
        self.split = split
        self.sampling_rate = self.manifest.sampling_rate
        if sampling_rate is not None and int(sampling_rate) != self.sampling_rate:
            raise DatasetError(
                f"{self.manifest.folder}: the cache is at {self.sampling_rate} Hz but "
                f"{sampling_rate} Hz was asked; remake it with --rate {sampling_rate}"
            )
        if not self.path.is_file():
            raise DatasetError(f"{self.path}: missing from the cache")
        # Read the shape now, then drop the map: each DataLoader worker opens its own.
        shape = self._open().shape
        if len(shape) != 2 or shape[1] != self.manifest.chunk:
            raise DatasetError(f"{self.path}: shape {shape} does not match the manifest's chunk {self.manifest.chunk}")
        self._data = None
        self.length, self.chunk = shape
        self.segment = self.chunk if segment is None else int(segment)
        if not 1 <= self.segment <= self.chunk:
            raise DatasetError(f"{self.path}: segment must be in 1..{self.chunk} (the cache's chunk), got {segment}")
        if gain_db is not None:
            lo, hi = gain_db
            if lo > hi:
                raise DatasetError(f"gain_db must be (lo, hi) with lo <= hi, got {gain_db}")
            gain_db = (float(lo), float(hi))
        self.gain_db = gain_db
        self.random_crop = random_crop
        self.augmenter = None
        if augment is not None:
            self.augmenter = Augmenter(augment, self.sampling_rate)
            span = self.augmenter.span(self.segment)
            if span > self.chunk:
                raise DatasetError(
                    f"{self.path}: segment {self.segment} with a pitch shift of "
                    f"{augment.pitch_semitones} semitones needs {span} samples, the chunk has {self.chunk}"
                )

    def _open(self) -> np.ndarray:
        try:
            return np.load(self.path, mmap_mode="r")
        except (OSError, ValueError) as e:
            raise DatasetError(f"{self.path}: cannot read the chunk array: {e}") from e

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> torch.Tensor:
        if self._data is None:
            self._data = self._open()
        if not -self.length <= index < self.length:
            raise IndexError(f"index {index} out of range for {self.length} chunks")
        if self.augmenter is not None:
            # Seeded from torch's RNG, which DataLoader seeds per worker.
            rng = np.random.default_rng(int(torch.randint(0, 2**62, ()).item()))
            source = np.asarray(self._data[index], dtype=np.float32)
            return torch.from_numpy(self.augmenter(source, self.segment, rng))[None]
        spare = self.chunk - self.segment
        # torch's RNG, not numpy's: DataLoader seeds torch per worker, so workers
        # do not repeat each other's crops and gains.
        if self.random_crop:
            start = int(torch.randint(0, spare + 1, ()).item()) if spare else 0
        else:
            start = spare // 2
        x = torch.from_numpy(np.array(self._data[index, start : start + self.segment], dtype=np.float32))
        if self.gain_db is not None:
            lo, hi = self.gain_db
            db = lo + (hi - lo) * torch.rand(()).item()
            x = x * (10.0 ** (db / 20.0))
        return x[None]

    def __getstate__(self):
        # A pickled np.memmap carries its whole array: send the path, reopen in the worker.
        state = self.__dict__.copy()
        state["_data"] = None
        return state
