"""A private X display for the GUI tests: `Xvfb` started and stopped by PID on a display
number no other server holds, screenshots read from `xwd` (no image library needed), and
the mouse moved with `xdotool`, so that a test can look at a Pd window and drag in it as a
person would.

Use: `from xvfb_screen import screen` in a test module, then take `screen` as a fixture;
it yields a Screen (its `env` runs programs on the display). The tests skip, with the
package to install, where Xvfb, xdotool, xwd or Pd's GUI is missing (scripts/setup.sh
installs them)."""

import os
import shutil
import struct
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Tuple

import numpy as np
import pytest

from timbre_rt.processes import stop_process

WIDTH, HEIGHT = 1280, 1024
TOOLS = {"Xvfb": "xvfb", "xdotool": "xdotool", "xwd": "x11-apps", "pd-gui": "puredata-gui", "pd": "puredata-core"}


@dataclass
class Screen:
    display: str
    env: Dict[str, str]

    def shot(self) -> np.ndarray:
        """The whole screen as an H x W x 3 uint8 array (RGB)."""
        raw = subprocess.run(
            ["xwd", "-root", "-silent"], env=self.env, capture_output=True, check=True, timeout=30
        ).stdout
        return xwd_rgb(raw)

    def drag(self, start: Tuple[int, int], end: Tuple[int, int], steps: int = 10) -> None:
        """Press button 1 at `start`, move to `end` in `steps` motions, release: a mouse drag."""
        self.xdotool("mousemove", str(start[0]), str(start[1]))
        self.xdotool("mousedown", "1")
        for k in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * k // steps
            y = start[1] + (end[1] - start[1]) * k // steps
            self.xdotool("mousemove", str(x), str(y))
            time.sleep(0.03)
        self.xdotool("mouseup", "1")

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=30)


def xwd_rgb(raw: bytes) -> np.ndarray:
    """An XWD file (ZPixmap, 24 or 32 bits a pixel, as Xvfb writes it) as RGB."""
    fields = struct.unpack(">25I", raw[:100])
    header_size, pixmap_format, width, height = fields[0], fields[2], fields[4], fields[5]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    masks, ncolors = fields[14:17], fields[19]
    if pixmap_format != 2 or bits_per_pixel not in (24, 32):
        raise ValueError(
            f"xwd: a ZPixmap of 24 or 32 bits a pixel expected, got format {pixmap_format}, {bits_per_pixel} bits"
        )
    start = header_size + 12 * ncolors
    rows = np.frombuffer(raw[start : start + height * bytes_per_line], np.uint8).reshape(height, bytes_per_line)
    step = bits_per_pixel // 8
    pixels = rows[:, : width * step].reshape(height, width, step)
    value = np.zeros((height, width), np.uint32)
    for k in range(step):  # byte_order 0: the least significant byte first
        shift = 8 * (k if byte_order == 0 else step - 1 - k)
        value |= pixels[:, :, k].astype(np.uint32) << shift
    channels = []
    for mask in masks:
        low = (mask & -mask).bit_length() - 1
        channels.append(((value & mask) >> low).astype(np.uint8))
    return np.stack(channels, axis=-1)


def save_png(image: np.ndarray, path: Path) -> None:
    """For a person to look at (Pillow comes with matplotlib)."""
    from PIL import Image

    Image.fromarray(image).save(path)


def _free_display() -> int:
    for number in range(90, 190):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number in :90..:189")


@contextmanager
def xvfb() -> Iterator[Screen]:
    """An Xvfb display of its own for the block; RuntimeError if it does not come up."""
    number = _free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 20
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Xvfb did not start on :{number}: {server.stderr.read().decode(errors='replace')[-500:]}"
                )
            time.sleep(0.1)
        yield Screen(f":{number}", dict(os.environ, DISPLAY=f":{number}"))
    finally:
        stop_process(server)


@pytest.fixture(scope="module")
def screen():
    missing = [f"{tool} (Debian: {package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        pytest.skip("the GUI tests need " + ", ".join(missing) + ": run scripts/setup.sh")
    try:
        with xvfb() as display:
            yield display
    except RuntimeError as error:
        if "Xvfb did not start" not in str(error):
            raise
        pytest.skip(str(error))
