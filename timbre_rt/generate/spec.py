"""Deform spec files (YAML or JSON): a list of ops applied in order, replayable.

    # deform.yaml
    ops:
      - {op: offset, value: {z0: 0.5, 3: -1.0}}
      - {op: curve, dim: z2, points: [[0, 0], [1.5, 2.0], [3, 0]], mode: add}
      - {op: smooth, kind: one_pole, seconds: 0.05}
      - {op: stretch, factor: 1.5}

A bare list (without `ops:`) is accepted too. The applied ops are appended to
the series' history, so `deform` of the same input with the same spec always
gives the same output (noise is seeded).
"""

from pathlib import Path
from typing import Any, Dict, List, Sequence, Union

import numpy as np

from ..errors import InputError
from ..validate import Field, check_mapping, read_yaml_file, unknown_key
from .deform import OPS, OpError
from .errors import DeformError, DiscreteLatentError, SeriesError, check_mixable
from .series import LatentSeries

__all__ = ["load_spec", "check_spec", "deform"]

PathLike = Union[str, Path]
Spec = Dict[str, Any]
SPEC_FILE_SCHEMA = {"ops": Field(list), "version": Field(int, choices=(1,), required=False)}


def load_spec(path: PathLike) -> List[Spec]:
    """Read and check a spec file -> list of op dicts; DeformError names the file."""
    path = Path(path)
    if not path.is_file():
        raise DeformError(f"{path}: no such deform spec file")
    try:
        data = read_yaml_file(path, "deform spec file")  # JSON is YAML too
    except InputError as e:
        raise DeformError(str(e)) from None
    if isinstance(data, dict):
        try:
            data = check_mapping(data, SPEC_FILE_SCHEMA, str(path))["ops"]
        except InputError as e:
            raise DeformError(str(e)) from None
    return check_spec(data, str(path))


def check_spec(ops: Any, where: str = "deform spec") -> List[Spec]:
    """Check the shape of every op (name, required and known keys) without a series."""
    if not isinstance(ops, (list, tuple)):
        raise DeformError(f"{where}: expected a list of ops (or a mapping with 'ops:'), got {type(ops).__name__}")
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or "op" not in op:
            raise DeformError(f"{where}: op {i}: expected a mapping with an 'op' key, got {op!r}")
        name = op["op"]
        if not isinstance(name, str) or name not in OPS:
            raise DeformError(str(unknown_key(f"{where}: op {i}", name, OPS, "op")))
        known = set(OPS[name].required) | set(OPS[name].optional)
        missing = [k for k in OPS[name].required if k not in op]
        extra = [k for k in op if k != "op" and k not in known]
        if extra:
            raise DeformError(str(unknown_key(f"{where}: op {i} ({name})", extra[0], known)))
        if missing:
            raise DeformError(f"{where}: op {i} ({name}): missing {', '.join(missing)}")
    return list(ops)


def deform(series: LatentSeries, spec: Union[PathLike, Sequence[Spec]], where: str = "") -> LatentSeries:
    """Apply the ops of `spec` (a file path or a list of op dicts) in order.

    Raises DeformError naming the spec and the op index for any bad op or
    value, and DiscreteLatentError for value-changing ops on a discrete series."""
    if isinstance(spec, (str, Path)):
        where = where or str(spec)
        ops = load_spec(spec)
    else:
        where = where or "deform spec"
        ops = check_spec(spec, where)
    for i, op in enumerate(ops):
        name = op["op"]
        if OPS[name].changes_values:
            try:
                check_mixable(series.model_kind, f"{where}: op {i} ({name})")
            except DiscreteLatentError as e:
                raise DiscreteLatentError(f"{e} (reverse and freeze only move frames: they work)") from None
        try:
            # An overflow is refused by LatentSeries (non-finite frames): no warning line too.
            with np.errstate(over="ignore", invalid="ignore"):
                series = OPS[name].run(series, dict(op))
        except (OpError, SeriesError) as e:  # SeriesError: the result is not a valid series
            raise DeformError(f"{where}: op {i} ({name}): {e}") from None
    return series
