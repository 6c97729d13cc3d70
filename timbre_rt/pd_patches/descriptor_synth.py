"""`descriptor-synth.pd`: the discrete model's `synthesize` played live in Pd.

One slider per descriptor target in natural units (Hz, dB, 0..1) and one for the gain; the
player's own sound, analysed by [descriptors~] (f0, voicing, loudness, centroid, gain),
moves the sliders whose `follow` toggle is on. [pd to-model] puts each value on the model's
standard scale (log for frequencies and flatness, minus the codebook mean, over its spread:
the numbers the model file stores) and feeds [timbre~ <model> synthesize]. The constants are
read from the model file when the patch is written, so a patch belongs to its model."""

from dataclasses import dataclass, replace
from typing import List, Sequence

from .canvas import Canvas
from .players import once_player

__all__ = ["Descriptor", "descriptor_synth_patch", "descriptors_of"]

MODEL = "../../models/discrete.ts"
UNITS = {
    "centroid": "Hz",
    "bandwidth": "Hz",
    "rolloff": "Hz",
    "flatness": "0-1",
    "loudness": "dB",
    "f0": "Hz",
    "f0_confidence": "0-1",
}
ANALYSIS = {"f0": 0, "f0_confidence": 1, "loudness": 2, "centroid": 3, "gain": 4}  # [descriptors~] outlets


@dataclass
class Descriptor:
    name: str
    log: bool
    mean: float  # on the standard scale's log/linear axis
    std: float
    low: float  # the codebook's range, natural units
    high: float
    median: float


def descriptors_of(model) -> List[Descriptor]:
    """From a loaded discrete model file (torch.jit.load): its descriptor table and scale."""
    table = model.descriptors
    out = [
        Descriptor(
            str(n),
            bool(model.descriptor_log[i] > 0.5),
            float(model.descriptor_mean[i]),
            float(model.descriptor_std[i]),
            float(table[:, i].min()),
            float(table[:, i].max()),
            float(table[:, i].median()),
        )
        for i, n in enumerate(model.descriptor_names)
    ]
    if "pitch" in list(model.latent_names):
        # A harmonic decoder plays the f0 target as its pitch: its range is the analysis
        # range, not the spread of the codes' own f0 (all measured at one pitch).
        out = [replace(d, low=float(model.f0_min), high=float(model.f0_max)) if d.name == "f0" else d for d in out]
    return out


def _g(v: float) -> str:
    return f"{v:.6g}"


def _to_model(descriptors: Sequence[Descriptor]) -> Canvas:
    c = Canvas(1240, 200, font=10)
    for k, d in enumerate(descriptors + [None]):
        x = 20 + 150 * k
        name = "gain" if d is None else d.name
        r = c.obj(x, 20, f"r ds-{name}")
        if d is None:
            clip = c.obj(x, 50, "clip 0 1")
            scale = c.obj(x, 80, "t f")
        else:
            clip = c.obj(x, 50, f"clip {_g(d.low)} {_g(d.high)}")
            value = "log($f1)" if d.log else "$f1"
            scale = c.obj(x, 80, f"expr ({value} - {_g(d.mean)}) / {_g(d.std)}")
        sig = c.obj(x, 110, "sig~")
        out = c.obj(x, 140, "outlet~")
        for a, b in ((r, clip), (clip, scale), (scale, sig), (sig, out)):
            c.wire(a, 0, b, 0)
    return c


def _init(descriptors: Sequence[Descriptor]) -> Canvas:
    """On load: DSP on, every slider at the codebook's median, follow on for the analysed ones."""
    c = Canvas(520, 420, font=10)
    load = c.obj(20, 20, "loadbang")
    init = c.msg(
        20,
        50,
        "\\; pd dsp 1 \\; "
        + " \\; ".join(
            [f"ds-{d.name}-set {_g(d.median)}" for d in descriptors]
            + ["ds-gain-set 0.1"]
            + [f"ds-follow-{name} 1" for name in ANALYSIS]
        ),
    )
    c.wire(load, 0, init, 0)
    return c


def _batch() -> Canvas:
    """[; descriptor-synth-batch in.wav out.wav( : the input file, played at its own sample rate
    ([pd play-ds-in] says how many Pd samples it lasts: ds-len), through the analysis and the
    model (sync 1), the output (as long as the input played) written as 32-bit float, then Pd
    quits (for tests and scripts)."""
    c = Canvas(560, 420, font=10)
    r = c.obj(20, 20, "r descriptor-synth-batch")
    files = c.obj(20, 50, "unpack s s")
    out_name = c.obj(200, 80, "symbol")
    s_open = c.obj(20, 80, "s ds-open")
    r_length = c.obj(20, 110, "r ds-len")
    steps = c.obj(20, 140, "t f b f")
    resize = c.msg(340, 170, "\\; ds-out resize \\$1")
    start = c.msg(200, 170, "\\; ds-cfg sync 1 \\; pd dsp 1")
    rate = c.obj(20, 170, "samplerate~")
    ms = c.obj(20, 200, "expr $f1 * 1000 / $f2")
    go = c.obj(20, 230, "t f b")
    play = c.msg(120, 260, "\\; ds-play bang \\; ds-rec bang")
    wait = c.obj(20, 260, "+ 50")
    delay = c.obj(20, 290, "delay")
    write = c.msg(20, 350, "write -bytes 4 \\$1 ds-out")
    sf2 = c.obj(20, 380, "soundfiler")
    quit_ = c.msg(140, 380, "\\; pd quit")
    c.connect(
        [
            (r, 0, files, 0),
            (files, 1, out_name, 1),
            (files, 0, s_open, 0),
            (r_length, 0, steps, 0),
            (steps, 2, resize, 0),
            (steps, 1, start, 0),
            (steps, 1, rate, 0),
            (rate, 0, ms, 1),
            (steps, 0, ms, 0),
            (ms, 0, go, 0),
            (go, 1, play, 0),
            (go, 0, wait, 0),
            (wait, 0, delay, 0),
            (delay, 0, out_name, 0),
            (out_name, 0, write, 0),
            (write, 0, sf2, 0),
            (sf2, 0, quit_, 0),
        ]
    )
    return c


