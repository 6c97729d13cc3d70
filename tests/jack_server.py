"""A private JACK server for the realtime-host tests: `jackd -d dummy` (a paced audio
device without a sound card), started and stopped by PID under its own server name, so
that it never meets another JACK server on the machine.

Use: `from jack_server import jackd` in a test module, then take `jackd` as a fixture;
it yields the server name and sets JACK_DEFAULT_SERVER (clients in this process and
subprocesses given os.environ connect to it)."""
import itertools
import os
import shutil
import subprocess
import sys
import time

import pytest

RATE = 48000
PERIOD = 256
_names = itertools.count()


def _wait_ready(name: str, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jackd exited with status {process.returncode}: {process.stderr.read()}")
        check = subprocess.run(["jack_wait", "-c", "-s", name], capture_output=True, text=True, env=os.environ)
        if "running" in check.stdout and "not running" not in check.stdout:
            return
        time.sleep(0.1)
    raise RuntimeError(f"jackd '{name}' did not come up within {timeout:g} s")


@pytest.fixture(scope="module")
def jackd():
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not installed (Debian: jackd2): the realtime host tests need a JACK server")
    name = f"timbre_rt_test_{os.getpid()}_{next(_names)}"
    process = subprocess.Popen(["jackd", "--no-realtime", "-n", name, "-d", "dummy", "-r", str(RATE), "-p", str(PERIOD)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    try:
        _wait_ready(name, process)
        yield name
    finally:
        # PortAudio's JACK host API asserts at exit if its server went away first.
        sd = sys.modules.get("sounddevice")
        while sd is not None and sd._initialized:
            sd._terminate()
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sender(jackd):
    """A virtual MIDI output port named `timbre-test-knobs` (JACK MIDI)."""
    rtmidi = pytest.importorskip("rtmidi", reason="python-rtmidi is not installed")
    out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="timbre-test")
    out.open_virtual_port("timbre-test-knobs")
    yield out
    out.close_port()
    out.delete()
