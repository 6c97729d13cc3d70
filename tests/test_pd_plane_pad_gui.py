"""interpolation-plane.pd in Pd's own GUI on a private X screen: the red dot is found on a
screenshot, dragged with the mouse (xdotool), and the plane position follows; the dot is
drawn where it was dropped. Skips where Xvfb, xdotool, xwd or Pd's GUI is missing."""

import subprocess
import time

import numpy as np

from test_pd_plane_pad import PATCH, last, probe
from timbre_rt.pd_patches.plane_pad import SIZE
from timbre_rt.pd_render import PD_EXTERNALS
from timbre_rt.processes import stop_process
from xvfb_screen import save_png, screen  # noqa: F401 (a fixture)


def red_dot(image: np.ndarray):
    """(x, y, pixels) of the red on the screen: the dot is the only red thing there."""
    red = np.argwhere((image[:, :, 0] > 200) & (image[:, :, 1] < 60) & (image[:, :, 2] < 60))
    if len(red) == 0:
        return None
    return round(red[:, 1].mean()), round(red[:, 0].mean()), len(red)


def wait_for(what, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.5)
    return what()


def test_dragging_the_red_dot_with_the_mouse_moves_the_plane(screen, tmp_path):
    (tmp_path / "probe.pd").write_text(probe())
    log_path = tmp_path / "pd.log"
    with open(log_path, "w") as log:
        pd = subprocess.Popen(
            [
                "pd",
                "-stderr",
                "-nosound",
                "-path",
                str(PD_EXTERNALS),
                "-open",
                str(tmp_path / "probe.pd"),
                "-open",
                str(PATCH),
            ],
            env=screen.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PATCH.parent,
        )
    try:
        found = wait_for(lambda: red_dot(screen.shot()), 60)
        save_png(screen.shot(), tmp_path / "before.png")
        assert found is not None, f"no red dot on the screen (see {tmp_path / 'before.png'}): {log_path.read_text()}"
        x, y, pixels = found
        assert 80 <= pixels <= 200, pixels  # one dot of about 2 DOT + 1 pixels a side
        # Up and right by a quarter and three quarters of the plane: from A (0, 0) to (0.25, 0.75).
        screen.drag((x, y), (x + SIZE // 4, y - 3 * SIZE // 4))
        moved = wait_for(lambda: last(log_path.read_text()) == {"x": 0.25, "y": 0.75}, 20)
        after = screen.shot()
        save_png(after, tmp_path / "after.png")
        assert moved, log_path.read_text()
        x2, y2, _ = red_dot(after)
        assert abs(x2 - (x + SIZE // 4)) <= 1 and abs(y2 - (y - 3 * SIZE // 4)) <= 1, (found, (x2, y2))
    finally:
        stop_process(pd)
