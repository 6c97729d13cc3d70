"""Streaming building blocks: causal convolutions with in-place caches."""
from .base import CachedModule
from .cached_conv import CachedConv1d
from .cached_conv_transpose import CachedConvTranspose1d
from .streaming import collect_caches, set_streaming

__all__ = [
    "CachedModule",
    "CachedConv1d",
    "CachedConvTranspose1d",
    "collect_caches",
    "set_streaming",
]
