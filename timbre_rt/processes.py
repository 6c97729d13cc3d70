"""Child processes that a benchmark or a test starts and must stop (jackd, Xvfb, Pd)."""

import subprocess


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ask `process` to end (SIGTERM), then kill it if it has not within `timeout` seconds;
    returns once it is gone, so no zombie or held port outlives the caller."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
