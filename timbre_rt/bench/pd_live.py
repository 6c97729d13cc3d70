"""Live end-to-end latency of the [encoder~] -> [decoder~] chain in Pd under JACK.

One Pd run (`pd -jack`) holds three paths side by side, so that they share Pd's I/O:

    in 1 -> [adc~ 1] -> [dac~ 1] -> out 1                       plain: Pd's own I/O delay
    in 2 -> [adc~ 2] -> [encoder~] -> [decoder~] -> [dac~ 2]     chain A, fed the clicks
            (silence) -> [encoder~] -> [decoder~] -> [dac~ 3]     chain B, the reference

A JACK client (jack_probe) plays clicks into in 1 (the first also into in 2) and records
out 1..3 on JACK's clock. Pd's I/O delay is where the click comes out of out 1; the live latency is where
out 2 first departs from out 3 (identical until the click reaches the model); the chain's
own share is their difference, to compare with what the objects report (`info`)."""

import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from .._core import read_model_info
from ..pd_patches.canvas import Canvas
from ..pd_render import PD_EXTERNALS
from .impulse_delay import click_delays, onset, peak_delay
from .jack_probe import JackProbe
from .pd_info import parse_info

__all__ = ["LiveRun", "LiveSettings", "live_patch", "run_live"]

CLICKS = 4  # clicks into the plain path; chain A gets the first one only
READY = "timbre_live: bang"  # what the patch prints once DSP is on


@dataclass
class LiveSettings:
    model: str
    buffer: Optional[int] = None  # None: the objects' default
    headroom: Optional[int] = None  # None: the objects' default (needs buffer set to be given)
    callback: bool = False  # Pd's -callback (DSP inside JACK's process callback)
    audiobuf: Optional[int] = None  # Pd's -audiobuf in ms; None: Pd's default
    seconds: float = 5.0  # from DSP on to `info`
    reference: bool = True  # chain B; without, the click's onset is sought against silence
    inline: bool = False  # [inline 1( to every object at load: the models run in Pd's audio thread

    def pd_flags(self) -> List[str]:
        return (["-callback"] if self.callback else []) + (
            [] if self.audiobuf is None else ["-audiobuf", str(self.audiobuf)]
        )

    def object_args(self) -> str:
        args = [str(Path(self.model).resolve())]
        if self.buffer is not None:
            args.append(str(self.buffer))
            if self.headroom is not None:
                args.append(str(self.headroom))
        return " ".join(args)


@dataclass
class LiveRun:
    model: str
    pd_flags: str
    rate: int  # Pd's and JACK's
    period: int  # JACK's
    buffer: int  # as the objects report it (model rate)
    headroom: Optional[int]  # as asked for; None: the objects' default
    seconds: float
    calls: int  # decoder calls of chain A
    underruns: int  # chain A, encoder + decoder
    jack_xruns: int  # from DSP on to the info lines
    jack_realtime: bool  # jackd (and so Pd's and the probe's JACK threads) ran with SCHED_FIFO
    reported: int  # chain A's latency, encoder + decoder, samples at Pd's rate
    pd_io: Optional[int]  # plain path, first click; None: no click came through
    pd_io_spread: int  # max - min over the clicks into the plain path
    measured: Optional[int]  # live: click into JACK -> first change out of chain A
    peak: Optional[int]  # live: click -> largest |A - B| (the delay itself for a delay-only model)
    floor: float  # max |A - B| before the click (0: the chain is deterministic)
    stderr_tail: str = field(default="", repr=False)

    @property
    def measured_chain(self) -> Optional[int]:
        """The chain's own share of the live latency (measured - Pd's I/O delay)."""
        return None if self.measured is None or self.pd_io is None else self.measured - self.pd_io

    @property
    def peak_chain(self) -> Optional[int]:
        return None if self.peak is None or self.pd_io is None else self.peak - self.pd_io

    def ms(self, samples: Optional[int]) -> Optional[float]:
        return None if samples is None else round(1000.0 * samples / self.rate, 1)


def live_patch(settings: LiveSettings, latents: int) -> str:
    """The three paths (chain B only with settings.reference), `info` to each object after
    settings.seconds of DSP, then `pd quit`; prints READY when DSP is on."""
    args = settings.object_args()
    ms = 1000.0 * settings.seconds
    c = Canvas(700, 500, x=0, y=0)
    load = c.obj(10, 10, "loadbang")
    dsp = c.msg(10, 40, "\\; pd dsp 1")
    report = c.obj(10, 70, f"delay {ms}")
    order = c.obj(10, 100, "t b b b b")  # info to A's encoder, A's decoder, B's encoder, B's decoder
    info_a_enc, info_a_dec, info_b_enc, info_b_dec = (c.msg(10 + 50 * k, 130, "info") for k in range(4))
    adc = c.obj(10, 170, "adc~ 1 2")
    dac = c.obj(10, 400, "dac~ 1 2 3")
    enc_a = c.obj(60, 220, f"encoder~ {args}")
    dec_a = c.obj(60, 260, f"decoder~ {args}")
    stop = c.obj(200, 70, f"delay {ms + 300}")
    quit_ = c.msg(200, 100, "\\; pd quit")
    ready = c.obj(400, 10, "print timbre_live")
    c.connect(
        [
            (load, 0, dsp, 0),
            (load, 0, report, 0),
            (load, 0, stop, 0),
            (stop, 0, quit_, 0),
            (load, 0, ready, 0),
            (report, 0, order, 0),
            (order, 3, info_a_enc, 0),
            (order, 2, info_a_dec, 0),
            (info_a_enc, 0, enc_a, 0),
            (info_a_dec, 0, dec_a, 0),
            (adc, 0, dac, 0),
            (adc, 1, enc_a, 0),
            (dec_a, 0, dac, 1),
        ]
        + [(enc_a, k, dec_a, k) for k in range(latents)]
    )
    models = [enc_a, dec_a]
    if settings.reference:
        enc_b = c.obj(300, 220, f"encoder~ {args}")
        dec_b = c.obj(300, 260, f"decoder~ {args}")
        c.connect(
            [
                (order, 1, info_b_enc, 0),
                (order, 0, info_b_dec, 0),
                (info_b_enc, 0, enc_b, 0),
                (info_b_dec, 0, dec_b, 0),
                (dec_b, 0, dac, 2),
            ]
            + [(enc_b, k, dec_b, k) for k in range(latents)]
        )
        models += [enc_b, dec_b]
    if settings.inline:
        inline = c.msg(500, 10, "inline 1")
        c.connect([(load, 0, inline, 0)] + [(inline, 0, model, 0) for model in models])
    return c.render()


