"""The XY pad of interpolation-plane.pd: a red dot the user drags with the mouse in run mode,
in vanilla Pd (no external): a data-structure scalar.

    [pd ip-plane]         graph on parent, SIZE x SIZE pixels: the grey plane, the corner
                          names, and the scalar (the dot); one unit a pixel, y down.
    [pd ip-dot-template]  [struct ip-dot float px float py] and the dot's [filledpolygon],
                          whose every corner is a function of px and py (x 0..1 left to
                          right, y 0..1 bottom to top), so Pd lets the mouse drag it; and the
                          wiring both ways between the dot and the sliders.

A drag: Pd moves the corner under the mouse, writes px/py back through that corner's
mapping (clipped to 0..1) and [struct] sends `change <pointer>` at each step; [get] reads
the fields into the sliders (ip-x-set, ip-y-set), which send ip-x / ip-y as if moved by
hand. The other way, ip-x / ip-y (sliders, plane-xy) go into the scalar with [set] (which
sends no `change`, so nothing loops)."""

from .canvas import Canvas

__all__ = ["DOT", "PLANE", "SIZE", "TEMPLATE", "plane_canvas", "dot_template"]

SIZE = 200  # the plane's side, pixels
DOT = 6  # half the dot's side: Pd takes a click within 6 pixels of a corner, so anywhere on it
TEMPLATE = "ip-dot"
PLANE = "ip-plane"  # the subpatch holding the scalar: [traverse pd-ip-plane( finds it


def _dot_drawing() -> str:
    """[filledpolygon] of a 2 DOT square around (px, py): each corner's coordinates map the
    field 0..1 onto the plane's pixels, shifted by +-DOT (y up: 1 at the top)."""
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x = f"px(0:1)({dx * DOT}:{SIZE + dx * DOT})"
        y = f"py(0:1)({SIZE + dy * DOT}:{dy * DOT})"
        corners += [x, y]
    return "filledpolygon 900 0 1 " + " ".join(corners)


def dot_template() -> Canvas:
    """[pd ip-dot-template]: the dot's fields and drawing, and its wiring to the sliders."""
    c = Canvas(720, 400, x=120, y=120)
    c.text(
        20,
        10,
        f"{TEMPLATE}: the red dot of the plane. Drag it in run mode: [struct] sends 'change' at each "
        "step \\, [get] reads the fields into the sliders. A slider or plane-xy moves it with [set]., f 90",
    )
    c.obj(20, 60, f"{_dot_drawing()}, f 70")
    fields = c.obj(20, 130, f"struct {TEMPLATE} float px float py")  # under the drawing: its wire crosses none
    changed = c.obj(20, 170, "route change")
    read = c.obj(20, 200, f"get {TEMPLATE} px py")
    set_x, set_y = c.obj(20, 240, "s ip-x-set"), c.obj(120, 240, "s ip-y-set")
    r_x, r_y = c.obj(330, 170, "r ip-x"), c.obj(500, 170, "r ip-y")
    t_x, t_y = c.obj(330, 200, "t f b"), c.obj(500, 200, "t f b")
    find = c.msg(390, 240, f"traverse pd-{PLANE} \\, next")  # afresh each time: an edit may free the scalar
    pointer = c.obj(390, 280, "pointer")
    write_x, write_y = c.obj(330, 320, f"set {TEMPLATE} px"), c.obj(500, 320, f"set {TEMPLATE} py")
    c.connect(
        [
            (fields, 0, changed, 0),
            (changed, 0, read, 0),
            (read, 0, set_x, 0),
            (read, 1, set_y, 0),
            (r_x, 0, t_x, 0),
            (t_x, 1, find, 0),
            (t_x, 0, write_x, 0),
            (r_y, 0, t_y, 0),
            (t_y, 1, find, 0),
            (t_y, 0, write_y, 0),
            (find, 0, pointer, 0),
            (pointer, 0, write_x, 1),
            (pointer, 0, write_y, 1),
        ]
    )
    return c


def plane_canvas() -> Canvas:
    """[pd ip-plane]: what the parent shows of it is the plane, the corner names and the dot
    (at A: the patch's loadbang puts the sliders at 0 0)."""
    c = Canvas(SIZE + 100, SIZE + 100, x=140, y=140)
    c.obj(0, 0, f"cnv 15 {SIZE} {SIZE} empty empty empty 20 12 0 14 #e0e0e0 #404040 0")
    far = SIZE - 20  # the name's box inside the plane: Pd hides what crosses a graph's edge
    for x, y, corner in ((4, far, "A"), (far, far, "B"), (4, 4, "C"), (far, 4, "D")):
        c.text(x, y, corner)
    c.scalar(TEMPLATE, 0, 0)
    c.graph_on_parent(SIZE, SIZE)
    return c
