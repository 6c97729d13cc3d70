"""Script a StreamingModel, check it streams exactly, and write the file."""

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import torch

from ..errors import InputError
from ..io import atomic_path
from .contract import ModelContract
from .model import StreamingModel
from .module_info import ContractError


# Chunk sizes checked by default, in blocks: 1 (the smallest a host may give), 2 and 3
# (boundaries at other phases of the model's internal periods), 16 (a large host buffer).
DEFAULT_CHUNK_BLOCKS = (1, 2, 3, 16)


class ExportError(InputError):
    """The scripted model does not stream exactly (or breaks the contract)."""


@dataclass
class ExportReport:
    """What `export_model` wrote and how closely chunked calls matched.

    errors[method][chunk] = max abs error of the reloaded scripted method
    run on chunks of `chunk` audio samples against one eager call.
    """

    path: str
    methods: List[str]
    block_size: int
    chunk_sizes: List[int]
    errors: Dict[str, Dict[int, float]] = field(default_factory=dict)

    @property
    def max_error(self) -> float:
        return max((e for d in self.errors.values() for e in d.values()), default=0.0)


def export_model(
    model: StreamingModel,
    path: Union[str, Path],
    *,
    chunk_sizes: Optional[Sequence[int]] = None,
    atol: float = 1e-4,
    seconds: float = 1.0,
    seed: int = 0,
) -> ExportReport:
    """Finalize, script and save `model` to `path`, after checking that every
    declared method gives the same result on chunks as on the whole signal.

    atol: a streaming bug (a missing cache, a misaligned frame) shows as errors
    of 1e-2 and more; deep trained models differ by ~1e-5 from float32
    rounding alone (convolution algorithms change with the input length). The
    bound is for outputs within [-1, 1]: rounding is relative, so a larger
    output (the random test latents can ask for a gain of 4) gets
    atol * its peak.
    chunk_sizes are in audio samples and must be multiples of the model's
    block_size (default: 1, 2, 3 and 16 blocks). On failure raises
    ExportError and leaves no file at `path`. The model is left finalized
    (streaming on, caches zeroed).
    """
    if not isinstance(model, StreamingModel):
        raise TypeError(f"expected a StreamingModel, got {type(model).__name__}")
    path = Path(path)
    model.eval()
    model.finalize()
    try:  # what the file will declare, read by the core's rules: refused now, not at load time
        contract = ModelContract.from_module(model, str(path))
    except ContractError as e:
        raise ExportError(str(e)) from None
    block = contract.block_size
    chunks = [int(c) for c in (chunk_sizes or [n * block for n in DEFAULT_CHUNK_BLOCKS])]
    for c in chunks:
        if c < 1 or c % block != 0:
            raise ValueError(f"chunk size {c} is not a positive multiple of block_size {block}")

    with atomic_path(path) as tmp:  # no file at `path` unless every check passes
        with warnings.catch_warnings():
            # TorchScript is deprecated in favour of torch.export, but it is
            # what the C++ host loads: the warnings are expected noise here.
            warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated")
            model.reset()  # the file must hold zeroed caches
            scripted = torch.jit.script(model)
            scripted.reset()
            torch.jit.save(scripted, str(tmp))
            loaded = torch.jit.load(str(tmp), map_location=_device_of(model))
        errors = _check_methods(model, loaded, contract, chunks, atol, seconds, seed)
        loaded.reset()
        model.reset()
    return ExportReport(
        path=str(path),
        methods=list(contract.methods),
        block_size=block,
        chunk_sizes=chunks,
        errors=errors,
    )


def _device_of(model: torch.nn.Module) -> torch.device:
    for t in list(model.parameters()) + list(model.buffers()):
        return t.device
    return torch.device("cpu")


@torch.no_grad()
def _check_methods(
    model: StreamingModel,
    loaded: torch.jit.ScriptModule,
    contract: ModelContract,
    chunks: List[int],
    atol: float,
    seconds: float,
    seed: int,
) -> Dict[str, Dict[int, float]]:
    block = contract.block_size
    n_blocks = max(1, round(seconds * contract.sampling_rate / block))
    total = n_blocks * block  # audio samples
    device = _device_of(model)
    gen = torch.Generator().manual_seed(seed)
    errors: Dict[str, Dict[int, float]] = {}
    for name, spec in contract.methods.items():
        if not hasattr(loaded, name):
            raise ExportError(f"method {name!r} is not in the scripted model (missing @torch.jit.export?)")
        c_in, r_in, c_out, r_out = spec.params()
        if r_in == 1:  # audio in [-1, 1]
            x = torch.rand(1, c_in, total, generator=gen) * 2 - 1
        else:  # latent frames
            x = torch.randn(1, c_in, total // r_in, generator=gen)
        x = x.to(device)

        model.reset()
        ref = getattr(model, name)(x)
        _check_shape(name, "whole input", ref, c_out, total // r_out)

        errors[name] = {}
        for chunk in chunks:
            loaded.reset()
            step = chunk // r_in
            outs = []
            for start in range(0, x.size(-1), step):
                piece = x[:, :, start : start + step]
                y = getattr(loaded, name)(piece)
                _check_shape(name, f"chunk {chunk}", y, c_out, piece.size(-1) * r_in // r_out)
                outs.append(y)
            err = (torch.cat(outs, dim=-1) - ref).abs().max().item()
            errors[name][chunk] = err
            bound = atol * max(1.0, ref.abs().max().item())
            if not err <= bound:  # also catches NaN
                raise ExportError(
                    f"method {name!r}, chunk size {chunk}: chunked output differs from "
                    f"the whole-signal output by {err:.3g} (allowed {bound:.3g}: atol {atol:g} "
                    f"times the output's peak when above 1)"
                )
    model.reset()
    return errors


def _check_shape(name: str, what: str, y: torch.Tensor, channels: int, frames: int) -> None:
    if tuple(y.shape) != (1, channels, frames):
        raise ExportError(
            f"method {name!r} ({what}): output shape {tuple(y.shape)}, declared params imply (1, {channels}, {frames})"
        )
