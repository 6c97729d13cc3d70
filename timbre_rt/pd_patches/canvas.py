"""A Pd canvas written by code: boxes are handles, wires go between handles, the file's
object numbers are counted by the canvas (creation order), never by hand.

    c = Canvas(800, 600)
    osc = c.obj(20, 20, "osc~ 440")
    dac = c.obj(20, 60, "dac~")
    c.wire(osc, 0, dac, 0)
    c.wire(osc, 0, dac, 1)
    text = c.render()  # the .pd file text

    c = Canvas.parse(text)  # and back: c.boxes, c.connections(), c.find("dac~")

Text goes into the file as given: write Pd's escapes yourself (`\\$1`, `\\;`, `\\,`).
A canvas renders as Pd saves one: its boxes in creation order (a subpatch's or a graph's
contents just before its box), then its wires in the order they were made (the order in
which an outlet's messages go out)."""

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple, Union

__all__ = ["Box", "Canvas", "Wire"]

# Records that add a box to their canvas (and so take the next object number), with a position
# first; `#X array` / `#X scalar` add one without. `#X restore` closes a subpatch or a graph.
_PLACED = ("obj", "msg", "text", "floatatom", "symbolatom", "listbox", "restore")
_UNPLACED = ("array", "scalar")
_ONE_INLET_ONE_OUTLET = ("msg", "floatatom", "symbolatom", "listbox")


@dataclass(eq=False)
class Box:
    """One box of a canvas; `index` is its object number in the file."""

    canvas: "Canvas" = field(repr=False)
    index: int
    kind: str  # the record: "obj", "msg", "text", "floatatom", "restore" (a subpatch or graph), "array", ...
    text: str  # after the position, as written in the file (Pd's escapes included)
    x: Optional[int] = None  # None for a record without a position (#X array)
    y: Optional[int] = None
    inner: Optional["Canvas"] = field(default=None, repr=False)  # a subpatch's or graph's contents

    def record(self) -> str:
        place = "" if self.x is None else f" {self.x} {self.y}"
        return f"#X {self.kind}{place}" + (f" {self.text}" if self.text else "") + ";"


class Wire(tuple):
    """(source, outlet, sink, inlet) with boxes as handles."""

    def __new__(cls, source: Box, outlet: int, sink: Box, inlet: int):
        return super().__new__(cls, (source, outlet, sink, inlet))

    def indices(self) -> Tuple[int, int, int, int]:
        source, outlet, sink, inlet = self
        return source.index, outlet, sink.index, inlet

    def record(self) -> str:
        return "#X connect {} {} {} {};".format(*self.indices())


Record = Union[Box, str]  # a box, or a record that adds none (#X coords, #A, #X declare ...)


