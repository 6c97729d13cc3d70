"""Switch a module tree between training and streaming, and find its state."""

from typing import List

import torch
from torch import nn

from .base import CachedModule


def set_streaming(module: nn.Module, on: bool) -> None:
    """Set `streaming` on every cached block under `module` and reset them.

    Blocks whose streaming path uses weights rearranged from their parameters
    (`refresh_polyphase`) rearrange them now: train, then switch streaming on."""
    for m in module.modules():
        if isinstance(m, CachedModule):
            m.streaming = bool(on)
            m.reset()
            if on and hasattr(m, "refresh_polyphase"):
                m.refresh_polyphase()


def collect_caches(module: nn.Module) -> List[torch.Tensor]:
    """The `cache` buffers of every cached block under `module`.

    These are the buffer tensors themselves (not copies): zeroing them in
    place resets the blocks. The aliasing survives torch.jit.script and
    torch.jit.save / torch.jit.load, as long as the caches are collected
    after the module has been moved to its final device / dtype.
    """
    return [m.cache for m in module.modules() if isinstance(m, CachedModule)]
