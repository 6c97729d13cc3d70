"""timbre_rt.pd_patches.Canvas: patches written by code, boxes wired by handle, numbered by
the canvas; and read back from a file."""

import shutil
import subprocess
from pathlib import Path

import pytest

from timbre_rt.pd_patches import Canvas

REPO = Path(__file__).resolve().parents[1]


def small():
    c = Canvas(600, 400, x=0, y=0)
    osc = c.obj(10, 10, "osc~ 440")
    c.text(200, 10, "a comment takes a number too")
    inner = Canvas(300, 200, font=10)
    level = inner.obj(10, 10, "inlet~")
    inner.wire(level, 0, inner.obj(10, 40, "outlet~"), 0)
    gain = c.subpatch(10, 50, "gain", inner)
    dac = c.obj(10, 90, "dac~")
    dsp = c.msg(100, 10, "\\; pd dsp 1")
    c.connect([(osc, 0, gain, 0), (gain, 0, dac, 0), (gain, 0, dac, 1)])
    return c, (osc, gain, dac, dsp)


def test_render_numbers_boxes_in_creation_order():
    c, _ = small()
    assert (
        c.render()
        == "\n".join(
            [
                "#N canvas 0 0 600 400 12;",
                "#X obj 10 10 osc~ 440;",
                "#X text 200 10 a comment takes a number too;",
                "#N canvas 20 20 300 200 gain 0;",
                "#X obj 10 10 inlet~;",
                "#X obj 10 40 outlet~;",
                "#X connect 0 0 1 0;",
                "#X restore 10 50 pd gain;",
                "#X obj 10 90 dac~;",
                "#X msg 100 10 \\; pd dsp 1;",
                "#X connect 0 0 2 0;",
                "#X connect 2 0 3 0;",
                "#X connect 2 0 3 1;",
            ]
        )
        + "\n"
    )


def test_connections_refer_to_the_boxes_wired():
    c, (osc, gain, dac, dsp) = small()
    assert [osc.index, gain.index, dac.index, dsp.index] == [0, 2, 3, 4]
    assert c.connections() == [(0, 0, 2, 0), (2, 0, 3, 0), (2, 0, 3, 1)]
    assert [w[0] for w in c.wires] == [osc, gain, gain] and c.find(r"^dac~$") == [dac]


def test_empty_message_box_has_no_trailing_space():
    c = Canvas(100, 100)
    c.msg(1, 2, "")
    assert c.render().splitlines()[1] == "#X msg 1 2;"


@pytest.mark.parametrize("bad", ["another canvas's box", "a number", "a comment"])
def test_wiring_an_unknown_box_is_a_clear_error(bad):
    c, (osc, gain, dac, dsp) = small()
    other = Canvas(100, 100).obj(0, 0, "dac~")
    sink = {"another canvas's box": other, "a number": 3, "a comment": c.boxes[1]}[bad]
    with pytest.raises((TypeError, ValueError), match="wire sink"):
        c.wire(osc, 0, sink, 0)
    assert len(c.wires) == 3


@pytest.mark.parametrize("outlet, inlet", [(-1, 0), (0, -1), (0.0, 0), (True, 0)])
def test_an_outlet_or_inlet_below_0_or_not_whole_is_a_clear_error(outlet, inlet):
    c, (osc, gain, dac, dsp) = small()
    with pytest.raises(ValueError, match="must be a whole number >= 0"):
        c.wire(osc, outlet, dac, inlet)


def test_a_message_box_has_one_outlet():
    c, (osc, gain, dac, dsp) = small()
    with pytest.raises(ValueError, match="has one outlet"):
        c.wire(dsp, 1, dac, 0)


def test_a_canvas_goes_into_one_subpatch_only():
    c, _ = small()
    inner = Canvas(100, 100)
    c.subpatch(0, 0, "a", inner)
    with pytest.raises(ValueError, match="already placed"):
        c.subpatch(0, 0, "b", inner)


def describe(canvas):
    """Every box (kind, position, text, contents) and wire of a canvas, subpatches included."""
    return (
        [(b.index, b.kind, b.x, b.y, b.text, b.inner and describe(b.inner)) for b in canvas.boxes],
        canvas.connections(),
        canvas.head(),
    )


