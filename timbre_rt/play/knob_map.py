"""The knob map: which MIDI control turns which latent knob (a YAML file).

    port: nanoKONTROL          # optional: MIDI input port (part of its name); --midi overrides
    channel: all               # optional: MIDI channel 1-16, or all (default)
    controls:                  # control change -> a latent dimension's offset or scale
      - cc: 16
        dim: 0                 # index, or a latent name such as z0
        target: offset         # offset (default) | scale
        range: [-3.0, 3.0]     # value at CC 0 and at CC 127 (default: offset -3..3, scale 0..2)
    notes:                     # note on -> freeze / bypass of a dimension (or all)
      - note: 36
        dim: 0                 # index, latent name, or all
        action: freeze         # freeze | bypass
        mode: toggle           # toggle (default: each note on flips) | momentary (while held)

Every entry may also have its own `channel`. `load_map` checks everything and raises
MapError with the file, the entry and the problem.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import yaml

__all__ = [
    "ControlMapping",
    "DEFAULT_RANGES",
    "KnobMap",
    "MapError",
    "NoteMapping",
    "dump_map",
    "load_map",
    "parse_map",
    "resolve_dim",
    "save_map",
]

PathLike = Union[str, Path]
Dim = Union[int, str]  # an index, a latent name, or "all" (notes only)

DEFAULT_RANGES = {"offset": (-3.0, 3.0), "scale": (0.0, 2.0)}
TARGETS = ("offset", "scale")
ACTIONS = ("freeze", "bypass")
MODES = ("toggle", "momentary")


class MapError(ValueError):
    """A knob map that cannot be used: bad YAML, a bad entry, or a dimension the model lacks."""


@dataclass
class ControlMapping:
    """CC `cc` (on `channel`, None = the map's) sets `target` of latent `dim` in `range`."""

    cc: int
    dim: Dim
    target: str = "offset"
    range: Tuple[float, float] = (-3.0, 3.0)
    channel: Optional[int] = None

    def value(self, cc_value: int) -> float:
        """CC value 0..127 -> the knob's value, linear over `range`."""
        lo, hi = self.range
        return lo + (hi - lo) * cc_value / 127.0


@dataclass
class NoteMapping:
    """Note `note` (on `channel`) toggles, or holds while pressed, `action` of `dim`."""

    note: int
    dim: Dim
    action: str = "freeze"
    mode: str = "toggle"
    channel: Optional[int] = None


@dataclass
class KnobMap:
    controls: List[ControlMapping] = field(default_factory=list)
    notes: List[NoteMapping] = field(default_factory=list)
    port: Optional[str] = None
    channel: Optional[int] = None  # None: any channel

    def check_model(self, names: Sequence[str], channels: int, where: str = "knob map") -> None:
        """Raise MapError when an entry names a dimension the model does not have."""
        for kind, entries in (("controls", self.controls), ("notes", self.notes)):
            for i, entry in enumerate(entries):
                try:
                    resolve_dim(entry.dim, names, channels, allow_all=kind == "notes")
                except MapError as e:
                    raise MapError(f"{where}: {kind}[{i}]: {e}") from None


def resolve_dim(dim: Dim, names: Sequence[str], channels: int, allow_all: bool = True) -> List[int]:
    if isinstance(dim, str) and dim == "all":
        if not allow_all:
            raise MapError("dim 'all' is only allowed for notes")
        return list(range(channels))
    if isinstance(dim, int):
        if not 0 <= dim < channels:
            raise MapError(f"dim {dim} is out of range: the model has {channels} latent dimensions (0..{channels - 1})")
        return [dim]
    if dim in names:
        return [list(names).index(dim)]
    raise MapError(f"dim {dim!r} is not a latent of the model (it has: {', '.join(names) or 'no names'})")


# ---------------------------------------------------------------- reading


def _int(entry: Dict[str, Any], key: str, lo: int, hi: int, where: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise MapError(f"{where}: '{key}' must be an integer {lo}..{hi}, got {value!r}")
    return value


def _channel(value: Any, where: str) -> Optional[int]:
    if value is None or value == "all":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 16:
        raise MapError(f"{where}: 'channel' must be 1..16 or all, got {value!r}")
    return value


def _dim(value: Any, where: str) -> Dim:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MapError(f"{where}: 'dim' must be a latent index or name, got {value!r}")
    if isinstance(value, int) and value < 0:
        raise MapError(f"{where}: 'dim' must be >= 0, got {value}")
    return value


def _choice(entry: Dict[str, Any], key: str, choices: Sequence[str], default: str, where: str) -> str:
    value = entry.get(key, default)
    if value not in choices:
        raise MapError(f"{where}: '{key}' must be one of {', '.join(choices)}, got {value!r}")
    return value


def _keys(entry: Any, allowed: Sequence[str], where: str) -> Dict[str, Any]:
    if not isinstance(entry, dict):
        raise MapError(f"{where}: expected a mapping, got {entry!r}")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise MapError(f"{where}: unknown key(s) {', '.join(map(str, unknown))} (allowed: {', '.join(allowed)})")
    return entry


def _control(entry: Any, where: str) -> ControlMapping:
    entry = _keys(entry, ("cc", "dim", "target", "range", "channel"), where)
    for key in ("cc", "dim"):
        if key not in entry:
            raise MapError(f"{where}: '{key}' is missing")
    target = _choice(entry, "target", TARGETS, "offset", where)
    value_range = entry.get("range", list(DEFAULT_RANGES[target]))
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value_range)
    ):
        raise MapError(f"{where}: 'range' must be two numbers [low, high], got {value_range!r}")
    return ControlMapping(
        cc=_int(entry, "cc", 0, 127, where),
        dim=_dim(entry["dim"], where),
        target=target,
        range=(float(value_range[0]), float(value_range[1])),
        channel=_channel(entry.get("channel"), where),
    )