def descriptor_synth_patch(descriptors: Sequence[Descriptor], model: str = MODEL) -> str:
    descriptors = list(descriptors)
    n = len(descriptors) + 1
    c = Canvas(1000, 840)
    c.text(
        20,
        10,
        f"Live descriptor synthesis with the discrete model ({model}): per 512-sample frame it "
        "picks the code whose descriptors are nearest the targets. Drag the sliders \\, or turn "
        "on follow and play into the input: [descriptors~] (sigmund~ pitch and env \\, an rfft~ "
        "centroid) moves those sliders. Turn DSP on., f 130",
    )
    c.subpatch(20, 70, "init", _init(descriptors))
    adc = c.obj(560, 70, "adc~ 1")
    # the batch's input file, played once at its own sample rate: ds-len, the Pd samples it lasts
    batch_in = c.subpatch(640, 100, "play-ds-in", once_player("ds-in"))
    c.wire(c.obj(640, 70, "r ds-open"), 0, batch_in, 0)
    c.wire(c.obj(740, 70, "r ds-play"), 0, batch_in, 1)
    c.obj(860, 70, "table ds-in")
    c.wire(batch_in, 1, c.obj(790, 130, "s ds-len"), 0)
    analysis = c.obj(560, 130, "descriptors~, f 30")
    c.wire(adc, 0, analysis, 0)
    c.wire(batch_in, 0, analysis, 0)
    for name, outlet in ANALYSIS.items():
        s = c.obj(560 + 0 * outlet, 170 + 30 * outlet, f"s ds-a-{name}")
        c.wire(analysis, outlet, s, 0)
    c.text(720, 170, "analysis -> sliders \\, where follow is on, f 30")
    rows = [(d.name, d.low, d.high, d.log, UNITS.get(d.name, "")) for d in descriptors] + [
        ("gain", 0, 0.5, False, "RMS")
    ]
    for k, (name, low, high, log, unit) in enumerate(rows):
        y = 340 + 40 * k
        c.obj(
            60,
            y,
            f"hsl 240 19 {_g(low)} {_g(high)} {int(log)} 0 ds-{name} ds-{name}-set "
            f"{name}_({unit}) 0 -9 0 12 #fcfcfc #000000 #000000 0 1",
        )
        c.atom(330, y, 9, f"ds-{name}")
        if name in ANALYSIS:
            toggle = c.obj(20, y, f"tgl 19 0 empty ds-follow-{name} follow 0 -9 0 10 #fcfcfc #000000 #000000 0 1")
            r = c.obj(440, y, f"r ds-a-{name}")
            gate = c.obj(600, y, "spigot")
            s = c.obj(670, y, f"s ds-{name}-set")
            c.wire(toggle, 0, gate, 1)
            c.wire(r, 0, gate, 0)
            c.wire(gate, 0, s, 0)
    y = 340 + 40 * n + 10
    to_model = c.subpatch(20, y, "to-model", _to_model(descriptors), width=120)
    synth = c.obj(20, y + 50, f"timbre~ {model} synthesize, f 120")
    for k in range(n):
        c.wire(to_model, k, synth, k)
    cfg = c.obj(560, y + 100, "r ds-cfg")
    c.wire(cfg, 0, synth, 0)
    gain = c.obj(20, y + 100, "*~ 0.8")
    dac = c.obj(20, y + 130, "dac~")
    record = c.obj(120, y + 130, "tabwrite~ ds-out")
    c.wire(c.obj(260, y + 100, "r ds-rec"), 0, record, 0)
    c.obj(260, y + 130, "table ds-out")
    info = c.msg(400, y + 100, "info")
    show = c.obj(400, y + 130, "print descriptor-synth")
    c.wire(info, 0, synth, 0)
    c.wire(synth, 1, show, 0)
    c.wire(synth, 0, gain, 0)
    c.wire(gain, 0, dac, 0)
    c.wire(gain, 0, dac, 1)
    c.wire(synth, 0, record, 0)
    c.subpatch(700, y + 100, "batch", _batch())
    return c.render()