def test_render_then_parse_gives_the_same_boxes_and_wires():
    c, _ = small()
    c.array(300, 100, "out", 48000)
    c.atom(300, 300, 5, "level")
    text = c.render()
    back = Canvas.parse(text)
    assert describe(back) == describe(c)
    assert back.render() == text
    graph = back.boxes[-2].inner
    assert [(b.kind, b.text) for b in graph.boxes] == [("array", "out 48000 float 2")]


@pytest.mark.parametrize("patch", sorted((REPO / "pd_externals").rglob("*.pd")), ids=lambda p: p.name)
def test_shipped_patches_parse_and_render_back_unchanged(patch):
    text = patch.read_text()
    assert Canvas.parse(text).render() == text


def test_parse_keeps_a_record_wrapped_over_lines_and_rejects_a_bad_wire():
    text = "#N canvas 0 50 450 300 12;\n#X obj 10 10 print a\nb;\n#X msg 10 40 \\; pd dsp 1;\n#X connect 1 0 0 0;\n"
    c = Canvas.parse(text)
    assert [b.text for b in c.boxes] == ["print a\nb", "\\; pd dsp 1"] and c.connections() == [(1, 0, 0, 0)]
    assert c.render() == text
    with pytest.raises(ValueError, match="box 2 does not exist"):
        Canvas.parse(text.replace("#X connect 1 0 0 0", "#X connect 1 0 2 0"))
    with pytest.raises(ValueError, match="not a Pd patch"):
        Canvas.parse("#X obj 0 0 f;\n")


def test_array_is_made_in_pd(tmp_path):
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    c = Canvas(400, 300)
    c.array(100, 10, "builder-out", 4800)
    load = c.obj(10, 10, "loadbang")
    order = c.obj(10, 40, "t b b")  # size first, then quit
    size = c.obj(10, 70, "array size builder-out")
    c.connect(
        [
            (load, 0, order, 0),
            (order, 1, size, 0),
            (size, 0, c.obj(10, 100, "print size"), 0),
            (order, 0, c.msg(100, 70, "\\; pd quit"), 0),
        ]
    )
    (tmp_path / "array.pd").write_text(c.render())
    run = subprocess.run(
        ["pd", "-nogui", "-nosound", "-batch", "-stderr", "-open", str(tmp_path / "array.pd")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "size: 4800" in run.stderr, run.stderr


def test_a_scalar_in_a_graph_on_parent_is_made_in_pd(tmp_path):
    """scalar() writes the record Pd saves; graph_on_parent() the coords; Pd reads both back."""
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    template = Canvas(300, 200)
    template.obj(10, 10, "struct builder-dot float px float py")
    view = Canvas(300, 200)
    dot = view.scalar("builder-dot", 0.25, 0.5)
    view.graph_on_parent(100, 80)
    assert dot.record() == "#X scalar builder-dot 0.25 0.5 \\;;"
    assert view.records[-1] == "#X coords 0 0 100 80 100 80 3 0 0;"
    c = Canvas(400, 300)
    c.subpatch(200, 10, "builder-template", template)  # before the scalar: Pd needs its struct to read it
    c.subpatch(200, 60, "builder-view", view)
    load = c.obj(10, 10, "loadbang")
    order = c.obj(10, 40, "t b b")  # read the fields, then quit
    find = c.msg(10, 70, "traverse pd-builder-view \\, next")
    pointer = c.obj(10, 100, "pointer")
    get = c.obj(10, 130, "get builder-dot px py")
    c.connect(
        [
            (load, 0, order, 0),
            (order, 1, find, 0),
            (find, 0, pointer, 0),
            (pointer, 0, get, 0),
            (get, 0, c.obj(10, 160, "print px"), 0),
            (get, 1, c.obj(100, 160, "print py"), 0),
            (order, 0, c.msg(100, 40, "\\; pd quit"), 0),
        ]
    )
    text = c.render()
    assert Canvas.parse(text).render() == text
    (tmp_path / "scalar.pd").write_text(text)
    run = subprocess.run(
        ["pd", "-nogui", "-nosound", "-batch", "-stderr", "-open", str(tmp_path / "scalar.pd")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "px: 0.25" in run.stderr and "py: 0.5" in run.stderr, run.stderr
