"""A private JACK server: `jackd -d dummy` (a paced audio device without a sound card),
started and stopped by PID under its own server name so that it never meets another JACK
server on the machine. Used by the Pd-under-JACK benchmarks and by the tests' fixture."""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator, Optional

from ..processes import stop_process

__all__ = ["JackServerError", "jack_server", "start_jackd", "stop_jackd"]


class JackServerError(RuntimeError):
    """jackd is missing, exited, or did not come up."""


def _wait_ready(name: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise JackServerError(f"jackd exited with status {process.returncode}: {process.stderr.read().strip()}")
        check = subprocess.run(["jack_wait", "-c", "-s", name], capture_output=True, text=True, env=os.environ)
        if "running" in check.stdout and "not running" not in check.stdout:
            return
        time.sleep(0.1)
    raise JackServerError(f"jackd '{name}' did not come up within {timeout:g} s")


def start_jackd(
    name: str,
    rate: int = 48000,
    period: int = 256,
    realtime: Optional[bool] = False,
    priority: Optional[int] = None,
    timeout: float = 10.0,
) -> subprocess.Popen:
    """Starts `jackd -n name -d dummy -r rate -p period` and waits until clients can connect.
    realtime: SCHED_FIFO for the server and its clients' process threads (needs the right to
    it, e.g. root); without, a loaded machine preempts them and JACK counts xruns. None: with
    it when the server starts so, else without. priority: jackd's -P (its clients' process
    threads run 5 below; jackd's default is 10)."""
    if shutil.which("jackd") is None:
        raise JackServerError("jackd is not installed (Debian: jackd2)")
    if realtime is None:
        try:
            return start_jackd(name, rate, period, True, priority, timeout)
        except JackServerError:
            return start_jackd(name, rate, period, False, None, timeout)
    mode = (["--realtime"] + ([] if priority is None else ["-P", str(priority)])) if realtime else ["--no-realtime"]
    process = subprocess.Popen(
        ["jackd", *mode, "-n", name, "-d", "dummy", "-r", str(rate), "-p", str(period)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(name, process, timeout)
    except BaseException:
        stop_jackd(process)
        raise
    return process


def stop_jackd(process: subprocess.Popen) -> None:
    """Stops the server this module started, by its PID."""
    stop_process(process)


@contextmanager
def jack_server(
    name: str, rate: int = 48000, period: int = 256, realtime: Optional[bool] = False, priority: Optional[int] = None
) -> Iterator[str]:
    """A running server named `name` (realtime, priority: see start_jackd); JACK_DEFAULT_SERVER
    points at it meanwhile, so clients
    in this process and subprocesses given os.environ (Pd, JACK-Client) connect to it."""
    process = start_jackd(name, rate, period, realtime, priority)
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    try:
        yield name
    finally:
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous
        stop_jackd(process)
