"""The realtime host: a sounddevice stream through encoder -> latent knobs -> decoder.

The audio callback makes one call into the C++ Pipeline (which releases the GIL and never
waits); the file loop and the recorder only slice and copy preallocated arrays. MIDI
arrives in rtmidi's thread and only sets the pipeline's lock-free knobs. The status line
(every knob-mapped dimension, wrapped to the terminal's width) is built on the main
thread, about 10 times a second.
"""

import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

from .audio import LoopSource, PlayError, Recorder, pick_device, refresh_devices, sounddevice
from .knob_map import KnobMap, load_map
from .midi import MidiError, MidiKnobs, open_input
from .status import Status, knob_parts, redraw, status_line, status_lines

__all__ = ["PlayConfig", "PlaySummary", "Player"]


@dataclass
class PlayConfig:
    model: str
    decoder: Optional[str] = None  # another file's decode method (default: the model's)
    input: str = "mic"  # "mic" (the input device) or an audio file, looped
    input_device: Optional[str] = None  # index or part of a name; None: JACK's or the default
    output_device: Optional[str] = None
    channels: Optional[int] = None  # output channels (each gets the result); None: up to 2
    block: int = 256  # frames per callback
    buffer: int = 2048  # model buffer (model samples)
    headroom: Optional[int] = None  # None: buffer // 2
    threads: int = 1
    device: str = "cpu"
    smoothing: int = 2  # knob ramps, latent frames
    seconds: Optional[float] = None  # stop after this much stream time (None: Ctrl-C)
    record: Optional[str] = None  # write the output to this WAV at the end (first 5 min without seconds)
    midi: Optional[str] = None  # MIDI input port (part of its name); None: the map's
    midi_api: str = "jack"
    knob_map: Optional[str] = None
    status: bool = True


@dataclass
class PlaySummary:
    seconds: float
    rate: int
    block: int
    latency_ms: float
    xruns: int
    underruns: int
    dropped: int
    errors: int
    midi_events: int
    midi_port: Optional[str]
    recorded: Optional[str]


