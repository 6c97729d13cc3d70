"""`play`'s status line: every knob-mapped dimension shown, wrapped on a terminal without
cutting a knob (no audio device needed)."""

import re

from timbre_rt.play import MidiKnobs, parse_map
from timbre_rt.play.status import Status, knob_parts, redraw, status_line, status_lines

NAMES = [f"z{i}" for i in range(16)] + ["loudness"]


class FakePipeline:
    def __getattr__(self, name):
        if name.startswith("set_"):
            return lambda dim, value: None
        raise AttributeError(name)


def _state(n):
    return {
        "freeze": [False] * n,
        "bypass": [False] * n,
        "applied_offset": [0.25 * i for i in range(n)],
        "applied_scale": [1.0] * n,
    }


def _status(dims):
    return Status(
        seconds=12.3,
        latency_ms=45.6,
        model_ms=40.0,
        xruns=0,
        underruns=1,
        cpu_load=0.2,
        knobs=knob_parts(_state(len(NAMES)), NAMES, dims),
        midi_events=7,
    )


def test_every_mapped_dimension_is_shown():
    # 12 controls on 12 dims: more than the 8 the line used to show.
    controls = [{"cc": 20 + d, "dim": f"z{d}"} for d in range(12)]
    knobs = MidiKnobs(parse_map({"controls": controls}), FakePipeline(), NAMES, len(NAMES))
    line = status_line(_status(knobs.mapped_dims()))
    assert re.findall(r"\bz\d+ ", line) == [f"z{d} " for d in range(12)]
    assert "z11 +2.75 x1.00" in line and "midi 7" in line


def test_a_terminal_gets_wrapped_lines_that_never_cut_a_knob():
    status = _status(list(range(17)))
    lines = status_lines(status, 80)
    assert len(lines) > 2 and all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("   12.3 s | latency 45.6 ms")
    text = "\n".join(lines)
    for part in status.knobs:  # each knob whole, on one line
        assert sum(part in line for line in lines) == 1, part
    assert text.count(" x1.00") == 17
    # Wide enough: the readings on one line, the knobs on the next lines.
    assert status_lines(status, 1000) == [status_line(status).split(" | z0")[0], "  " + "  ".join(status.knobs)]


def test_a_narrow_terminal_wraps_the_readings_too():
    lines = status_lines(_status([0, 1]), 30)
    assert all(len(line) <= 30 for line in lines)
    assert "xruns" not in lines[0] and any("xruns" in line for line in lines[1:])


def test_redraw_goes_back_over_the_previous_lines():
    first = redraw(["a", "b", "c"], 0)
    assert first == "\ra\x1b[K\n\rb\x1b[K\n\rc\x1b[K"  # nothing to go back over
    again = redraw(["a", "b", "c"], 3)
    assert again.startswith("\x1b[2F") and again.count("\x1b[K") == 3
    shorter = redraw(["a"], 3)  # the two old lines below are cleared, the cursor comes back
    assert shorter.startswith("\x1b[2F\ra\x1b[K") and shorter.count("\x1b[2K") == 2
    assert shorter.endswith("\x1b[2A\r\x1b[1C")
