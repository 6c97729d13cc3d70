"""One check for every Pd run in the tests: Pd exits 0 even when a patch is broken."""

from timbre_rt.pd_render import pd_problems


def assert_pd_ok(run, errors_expected: bool = False) -> str:
    """Assert that `run` (a CompletedProcess or PdRun) exited 0 and printed nothing that says
    the patch is broken (nor any error, unless `errors_expected`); returns its log."""
    log = run.stderr + (getattr(run, "stdout", "") or "")
    assert run.returncode == 0, f"pd exited {run.returncode}:\n{log[-4000:]}"
    problems = pd_problems(log, errors_expected)
    assert not problems, "\n".join(problems) + "\n--- the whole log's end:\n" + log[-4000:]
    return log
