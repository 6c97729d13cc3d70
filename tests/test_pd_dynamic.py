"""Creating and deleting [encoder~]/[decoder~] while DSP runs: no crash, no leaked thread."""

import subprocess
import threading
import time
from pathlib import Path

from timbre_rt.pd_patches import Canvas
from timbre_rt.pd_render import PD_EXTERNALS
from pd_checks import assert_pd_ok

CYCLES = 20


def patch(model: str) -> str:
    """Metro ticks 0, 1, 2, ...: even ones create the pair in [pd dyn], odd ones clear it.
    Prints "stage: baseline" after the first clear, "stage: alive" while the second pair
    lives and "stage: end" after the last clear, each time holding that state for a second
    (the metro slows down) so that the test can count the threads; then quits."""
    end = 2 * CYCLES + 1
    c = Canvas(600, 400, x=0, y=0)
    load = c.obj(10, 10, "loadbang")
    dsp = c.msg(10, 40, "\\; pd dsp 1")
    metro = c.obj(10, 70, "metro 60")
    count = c.obj(10, 100, "f")
    step = c.obj(60, 100, "+ 1")
    order = c.obj(10, 130, "t f f")  # create/clear first, then the stage
    even = c.obj(100, 160, "mod 2")
    pick = c.obj(100, 190, "sel 0 1")
    # Dynamic patching: these connect messages number the two objects the same message makes.
    create = c.msg(
        100,
        220,
        f"\\; pd-dyn obj 10 10 encoder~ {model} 256 \\; pd-dyn obj 10 60 decoder~ {model} 256 "
        "\\; pd-dyn connect 0 0 1 0 \\; pd-dyn connect 0 1 1 1",
    )
    clear = c.msg(300, 220, "\\; pd-dyn clear")
    stage = c.obj(10, 250, f"sel 1 2 3 {end} {end + 1}")
    baseline = c.msg(10, 280, "baseline")
    alive = c.msg(90, 280, "alive")
    last = c.msg(170, 280, "end")
    quit_ = c.msg(250, 280, "\\; pd quit")
    show = c.obj(10, 310, "print stage")
    hold = c.msg(400, 280, "1000")  # hold the state
    churn = c.msg(460, 280, "60")
    c.subpatch(300, 300, "dyn", Canvas(400, 300, x=0, y=0))
    c.connect(
        [
            (load, 0, dsp, 0),
            (load, 0, metro, 0),
            (metro, 0, count, 0),
            (count, 0, step, 0),
            (step, 0, count, 1),
            (count, 0, order, 0),
            (order, 1, even, 0),
            (even, 0, pick, 0),
            (pick, 0, create, 0),
            (pick, 1, clear, 0),
            (order, 0, stage, 0),
            (stage, 0, baseline, 0),
            (stage, 1, alive, 0),
            (stage, 3, last, 0),
            (stage, 4, quit_, 0),
            (baseline, 0, show, 0),
            (alive, 0, show, 0),
            (last, 0, show, 0),
            (stage, 0, hold, 0),
            (stage, 1, hold, 0),
            (stage, 3, hold, 0),
            (stage, 2, churn, 0),
            (hold, 0, metro, 1),
            (churn, 0, metro, 1),
        ]
    )
    return c.render()


def threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def thread_names(pid: int) -> list:
    names = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:  # the thread ended meanwhile
            pass
    return sorted(names)


def test_create_and_delete_while_dsp_runs(tmp_path, toy_path):
    (tmp_path / "dyn.pd").write_text(patch(toy_path))
    # Not -batch: the scheduler runs in real time so that the test can look at the threads.
    pd = subprocess.Popen(
        [
            "pd",
            "-nogui",
            "-nosound",
            "-stderr",
            "-r",
            "24000",
            "-path",
            str(PD_EXTERNALS),
            "-open",
            str(tmp_path / "dyn.pd"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    counts, names, lines = {}, {}, []

    def read():
        for line in pd.stderr:
            lines.append(line)
            for stage in ("baseline", "alive", "end"):
                if line.strip() == f"stage: {stage}":
                    time.sleep(0.3)  # well inside the second that Pd holds the state
                    counts[stage] = threads_of(pd.pid)
                    # OpenMP team threads of a joined worker end after it, asynchronously:
                    # give them the rest of the held second (a leak would stay).
                    deadline = time.monotonic() + 0.5
                    while stage == "end" and counts[stage] > counts.get("baseline", 0) and time.monotonic() < deadline:
                        time.sleep(0.05)
                        counts[stage] = threads_of(pd.pid)
                    names[stage] = thread_names(pd.pid)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        pd.wait(timeout=60)
    finally:
        if pd.poll() is None:
            pd.kill()
        reader.join(timeout=10)
    text = "".join(lines)
    assert_pd_ok(subprocess.CompletedProcess(pd.args, pd.returncode, "", text))
    # After one create/delete cycle every lazily started pool exists; twenty more add nothing.
    assert set(counts) == {"baseline", "alive", "end"}, text
    assert counts["alive"] > counts["baseline"], "the objects' threads should show while they live"
    assert counts["end"] == counts["baseline"], (
        f"threads grew from {counts['baseline']} to {counts['end']}: {names['baseline']} -> {names['end']}"
    )
