"""DataLoaders over a dataset cache (see timbre_rt.data)."""

import os
from pathlib import Path
from typing import Optional

from torch.utils.data import DataLoader

from ..data import ChunkDataset
from ..data.augment import AugmentConfig
from ..models.continuous.config import StageConfig


def default_workers(processes: int = 1) -> int:
    """Loader workers per training process, when `processes` share this machine (DDP):
    a core left to each training loop; 0 (in-process) on small machines."""
    cores = (os.cpu_count() or 1) // max(1, processes)
    return 0 if cores <= 2 else min(8, cores - 1)


def make_loaders(
    data: Path,
    stage: StageConfig,
    sampling_rate: int,
    workers: int = -1,
    augment: Optional[AugmentConfig] = None,
    batch_size: Optional[int] = None,
):
    """(train, validation) loaders of audio batches [B, 1, stage.segment].

    augment: applied to the training examples only.
    batch_size: B, default the stage's; under DDP the per-device share of it."""
    batch_size = stage.batch_size if batch_size is None else batch_size
    workers = default_workers() if workers < 0 else workers
    train = ChunkDataset(data, stage.segment, split="train", sampling_rate=sampling_rate, augment=augment)
    held_out = ChunkDataset(data, stage.segment, split="held_out", random_crop=False, sampling_rate=sampling_rate)
    common = dict(num_workers=workers, persistent_workers=workers > 0, pin_memory=False)
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, drop_last=True, **common),
        DataLoader(held_out, batch_size=batch_size, shuffle=False, **common),
    )
