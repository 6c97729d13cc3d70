"""WAV files with only the standard library and numpy.

write_wav writes 32-bit float WAVs (WAVE_FORMAT_IEEE_FLOAT), which the stdlib
`wave` module cannot write, so the RIFF header is packed here with `struct`.
read_wav reads PCM 8/16/24/32-bit and float 32/64-bit WAVs, plain or
WAVE_FORMAT_EXTENSIBLE.
"""
import struct
from pathlib import Path
from typing import Tuple, Union

import numpy as np

from .io import atomic_path

WAVE_FORMAT_PCM = 1
WAVE_FORMAT_IEEE_FLOAT = 3
WAVE_FORMAT_EXTENSIBLE = 0xFFFE

PathLike = Union[str, Path]


class WavError(ValueError):
    """The file is not a WAV file this module can read."""


def write_wav(path: PathLike, audio: np.ndarray, rate: int) -> Path:
    """Write `audio` ([channels, T] or [T], any real dtype) as a 32-bit float WAV.

    Values are stored as they are (no clipping or scaling). Creates the parent
    folder; the file appears only once complete. Returns the path.
    """
    audio = np.asarray(audio)
    if audio.ndim == 1:
        audio = audio[None]
    if audio.ndim != 2:
        raise ValueError(f"audio must be [channels, T] or [T], got shape {audio.shape}")
    channels, frames = audio.shape
    if channels < 1:
        raise ValueError("audio has no channel")
    data = np.ascontiguousarray(audio.T, dtype="<f4").tobytes()  # interleaved frames
    block_align = 4 * channels
    # Non-PCM formats carry an 18-byte fmt chunk (cbSize = 0) and a fact chunk.
    fmt = struct.pack(
        "<HHIIHHH", WAVE_FORMAT_IEEE_FLOAT, channels, int(rate), int(rate) * block_align,
        block_align, 32, 0,
    )
    fact = struct.pack("<I", frames)
    body = b"WAVE"
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"fact" + struct.pack("<I", len(fact)) + fact
    body += b"data" + struct.pack("<I", len(data)) + data
    if len(data) % 2:  # chunks are word-aligned (never happens with 4-byte samples)
        body += b"\0"
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:  # never a half-written WAV at `path`
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def read_wav(path: PathLike) -> Tuple[np.ndarray, int]:
    """Read a WAV file -> (audio float32 [channels, T], sampling rate).

    Integer PCM is scaled to [-1, 1); float samples are returned unchanged.
    """
    raw = Path(path).read_bytes()
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise WavError(f"{path}: not a RIFF/WAVE file")
    fmt = None
    data = None
    pos = 12
    while pos + 8 <= len(raw):
        chunk_id, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        body = raw[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt = body
        elif chunk_id == b"data":
            data = body
        pos += 8 + size + (size % 2)  # odd-sized chunks are padded
    if fmt is None or len(fmt) < 16:
        raise WavError(f"{path}: missing or short fmt chunk")
    if data is None:
        raise WavError(f"{path}: missing data chunk")
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(fmt) < 26:
            raise WavError(f"{path}: short WAVE_FORMAT_EXTENSIBLE fmt chunk")
        tag = struct.unpack("<H", fmt[24:26])[0]  # first two bytes of the SubFormat GUID
    if channels < 1 or block_align != channels * ((bits + 7) // 8):
        raise WavError(f"{path}: inconsistent fmt chunk ({channels} channels, {bits} bits, "
                       f"block_align {block_align})")
    frames = len(data) // block_align
    data = data[: frames * block_align]
    samples = _decode(data, tag, bits, path)
    return samples.reshape(frames, channels).T.copy(), int(rate)


def _decode(data: bytes, tag: int, bits: int, path: PathLike) -> np.ndarray:
    """Raw little-endian samples -> flat float32 array."""
    if tag == WAVE_FORMAT_IEEE_FLOAT and bits in (32, 64):
        return np.frombuffer(data, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
    if tag != WAVE_FORMAT_PCM:
        raise WavError(f"{path}: unsupported format tag {tag} ({bits} bits)")
    if bits == 8:  # the only unsigned PCM width
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if bits == 16:
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if bits == 24:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)  # sign-extend
        return value.astype(np.float32) / float(1 << 23)
    if bits == 32:
        return (np.frombuffer(data, dtype="<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    raise WavError(f"{path}: unsupported PCM width {bits} bits")