class _PdProcess:
    """Pd in the background; its stderr collected by a thread, events for readiness and info."""

    def __init__(self, command: List[str], objects: int):
        self.objects = objects  # info lines to wait for
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.lines: List[str] = []
        self.infos = 0
        self.ready = threading.Event()
        self.reported = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            if READY in line:
                self.ready.set()
            self.infos += len(parse_info(line))
            if self.infos >= self.objects:
                self.reported.set()

    def text(self) -> str:
        return "".join(self.lines)

    def wait_ports(self, probe: JackProbe, client: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if len(probe.ports(client, is_input=True)) >= 2 and len(probe.ports(client, is_input=False)) >= 3:
                return
            time.sleep(0.05)
        raise RuntimeError(f"Pd's JACK ports did not appear (Pd {self._state()}):\n{self.text()[-3000:]}")

    def _state(self) -> str:
        code = self.process.poll()
        return "running" if code is None else f"exited with status {code}"

    def finish(self, timeout: float) -> None:
        """Waits for Pd to quit; then SIGTERM, then SIGKILL (Pd 0.53 with -callback under JACK
        hangs in `pd quit`, with or without our objects)."""
        for stop in (None, self.process.terminate, self.process.kill):
            if stop is not None:
                stop()
            try:
                self.process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        self._reader.join(timeout=5)


def run_live(settings: LiveSettings, folder: Path, name: str = "timbre_live", warmup: float = 1.0) -> LiveRun:
    """One live run on the JACK server JACK_DEFAULT_SERVER names (see jack_server)."""
    latents = int(read_model_info(str(settings.model))["methods"]["encode"]["params"][2])
    patch = Path(folder) / f"{name}.pd"
    patch.write_text(live_patch(settings, latents))
    probe = JackProbe(name, sources=2, sinks=3, seconds=settings.seconds + 30.0)
    command = [
        "pd",
        "-nogui",
        "-jack",
        "-nojackconnect",
        "-jackname",
        f"{name}_pd",
        "-inchannels",
        "2",
        "-outchannels",
        "3",
        "-r",
        str(probe.rate),
        "-stderr",
        *settings.pd_flags(),
        "-path",
        str(PD_EXTERNALS),
        "-open",
        str(patch),
    ]
    probe.start()
    objects = 4 if settings.reference else 2
    pd = _PdProcess(command, objects)
    try:
        pd.wait_ports(probe, f"{name}_pd", timeout=30.0)
        probe.connect(probe.ports(f"{name}_pd", is_input=True)[:2], probe.ports(f"{name}_pd", is_input=False)[:3])
        if not pd.ready.wait(timeout=60.0):
            raise RuntimeError(f"Pd never turned DSP on:\n{pd.text()[-3000:]}")
        xruns_before = probe.xruns
        spacing = probe.rate // 4
        clicks = probe.schedule(probe.now() + int(warmup * probe.rate), [CLICKS, 1], spacing)
        pd.reported.wait(timeout=settings.seconds + 60.0)
        xruns = probe.xruns - xruns_before
    finally:
        pd.finish(timeout=3.0)
        probe.close()
    text = pd.text()
    info = parse_info(text)
    if len(info) < objects:
        raise RuntimeError(f"Pd did not report its {objects} objects (status {pd.process.returncode}):\n{text[-3000:]}")
    encoder, decoder = info[0], info[1]
    delays = click_delays(probe.recording[0], clicks, probe.amplitude, spacing)
    plain = [d for d in delays if d is not None]
    found = onset(probe.recording[1], probe.recording[2], clicks[0], window=int(warmup * probe.rate) // 2)
    return LiveRun(
        model=str(settings.model),
        pd_flags=" ".join(settings.pd_flags()),
        rate=probe.rate,
        period=probe.period,
        buffer=decoder.buffer,
        headroom=settings.headroom,
        seconds=settings.seconds,
        calls=decoder.calls,
        underruns=encoder.underruns + decoder.underruns,
        jack_xruns=xruns,
        jack_realtime=probe.realtime,
        reported=encoder.latency + decoder.latency,
        pd_io=delays[0],
        pd_io_spread=max(plain) - min(plain) if plain else 0,
        measured=None if found.frame is None else found.frame - clicks[0],
        floor=found.floor,
        peak=None if found.frame is None else peak_delay(probe.recording[1], probe.recording[2], clicks[0]),
        stderr_tail=text[-2000:],
    )
