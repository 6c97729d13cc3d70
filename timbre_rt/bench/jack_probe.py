"""A JACK client pair that plays clicks into another client and records what comes back.

The *source* client writes the clicks into its output ports, the *sink* client records its
input ports; wired source -> device under test -> sink, the graph has no cycle, so JACK
runs all three in one period and a delay of D frames puts the click sent at frame time t
into the recording at frame time t + D. Both index by JACK's frame time
(`last_frame_time`), so the two recordings share one clock. JACK xruns are counted by the
server's xrun callback while the probe is active.

Needs the `JACK-Client` package (and libjack, Debian: jackd2) and a running server."""

import errno
import gc
import time
from typing import List, Optional, Sequence

import numpy as np

__all__ = ["JackProbe"]


class JackProbe:
    """`sources` output ports that play clicks, `sinks` input ports recorded for `seconds`."""

    def __init__(self, name: str, sources: int, sinks: int, seconds: float, amplitude: float = 1.0):
        import jack  # JACK-Client; imported here so that the bench package loads without it

        self._source = jack.Client(f"{name}_source", no_start_server=True)
        self._sink = jack.Client(f"{name}_sink", no_start_server=True)
        self.rate = self._source.samplerate
        self.period = self._source.blocksize
        self.realtime = bool(self._source.realtime)  # the server runs with SCHED_FIFO
        self.outs = [self._source.outports.register(f"out_{k + 1}") for k in range(sources)]
        self.ins = [self._sink.inports.register(f"in_{k + 1}") for k in range(sinks)]
        self.recording = np.zeros((sinks, int(seconds * self.rate) + self.period), dtype=np.float32)
        self.amplitude = amplitude
        self.xruns = 0
        self._origin: Optional[int] = None  # frame time of recording index 0
        self._clicks: Sequence[Sequence[int]] = [() for _ in range(sources)]  # frame times, per source port
        self._source.set_process_callback(self._play)
        self._sink.set_process_callback(self._record)
        self._sink.set_xrun_callback(self._count_xrun)

    # ------------------------------------------------------------------ audio callbacks

    def _play(self, frames: int) -> None:
        start = self._source.last_frame_time
        for port, clicks in zip(self.outs, self._clicks):
            buffer = port.get_array()
            buffer.fill(0.0)
            for t in clicks:
                if start <= t < start + frames:
                    buffer[t - start] = self.amplitude

    def _record(self, frames: int) -> None:
        start = self._sink.last_frame_time
        if self._origin is None:
            self._origin = start
        at = start - self._origin
        n = min(frames, self.recording.shape[1] - at)
        if n > 0:
            for k, port in enumerate(self.ins):
                self.recording[k, at : at + n] = port.get_array()[:n]

    def _count_xrun(self, delay_usecs: float) -> None:
        self.xruns += 1

    # ------------------------------------------------------------------ control side

    def start(self) -> None:
        # The callbacks run Python: a cyclic collection over a big heap (a long test session
        # before this) holds the interpreter past a JACK period and xruns. Collect once now and
        # freeze what exists, so that collections while active only scan what is new.
        gc.collect()
        gc.freeze()
        self._source.activate()
        self._sink.activate()

    def connect(self, to_device: Sequence[str], from_device: Sequence[str], timeout: float = 10.0) -> None:
        """Source port k -> to_device[k]; from_device[k] -> sink port k. A client's ports exist
        before it is active, and JACK refuses to connect an inactive client's ports: each
        connection is tried again until `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        pairs = [(self._source, port, target) for port, target in zip(self.outs, to_device)]
        pairs += [(self._sink, source, port) for source, port in zip(from_device, self.ins)]
        for client, source, destination in pairs:
            self._connect_when_active(client, source, destination, deadline)

    @staticmethod
    def _connect_when_active(client, source, destination, deadline: float) -> None:
        import jack

        while True:
            try:
                client.connect(source, destination)
                return
            except jack.JackErrorCode as error:
                if error.code == errno.EEXIST:
                    return
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.02)

    def ports(self, client: str, is_input: bool) -> List[str]:
        """Audio port names of `client`, in JACK's order."""
        return [
            p.name
            for p in self._source.get_ports(f"^{client}:", is_audio=True, is_input=is_input, is_output=not is_input)
        ]

    def now(self) -> int:
        """Frame time now, as an index into the recording (0 before the sink ran)."""
        origin = self._origin
        return 0 if origin is None else self._source.frame_time - origin

    def schedule(self, first: int, counts: Sequence[int], spacing: int = 0) -> List[int]:
        """Clicks at recording indices first, first + spacing, ...: the first counts[k] of
        them into source port k. Returns the indices of all of them."""
        while self._origin is None:
            time.sleep(0.01)
        clicks = [first + k * spacing for k in range(max(counts))]
        self._clicks = [tuple(self._origin + c for c in clicks[:n]) for n in counts]
        return clicks

    def close(self) -> None:
        try:
            for client in (self._source, self._sink):
                try:
                    client.deactivate()
                finally:
                    client.close()
        finally:
            gc.unfreeze()
