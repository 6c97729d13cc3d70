"""timbre_rt: realtime neural timbre tools.

The C++ core (`timbre_rt._core`) streams TorchScript models; this package re-exports it
next to the Python side (streaming blocks, the model contract and its exporter).
"""
import torch  # noqa: F401  (loads libtorch before the extension that links against it)

from ._core import CONTRACT_VERSION, Engine, ModelError, read_model_info

__all__ = ["CONTRACT_VERSION", "Engine", "ModelError", "read_model_info"]
