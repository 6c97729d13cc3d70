"""interpolation-plane.pd: a position sent to plane-xy goes through the x and y sliders
(so they follow it) to the mix."""
import shutil
import subprocess
from pathlib import Path

import pytest

from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_render import PD_EXTERNALS

PATCH = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "interpolation-plane.pd"


def probe() -> str:
    """Prints what reaches ip-x and ip-y: the sliders' sends."""
    c = Canvas(400, 300, x=0, y=0)
    for x, axis in ((10, "x"), (150, "y")):
        c.wire(c.obj(x, 10, f"r ip-{axis}"), 0, c.obj(x, 40, f"print probe-{axis}"), 0)
    return c.render()


def test_plane_xy_moves_the_sliders_and_the_dot(tmp_path):
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    (tmp_path / "probe.pd").write_text(probe())
    run = subprocess.run(["pd", "-nogui", "-nosound", "-stderr", "-path", str(PD_EXTERNALS), "-open", str(tmp_path / "probe.pd"),
                          "-open", str(PATCH), "-send", "plane-xy 0.25 0.75", "-send", "pd quit"],
                         capture_output=True, text=True, timeout=120, cwd=PATCH.parent)
    log = run.stderr + run.stdout
    assert "couldn't create" not in log and "connection failed" not in log, log
    assert "probe-x: 0.25" in log and "probe-y: 0.75" in log, log


def test_plane_xy_goes_through_the_sliders():
    """The sends after [r plane-xy] are the sliders' receive names: the sliders move with it."""
    boxes = [line.rstrip(";").split() for line in PATCH.read_text().splitlines() if line.startswith("#X obj")]
    receives = {box[12] for box in boxes if box[4] in ("hsl", "vsl")}
    sends = {box[5] for box in boxes if box[4] in ("s", "send") and box[5].startswith("ip-") and box[5].endswith("-set")}
    assert receives == {"ip-x-set", "ip-y-set"} and sends == receives
