"""Open model files from Python the way the C++ host does (for tools and references)."""

import warnings
from pathlib import Path
from typing import Dict, List, Union

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


def latent_shares(path: PathLike) -> Dict[str, str]:
    """{"latent share": "z0 41.0%, z1 22.3%, ..."} for a file that stores its latent
    dimensions' shares of the variance (`latent_share`), else {} (for `timbre-rt info`)."""
    module = load_scripted(path)
    if not hasattr(module, "latent_share"):
        return {}
    share = [float(v) for v in module.latent_share]
    names = [str(n) for n in getattr(module, "latent_names", [])][: len(share)]
    names += [f"z{i}" for i in range(len(names), len(share))]
    return {"latent share": ", ".join(f"{n} {100 * s:.1f}%" for n, s in zip(names, share))}
