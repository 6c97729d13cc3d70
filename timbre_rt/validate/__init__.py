"""One validation layer for every file type a user writes or hands over: types, ranges,
unknown keys with a "did you mean" hint, YAML read the way it is meant."""

from .configs import RANGES, read_model_config
from .dataclass_schema import build_dataclass, coerce_sections, field_of
from .limits import MAX_RATE, MAX_SECONDS, check_duration, check_rate
from .schema import Field, check_mapping, check_value, did_you_mean, unknown_key
from .yaml_file import load_yaml, read_yaml_file

__all__ = [
    "Field",
    "MAX_RATE",
    "MAX_SECONDS",
    "RANGES",
    "build_dataclass",
    "check_duration",
    "check_mapping",
    "check_rate",
    "coerce_sections",
    "check_value",
    "did_you_mean",
    "field_of",
    "load_yaml",
    "read_model_config",
    "read_yaml_file",
    "unknown_key",
]
