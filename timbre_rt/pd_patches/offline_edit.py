"""`offline-edit.pd`: encode a sound into one array per latent channel, redraw the arrays,
decode them back to sound, for a model with any number of latent channels.

    offline_edit_patch([f"z{k}" for k in range(16)] + ["pitch", "periodicity", "loudness"])

The arrays are named z0 .. z{N-1} whatever the channels are (scripts and tests address them
so); `names` (the model's latent_names) only says, in the patch's comments, what the channels
that are not z<k> hold, and sets their arrays' drawn ranges. The boxes of one per channel
are laid out in rows (6 objects, 3 tables or 4 graphs a row); what lies below a block of rows
moves down as the block grows, and a subpatch's window with it. No box overlaps or touches
another for any number of channels: a box of k lines (an [expr] with k-1 `\\;`) is 16 k + 4
pixels high, so what sits under a two-line box starts 50 pixels below it, not 30."""

import re
from typing import Dict, List, Sequence, Tuple

from .canvas import Canvas
from .players import once_player

__all__ = ["offline_edit_patch"]

MODEL = "../../models/continuous.ts"

# What a channel that is not z<k> holds (the arrays' comment) and its array's drawn range.
MEANING = {"pitch": "the pitch (MIDI note)", "periodicity": "the periodicity (0..1)", "loudness": "the loudness in dB"}
RANGE: Dict[str, Tuple[float, float]] = {"pitch": (0, 127), "periodicity": (0, 1), "loudness": (-80, 0)}
Z_RANGE = (-3, 3)  # a z channel: the latents sit within a few standard deviations


def _is_z(name: str, k: int) -> bool:
    return name == f"z{k}"


