"""Descriptor target curves: read from CSV / JSON, or analysed from a sound; sampled per frame.

A target file gives a `time` column (seconds, strictly increasing) and one
column per descriptor to follow (any subset of the model's descriptors, in
their natural units: see `timbre-rt codebook`'s descriptors.csv). Values are
interpolated linearly between the given times and held before the first and
after the last; an empty cell (CSV) or null (JSON) means "no target there".

    time,centroid,f0,loudness
    0.0,800,220,-30
    2.0,3000,220,-20

JSON: {"time": [0.0, 2.0], "centroid": [800, 3000], ...}
"""

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Sequence, Union

import numpy as np

from ..errors import InputError
from ..models.discrete.descriptors import Framing, analyse
from ..validate import MAX_SECONDS, did_you_mean

__all__ = ["TargetError", "Targets", "read_targets", "targets_like"]


class TargetError(InputError):
    """A target file that cannot be used, with the reason."""


@dataclass
class Targets:
    """times: [M] seconds, strictly increasing; curves: {descriptor: [M]} (NaN = none)."""

    times: np.ndarray
    curves: Dict[str, np.ndarray]

    @property
    def duration(self) -> float:
        return float(self.times[-1])

    def at(self, times: np.ndarray) -> Dict[str, np.ndarray]:
        """{descriptor: values at `times`}: linear interpolation over the given points."""
        out = {}
        for name, values in self.curves.items():
            ok = ~np.isnan(values)
            if not ok.any():
                out[name] = np.full(len(times), np.nan)
                continue
            out[name] = np.interp(times, self.times[ok], values[ok])
        return out


def _number(cell, where: str) -> float:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return math.nan
    try:
        return float(cell)
    except (TypeError, ValueError):
        raise TargetError(f"{where}: not a number: {cell!r}") from None


def read_targets(path: Union[str, Path], known: Sequence[str]) -> Targets:
    """Read a .csv or .json target file; `known` are the model's descriptor names."""
    path = Path(path)
    if not path.is_file():
        raise TargetError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
            raise TargetError(f"{path}: not valid JSON: {e}") from None
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise TargetError(f'{path}: expected {{"time": [...], "<descriptor>": [...]}}')
        columns = data
    elif path.suffix.lower() == ".csv":
        try:
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
        except (csv.Error, UnicodeDecodeError) as e:
            raise TargetError(f"{path}: not a readable CSV file ({e})") from None
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            raise TargetError(f"{path}: empty file")
        header = [h.strip() for h in rows[0]]
        if any(len(r) != len(header) for r in rows[1:]):
            raise TargetError(f"{path}: every row needs {len(header)} cells, as the header")
        columns = {h: [r[i] for r in rows[1:]] for i, h in enumerate(header)}
    else:
        raise TargetError(f"{path}: expected a .csv or .json file")
    return _validate(path, columns, known)


def _validate(path: Path, columns: Dict[str, list], known: Sequence[str]) -> Targets:
    if "time" not in columns:
        raise TargetError(f"{path}: missing the 'time' column (seconds)")
    unknown = [c for c in columns if c != "time" and c not in known]
    if unknown:
        raise TargetError(
            f"{path}: unknown descriptor(s) {', '.join(map(str, unknown))}"
            f"{did_you_mean(unknown[0], known)}; the model knows {', '.join(known)}"
        )
    names = [c for c in columns if c != "time"]
    if not names:
        raise TargetError(f"{path}: no descriptor column; give one or more of {', '.join(known)}")
    parsed = {
        c: np.array([_number(v, f"{path}: column {c!r} row {i + 1}") for i, v in enumerate(vals)])
        for c, vals in columns.items()
    }
    times = parsed.pop("time")
    if len(times) == 0:
        raise TargetError(f"{path}: no rows")
    if np.isnan(times).any():
        raise TargetError(f"{path}: 'time' has an empty cell")
    if len(set(len(v) for v in parsed.values()) | {len(times)}) != 1:
        raise TargetError(f"{path}: columns of different lengths")
    if times[0] < 0 or (np.diff(times) <= 0).any():
        raise TargetError(f"{path}: 'time' must start at >= 0 and increase strictly")
    if not np.isfinite(times[-1]) or times[-1] > MAX_SECONDS:
        raise TargetError(f"{path}: time: the last target at {times[-1]:g} s is past the limit of {MAX_SECONDS:g} s")
    for name, values in parsed.items():
        if np.isinf(values).any():
            raise TargetError(f"{path}: column {name!r}: inf is not a target value")
    if all(np.isnan(v).all() for v in parsed.values()):
        raise TargetError(f"{path}: every descriptor cell is empty")
    return Targets(times, parsed)


def targets_like(audio: np.ndarray, framing: Framing, silence_db: float = -60.0) -> Targets:
    """Every descriptor of `audio` [T] (at the model's rate), at its frames' centres.

    Unvoiced frames have no f0 target, and frames below `silence_db` (A-weighted)
    only a loudness target: silence has no timbre to imitate (NaN elsewhere).
    """
    values = analyse(audio, framing)
    silent = values["loudness"] < silence_db
    for name, v in values.items():
        if name != "loudness":
            v[silent] = np.nan
    n = len(values["centroid"])
    times = (np.arange(n) * framing.hop + framing.hop - framing.window / 2) / framing.sampling_rate
    keep = times >= 0  # frames that start before the sound: half made of padding
    return Targets(times[keep], {k: v[keep] for k, v in values.items()})
