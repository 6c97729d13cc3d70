"""A private JACK server for the realtime-host tests: `jackd -d dummy` (a paced audio
device without a sound card), started and stopped by PID under its own server name, so
that it never meets another JACK server on the machine.

Use: `from jack_server import jackd` in a test module, then take `jackd` as a fixture;
it yields the server name and sets JACK_DEFAULT_SERVER (clients in this process and
subprocesses given os.environ connect to it)."""

import itertools
import os
import shutil
import sys

import pytest

from timbre_rt.bench.jack_server import jack_server

RATE = 48000
PERIOD = 256
_names = itertools.count()


@pytest.fixture(scope="module")
def jackd():
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not installed (Debian: jackd2): the realtime host tests need a JACK server")
    name = f"timbre_rt_test_{os.getpid()}_{next(_names)}"
    with jack_server(name, RATE, PERIOD):
        try:
            yield name
        finally:
            # PortAudio's JACK host API asserts at exit if its server went away first.
            sd = sys.modules.get("sounddevice")
            while sd is not None and sd._initialized:
                sd._terminate()


@pytest.fixture
def sender(jackd):
    """A virtual MIDI output port named `timbre-test-knobs` (JACK MIDI)."""
    rtmidi = pytest.importorskip("rtmidi", reason="python-rtmidi is not installed")
    out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="timbre-test")
    out.open_virtual_port("timbre-test-knobs")
    yield out
    out.close_port()
    out.delete()