class Player:
    """Opens everything `config` asks for (raises PlayError, MidiError, MapError,
    ModelError with a clear message); run() streams until Ctrl-C or `config.seconds`."""

    def __init__(
        self, config: PlayConfig, log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)
    ):
        from .. import Pipeline  # the C++ core

        if config.block < 1:
            raise PlayError(f"--block must be >= 1, got {config.block}")
        self.config = config
        self.log = log
        self.sd = sd = sounddevice()
        refresh_devices()  # devices as they are now (e.g. a JACK server started since import)
        self.output_device = pick_device(config.output_device, "output")
        out_info = sd.query_devices(self.output_device)
        self.rate = int(out_info["default_samplerate"])
        self.channels = config.channels or min(2, int(out_info["max_output_channels"]))
        if not 1 <= self.channels <= out_info["max_output_channels"]:
            raise PlayError(
                f"output device '{out_info['name']}' has {out_info['max_output_channels']} channel(s), "
                f"{self.channels} asked for"
            )
        self.source: Optional[LoopSource] = None
        self.input_device: Optional[int] = None
        if config.input == "mic":
            self.input_device = pick_device(config.input_device, "input")
        else:
            self.source = LoopSource.from_file(config.input, self.rate, max_frames=max(config.block, 8192))

        knobs: Optional[KnobMap] = load_map(config.knob_map) if config.knob_map else None
        port = config.midi or (knobs.port if knobs else None)
        if knobs is not None and port is None:
            raise MidiError(f"knob map '{config.knob_map}' names no MIDI port: give one with --midi")
        if port is not None and knobs is None:
            raise MidiError("--midi needs a knob map (--map FILE; `timbre-rt midi-learn` writes one)")

        headroom = config.buffer // 2 if config.headroom is None else config.headroom
        self.pipeline = Pipeline(
            config.model,
            config.decoder,
            buffer=config.buffer,
            headroom=headroom,
            device=config.device,
            threads=config.threads,
            host_rate=self.rate,
            max_block=config.block,
            smoothing=config.smoothing,
        )
        self.names: List[str] = list(self.pipeline.latent_names)
        channels = self.pipeline.latent_channels
        self.shown_dims = list(range(min(channels, 4)))
        self.midi_in = None
        self.midi_port: Optional[str] = None
        self.knobs: Optional[MidiKnobs] = None
        if knobs is not None:
            self.knobs = MidiKnobs(knobs, self.pipeline, self.names, channels)  # checks the dims first
            self.midi_in, self.midi_port = open_input(port, config.midi_api)
            self.knobs.attach(self.midi_in)
            self.shown_dims = self.knobs.mapped_dims() or self.shown_dims

        capacity = int(((config.seconds or 300.0) + 1.0) * self.rate) if config.record else 0
        self.recorder = Recorder(capacity) if config.record else None
        self.frames = 0
        self.xruns = 0
        self.status_rows = 0  # terminal lines the last status took (redrawn in place)

    # ---------------------------------------------------------------- audio callbacks

    def _duplex(self, indata, outdata, frames, _time, status):
        if status:
            self.xruns += 1
        self.pipeline.process(indata, outdata)
        if self.recorder is not None:
            self.recorder.write(outdata)
        self.frames += frames

    def _from_file(self, outdata, frames, _time, status):
        if status:
            self.xruns += 1
        self.pipeline.process(self.source.read(frames), outdata)
        if self.recorder is not None:
            self.recorder.write(outdata)
        self.frames += frames

    # ---------------------------------------------------------------- main thread

    def _open_stream(self):
        sd, c = self.sd, self.config
        try:
            if self.source is not None:
                return sd.OutputStream(
                    device=self.output_device,
                    samplerate=self.rate,
                    blocksize=c.block,
                    channels=self.channels,
                    dtype="float32",
                    callback=self._from_file,
                )
            return sd.Stream(
                device=(self.input_device, self.output_device),
                samplerate=self.rate,
                blocksize=c.block,
                channels=(1, self.channels),
                dtype="float32",
                callback=self._duplex,
            )
        except sd.PortAudioError as e:
            raise PlayError(f"cannot open the audio stream at {self.rate} Hz, block {c.block}: {e}") from None

    def _status(self, stream) -> Status:
        stats = self.pipeline.stats()
        io = stream.latency if isinstance(stream.latency, (int, float)) else sum(stream.latency)
        model_ms = 1000.0 * self.pipeline.latency / self.rate
        state = self.pipeline.transform_state()
        return Status(
            seconds=self.frames / self.rate,
            latency_ms=model_ms + 1000.0 * io,
            model_ms=model_ms,
            xruns=self.xruns,
            underruns=int(stats["underruns"]),
            cpu_load=float(stream.cpu_load),
            knobs=knob_parts(state, self.names, self.shown_dims),
            midi_events=self.knobs.events if self.knobs else 0,
        )

    def run(self) -> PlaySummary:
        """Stream until Ctrl-C or `seconds`; prints the status line; returns a summary."""
        c = self.config
        tty = sys.stderr.isatty()
        source = f"file {c.input}" if self.source is not None else f"input device {self.input_device}"
        self.log(
            f"play: {c.model} at {self.rate} Hz (model {self.pipeline.sampling_rate} Hz), block {c.block}, "
            f"buffer {self.pipeline.buffer}, {source} -> output device {self.output_device}"
            + (f", MIDI '{self.midi_port}'" if self.midi_port else "")
            + "; Ctrl-C stops"
        )
        stream = self._open_stream()
        target = None if c.seconds is None else int(c.seconds * self.rate)
        begin = time.monotonic()
        last_print = 0.0
        status = None
        # Ctrl-C only sets a flag: a KeyboardInterrupt raised inside the stream's stop or
        # close (PortAudio waiting on its callback) could leave it half-stopped and hang.
        stop = threading.Event()
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            with stream:
                while not stop.is_set() and (target is None or self.frames < target):
                    time.sleep(0.1)
                    status = self._status(stream)
                    now = time.monotonic()
                    if c.status and (tty or now - last_print >= 1.0):  # ~10 Hz on a terminal, 1 Hz in a log
                        self.log_status(status, tty)
                        last_print = now
                    if target is not None and now - begin > 2.0 * c.seconds + 10.0:
                        raise PlayError(
                            f"the audio stream ran only {self.frames / self.rate:.1f} s of {c.seconds:g} "
                            f"in {now - begin:.0f} s (is the device running?)"
                        )
        except KeyboardInterrupt:  # SIGINT before the handler was installed, or no main thread
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            stream.close()
            if tty and c.status:
                print(file=sys.stderr)
            self.close()
        return self._finish(status or self._status_after())

    def log_status(self, status: Status, tty: bool) -> None:
        """On a terminal, redraw the status in place, wrapped to its width; else log one line."""
        if tty:
            lines = status_lines(status, shutil.get_terminal_size().columns - 1)
            print(redraw(lines, self.status_rows), end="", file=sys.stderr, flush=True)
            self.status_rows = len(lines)
        else:
            self.log(status_line(status))

    def _status_after(self) -> Status:
        stats = self.pipeline.stats()
        model_ms = 1000.0 * self.pipeline.latency / self.rate
        return Status(self.frames / self.rate, model_ms, model_ms, self.xruns, int(stats["underruns"]), 0.0)

    def _finish(self, status: Status) -> PlaySummary:
        stats = self.pipeline.stats()
        recorded = None
        if self.recorder is not None:
            from ..audio import write_wav

            recorded = str(write_wav(self.config.record, self.recorder.audio(), self.rate))
        summary = PlaySummary(
            seconds=self.frames / self.rate,
            rate=self.rate,
            block=self.config.block,
            latency_ms=status.latency_ms,
            xruns=self.xruns,
            underruns=int(stats["underruns"]),
            dropped=int(stats["dropped"]),
            errors=int(stats["errors"]),
            midi_events=self.knobs.events if self.knobs else 0,
            midi_port=self.midi_port,
            recorded=recorded,
        )
        self.log(
            f"played {summary.seconds:.1f} s: latency {summary.latency_ms:.1f} ms, xruns {summary.xruns}, "
            f"underruns {summary.underruns}, dropped {summary.dropped}, errors {summary.errors}, "
            f"midi events {summary.midi_events}" + (f"; wrote {recorded}" if recorded else "")
        )
        if stats["errors"]:
            self.log(f"play: model errors: {self.pipeline.last_error}")
        return summary

    def close(self) -> None:
        """Stop MIDI input (the stream is closed by run())."""
        if self.midi_in is not None:
            self.midi_in.cancel_callback()
            self.midi_in.close_port()
            self.midi_in.delete()
            self.midi_in = None