def _rows(n: int, per_row: int) -> int:
    return -(-n // per_row)


def _channel_list(names: Sequence[str]) -> str:
    """'z0..z15 \\, loudness': runs of z<k> names shortened, the others as they are."""
    parts: List[str] = []
    k = 0
    while k < len(names):
        if _is_z(names[k], k):
            end = k
            while end + 1 < len(names) and _is_z(names[end + 1], end + 1):
                end += 1
            parts.append(f"z{k}" if end == k else f"z{k}..z{end}")
            k = end + 1
        else:
            parts.append(names[k])
            k += 1
    return " \\, ".join(parts)


def _meanings(names: Sequence[str]) -> str:
    """'z16 is the loudness in dB.' for the channels that are not z<k>; '' when there are none."""
    said = [
        f"z{k}" + (" is " if not i else " ") + MEANING.get(name, f"the {name}")
        for i, (k, name) in enumerate((k, n) for k, n in enumerate(names) if not _is_z(n, k))
    ]
    return (" " + " \\, ".join(said) + ".") if said else ""


def _arrays(names: Sequence[str]) -> Canvas:
    """[pd latent-arrays]: one graph per channel, 4 a row."""
    rows = _rows(len(names), 4)
    c = Canvas(980, max(720, 105 + 125 * rows), x=60, y=60)
    c.text(
        20,
        10,
        "one array per latent dimension \\, one point per latent frame. Redraw them with the mouse "
        f"(edit mode off) \\, then decode.{_meanings(names)}, f 120",
    )
    for k, name in enumerate(names):
        low, high = Z_RANGE if _is_z(name, k) else RANGE.get(name, Z_RANGE)
        # a graph's name is drawn above it: the first row's leaves room under the two-line comment
        c.array(20 + 235 * (k % 4), 70 + 125 * (k // 4), f"z{k}", 100, low=low, high=high, height=80)
    return c


def _encode(n: int, model: str) -> Canvas:
    """[pd encode]: the source, played at its own sample rate ([pd play-source]: oe_len Pd
    samples), through [encoder~] into oe-full<k> at Pd's rate, then one value per latent frame
    from the middle of each frame into z<k>."""
    grow = 30 * max(0, _rows(n, 6) - 3)  # tabwrite~ rows beyond the three of 17 channels
    # The resize messages show one line per channel (and one for the leading ';'): the tables
    # below them move down when those would reach them.
    tables_y = max(660, 20 + 17 * (n + 2) + 20)
    left_bottom = 870 + grow + 60 * (_rows(n, 6) - 1)
    right_bottom = tables_y + 40 + 30 * (_rows(n, 3) - 1)
    bottom = max(left_bottom, right_bottom)
    c = Canvas(1400, max(1000, bottom + 50), x=80, y=80)  # bottom: the last row's top
    c.text(
        20,
        20,
        "the sound plays at its own sample rate ([pd play-source]): oe_len is the number of Pd "
        "samples it lasts \\, ceil(N pd_rate / file_rate) for N samples in the file., f 60",
    )
    r_encode = c.obj(20, 160, "r oe-encode")
    steps = c.obj(20, 190, "t b b b b")
    wait_ms = c.obj(20, 230, "expr (oe_len + oe_l1 + oe_step)*1000/oe_sr")
    delay = c.obj(20, 260, "delay")
    s_decimate = c.obj(20, 290, "s oe-decimate")
    sizes = c.obj(400, 230, "expr ceil(oe_len/oe_step) \\; oe_len + oe_l1 + oe_step")
    frames = c.obj(400, 280, "v oe_n")  # under the two-line [expr] (to y 266)
    info = c.msg(780, 230, "info")
    cfg = c.obj(830, 230, "r oe-cfg")
    r_open = c.obj(150, 300, "r oe-open")
    play = c.subpatch(20, 330, "play-source", once_player("oe-source"))
    length = c.obj(150, 370, "v oe_len")
    encoder = c.obj(20, 400, f"encoder~ {model} 2048")
    route = c.obj(420, 330, "route latency")
    unpack = c.obj(420, 360, "unpack f f")
    latency = c.obj(420, 390, "v oe_l1")
    c.text(520, 390, "<- the encoder's latency (Pd samples), f 40")
    record = [c.obj(20 + 150 * (k % 6), 440 + 30 * (k // 6), f"tabwrite~ oe-full{k}") for k in range(n)]
    resize_z = c.msg(1000, 20, "\\; " + " \\; ".join(f"z{k} resize \\$1" for k in range(n)) + ", f 20")
    resize_full = c.msg(1180, 20, "\\; " + " \\; ".join(f"oe-full{k} resize \\$1" for k in range(n)) + ", f 24")
    for k in range(n):
        c.obj(1000 + 130 * (k % 3), tables_y + 40 + 30 * (k // 3), f"table oe-full{k}")
    c.text(1000, tables_y, "the encoder's outputs at Pd's rate:, f 40")
    y = grow
    c.text(20, 560 + y, "then one value per latent frame: z_k[i] = oe-full_k[latency + (i + 1/2) step], f 90")
    r_decimate = c.obj(20, 600 + y, "r oe-decimate")
    go = c.obj(20, 630 + y, "t b b b")
    count = c.obj(60, 670 + y, "v oe_n")
    zero = c.msg(160, 670 + y, "0")
    until = c.obj(60, 700 + y, "until")
    index = c.obj(60, 730 + y, "f")
    plus = c.obj(100, 730 + y, "+ 1")
    each = c.obj(60, 760 + y, "t f f")
    where = c.obj(60, 790 + y, "expr oe_l1 + $f1*oe_step + oe_step/2")
    reads = [c.obj(20 + 150 * (k % 6), 840 + y + 60 * (k // 6), f"tabread oe-full{k}") for k in range(n)]
    writes = [c.obj(20 + 150 * (k % 6), 870 + y + 60 * (k // 6), f"tabwrite z{k}") for k in range(n)]
    done_n = c.obj(400, 670 + y, "v oe_n")
    done = c.msg(400, 700 + y, "\\; oe-print encoded \\$1 frames \\; oe-encoded bang")

    c.connect(
        [
            (r_open, 0, play, 0),
            (play, 1, length, 0),
            (r_encode, 0, steps, 0),
            (steps, 3, info, 0),
            (info, 0, encoder, 0),
            (cfg, 0, encoder, 0),
            (encoder, n, route, 0),
            (route, 0, unpack, 0),
            (unpack, 0, latency, 0),
            (steps, 2, sizes, 0),
            (sizes, 0, frames, 0),
            (sizes, 0, resize_z, 0),
            (sizes, 1, resize_full, 0),
            (steps, 1, play, 1),
            (play, 0, encoder, 0),
        ]
    )
    for k, tw in enumerate(record):
        c.connect([(steps, 1, tw, 0), (encoder, k, tw, 0)])
    c.connect(
        [
            (steps, 0, wait_ms, 0),
            (wait_ms, 0, delay, 0),
            (delay, 0, s_decimate, 0),
            (r_decimate, 0, go, 0),
            (go, 2, zero, 0),
            (zero, 0, index, 1),
            (go, 1, count, 0),
            (count, 0, until, 0),
            (until, 0, index, 0),
            (index, 0, plus, 0),
            (plus, 0, index, 1),
            (index, 0, each, 0),
            (each, 0, where, 0),
        ]
    )
    for tr, tw in zip(reads, writes):
        c.connect([(each, 1, tw, 1), (where, 0, tr, 0), (tr, 0, tw, 0)])
    c.connect([(go, 0, done_n, 0), (done_n, 0, done, 0)])
    return c


def _decode(n: int, model: str) -> Canvas:
    """[pd decode]: the arrays read at Pd's rate, frame by frame on the decoder's grid, into
    [decoder~] and oe-out; play and write skip the decoder's latency."""
    grow = 30 * max(0, _rows(n, 6) - 3)  # tabread~ rows beyond the three of 17 channels
    c = Canvas(1200, 660 + grow, x=100, y=100)
    r_decode = c.obj(20, 20, "r oe-decode")
    first = c.obj(20, 50, "t b b")
    second = c.obj(20, 90, "t b b")
    size = c.obj(20, 120, "expr oe_len + oe_l2")
    resize = c.msg(20, 150, "\\; oe-out resize \\$1")
    info = c.msg(180, 120, "info")
    cfg = c.obj(230, 120, "r oe-cfg")
    c.text(
        330,
        20,
        "start on the decoder's frame grid (whole frames after DSP started at load): it reads each "
        "held frame in the middle \\, far from the edges., f 60",
    )
    clock0 = c.obj(330, 80, "r oe-clock0")
    timer = c.obj(330, 110, "timer")
    grid = c.obj(330, 140, "expr $f1*oe_sr/1000 \\; ceil($f1*oe_sr/1000/oe_step - 0.001)*oe_step")
    wait_ms = c.obj(330, 190, "expr ($f2 - $f1)*1000/oe_sr")
    delay = c.obj(330, 220, "delay")
    start = c.obj(330, 250, "t b b")
    ramp = c.obj(330, 280, "expr oe_n \\; oe_n*oe_step*1000/oe_sr")
    pack = c.obj(330, 330, "pack f f")
    line = c.msg(330, 360, "0 \\, \\$1 \\$2")
    vline = c.obj(330, 390, "vline~")
    end_ms = c.obj(540, 290, "expr (oe_len + oe_l2)*1000/oe_sr")
    end_delay = c.obj(540, 320, "delay")
    decoded = c.msg(540, 350, "\\; oe-print decoded \\; oe-decoded bang")
    reads = [c.obj(20 + 110 * (k % 6), 440 + 30 * (k // 6), f"tabread~ z{k}") for k in range(n)]
    decoder = c.obj(20, 540 + grow, f"decoder~ {model} 2048")
    record = c.obj(20, 580 + grow, "tabwrite~ oe-out")
    route = c.obj(350, 580 + grow, "route latency")
    unpack = c.obj(350, 610 + grow, "unpack f f")
    latency = c.obj(450, 610 + grow, "v oe_l2")
    c.text(800, 20, "play and write skip the decoder's latency: the result lines up with the source, f 45")
    r_play = c.obj(800, 80, "r oe-play")
    span = c.obj(800, 110, "expr oe_l2 \\; oe_len")
    play_pack = c.obj(800, 160, "pack f f")
    player = c.obj(800, 190, "tabplay~ oe-out")
    dac = c.obj(800, 220, "dac~")
    r_write = c.obj(800, 270, "r oe-write")
    named = c.obj(800, 300, "t s b")
    write_span = c.obj(890, 330, "expr oe_l2 \\; oe_len")
    write_pack = c.obj(800, 380, "pack s f f")
    write = c.msg(800, 410, "write -wave -bytes 4 -skip \\$2 -nframes \\$3 \\$1 oe-out, f 40")
    sf = c.obj(800, 460, "soundfiler")
    wrote = c.msg(800, 490, "\\; oe-print wrote \\$1 samples \\; oe-written bang")

    c.connect(
        [
            (clock0, 0, timer, 0),
            (r_decode, 0, first, 0),
            (first, 1, second, 0),
            (second, 1, info, 0),
            (info, 0, decoder, 0),
            (cfg, 0, decoder, 0),
            (decoder, 1, route, 0),
            (route, 0, unpack, 0),
            (unpack, 0, latency, 0),
            (second, 0, size, 0),
            (size, 0, resize, 0),
            (first, 0, timer, 1),
            (timer, 0, grid, 0),
            (grid, 1, wait_ms, 1),
            (grid, 0, wait_ms, 0),
            (wait_ms, 0, delay, 0),
            (delay, 0, start, 0),
            (start, 1, ramp, 0),
            (ramp, 1, pack, 1),
            (ramp, 0, pack, 0),
            (pack, 0, line, 0),
            (line, 0, vline, 0),
            (start, 1, record, 0),
        ]
    )
    for k, tr in enumerate(reads):
        c.connect([(vline, 0, tr, 0), (tr, 0, decoder, k)])
    c.connect(
        [
            (decoder, 0, record, 0),
            (start, 0, end_ms, 0),
            (end_ms, 0, end_delay, 0),
            (end_delay, 0, decoded, 0),
            (r_play, 0, span, 0),
            (span, 1, play_pack, 1),
            (span, 0, play_pack, 0),
            (play_pack, 0, player, 0),
            (player, 0, dac, 0),
            (player, 0, dac, 1),
            (r_write, 0, named, 0),
            (named, 1, write_span, 0),
            (write_span, 1, write_pack, 2),
            (write_span, 0, write_pack, 1),
            (named, 0, write_pack, 0),
            (write_pack, 0, write, 0),
            (write, 0, sf, 0),
            (sf, 0, wrote, 0),
        ]
    )
    return c


def _batch() -> Canvas:
    """[pd batch]: [; offline-edit-batch in.wav out.wav( opens, encodes, decodes, writes, quits."""
    c = Canvas(700, 420, x=120, y=120)
    c.text(
        20,
        10,
        'for scripts and tests: pd -batch -open offline-edit.pd -send "offline-edit-batch in.wav '
        'out.wav" opens \\, encodes \\, decodes (arrays untouched) \\, writes out.wav and quits., f 80',
    )
    r = c.obj(20, 80, "r offline-edit-batch")
    as_list = c.obj(20, 110, "list")
    files = c.obj(20, 140, "unpack s s")
    opened = c.obj(20, 170, "t b s")
    s_open = c.obj(80, 200, "s oe-open")
    steps = c.obj(20, 230, "t b b")
    on = c.msg(80, 260, "1")
    encode = c.msg(20, 300, "\\; oe-encode bang")
    r_encoded = c.obj(300, 80, "r oe-encoded")
    gate_encoded = c.obj(300, 110, "spigot")
    decode = c.msg(300, 140, "\\; oe-decode bang")
    r_decoded = c.obj(300, 190, "r oe-decoded")
    gate_decoded = c.obj(300, 220, "spigot")
    out_name = c.obj(300, 250, "symbol")
    s_write = c.obj(300, 280, "s oe-write")
    r_written = c.obj(480, 80, "r oe-written")
    gate_written = c.obj(480, 110, "spigot")
    quit_ = c.msg(480, 140, "\\; pd quit")
    c.connect(
        [
            (r, 0, as_list, 0),
            (as_list, 0, files, 0),
            (files, 1, out_name, 1),
            (files, 0, opened, 0),
            (opened, 1, s_open, 0),
            (opened, 0, steps, 0),
            (on, 0, gate_encoded, 1),
            (on, 0, gate_decoded, 1),
            (on, 0, gate_written, 1),
            (steps, 1, on, 0),
            (steps, 0, encode, 0),
            (r_encoded, 0, gate_encoded, 0),
            (gate_encoded, 0, decode, 0),
            (r_decoded, 0, gate_decoded, 0),
            (gate_decoded, 0, out_name, 0),
            (out_name, 0, s_write, 0),
            (r_written, 0, gate_written, 0),
            (gate_written, 0, quit_, 0),
        ]
    )
    return c


def offline_edit_patch(names: List[str], model: str = MODEL, block_size: int = 512, sampling_rate: int = 24000) -> str:
    """The offline-edit.pd text for a model whose latent channels are `names` (its
    latent_names, in order), at `model` (relative to the patch), framing `block_size`
    samples at `sampling_rate` Hz."""
    names = [str(name) for name in names]
    if not names:
        raise ValueError("offline_edit_patch: a model has at least one latent channel")
    if not all(re.fullmatch(r"[^\s;,\\$]+", name) for name in names):
        raise ValueError(f"offline_edit_patch: channel names must be single words without ; , \\ or $: {names}")
    n = len(names)
    c = Canvas(800, 820, x=40, y=40)
    c.text(
        20,
        10,
        "offline-edit: encode a sound into one array per latent dimension \\, redraw the arrays with "
        "the mouse \\, decode them back to sound (timbre_rt)., f 100",
    )
    c.text(
        20,
        60,
        "1 open a sound file (mono \\, at any sample rate: it plays at its own) 2 encode 3 open "
        "[pd latent-arrays] and redraw 4 decode 5 play or write. Decode again after each edit. Watch the Pd window for "
        '"offline-edit: ..." messages., f 100',
    )
    open_ = c.msg(20, 130, "open")
    panel = c.obj(20, 160, "openpanel")
    s_open = c.obj(20, 190, "s oe-open")
    c.msg(100, 130, "\\; oe-encode bang")
    c.msg(250, 130, "\\; oe-decode bang")
    play = c.msg(390, 130, "play")
    s_play = c.obj(390, 160, "s oe-play")
    write = c.msg(470, 130, "write")
    save = c.obj(470, 160, "savepanel")
    s_write = c.obj(470, 190, "s oe-write")
    c.subpatch(20, 240, "latent-arrays", _arrays(names))
    c.text(170, 240, f"<- click: the arrays z0 .. z{n - 1}, f 40")
    c.subpatch(20, 280, "encode", _encode(n, model))
    c.subpatch(110, 280, "decode", _decode(n, model))
    c.subpatch(200, 280, "batch", _batch())
    c.obj(20, 320, "table oe-source")
    c.obj(170, 320, "table oe-out")
    c.text(
        20,
        370,
        f"the model is {model} (relative to this patch) \\, in [encoder~] and [decoder~] inside "
        f"[pd encode] and [pd decode]. The patch expects its {n} latent channels "
        f"({_channel_list(names)}) and its frame: {block_size} samples at {sampling_rate} Hz. "
        "Another model: change both (and the arrays)., f 100",
    )
    load = c.obj(20, 460, "loadbang")
    steps = c.obj(20, 490, "t b b")
    rate = c.obj(100, 520, "samplerate~")
    both = c.obj(100, 550, "t f f")
    sr = c.obj(220, 580, "v oe_sr")
    times = c.obj(100, 580, f"* {block_size}")
    over = c.obj(100, 610, f"/ {sampling_rate}")
    step = c.obj(100, 640, "v oe_step")
    c.text(200, 640, "<- Pd samples per latent frame, f 40")
    start = c.msg(20, 680, "\\; pd dsp 1 \\; oe-clock0 bang \\; oe-cfg sync 1")
    c.text(
        20,
        770,
        "sync 1: the objects wait for the model \\, so nothing is lost when rendering runs slower "
        "than real time (an offline tool \\, not for a live set)., f 100",
    )
    r_print = c.obj(500, 460, "r oe-print")
    show = c.obj(500, 490, "print offline-edit")
    c.connect(
        [
            (open_, 0, panel, 0),
            (panel, 0, s_open, 0),
            (play, 0, s_play, 0),
            (write, 0, save, 0),
            (save, 0, s_write, 0),
            (load, 0, steps, 0),
            (steps, 1, rate, 0),
            (rate, 0, both, 0),
            (both, 1, sr, 0),
            (both, 0, times, 0),
            (times, 0, over, 0),
            (over, 0, step, 0),
            (steps, 0, start, 0),
            (r_print, 0, show, 0),
        ]
    )
    return c.render()
