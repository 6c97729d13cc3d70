"""A Pd canvas written by code: boxes get their index as they are added, wires by index.

    c = Canvas(800, 600)
    osc = c.obj(20, 20, "osc~ 440")
    dac = c.obj(20, 60, "dac~")
    c.wire(osc, 0, dac, 0)
    text = c.render()

Text goes into the file as given: write Pd's escapes yourself (`\\$1`, `\\;`, `\\,`)."""
from typing import List

__all__ = ["Canvas"]


class Canvas:
    def __init__(self, width: int, height: int, font: int = 12, x: int = 20, y: int = 20):
        self.head = f"#N canvas {x} {y} {width} {height} {font};"
        self.lines: List[str] = []
        self.wires: List[str] = []
        self.count = 0

    def _add(self, line: str) -> int:
        self.lines.append(line)
        self.count += 1
        return self.count - 1

    def obj(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X obj {x} {y} {text};")

    def msg(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X msg {x} {y} {text};")

    def text(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X text {x} {y} {text};")

    def atom(self, x: int, y: int, width: int, receive: str) -> int:
        """A number box showing what is sent to `receive`."""
        return self._add(f"#X floatatom {x} {y} {width} 0 0 0 - {receive} - 0;")

    def subpatch(self, x: int, y: int, name: str, inner: "Canvas", width: int = 0) -> int:
        """[pd name] holding `inner`; `width` in characters (0: as wide as its text)."""
        head = inner.head.rsplit(" ", 1)[0] + f" {name} 0;"
        self.lines.extend([head] + inner.lines + inner.wires)
        return self._add(f"#X restore {x} {y} pd {name}" + (f", f {width};" if width else ";"))

    def wire(self, source: int, outlet: int, sink: int, inlet: int) -> None:
        self.wires.append(f"#X connect {source} {outlet} {sink} {inlet};")

    def connect(self, wires) -> None:
        """Many wires at once: (source, outlet, sink, inlet) tuples."""
        for source, outlet, sink, inlet in wires:
            self.wire(source, outlet, sink, inlet)

    def render(self) -> str:
        return "\n".join([self.head] + self.lines + self.wires) + "\n"
