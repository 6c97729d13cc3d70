"""timbre_rt: realtime neural timbre tools.

The C++ core (`timbre_rt._core`) streams TorchScript models; this package re-exports it
next to the Python side (streaming blocks, the model contract and its exporter).

The core is imported on first use of one of its names: training and export need only
torch, so they also run where the extension was not built (e.g. a GPU training machine).
"""

import importlib

import torch  # noqa: F401  (loads libtorch before the extension that links against it)

__all__ = ["CONTRACT_VERSION", "Engine", "ModelError", "Pipeline", "read_model_info"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("._core", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
