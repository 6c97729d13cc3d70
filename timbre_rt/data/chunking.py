"""Cutting sounds into fixed-size chunks, and splitting sounds into train / held-out.

Numpy only. The split is by sound, so no sound has chunks on both sides.
"""

from typing import List, Sequence, Tuple

import numpy as np

from .errors import DatasetError

__all__ = ["SILENCE_DB", "MIN_TAIL", "chunk_audio", "split_sounds"]

SILENCE_DB = -60.0  # chunks quieter than this (RMS, dBFS) are dropped
MIN_TAIL = 0.5  # a last partial chunk is kept (zero-padded) if at least this fraction of a chunk

# One second at 24 kHz: a whole default note (hold + release) fits one chunk.
DEFAULT_CHUNK = 24000


def chunk_audio(
    audio: np.ndarray, chunk: int, silence_db: float = SILENCE_DB, min_tail: float = MIN_TAIL
) -> np.ndarray:
    """Cut audio: [T] into chunks: [N, chunk] float32.

    The tail shorter than a chunk is zero-padded when it holds at least
    `min_tail * chunk` samples, else dropped. Chunks whose RMS (padding
    included) is below `silence_db` dBFS are dropped: silence teaches a
    codec nothing and would dilute the batches.
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"audio must be [T], got shape {audio.shape}")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    full, tail = divmod(len(audio), chunk)
    chunks = audio[: full * chunk].reshape(full, chunk)
    if tail and tail >= min_tail * chunk:
        last = np.zeros((1, chunk), np.float32)
        last[0, :tail] = audio[full * chunk :]
        chunks = np.concatenate([chunks, last])
    rms = np.sqrt(np.mean(np.square(chunks, dtype=np.float64), axis=1))
    keep = rms >= 10.0 ** (silence_db / 20.0)
    return chunks[keep]


def split_sounds(names: Sequence[str], held_out: float = 0.1, seed: int = 0) -> Tuple[List[str], List[str]]:
    """Split sound names into (train, held_out), deterministically for a seed.

    round(held_out * n) sounds are held out, at least one when there are
    >= 2 sounds and held_out > 0, and never all of them. Both lists are sorted.
    The result depends only on the set of names, not on their order.
    """
    if not 0.0 <= held_out < 1.0:
        raise DatasetError(f"held-out fraction must be in [0, 1), got {held_out}")
    names = sorted(names)
    n = len(names)
    n_held = round(held_out * n)
    if held_out > 0 and n >= 2:
        n_held = max(1, n_held)
    n_held = min(n_held, max(n - 1, 0))
    order = np.random.default_rng(seed).permutation(n)
    chosen = set(order[:n_held].tolist())
    train = [s for i, s in enumerate(names) if i not in chosen]
    held = [s for i, s in enumerate(names) if i in chosen]
    return train, held