def _note(entry: Any, where: str) -> NoteMapping:
    entry = _keys(entry, ("note", "dim", "action", "mode", "channel"), where)
    for key in ("note", "dim"):
        if key not in entry:
            raise MapError(f"{where}: '{key}' is missing")
    return NoteMapping(
        note=_int(entry, "note", 0, 127, where),
        dim=_dim(entry["dim"], where),
        action=_choice(entry, "action", ACTIONS, "freeze", where),
        mode=_choice(entry, "mode", MODES, "toggle", where),
        channel=_channel(entry.get("channel"), where),
    )


def parse_map(data: Any, where: str = "knob map") -> KnobMap:
    """A KnobMap from parsed YAML (a dict). Raises MapError naming `where` and the entry."""
    if data is None:
        data = {}
    data = _keys(data, ("port", "channel", "controls", "notes"), where)
    port = data.get("port")
    if port is not None and not isinstance(port, str):
        raise MapError(f"{where}: 'port' must be a string, got {port!r}")
    knobs = KnobMap(port=port, channel=_channel(data.get("channel"), where))
    for key, parse, out in (("controls", _control, knobs.controls), ("notes", _note, knobs.notes)):
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise MapError(f"{where}: '{key}' must be a list, got {entries!r}")
        out += [parse(e, f"{where}: {key}[{i}]") for i, e in enumerate(entries)]
    seen = {}
    for i, c in enumerate(knobs.controls):
        key = (c.channel, c.cc)
        if key in seen:
            raise MapError(f"{where}: controls[{i}]: cc {c.cc} is already mapped by controls[{seen[key]}]")
        seen[key] = i
    if not knobs.controls and not knobs.notes:
        raise MapError(f"{where}: maps nothing (no 'controls' and no 'notes')")
    return knobs


def load_map(path: PathLike) -> KnobMap:
    """Read and check a knob map file. Raises MapError (missing file, bad YAML, bad entry)."""
    from ..errors import InputError
    from ..validate import read_yaml_file

    path = Path(path)
    try:
        data = read_yaml_file(path, "knob map")  # the one YAML reader: 1e3 is a number
    except InputError as e:
        raise MapError(f"knob map: {e}") from None
    return parse_map(data, where=f"knob map '{path}'")


# ---------------------------------------------------------------- writing


def dump_map(knobs: KnobMap, comment: str = "") -> str:
    """YAML text of `knobs` (entries in flow style, one per line), with a leading comment."""
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    if knobs.port is not None:
        lines.append(f"port: {yaml.safe_dump(knobs.port, default_style=None).splitlines()[0]}")
    lines.append(f"channel: {knobs.channel if knobs.channel is not None else 'all'}")

    def entry(d: Dict[str, Any]) -> str:
        return "  - " + yaml.safe_dump(d, default_flow_style=True, sort_keys=False).strip()

    lines.append("controls:" if knobs.controls else "controls: []")
    for c in knobs.controls:
        d = {"cc": c.cc, "dim": c.dim, "target": c.target, "range": [c.range[0], c.range[1]]}
        if c.channel is not None:
            d["channel"] = c.channel
        lines.append(entry(d))
    lines.append("notes:" if knobs.notes else "notes: []")
    for n in knobs.notes:
        d = {"note": n.note, "dim": n.dim, "action": n.action, "mode": n.mode}
        if n.channel is not None:
            d["channel"] = n.channel
        lines.append(entry(d))
    return "\n".join(lines) + "\n"


def save_map(knobs: KnobMap, path: PathLike, comment: str = "") -> Path:
    from ..io import write_text

    return write_text(path, dump_map(knobs, comment))  # an old map survives a failed write
