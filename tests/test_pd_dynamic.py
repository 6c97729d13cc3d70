"""Creating and deleting [encoder~]/[decoder~] while DSP runs: no crash, no leaked thread."""
import subprocess
import threading
import time
from pathlib import Path

from timbre_rt.pd_render import PD_EXTERNALS

CYCLES = 20


def patch(model: str) -> str:
    """Metro ticks 0, 1, 2, ...: even ones create the pair in [pd dyn], odd ones clear it.
    Prints "stage: baseline" after the first clear, "stage: alive" while the second pair
    lives and "stage: end" after the last clear, each time holding that state for a second
    (the metro slows down) so that the test can count the threads; then quits."""
    end = 2 * CYCLES + 1
    return "\n".join([
        "#N canvas 0 0 600 400 12;",
        "#X obj 10 10 loadbang;",  # 0
        "#X msg 10 40 \\; pd dsp 1;",  # 1
        "#X obj 10 70 metro 60;",  # 2
        "#X obj 10 100 f;",  # 3
        "#X obj 60 100 + 1;",  # 4
        "#X obj 10 130 t f f;",  # 5: create/clear first, then the stage
        "#X obj 100 160 mod 2;",  # 6
        "#X obj 100 190 sel 0 1;",  # 7
        f"#X msg 100 220 \\; pd-dyn obj 10 10 encoder~ {model} 256 \\; pd-dyn obj 10 60 decoder~ {model} 256 "
        "\\; pd-dyn connect 0 0 1 0 \\; pd-dyn connect 0 1 1 1;",  # 8
        "#X msg 300 220 \\; pd-dyn clear;",  # 9
        f"#X obj 10 250 sel 1 2 3 {end} {end + 1};",  # 10
        "#X msg 10 280 baseline;",  # 11
        "#X msg 90 280 alive;",  # 12
        "#X msg 170 280 end;",  # 13
        "#X msg 250 280 \\; pd quit;",  # 14
        "#X obj 10 310 print stage;",  # 15
        "#X msg 400 280 1000;",  # 16: hold the state
        "#X msg 460 280 60;",  # 17: churn
        "#N canvas 0 0 400 300 dyn 0;",
        "#X restore 300 300 pd dyn;",  # 18
        "#X connect 0 0 1 0;", "#X connect 0 0 2 0;",
        "#X connect 2 0 3 0;", "#X connect 3 0 4 0;", "#X connect 4 0 3 1;", "#X connect 3 0 5 0;",
        "#X connect 5 1 6 0;", "#X connect 6 0 7 0;", "#X connect 7 0 8 0;", "#X connect 7 1 9 0;",
        "#X connect 5 0 10 0;", "#X connect 10 0 11 0;", "#X connect 10 1 12 0;", "#X connect 10 3 13 0;",
        "#X connect 10 4 14 0;", "#X connect 11 0 15 0;", "#X connect 12 0 15 0;", "#X connect 13 0 15 0;",
        "#X connect 10 0 16 0;", "#X connect 10 1 16 0;", "#X connect 10 3 16 0;", "#X connect 10 2 17 0;",
        "#X connect 16 0 2 1;", "#X connect 17 0 2 1;",
    ]) + "\n"


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
        ["pd", "-nogui", "-nosound", "-stderr", "-r", "24000", "-path", str(PD_EXTERNALS), "-open", str(tmp_path / "dyn.pd")],
        stderr=subprocess.PIPE, text=True, cwd=tmp_path)
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
    assert pd.returncode == 0, text
    assert "couldn't create" not in text and "error" not in text.lower(), text
    # After one create/delete cycle every lazily started pool exists; twenty more add nothing.
    assert set(counts) == {"baseline", "alive", "end"}, text
    assert counts["alive"] > counts["baseline"], "the objects' threads should show while they live"
    assert counts["end"] == counts["baseline"], (
        f"threads grew from {counts['baseline']} to {counts['end']}: {names['baseline']} -> {names['end']}")
