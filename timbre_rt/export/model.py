"""Base class of every model that can be exported for the C++ host."""

import inspect
import math
from typing import List, Optional

import torch
from torch import nn

from ..nn.streaming import collect_caches, set_streaming
from .contract import CONTRACT_VERSION


class StreamingModel(nn.Module):
    """A model whose methods run on consecutive chunks of a stream.

    Subclasses build their layers from `timbre_rt.nn` cached blocks, call
    `declare_method` for every method the host may call, and implement those
    methods with `@torch.jit.export` (`forward` needs no decorator):

        class MyCodec(StreamingModel):
            def __init__(self):
                super().__init__(24000, "codec", ["z0", "z1"])
                ...
                self.declare_method("encode", 1, 1, 2, 512)

            @torch.jit.export
            def encode(self, x: torch.Tensor) -> torch.Tensor:
                ...

    `finalize()` (called by `export_model`) computes `block_size`, collects
    the caches for `reset()` and switches streaming on.
    """

    # Annotated because they may be empty lists, whose type TorchScript
    # cannot infer. Subclass annotations are merged in `__init_subclass__`.
    sampling_rate: int
    block_size: int
    contract_version: int
    model_kind: str
    latent_names: List[str]
    method_names: List[str]
    _caches: List[torch.Tensor]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # TorchScript reads only the most derived class's annotations: a
        # subclass that annotates anything would hide ours.
        merged = {}
        for klass in reversed(cls.__mro__):
            if isinstance(klass, type) and issubclass(klass, StreamingModel):
                merged.update(inspect.get_annotations(klass))
        cls.__annotations__ = merged

    def __init__(self, sampling_rate: int, model_kind: str, latent_names: List[str]):
        super().__init__()
        self.sampling_rate = int(sampling_rate)
        self.model_kind = str(model_kind)
        self.latent_names = [str(n) for n in latent_names]
        self.contract_version = CONTRACT_VERSION
        self.block_size = 0  # set by finalize(); a subclass may preset a larger one
        self.method_names = []
        self._caches = []

    def declare_method(
        self,
        name: str,
        in_channels: int,
        in_ratio: int,
        out_channels: int,
        out_ratio: int,
        latency: int = 0,
    ) -> None:
        """Register `name_params` ([4] int64 buffer) and `name_latency` (int)."""
        if not name.isidentifier():
            raise ValueError(f"invalid method name {name!r}")
        if name in self.method_names:
            raise ValueError(f"method {name!r} declared twice")
        if not callable(getattr(type(self), name, None)):
            raise ValueError(f"{type(self).__name__} has no method {name!r}")
        params = [in_channels, in_ratio, out_channels, out_ratio]
        if any(int(p) != p or p < 1 for p in params):
            raise ValueError(f"{name}: channels and ratios must be positive ints, got {params}")
        if int(latency) != latency or latency < 0:
            raise ValueError(f"{name}: latency must be a non-negative int, got {latency}")
        self.register_buffer(f"{name}_params", torch.tensor([int(p) for p in params], dtype=torch.long))
        setattr(self, f"{name}_latency", int(latency))
        self.method_names.append(name)

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return list(self.method_names)

    @torch.jit.export
    def reset(self) -> None:
        """Zero every cache (start all streams from silence)."""
        for c in self._caches:
            c.zero_()

    def finalize(self, block_size: Optional[int] = None) -> None:
        """Compute `block_size`, collect the caches and switch streaming on.

        block_size defaults to the lcm of all the methods' ratios (the
        smallest chunk every method accepts); a larger one (given here or
        preset in `self.block_size`) must be a multiple of that lcm.
        Call it after moving the model to its final device / dtype.
        """
        if not self.method_names:
            raise ValueError("no method declared")
        ratios = []
        for name in self.method_names:
            p = getattr(self, f"{name}_params").tolist()
            ratios += [int(p[1]), int(p[3])]
        lcm = math.lcm(*ratios)
        wanted = block_size if block_size is not None else self.block_size
        if wanted and wanted % lcm != 0:
            raise ValueError(f"block_size {wanted} is not a multiple of the ratios' lcm {lcm}")
        self.block_size = int(max(wanted or lcm, lcm))
        set_streaming(self, True)
        self._caches = collect_caches(self)

    def _apply(self, fn, *args, **kwargs):
        # .to() / .cuda() replace buffer tensors in eager mode: re-collect so
        # reset() keeps zeroing the live caches.
        out = super()._apply(fn, *args, **kwargs)
        if self._caches:
            self._caches = collect_caches(self)
        return out
