"""Open model files from Python the way the C++ host does (for tools and references)."""
import warnings
from pathlib import Path
from typing import List, Union

import torch

from ._core import read_model_info

PathLike = Union[str, Path]


def load_scripted(path: PathLike, map_location: str = "cpu") -> torch.jit.ScriptModule:
    """torch.jit.load, without the expected TorchScript deprecation warning."""
    with warnings.catch_warnings():
        # TorchScript is the host's model format: its deprecation notice is noise here.
        warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated")
        return torch.jit.load(str(path), map_location=map_location)


def list_methods(path: PathLike) -> List[str]:
    """The streaming methods a model file declares, in its own order.

    Validated by the C++ core exactly as the engine does: raises ModelError
    with the engine's message for a file it cannot use."""
    return list(read_model_info(str(path))["methods"])
