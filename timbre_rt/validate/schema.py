"""One schema per file type: each field's type and range, unknown keys with a hint.

    SCHEMA = {"num_samples": Field(int, min=1), "rate": Field(float, above=0)}
    values = check_mapping(data, SCHEMA, "take.npz")   # InputError: "take.npz: rate: ..."

Messages are one line: `<where>: <field>: <problem>`.
"""

import difflib
import math
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from ..errors import InputError

__all__ = ["Field", "check_value", "check_mapping", "did_you_mean", "unknown_key"]

_KIND_NAMES = {
    int: "an integer",
    float: "a number",
    str: "a string",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


def did_you_mean(key: Any, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a known name is close to `key`, else ''."""
    close = difflib.get_close_matches(str(key), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(where: str, key: Any, known: Iterable[str], what: str = "key") -> InputError:
    known = sorted(str(k) for k in known)
    return InputError(f"{where}: unknown {what} {key!r}{did_you_mean(key, known)}; known: {', '.join(known)}")


@dataclass(frozen=True)
class Field:
    """kind: int, float, str, bool, list or dict. Ranges apply to numbers (and to
    list items with `items`); `above` is an exclusive minimum."""

    kind: type
    min: Optional[float] = None
    max: Optional[float] = None
    above: Optional[float] = None
    choices: Optional[Tuple[Any, ...]] = None
    required: bool = True
    allow_none: bool = False
    items: Optional["Field"] = None  # for lists: the schema of every item
    length: Optional[int] = None  # for lists: required length


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind_error(value: Any, kind: type) -> str:
    return f"must be {_KIND_NAMES.get(kind, kind.__name__)}, got {_describe(value)}"


def check_value(value: Any, field: Field, where: str) -> Any:
    """The checked value (ints accepted for floats, as float); InputError otherwise."""
    if value is None and field.allow_none:
        return None
    kind = field.kind
    if kind is int:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer()))
        ):
            raise InputError(f"{where}: {_kind_error(value, int)}")
        value = int(value)
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{where}: {_kind_error(value, float)}")
        value = float(value)
        if not math.isfinite(value):
            raise InputError(f"{where}: must be a finite number, got {value}")
    elif kind is bool:
        if not isinstance(value, bool):
            raise InputError(f"{where}: {_kind_error(value, bool)}")
    elif kind is list:
        if not isinstance(value, (list, tuple)):
            raise InputError(f"{where}: {_kind_error(value, list)}")
        if field.length is not None and len(value) != field.length:
            raise InputError(f"{where}: must have {field.length} items, got {len(value)}")
        if field.items is not None:
            value = [check_value(v, field.items, f"{where}[{i}]") for i, v in enumerate(value)]
        else:
            value = list(value)
    elif not isinstance(value, kind):
        raise InputError(f"{where}: {_kind_error(value, kind)}")
    if field.choices is not None and value not in field.choices:
        raise InputError(
            f"{where}: must be one of {', '.join(map(str, field.choices))}, "
            f"got {_describe(value)}{did_you_mean(value, map(str, field.choices))}"
        )
    if kind in (int, float):
        if field.above is not None and not value > field.above:
            raise InputError(f"{where}: must be > {field.above:g}, got {value:g}")
        if field.min is not None and value < field.min:
            raise InputError(f"{where}: must be >= {field.min:g}, got {value:g}")
        if field.max is not None and value > field.max:
            raise InputError(f"{where}: must be <= {field.max:g}, got {value:g}")
    return value


def check_mapping(data: Any, schema: Mapping[str, Field], where: str, what: str = "key") -> Dict[str, Any]:
    """Check every known key of `data` against `schema`; unknown and missing keys are errors.
    Returns {key: checked value} for the keys present."""
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a mapping, got {type(data).__name__}")
    for key in data:
        if key not in schema:
            raise unknown_key(where, key, schema, what)
    missing = [k for k, f in schema.items() if f.required and k not in data]
    if missing:
        raise InputError(f"{where}: missing {', '.join(missing)}")
    return {k: check_value(v, schema[k], f"{where}: {k}") for k, v in data.items()}