class Canvas:
    def __init__(self, width: int, height: int, font: int = 12, x: int = 20, y: int = 20):
        self.x, self.y, self.width, self.height, self.font = x, y, width, height, font
        self.name: Optional[str] = None  # set when it becomes a subpatch ("(subpatch)": a graph's)
        self.shown = 0  # a subpatch's window open when the file loads
        self.records: List[Record] = []
        self.boxes: List[Box] = []
        self.wires: List[Wire] = []

    @property
    def count(self) -> int:
        return len(self.boxes)

    # --- boxes ---------------------------------------------------------------------------

    def _box(
        self, kind: str, text: str, x: Optional[int] = None, y: Optional[int] = None, inner: Optional["Canvas"] = None
    ) -> Box:
        box = Box(self, len(self.boxes), kind, text, x, y, inner)
        self.boxes.append(box)
        self.records.append(box)
        return box

    def obj(self, x: int, y: int, text: str) -> Box:
        return self._box("obj", text, x, y)

    def msg(self, x: int, y: int, text: str) -> Box:
        """A message box; `text` may be empty (a box that sends nothing)."""
        return self._box("msg", text, x, y)

    def text(self, x: int, y: int, text: str) -> Box:
        """A comment: a box with no inlet or outlet (it still takes an object number)."""
        return self._box("text", text, x, y)

    def atom(self, x: int, y: int, width: int, receive: str) -> Box:
        """A number box showing what is sent to `receive`."""
        return self._box("floatatom", f"{width} 0 0 0 - {receive} - 0", x, y)

    def subpatch(self, x: int, y: int, name: str, inner: "Canvas", width: int = 0) -> Box:
        """[pd name] holding `inner`; `width` in characters (0: as wide as its text)."""
        self._adopt(inner, name)
        return self._box("restore", f"pd {name}" + (f", f {width}" if width else ""), x, y, inner)

    def array(
        self,
        x: int,
        y: int,
        name: str,
        size: int,
        low: float = -1,
        high: float = 1,
        width: int = 200,
        height: int = 140,
    ) -> Box:
        """A graph on this canvas holding the array `name` of `size` floats, drawn from `high`
        (top) to `low`, `width` x `height` pixels; its contents are not saved with the patch."""
        if size < 1:
            raise ValueError(f"array {name}: size must be at least 1, got {size}")
        graph = Canvas(450, 250, x=0, y=50)
        graph._box("array", f"{name} {size} float 2")
        graph.records.append(f"#X coords 0 {_g(high)} {size} {_g(low)} {width} {height} 1 0 0;")
        self._adopt(graph, "(subpatch)")
        return self._box("restore", "graph", x, y, graph)

    def scalar(self, template: str, *values: float) -> Box:
        """A data-structure scalar of `template` (a [struct] loaded before this canvas) with
        its float fields' `values` in the struct's order; drawn by the template's drawing
        instructions, in this canvas's units (see graph_on_parent)."""
        return self._box("scalar", " ".join([template, *(_g(v) for v in values)]) + " \\;")

    def graph_on_parent(self, width: int, height: int, hide_name: bool = True) -> None:
        """Show this (sub)canvas's top-left `width` x `height` pixels on its parent, with one
        unit a pixel (y down) for the scalars in it; `hide_name` leaves out [pd name]."""
        self.records.append(f"#X coords 0 0 {width} {height} {width} {height} {3 if hide_name else 1} 0 0;")

    def _adopt(self, inner: "Canvas", name: str) -> None:
        if inner is self or inner.name is not None:
            raise ValueError(f"subpatch {name}: that canvas is already placed (as {inner.name or 'the top'})")
        inner.name = name

    def find(self, pattern: str) -> List[Box]:
        """The boxes whose text matches the regular expression `pattern` (re.search)."""
        return [box for box in self.boxes if re.search(pattern, box.text)]

    # --- wires ---------------------------------------------------------------------------

    def wire(self, source: Box, outlet: int, sink: Box, inlet: int) -> Wire:
        """source's outlet -> sink's inlet, both boxes of this canvas."""
        for role, box in (("source", source), ("sink", sink)):
            if not isinstance(box, Box):
                raise TypeError(f"wire {role}: a box handle (what obj(), msg() ... return), got {box!r}")
            if box.canvas is not self or self.boxes[box.index] is not box:
                raise ValueError(f"wire {role}: box {box.index} ({box.kind} {box.text!r}) is not on this canvas")
            if box.kind == "text":
                raise ValueError(
                    f"wire {role}: box {box.index} is a comment ({box.text!r}): it has no inlets or outlets"
                )
        for role, number, box in (("outlet", outlet, source), ("inlet", inlet, sink)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ValueError(
                    f"wire from box {source.index} to box {sink.index}: {role} must be a whole number "
                    f">= 0, got {number!r}"
                )
            if box.kind in _ONE_INLET_ONE_OUTLET and number > 0:
                raise ValueError(f"wire: box {box.index} ({box.kind} {box.text!r}) has one {role}, not {number + 1}")
        wire = Wire(source, outlet, sink, inlet)
        self.wires.append(wire)
        return wire

    def connect(self, wires: Iterable[Tuple[Box, int, Box, int]]) -> None:
        """Many wires at once: (source, outlet, sink, inlet) tuples."""
        for source, outlet, sink, inlet in wires:
            self.wire(source, outlet, sink, inlet)

    def connections(self) -> List[Tuple[int, int, int, int]]:
        """The wires as the file numbers them: (source, outlet, sink, inlet)."""
        return [wire.indices() for wire in self.wires]

    # --- text ----------------------------------------------------------------------------

    def head(self) -> str:
        tail = self.font if self.name is None else f"{self.name} {self.shown}"
        return f"#N canvas {self.x} {self.y} {self.width} {self.height} {tail};"

    def lines(self) -> List[str]:
        """The records of this canvas and of those inside it, one a line."""
        lines = [self.head()]
        for record in self.records:
            if isinstance(record, Box):
                if record.inner is not None:
                    lines += record.inner.lines()
                record = record.record()
            lines.append(record)
        return lines + [wire.record() for wire in self.wires]

    def render(self) -> str:
        return "\n".join(self.lines()) + "\n"

    @classmethod
    def parse(cls, text: str) -> "Canvas":
        """A .pd file's text as a canvas, subpatches and graphs included; records that add no
        box (#X coords, #A ...) are kept as they are, so that render() gives the text back for
        a file saved in Pd's order (boxes, then wires, per canvas)."""
        records = _records(text)
        if not records or not records[0].startswith("#N canvas "):
            raise ValueError("not a Pd patch: it does not begin with '#N canvas'")
        stack: List[Canvas] = []
        top: Optional[Canvas] = None
        for record in records:
            if record.startswith("#N canvas "):
                canvas = _parse_head(record, top is None)
                stack.append(canvas)
                top = top or canvas
                continue
            if not stack:
                raise ValueError(f"a record after the patch's top canvas ended: {record[:60]!r}")
            canvas = stack[-1]
            kind = record[3:].split(" ", 1)[0].rstrip(";") if record.startswith("#X ") else None
            if kind == "connect":
                canvas._parse_wire(record)
            elif kind in _PLACED:
                match = re.fullmatch(r"#X \S+ (-?\d+) (-?\d+)(?: (.*))?;", record, re.S)
                if match is None:
                    raise ValueError(f"a {kind} record without a position: {record[:60]!r}")
                inner = None
                if kind == "restore":
                    if len(stack) < 2:
                        raise ValueError("#X restore without its #N canvas")
                    inner = stack.pop()
                    canvas = stack[-1]
                canvas._box(kind, match.group(3) or "", int(match.group(1)), int(match.group(2)), inner)
            elif kind in _UNPLACED:
                canvas._box(kind, record[len(f"#X {kind} ") : -1])
            else:
                canvas.records.append(record)
        if len(stack) != 1:
            raise ValueError(f"{len(stack) - 1} subpatch(es) not closed by #X restore")
        return top

    def _parse_wire(self, record: str) -> None:
        numbers = record[len("#X connect ") : -1].split()
        if len(numbers) != 4 or not all(re.fullmatch(r"\d+", n) for n in numbers):
            raise ValueError(f"a connect record needs four numbers: {record!r}")
        source, outlet, sink, inlet = map(int, numbers)
        for index in (source, sink):
            if index >= len(self.boxes):
                raise ValueError(f"{record!r}: box {index} does not exist (this canvas has {len(self.boxes)})")
        self.wire(self.boxes[source], outlet, self.boxes[sink], inlet)


def _g(v: float) -> str:
    return f"{v:g}"


def _records(text: str) -> List[str]:
    """The records of a .pd text: each ends at a `;` that is not escaped (`\\;`) and that
    ends a line; line breaks inside a record (Pd wraps long ones) are kept."""
    records, start = [], 0
    for match in re.finditer(r"(?<!\\);[ \t]*(?:\r?\n|$)", text):
        records.append(text[start : match.start() + 1].lstrip("\r\n"))
        start = match.end()
    if text[start:].strip():
        raise ValueError(f"the text ends inside a record: {text[start : start + 60]!r}")
    return [r for r in records if r]


def _parse_head(record: str, top: bool) -> Canvas:
    match = re.fullmatch(r"#N canvas (-?\d+) (-?\d+) (\d+) (\d+) (.+?)(?: (\d+))?;", record, re.S)
    if match is None or (not top and match.group(6) is None):
        raise ValueError(f"a canvas line Pd would not write: {record!r}")
    x, y, width, height = (int(match.group(k)) for k in range(1, 5))
    if top:
        tail = match.group(5) + ("" if match.group(6) is None else f" {match.group(6)}")
        if not re.fullmatch(r"\d+", tail):
            raise ValueError(f"the top canvas gives a font size, not {tail!r}: {record!r}")
        return Canvas(width, height, font=int(tail), x=x, y=y)
    canvas = Canvas(width, height, x=x, y=y)
    canvas.name, canvas.shown = match.group(5), int(match.group(6))
    return canvas
