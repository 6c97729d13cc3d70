"""interpolation-plane.pd: a position sent to plane-xy goes through the x and y sliders
(so they follow it) to the mix; the red dot on the plane is dragged with the mouse and
moves the position, and plane-xy moves the dot.

A drag is sent here as Pd's GUI sends it (`mouse`, `motion`, `mouseup` to the patch's
canvas, in its pixels), in headless Pd; tests/test_pd_plane_pad_gui.py drags it on a
screen with a real mouse."""

import shutil
from pathlib import Path

import pytest

from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_patches.plane_pad import PLANE, SIZE
from pd_checks import run_opened

PATCH = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "interpolation-plane.pd"


def probe() -> str:
    """Prints what reaches ip-x and ip-y: the sliders' sends."""
    c = Canvas(400, 300, x=0, y=0)
    for x, axis in ((10, "x"), (150, "y")):
        c.wire(c.obj(x, 10, f"r ip-{axis}"), 0, c.obj(x, 40, f"print probe-{axis}"), 0)
    return c.render()


def run_patch(tmp_path, *messages: str) -> str:
    """The example with the probe, headless, `messages` sent once both are open -> the log."""
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    (tmp_path / "probe.pd").write_text(probe())
    return run_opened([tmp_path / "probe.pd", PATCH], messages, cwd=PATCH.parent)


def pixel(x: float, y: float) -> tuple:
    """Where plane position (x, y) lies on the patch's canvas: [pd ip-plane] is a graph on
    parent of side SIZE, x to the right, y up."""
    (plane,) = [b for b in Canvas.parse(PATCH.read_text()).boxes if b.text == f"pd {PLANE}"]
    return round(plane.x + x * SIZE), round(plane.y + (1 - y) * SIZE)


def drag(start: tuple, end: tuple) -> list:
    """Button 1 down at `start`, two motions to `end`, up: what Pd's GUI sends the canvas."""
    canvas = f"pd-{PATCH.name}"
    middle = ((start[0] + end[0]) // 2, (start[1] + end[1]) // 2)
    return [
        f"{canvas} vis 1",  # a canvas takes mouse events once it has an editor (an open window)
        f"{canvas} mouse {start[0]} {start[1]} 1 0",
        f"{canvas} motion {middle[0]} {middle[1]} 0",
        f"{canvas} motion {end[0]} {end[1]} 0",
        f"{canvas} mouseup {end[0]} {end[1]} 0",
    ]


def last(log: str) -> dict:
    """The last x and y the probe printed."""
    values = {}
    for line in log.splitlines():
        if line.startswith(("probe-x: ", "probe-y: ")):
            values[line[6]] = float(line.split(": ")[1])
    return values


def test_plane_xy_moves_the_sliders_and_the_dot(tmp_path):
    log = run_patch(tmp_path, "plane-xy 0.25 0.75")
    assert "probe-x: 0.25" in log and "probe-y: 0.75" in log, log


def test_dragging_the_dot_moves_the_position(tmp_path):
    # The dot starts at A (the loadbang puts the sliders at 0 0); up and right to (0.25, 0.75).
    start, end = pixel(0, 0), pixel(0.25, 0.75)
    log = run_patch(tmp_path, *drag(start, end))
    assert "probe-x: 0.125" in log and "probe-y: 0.375" in log, log  # half way: it follows the mouse
    assert last(log) == {"x": 0.25, "y": 0.75}, log


def test_plane_xy_moves_the_dot_where_the_mouse_finds_it(tmp_path):
    # Clicked where plane-xy put it, the dot follows the mouse: 20 pixels right is x + 0.1.
    start = pixel(0.5, 0.5)
    log = run_patch(tmp_path, "plane-xy 0.5 0.5", *drag(start, (start[0] + 20, start[1])))
    assert "probe-x: 0.6" in log, log
    # A click where the dot is not (still at A, no plane-xy) moves nothing.
    log = run_patch(tmp_path, *drag(start, (start[0] + 20, start[1])))
    assert "probe-x: 0.6" not in log and "probe-x: 0.55" not in log, log


def test_a_drag_past_the_edge_stops_at_the_corner(tmp_path):
    start = pixel(0, 0)
    log = run_patch(tmp_path, *drag(start, (start[0] + 3 * SIZE, start[1] + SIZE)))
    assert last(log) == {"x": 1, "y": 0}, log


def test_plane_xy_goes_through_the_sliders():
    """The sends after [r plane-xy] are the sliders' receive names: the sliders move with it."""
    boxes = [line.rstrip(";").split() for line in PATCH.read_text().splitlines() if line.startswith("#X obj")]
    receives = {box[12] for box in boxes if box[4] in ("hsl", "vsl")}
    sends = {
        box[5] for box in boxes if box[4] in ("s", "send") and box[5].startswith("ip-") and box[5].endswith("-set")
    }
    assert receives == {"ip-x-set", "ip-y-set"} and sends == receives
