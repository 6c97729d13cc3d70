"""The live status line of `play` (built on the main thread, never in the audio callback)."""
from dataclasses import dataclass
from typing import Dict, List, Sequence

__all__ = ["Status", "knob_text", "status_line"]


@dataclass
class Status:
    """One reading of a running player."""

    seconds: float        # stream time played
    latency_ms: float     # input to output: the pipeline's delay + PortAudio's input and output latency
    model_ms: float       # the pipeline's part (models, rings, resampling)
    xruns: int            # callbacks PortAudio flagged (under/overflows)
    underruns: int        # engine deadline misses (silence instead of a late result)
    cpu_load: float       # PortAudio's estimate, 0..1
    knobs: str            # knob_text(...)
    midi_events: int = 0


def knob_text(state: Dict[str, List], names: Sequence[str], dims: Sequence[int]) -> str:
    """`z0 +0.50 x1.00` per dim: applied offset and scale; `*` frozen, `-` bypassed.

    state: Pipeline.transform_state()."""
    parts = []
    for d in dims:
        name = names[d] if d < len(names) else f"d{d}"
        flags = ("*" if state["freeze"][d] else "") + ("-" if state["bypass"][d] else "")
        parts.append(f"{name}{flags} {state['applied_offset'][d]:+.2f} x{state['applied_scale'][d]:.2f}")
    return "  ".join(parts)


def status_line(s: Status) -> str:
    text = (f"{s.seconds:7.1f} s | latency {s.latency_ms:.1f} ms (model {s.model_ms:.1f}) | xruns {s.xruns} | "
            f"underruns {s.underruns} | cpu {100.0 * s.cpu_load:.0f} %")
    if s.midi_events:
        text += f" | midi {s.midi_events}"
    return text + (f" | {s.knobs}" if s.knobs else "")
