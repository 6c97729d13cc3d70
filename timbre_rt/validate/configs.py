"""Schemas of the model config files (models/*.yaml): ranges on top of the dataclasses.

Fields not listed keep the default rule of their annotation (integers >= 1,
floats finite): see dataclass_schema.field_of.
"""

from pathlib import Path
from typing import Any, Union

from ..errors import InputError
from .dataclass_schema import build_dataclass
from .schema import Field
from .yaml_file import read_yaml_file

__all__ = ["RANGES", "read_model_config"]

_NON_NEGATIVE = Field(float, min=0)
_COUNT_OR_ZERO = Field(int, min=0)
_DB = Field(float, min=-200, max=50)
# The harmonic decoders' synthesiser and pitch analysis (both model kinds).
_HARMONIC = {"harmonics": Field(int, min=1, max=512), "noise_bands": Field(int, min=2, max=1025)}
_PITCH = {
    "f0_min": Field(float, min=10, max=2000),
    "f0_max": Field(float, min=20, max=12000),
    "threshold": Field(float, above=0, max=1),
}


def _under(section: str, fields: dict) -> dict:
    return {f"{section}.{name}": field for name, field in fields.items()}


RANGES = {
    # shared by both kinds
    "sampling_rate": Field(int, min=1000, max=384000),
    "validate_every": Field(int, min=1),
    "steps": Field(int, min=0, max=10**9),  # 0 skips the stage
    "learning_rate": Field(float, above=0, max=1.0),
    "minutes": Field(float, above=0, allow_none=True),
    # continuous
    "mel.fmin": _NON_NEGATIVE,
    "mel.fmax": _NON_NEGATIVE,
    "vae.beta": _NON_NEGATIVE,
    "vae.kl_warmup_steps": _COUNT_OR_ZERO,
    "vae.adversary_weight": _NON_NEGATIVE,
    "vae.adversary_ramp_steps": _COUNT_OR_ZERO,
    "vae.loudness_bins": Field(int, min=2),
    "vae.loudness_min_db": _DB,
    "vae.loudness_max_db": _DB,
    "vocoder.delay": _COUNT_OR_ZERO,
    "vocoder.level_weight": _NON_NEGATIVE,
    "vocoder.kind": Field(str, choices=("melgan", "harmonic")),
    **_under("vocoder", _HARMONIC),
    **_under("pitch", _PITCH),
    "discriminator.feature_weight": _NON_NEGATIVE,
    # discrete
    "frames.gain_floor": Field(float, above=0),
    "frames.synthesis": Field(str, choices=("loops", "harmonic")),
    **_under("harmonic", {**_HARMONIC, **_PITCH}),
    "encoder.layers": _COUNT_OR_ZERO,
    "decoder.layers": _COUNT_OR_ZERO,
    "vq.codes": Field(int, min=2),
    "vq.decay": Field(float, min=0, max=0.9999),
    "vq.commitment": _NON_NEGATIVE,
    "vq.kmeans_batches": _COUNT_OR_ZERO,
    "vq.kmeans_iters": _COUNT_OR_ZERO,
    "vq.dead_after": _COUNT_OR_ZERO,
    "descriptors.render_seconds": Field(float, above=0, max=60),
    "descriptors.f0_min": Field(float, above=0),
    "descriptors.f0_max": Field(float, above=0),
    "descriptors.stay_bonus": _NON_NEGATIVE,
}


def read_model_config(path: Union[str, Path], kind: str, cls: type) -> Any:
    """Read a model config file of `kind` into its dataclass `cls`.

    An empty file is refused (it would silently start the full default run), and so
    is a `model:` key naming another kind. Missing keys take the defaults."""
    path = Path(path)
    data = read_yaml_file(path, "config file")
    if data is None or data == {}:
        raise InputError(f"{path}: empty config; start from models/{kind}.yaml")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    data = dict(data)
    declared = data.pop("model", kind)
    if declared != kind:
        raise InputError(f"{path}: model: a config for a {declared!r} model, not a {kind} one")
    return build_dataclass(cls, data, str(path), RANGES)
