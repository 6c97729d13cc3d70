"""`midi-knobs.pd`: the live input through a model, its latents played from a MIDI controller.

    midi_knobs_patch(names)   # the model's latent_names; "pitch" and "loudness" among them

[adc~ 1] -> [encoder~] -> [freezeN mk] -> [latentsN mk] -> [decoder~] -> [dac~]. CC 16-19 turn
four knobs (offsets on the dims they are set to), CC 0 scales knob 1's dim, CC 20 offsets the
loudness, a slider transposes the pitch; a note (FREEZE_NOTE) toggles a freeze: the decoder
gets the latents held from the press, the knobs still acting on them, until the next press."""

from typing import List, Tuple

from .canvas import Box, Canvas

__all__ = ["FREEZE_NOTE", "midi_knobs_patch"]

MODEL = "../../models/continuous.ts"
FREEZE_NOTE = 36  # C1: the first pad of most pad controllers (the General MIDI kick)
KNOB_CCS = (16, 17, 18, 19)
SCALE_CC, LOUDNESS_CC = 0, 20


def _controls(c: Canvas) -> Tuple[List[Box], Box]:
    """The four knobs (sliders, each sending to the dim [unpack] gives it) and that [unpack]."""
    c.text(
        20,
        670,
        "knobs: offsets on the four most important dims. The shipped continuous.ts has its "
        "latents ordered by importance (timbre-rt info shows each one's share: z0..z5 carry 97 "
        "%) \\, so the knobs start on [0 1 2 3(. For a model exported without the ordering \\, "
        "pick dims by their KL: [15 6 3 10( were those of the first continuous.ts., f 150",
    )
    load = c.obj(20, 730, "loadbang")
    ordered, by_kl = c.msg(20, 760, "0 1 2 3"), c.msg(120, 760, "15 6 3 10")
    dims = c.obj(20, 790, "unpack f f f f")
    c.connect([(load, 0, ordered, 0), (ordered, 0, dims, 0), (by_kl, 0, dims, 0)])
    knobs = []
    for j in range(4):
        x = 40 + 280 * j
        knob = c.obj(x, 850, f"hsl 160 19 -3 3 0 0 empty empty knob{j + 1} 0 -10 0 12 #fcfcfc #000000 #000000 0 1")
        label_name = c.obj(x, 880, "makefilename z%d")
        label = c.msg(x, 910, "label \\$1")
        send_name = c.obj(x + 130, 880, "makefilename mk-z%d")
        send = c.obj(x + 130, 910, "send")
        c.connect(
            [
                (dims, j, send_name, 0),
                (dims, j, label_name, 0),
                (label_name, 0, label, 0),
                (label, 0, knob, 0),
                (send_name, 0, send, 1),
                (knob, 0, send, 0),
            ]
        )
        knobs.append(knob)
    return knobs, dims


def _cc(c: Canvas, x: int, y: int, cc: int, low: float, high: float) -> Box:
    """[ctlin cc] -> 0..127 onto low..high; returns the last box."""
    first = c.obj(x, y, f"ctlin {cc}")
    over = c.obj(x, y + 30, "/ 127")
    times = c.obj(x, y + 60, f"* {high - low:g}")
    last = c.obj(x, y + 90, f"- {-low:g}")
    c.connect([(first, 0, over, 0), (over, 0, times, 0), (times, 0, last, 0)])
    return last


