"""The model both benchmarks time when no --models is given: a ToyCodec of a realistic
size, exported into a temporary folder (no file needs to exist in the checkout)."""

from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

__all__ = ["DEFAULT_TOY", "DEFAULT_TOY_LABEL", "export_default", "models_to_time"]

# Ratio 4 * 4 * 4 * 2 = 128 samples per frame, 64 hidden channels: a streaming codec's
# cost per call, unlike the tiny test models.
DEFAULT_TOY = dict(hidden=64, strides=(4, 4, 4, 2), latent_channels=4)
DEFAULT_TOY_LABEL = "ToyCodec(hidden=64, strides=4x4x4x2)"
# Its export check runs on this much signal: enough to check streaming, quick to start.
EXPORT_CHECK_SECONDS = 0.25


def export_default(folder: Path) -> str:
    """Export the default ToyCodec into `folder`; returns the file's path."""
    # Imported here: building and exporting a model is only needed for the default run.
    import torch

    from ..export import export_model
    from ..models import ToyCodec

    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # small chunked calls: one thread is fastest
    try:
        path = folder / "toy_hidden64.ts"
        export_model(ToyCodec(**DEFAULT_TOY), path, seconds=EXPORT_CHECK_SECONDS)
    finally:
        torch.set_num_threads(previous)
    return str(path)


def models_to_time(models: Optional[Sequence[str]], folder: Path, log: Callable[[str], None]) -> List[Tuple[str, str]]:
    """(path, label) pairs: the files given (labelled by their path), else the default
    ToyCodec exported into `folder`."""
    if models:
        return [(p, p) for p in models]
    log(f"exporting {DEFAULT_TOY_LABEL} ...")
    return [(export_default(folder), DEFAULT_TOY_LABEL)]
