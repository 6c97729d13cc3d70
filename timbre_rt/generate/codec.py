"""Encode audio to a LatentSeries and decode it back, chunk by chunk.

Both directions stream: the model is reset once, then called on consecutive
chunks (multiples of its block size) whose caches carry the past, which the
model contract guarantees equals one call on the whole signal. Memory stays
bounded by the chunk, whatever the file's length.

Alignment: decode(encode(x)) is x delayed by encode_latency + decode_latency.
Encoding records the encoder's delay in the series (`delay`) and reads enough
zero padding past the end to capture the last samples; decoding drops the
leading `series.delay + model.decode_latency` samples and writes exactly
`series.num_samples`, so a decoded series lines up with its source sample for
sample (frames missing at the end are held from the last one).
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

import numpy as np
import torch
from tqdm import tqdm

from ..audio import WavWriter, frames_at_rate, read_blocks
from ..io import check_free_space
from .errors import GenerateError
from .model import OfflineModel, latency_of, model_of
from .series import LatentSeries, check_model

__all__ = [
    "DEFAULT_CHUNK",
    "DecodeResult",
    "encode_audio",
    "encode_file",
    "iter_decode",
    "decode_series",
    "decode_to_file",
]

PathLike = Union[str, Path]
DEFAULT_CHUNK = 1 << 16  # samples per model call (rounded up to a multiple of block_size)


@dataclass
class DecodeResult:
    path: Path
    samples: int
    sampling_rate: int

    @property
    def seconds(self) -> float:
        return self.samples / self.sampling_rate


def _chunk(model: OfflineModel, chunk: int) -> int:
    if chunk < 1:
        raise GenerateError(f"chunk must be a positive number of samples, got {chunk}")
    return math.ceil(chunk / model.block_size) * model.block_size


def _encode_pieces(model: OfflineModel, pieces: Iterable[np.ndarray], chunk: int, bar: tqdm) -> tuple:
    """pieces of mono audio -> (latent [C, N], number of samples read)."""
    chunk = _chunk(model, chunk)
    model.reset()
    outputs, pending, total = [], np.zeros(0, dtype=np.float32), 0

    def run(x: np.ndarray) -> None:
        z = model.encode(torch.from_numpy(np.ascontiguousarray(x))[None, None])
        outputs.append(z[0].numpy())

    for piece in pieces:
        total += piece.size
        bar.update(piece.size)
        pending = np.concatenate([pending, piece])
        while pending.size >= chunk:
            run(pending[:chunk])
            pending = pending[chunk:]
    if total == 0:
        raise GenerateError("no audio samples to encode")
    # Zero padding: enough to push the last real sample through the encoder's delay.
    done = total - pending.size
    end = math.ceil((total + model.encode_latency) / model.block_size) * model.block_size
    tail = np.zeros(end - done, dtype=np.float32)
    tail[: pending.size] = pending
    for start in range(0, tail.size, chunk):
        run(tail[start : start + chunk])
    return np.concatenate(outputs, axis=1), total


def _series(model: OfflineModel, latent: np.ndarray, samples: int, source: str) -> LatentSeries:
    return LatentSeries(
        latent=latent,
        sampling_rate=model.sampling_rate,
        ratio=model.ratio,
        latent_names=list(model.latent_names),
        model_sha256=model.sha256,
        model_path=model.path,
        model_kind=model.model_kind,
        num_samples=samples,
        delay=model.encode_latency,
        source=source,
        history=[{"op": "encode", "source": source, "model": model.path}],
    )


def encode_audio(
    model: Union[OfflineModel, PathLike], audio: np.ndarray, *, source: str = "<array>", chunk: int = DEFAULT_CHUNK
) -> LatentSeries:
    """audio: [T] mono at the model's rate -> LatentSeries with latent [C, N]."""
    model = model_of(model)
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim > 1 and audio.size != audio.shape[-1]:
        raise GenerateError(f"{source}: audio must be mono [T], got shape {audio.shape}")
    audio = audio.reshape(-1)
    if not np.all(np.isfinite(audio)):  # else the model would be blamed for NaN output
        raise GenerateError(f"{source}: non-finite samples (NaN or inf)")
    pieces = (audio[i : i + chunk] for i in range(0, audio.size, chunk))
    with tqdm(total=audio.size, disable=True) as bar:
        latent, samples = _encode_pieces(model, pieces, chunk, bar)
    return _series(model, latent, samples, source)