def midi_knobs_patch(names: List[str], model: str = MODEL) -> str:
    """The midi-knobs.pd text for a model whose latent channels are `names` (its latent_names,
    in order), at `model` (relative to the patch)."""
    names = [str(name) for name in names]
    for needed in ("pitch", "loudness"):
        if needed not in names:
            raise ValueError(f"midi_knobs_patch: the model has no {needed!r} channel (names: {names})")
    n, pitch, loudness = len(names), names.index("pitch"), names.index("loudness")
    c = Canvas(1200, 960)
    shown = model[len("../../") :] if model.startswith("../../") else model  # as from the repository's root
    c.text(
        20,
        10,
        f"MIDI knobs on the live input (adc~ 1) through {shown}: "
        f"CC {KNOB_CCS[0]} \\, {KNOB_CCS[1]} \\, {KNOB_CCS[2]} \\, {KNOB_CCS[3]} -> knob 1..4 (offset -3..3 on "
        f"the dims the knobs map to) \\, CC {SCALE_CC} -> scale of knob 1's dim (0..2) \\, CC {LOUDNESS_CC} -> "
        f"loudness offset (-30..30 dB). The transpose slider shifts the pitch channel (semitones). Note "
        f"{FREEZE_NOTE} (C1 \\, the first pad of most pad controllers) freezes the latents: the decoder gets "
        f"them as they were at the press (the knobs still act on them) \\, until the next press. All {n} "
        f"latents pass [freeze{n} mk] and [latents{n} mk]., f 150",
    )
    load = c.obj(20, 100, "loadbang")
    dsp = c.msg(20, 130, "\\; pd dsp 1")
    # The freeze note: a note-on (velocity > 0) of FREEZE_NOTE flips the toggle, as a click does.
    note = c.obj(20, 180, "notein")
    on = c.obj(20, 210, "stripnote")
    which = c.obj(20, 240, f"sel {FREEZE_NOTE}")
    press = c.obj(20, 270, "s mk-freeze-press")
    c.obj(320, 100, "tgl 25 0 mk-freeze mk-freeze-press freeze_note_36 30 12 0 12 #fcfcfc #000000 #000000 0 1")
    adc = c.obj(20, 310, "adc~ 1")
    encoder = c.obj(20, 350, f"encoder~ {model}, f 159")
    freeze = c.obj(20, 410, f"freeze{n} mk, f 150")
    knobs_box = c.obj(20, 470, f"latents{n} mk, f 150")
    decoder = c.obj(20, 530, f"decoder~ {model}, f 150")
    gain = c.obj(20, 580, "*~ 0.8")
    dac = c.obj(20, 620, "dac~")
    info = c.msg(320, 580, "info")
    show = c.obj(320, 620, "print mk")
    c.connect(
        [
            (load, 0, dsp, 0),
            (note, 0, on, 0),
            (note, 1, on, 1),
            (on, 0, which, 0),
            (which, 0, press, 0),
            (adc, 0, encoder, 0),
            (decoder, 0, gain, 0),
            (gain, 0, dac, 0),
            (gain, 0, dac, 1),
            (info, 0, encoder, 0),
            (info, 0, decoder, 0),
            (encoder, n, show, 0),
            (decoder, 1, show, 0),
        ]
    )
    knobs, dims = _controls(c)
    loud = c.obj(
        360, 775, f"hsl 160 19 -30 30 0 0 mk-z{loudness} empty loudness_dB 0 -10 0 12 #fcfcfc #000000 #000000 0 1"
    )
    for j, cc in enumerate(KNOB_CCS):
        c.wire(_cc(c, 460 + 150 * j, 100, cc, -3, 3), 0, knobs[j], 0)
    scale = c.obj(200, 180, f"ctlin {SCALE_CC}")
    over, times = c.obj(200, 210, "/ 127"), c.obj(200, 240, "* 2")
    scale_name, scale_send = c.obj(280, 240, "makefilename mk-s%d"), c.obj(200, 275, "send")
    c.connect(
        [
            (scale, 0, over, 0),
            (over, 0, times, 0),
            (dims, 0, scale_name, 0),
            (scale_name, 0, scale_send, 1),
            (times, 0, scale_send, 0),
        ]
    )
    c.wire(_cc(c, 1060, 100, LOUDNESS_CC, -30, 30), 0, loud, 0)
    c.obj(
        600, 775, f"hsl 160 19 -12 12 0 0 mk-z{pitch} empty transpose_semitones 0 -10 0 12 #fcfcfc #000000 #000000 0 1"
    )
    for k in range(n):
        c.connect([(encoder, k, freeze, k), (freeze, k, knobs_box, k), (knobs_box, k, decoder, k)])
    return c.render()
