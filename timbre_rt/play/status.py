"""The live status line of `play` (built on the main thread, never in the audio callback).

Every knob-mapped dimension is shown: in a log as one line, on a terminal wrapped
into as many lines as its width needs (redrawn in place, see `redraw`).
"""

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

__all__ = ["Status", "knob_parts", "knob_text", "redraw", "status_line", "status_lines"]

KNOB_GAP = "  "


@dataclass
class Status:
    """One reading of a running player."""

    seconds: float  # stream time played
    latency_ms: float  # input to output: the pipeline's delay + PortAudio's input and output latency
    model_ms: float  # the pipeline's part (models, rings, resampling)
    xruns: int  # callbacks PortAudio flagged (under/overflows)
    underruns: int  # engine deadline misses (silence instead of a late result)
    cpu_load: float  # PortAudio's estimate, 0..1
    knobs: Tuple[str, ...] = ()  # knob_parts(...): one entry per shown dimension
    midi_events: int = 0


def knob_parts(state: Dict[str, List], names: Sequence[str], dims: Sequence[int]) -> Tuple[str, ...]:
    """`z0 +0.50 x1.00` per dim: applied offset and scale; `*` frozen, `-` bypassed.

    state: Pipeline.transform_state()."""
    parts = []
    for d in dims:
        name = names[d] if d < len(names) else f"d{d}"
        flags = ("*" if state["freeze"][d] else "") + ("-" if state["bypass"][d] else "")
        parts.append(f"{name}{flags} {state['applied_offset'][d]:+.2f} x{state['applied_scale'][d]:.2f}")
    return tuple(parts)


def knob_text(state: Dict[str, List], names: Sequence[str], dims: Sequence[int]) -> str:
    """knob_parts in one string."""
    return KNOB_GAP.join(knob_parts(state, names, dims))


def _readings(s: Status) -> List[str]:
    parts = [
        f"{s.seconds:7.1f} s",
        f"latency {s.latency_ms:.1f} ms (model {s.model_ms:.1f})",
        f"xruns {s.xruns}",
        f"underruns {s.underruns}",
        f"cpu {100.0 * s.cpu_load:.0f} %",
    ]
    return parts + ([f"midi {s.midi_events}"] if s.midi_events else [])


def status_line(s: Status) -> str:
    """Everything on one line (for a log)."""
    return " | ".join(_readings(s)) + (f" | {KNOB_GAP.join(s.knobs)}" if s.knobs else "")


def _wrap(parts: Sequence[str], gap: str, width: int, indent: str) -> List[str]:
    """parts joined by `gap` into lines of <= width columns, never cut inside a part
    (a part wider than `width` gets a line of its own); lines after the first start
    with `indent`."""
    lines: List[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(gap) + len(part) <= width:
            lines[-1] += gap + part
        else:
            lines.append((indent if lines else "") + part)
    return lines


def status_lines(s: Status, width: int) -> List[str]:
    """The status wrapped to `width` columns (a terminal's): the readings, then every
    knob, on as many lines as they need."""
    knobs = _wrap(s.knobs, KNOB_GAP, width - 2, "")
    return _wrap(_readings(s), " | ", width, "  ") + ["  " + line for line in knobs]


def redraw(lines: Sequence[str], previous: int) -> str:
    """Terminal text that replaces the `previous` status lines (0: none yet) by `lines`:
    back to the first old line, each line rewritten and its rest cleared, and any old
    lines past the new ones cleared. The cursor ends at the end of the last new line."""
    up = f"\x1b[{previous - 1}F" if previous > 1 else ""  # to the start of the first line
    text = up + "\n".join("\r" + line + "\x1b[K" for line in lines)
    extra = previous - len(lines)
    if extra > 0:  # a shorter status: clear the old lines below, then come back
        text += "\n\x1b[2K" * extra + f"\x1b[{extra}A\r\x1b[{len(lines[-1])}C"
    return text