def encode_file(
    model: Union[OfflineModel, PathLike], path: PathLike, *, chunk: int = DEFAULT_CHUNK, progress: bool = False
) -> LatentSeries:
    """Encode an audio file (any rate and channel count: mixed to mono and
    resampled to the model's rate) -> LatentSeries, streaming in chunks."""
    model = model_of(model)
    path = Path(path)
    total = frames_at_rate(path, model.sampling_rate)
    with tqdm(
        total=total, unit="sample", unit_scale=True, desc=f"encode {path.name}", disable=not progress, leave=False
    ) as bar:
        latent, samples = _encode_pieces(model, read_blocks(path, model.sampling_rate), chunk, bar)
    return _series(model, latent, samples, path.name)


def iter_decode(
    model: OfflineModel, series: LatentSeries, *, chunk: int = DEFAULT_CHUNK, progress: bool = False
) -> Iterator[np.ndarray]:
    """Yield the decoded audio of `series` in pieces [<= chunk] (no model check:
    see decode_series). All pieces together are series.num_samples samples,
    aligned with the encoded source (see the module docstring)."""
    chunk = _chunk(model, chunk)
    lead = latency_of(model, series.delay)
    block_frames = model.block_size // model.ratio
    needed = math.ceil((lead + series.num_samples) / model.ratio)
    needed = math.ceil(needed / block_frames) * block_frames
    if series.frames == 0:
        raise GenerateError("the latent series has no frames")
    step = chunk // model.ratio
    skip, remaining = lead, series.num_samples
    model.reset()
    with tqdm(total=needed, unit="frame", desc="decode", disable=not progress, leave=False) as bar:
        for start in range(0, needed, step):
            # Past the last frame, hold it: it only feeds the decoder's delay line.
            index = np.minimum(np.arange(start, min(start + step, needed)), series.frames - 1)
            z = torch.from_numpy(np.ascontiguousarray(series.latent[:, index]))[None]
            y = model.decode(z)[0, 0].numpy()
            bar.update(index.size)
            y = y[skip:]
            skip = max(0, skip - index.size * model.ratio)
            y = y[:remaining]
            remaining -= y.size
            if y.size:
                yield y
            if remaining == 0:
                return


def decode_series(
    model: Union[OfflineModel, PathLike],
    series: LatentSeries,
    *,
    chunk: int = DEFAULT_CHUNK,
    any_model: bool = False,
    progress: bool = False,
) -> np.ndarray:
    """LatentSeries -> audio [num_samples] float32 at the model's rate.

    The model must be the one that made the series (same file hash) unless
    any_model (same geometry still required). The model delay is removed: the
    result is aligned with the source the series was encoded from."""
    model = model_of(model)
    check_model(series, model, any_model=any_model)
    pieces = list(iter_decode(model, series, chunk=chunk, progress=progress))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def decode_to_file(
    model: Union[OfflineModel, PathLike],
    series: LatentSeries,
    path: PathLike,
    *,
    chunk: int = DEFAULT_CHUNK,
    any_model: bool = False,
    progress: bool = False,
    rate: Optional[int] = None,
) -> DecodeResult:
    """decode_series written to a 32-bit float WAV piece by piece (bounded memory).

    rate: the file's rate (default the model's): the audio is resampled (soxr) to
    round(num_samples * rate / model rate) samples. The file appears at `path`
    only once complete: a failure leaves it as it was."""
    model = model_of(model)
    check_model(series, model, any_model=any_model)
    rate = model.sampling_rate if rate is None else int(rate)
    if rate < 1:
        raise GenerateError(f"output rate must be a positive number of Hz, got {rate}")
    samples = math.ceil(series.num_samples * rate / model.sampling_rate)
    check_free_space(path, 4 * samples + 4096)  # float32 samples + header
    with WavWriter(path, rate, input_rate=model.sampling_rate) as out:
        for piece in iter_decode(model, series, chunk=chunk, progress=progress):
            out.write(piece)
    return DecodeResult(Path(path), out.frames, rate)
