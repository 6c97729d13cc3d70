"""One check for every Pd run in the tests (Pd exits 0 even when a patch is broken), and one
way to open patches in a Pd without a GUI, send them messages and quit."""

import subprocess
from pathlib import Path
from typing import Dict, Optional, Sequence

from timbre_rt.pd_render import PD_EXTERNALS, pd_problems


def assert_pd_ok(run, errors_expected: bool = False) -> str:
    """Assert that `run` (a CompletedProcess or PdRun) exited 0 and printed nothing that says
    the patch is broken (nor any error, unless `errors_expected`); returns its log."""
    log = run.stderr + (getattr(run, "stdout", "") or "")
    assert run.returncode == 0, f"pd exited {run.returncode}:\n{log[-4000:]}"
    problems = pd_problems(log, errors_expected)
    assert not problems, "\n".join(problems) + "\n--- the whole log's end:\n" + log[-4000:]
    return log


def run_opened(
    patches: Sequence[Path],
    messages: Sequence[str] = (),
    cwd: Optional[Path] = None,
    pd_path: Path = PD_EXTERNALS,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 120,
) -> str:
    """Open `patches` in one Pd (no GUI, no sound, DSP off), send `messages` once all are open,
    quit; assert a clean log (assert_pd_ok) and return it."""
    command = ["pd", "-nogui", "-nosound", "-stderr", "-path", str(pd_path)]
    for patch in patches:
        command += ["-open", str(patch)]
    for message in (*messages, "pd quit"):
        command += ["-send", message]
    run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)
    return assert_pd_ok(run)
