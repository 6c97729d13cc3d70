"""A model file opened for offline work: its scripted module, geometry, latencies and hash."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Union

import torch

from ..errors import last_line
from ..export.contract import ModelContract
from .errors import GenerateError

__all__ = ["OfflineModel", "load_model", "file_sha256", "call_method", "check_output"]

PathLike = Union[str, Path]


def file_sha256(path: PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


@dataclass
class OfflineModel:
    """What offline generation needs of a model that follows the file contract.

    encode: audio [1, 1, T] -> latent [1, channels, T / ratio]
    decode: latent [1, channels, T / ratio] -> audio [1, 1, T]
    T must be a multiple of block_size. decode(encode(x)) is x delayed by
    encode_latency + decode_latency samples (0 when a foreign file does not
    declare them).
    """

    module: torch.nn.Module = field(repr=False)
    path: str
    sha256: str
    sampling_rate: int
    ratio: int  # audio samples per latent frame
    channels: int
    latent_names: List[str]
    model_kind: str
    block_size: int
    encode_latency: int = 0
    decode_latency: int = 0

    @classmethod
    def from_contract(cls, module: torch.nn.Module, contract: ModelContract, sha256: str = "") -> "OfflineModel":
        """Wrap a loaded module with its contract (as the core read it).

        Raises GenerateError if it lacks encode/decode or their shapes disagree."""
        path = contract.path
        for name in ("encode", "decode"):
            if name not in contract.methods:
                raise GenerateError(
                    f"model {path}: has no method '{name}' with '{name}_params' "
                    "(offline generation needs both encode and decode)"
                )
        encode, decode = contract.methods["encode"], contract.methods["decode"]
        channels, ratio = encode.out_channels, encode.out_ratio
        if (encode.in_channels, encode.in_ratio, decode.out_channels, decode.out_ratio) != (1, 1, 1, 1) or (
            decode.in_channels,
            decode.in_ratio,
        ) != (channels, ratio):
            raise GenerateError(
                f"model {path}: encode {encode.params()} and decode {decode.params()} "
                "are not a mono audio <-> latent pair"
            )
        names = contract.latent_names or [f"z{i}" for i in range(channels)]
        if len(names) != channels:
            raise GenerateError(f"model {path}: {len(names)} latent names for {channels} channels")
        if not contract.sampling_rate_declared:  # the core's default rate would be a guess
            raise GenerateError(f"model {path}: declares no sampling rate")
        return cls(
            module=module,
            path=str(path),
            sha256=sha256,
            sampling_rate=contract.sampling_rate,
            ratio=ratio,
            channels=channels,
            latent_names=names,
            model_kind=contract.model_kind,
            block_size=contract.block_size,
            encode_latency=encode.latency,
            decode_latency=decode.latency,
        )

    @classmethod
    def from_module(cls, module: torch.nn.Module, path: str = "<in memory>", sha256: str = "") -> "OfflineModel":
        """Wrap a loaded (scripted or finalized eager) contract model that has no file."""
        return cls.from_contract(module, ModelContract.from_module(module, path), sha256)

    def reset(self) -> None:
        """Start a new stream: zero the caches (foreign files may have no reset)."""
        if hasattr(self.module, "reset"):
            from .._core import ModelError

            try:
                self.module.reset()
            except Exception as e:  # noqa: BLE001 (the model's own code)
                raise ModelError(f"model file '{self.path}': reset failed: {last_line(e)}") from None

    @torch.no_grad()
    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        """audio: [1, 1, T] -> [1, channels, T / ratio] (continues the current stream)"""
        y = call_method(self.module, "encode", audio, self.path)
        return check_output(y, "encode", (1, self.channels, audio.shape[-1] // self.ratio), self.path)

    @torch.no_grad()
    def decode(self, latent: torch.Tensor) -> torch.Tensor:
        """latent: [1, channels, N] -> audio [1, 1, N * ratio] (continues the current stream)"""
        y = call_method(self.module, "decode", latent, self.path)
        return check_output(y, "decode", (1, 1, latent.shape[-1] * self.ratio), self.path)


def call_method(module: torch.nn.Module, name: str, x: torch.Tensor, path: str) -> torch.Tensor:
    """module.<name>(x); any exception of the model becomes one-line ModelError naming the file."""
    from .._core import ModelError

    try:
        return getattr(module, name)(x)
    except Exception as e:  # noqa: BLE001 (the model's own code: anything may come out)
        raise ModelError(f"model file '{path}': {name} failed: {last_line(e)}") from None


def check_output(y, name: str, shape: tuple, path: str) -> torch.Tensor:
    """ModelError unless y is a finite tensor of `shape` (the engine's checks, offline)."""
    from .._core import ModelError

    if not isinstance(y, torch.Tensor):
        raise ModelError(f"model file '{path}': {name} returned {type(y).__name__}, not a tensor")
    if tuple(y.shape) != tuple(shape):
        raise ModelError(
            f"model file '{path}': {name} returned shape {tuple(y.shape)}, its declared params imply {tuple(shape)}"
        )
    if not bool(torch.isfinite(y).all()):
        raise ModelError(f"model file '{path}': {name} returned NaN or inf")
    return y


def load_model(path: PathLike, map_location: str = "cpu") -> OfflineModel:
    """Open a model file; errors name the file and say what is wrong with it.

    The file is first validated by the C++ core exactly as the Pd objects do
    (missing, empty, not TorchScript, broken contract), then loaded with
    torch.jit for the offline calls."""
    from .._core import ModelError
    from ..model_file import load_scripted

    path = Path(path)
    contract = ModelContract.from_file(path)  # ModelError with the engine's message
    try:
        module = load_scripted(path, map_location=map_location)
    except Exception as e:  # noqa: BLE001 (torch.jit.load raises many kinds)
        raise ModelError(f"model file '{path}': cannot load: {last_line(e)}") from None
    module.eval()
    return OfflineModel.from_contract(module, contract, file_sha256(path))


def model_of(model: Union[OfflineModel, PathLike]) -> OfflineModel:
    """Accept a loaded model or a path (what the API functions take)."""
    return model if isinstance(model, OfflineModel) else load_model(model)


def same_model(a: str, b: str) -> bool:
    """Two sha256 digests name the same file (an empty digest is unknown: trusted)."""
    return not a or not b or a == b


def latency_of(model: OfflineModel, series_delay: Optional[int] = None) -> int:
    """Samples to drop at the start of decoded audio: the delay inside the
    frames (the encoder's, recorded in the series) plus the decoder's."""
    delay = model.encode_latency if series_delay is None else series_delay
    return int(delay) + int(model.decode_latency)
