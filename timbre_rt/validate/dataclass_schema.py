"""Config dataclasses built from YAML mappings through the schema checks.

The schema of a config is derived from its dataclass (each field's annotation
gives the type, nested dataclasses are sections) plus a table of ranges, so a
new config field is checked without writing a schema by hand:

    cfg = build_dataclass(ContinuousConfig, data, "cont.yaml", RANGES)
"""

import dataclasses
import typing
from typing import Any, Dict, Mapping

from ..errors import InputError
from .schema import Field, check_value, unknown_key

__all__ = ["build_dataclass", "coerce_sections", "field_of"]

# Without an entry in the ranges table: integers count things (>= 1), floats only need be finite.
_DEFAULT_INT = Field(int, min=1)


def field_of(annotation: Any, name: str) -> Field:
    """The default Field of a dataclass attribute, from its annotation."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union and type(None) in args:  # Optional[X]
        inner = field_of(next(a for a in args if a is not type(None)), name)
        return dataclasses.replace(inner, allow_none=True)
    if origin in (tuple, list):
        return Field(list, items=field_of(args[0], name) if args else None)
    if annotation is int:
        return _DEFAULT_INT
    if annotation in (float, bool, str):
        return Field(annotation)
    raise TypeError(f"no schema for {name}: {annotation}")


def build_dataclass(cls: type, data: Any, where: str, ranges: Mapping[str, Field], prefix: str = "") -> Any:
    """cls(**data) after checking every key; nested dataclass fields take mappings.

    ranges: Field per dotted name ("vae.hidden") or per plain name ("learning_rate")."""
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: {prefix.rstrip('.') or 'config'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in names:
            raise unknown_key(f"{where}: {prefix.rstrip('.')}" if prefix else where, key, names)
    values: Dict[str, Any] = {}
    for key, value in data.items():
        dotted = prefix + key
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            values[key] = build_dataclass(hint, value, where, ranges, dotted + ".")
            continue
        rule = ranges.get(dotted) or ranges.get(key) or field_of(hint, key)
        values[key] = check_value(value, rule, f"{where}: {dotted}")
        if typing.get_origin(hint) is tuple and values[key] is not None:
            values[key] = tuple(values[key])
    try:
        return cls(**values)
    except TypeError as e:  # a required field (no default) left out
        raise InputError(f"{where}: {prefix.rstrip('.') or 'config'}: {e}") from None
    except InputError:
        raise
    except ValueError as e:  # cross-field checks of __post_init__
        raise InputError(f"{where}: {e}") from None


def coerce_sections(obj: Any, ranges: Mapping[str, Field], where: str = "config") -> None:
    """In a config dataclass built from Python (tests, scripts), sections given as mappings
    become their dataclasses, checked exactly as a config file is; lists become tuples."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value, hint = getattr(obj, f.name), hints[f.name]
        if isinstance(value, Mapping) and dataclasses.is_dataclass(hint):
            setattr(obj, f.name, build_dataclass(hint, value, where, ranges, f.name + "."))
        elif isinstance(value, list) and typing.get_origin(hint) is tuple:
            setattr(obj, f.name, tuple(value))
