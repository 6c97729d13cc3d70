"""`interpolation-plane.pd`: four sounds encoded live, their latents mixed bilinearly by a
position (x, y) on a plane, decoded, for a model with any number of latent channels.

    interpolation_plane_patch([f"z{k}" for k in range(16)] + ["pitch", "periodicity", "loudness"])

Every channel k is mixed the same way, A_k wA + B_k wB + C_k wC + D_k wD, whatever it holds:
[pd mix] has one [*~] per corner and channel, fed by [encoder~] outlet k and the corner's
weight, summed into [decoder~] inlet k. `names` (the model's latent_names) only says, in a
comment, what the channels hold when one is the pitch: mixed linearly in MIDI notes, a glide
between the corners' pitches. The [*~] of one corner sit in a row (20 a row; a corner takes
more rows beyond 20 channels, and what lies below moves down with the window). No box
overlaps or touches another for any number of channels: a box of k lines (an [expr] or a
message with k-1 `\\;`) is 16 k + 4 pixels high, and what sits under one starts below that.
The position is set with the x and y sliders, by plane-xy, or by dragging the red dot on the
plane with the mouse (plane_pad.py: a data-structure scalar, vanilla Pd); all three agree."""

import re
from typing import List

from .canvas import Canvas
from .offline_edit import _channel_list
from .players import loop_player
from .plane_pad import PLANE, dot_template, plane_canvas

__all__ = ["interpolation_plane_patch"]

MODEL = "../../models/continuous.ts"
PER_ROW = 20  # [*~] a row in [pd mix]: x up to 1160 in its 1340-pixel window
CORNERS = "abcd"


def _weights() -> Canvas:
    """[pd weights]: x and y (clipped to 0..1) -> the four bilinear weights ip-wa .. ip-wd."""
    c = Canvas(700, 400, x=80, y=80)
    r_x, r_y = c.obj(20, 20, "r ip-x"), c.obj(200, 20, "r ip-y")
    clip_x, clip_y = c.obj(20, 50, "clip 0 1"), c.obj(200, 50, "clip 0 1")
    t_x, t_y = c.obj(20, 80, "t b f"), c.obj(200, 80, "t b f")
    v_x, v_y = c.obj(60, 110, "v ip_x"), c.obj(240, 110, "v ip_y")
    weights = c.obj(20, 150, "expr (1-ip_x)*(1-ip_y) \\; ip_x*(1-ip_y) \\; (1-ip_x)*ip_y \\; ip_x*ip_y")
    # under the four-line [expr] (to y 218)
    sends = [c.obj(20 + 130 * j, 240, f"s ip-w{corner}") for j, corner in enumerate(CORNERS)]
    c.connect(
        [
            (r_x, 0, clip_x, 0),
            (clip_x, 0, t_x, 0),
            (t_x, 1, v_x, 0),
            (t_x, 0, weights, 0),
            (r_y, 0, clip_y, 0),
            (clip_y, 0, t_y, 0),
            (t_y, 1, v_y, 0),
            (t_y, 0, weights, 0),
        ]
    )
    for j, send in enumerate(sends):
        c.wire(weights, j, send, 0)
    return c


def _mix(n: int, model: str) -> Canvas:
    """[pd mix]: each corner's sound looped through its [encoder~]; channel k of corner j
    times the corner's weight (smoothed by [line~]) into [decoder~] inlet k."""
    rows = -(-n // PER_ROW)  # rows of [*~] per corner
    grow = 40 * len(CORNERS) * (rows - 1)
    c = Canvas(1340, 700 + grow, x=60, y=60)
    c.text(
        20,
        5,
        "each latent channel k: A_k wA + B_k wB + C_k wC + D_k wD (a signal inlet sums what is "
        "connected to it). Each corner's file loops at its own sample rate \\, whatever Pd's ([pd loop-a] "
        ".. [pd loop-d])., f 120",
    )
    xs = [20 + 300 * j for j in range(len(CORNERS))]
    # under the two-line comment (to y 41)
    r_open = [c.obj(x, 60, f"r ip-open-{corner}") for x, corner in zip(xs, CORNERS)]
    r_start = [c.obj(x + 120, 60, "r ip-start") for x in xs]
    play = [c.subpatch(x, 100, f"loop-{corner}", loop_player(f"ip-{corner}")) for x, corner in zip(xs, CORNERS)]
    encoder = [c.obj(x, 200, f"encoder~ {model} 2048") for x in xs]
    for x, corner in zip(xs, CORNERS):
        c.obj(x + 150, 140, f"table ip-{corner}")
    cfg = c.obj(1240, 200, "r ip-cfg")
    r_weight = [c.obj(x, 250, f"r ip-w{corner}") for x, corner in zip(xs, CORNERS)]
    ramp = [c.msg(x, 280, "\\$1 20") for x in xs]
    line = [c.obj(x, 310, "line~") for x in xs]
    times = [
        [c.obj(20 + 60 * (k % PER_ROW), 360 + 40 * (j * rows + k // PER_ROW), "*~") for k in range(n)]
        for j in range(len(CORNERS))
    ]
    decoder = c.obj(20, 540 + grow, f"decoder~ {model} 2048")
    out = c.obj(20, 580 + grow, "outlet~")
    info = c.obj(500, 540 + grow, "r ip-info")
    show = c.obj(500, 600 + grow, "print interpolation-plane")
    for j in range(len(CORNERS)):
        c.connect(
            [
                (r_open[j], 0, play[j], 0),
                (r_start[j], 0, play[j], 1),
                (play[j], 0, encoder[j], 0),
                (cfg, 0, encoder[j], 0),
                (info, 0, encoder[j], 0),
                (r_weight[j], 0, ramp[j], 0),
                (ramp[j], 0, line[j], 0),
            ]
        )
        for k, mul in enumerate(times[j]):
            c.connect([(encoder[j], k, mul, 0), (line[j], 0, mul, 1), (mul, 0, decoder, k)])
        c.wire(encoder[j], n, show, 0)  # the info outlet follows the n signals
    c.connect([(cfg, 0, decoder, 0), (info, 0, decoder, 0), (decoder, 0, out, 0), (decoder, 1, show, 0)])
    return c


def _batch() -> Canvas:
    """[pd batch]: [; interpolation-plane-batch a b c d out seconds( renders a path and quits."""
    c = Canvas(800, 500, x=100, y=100)
    c.text(
        20,
        10,
        'pd -batch -open interpolation-plane.pd -send "interpolation-plane-batch a.wav b.wav c.wav '
        'd.wav out.wav seconds": x goes 0 -> 1 over the duration \\, y 0 -> 1 over half of it \\; the '
        "output is written and pd quits., f 90",
    )
    r = c.obj(20, 70, "r interpolation-plane-batch")
    as_list = c.obj(20, 100, "list")
    args = c.obj(20, 130, "unpack s s s s s f")
    secs = c.obj(400, 160, "v ip_secs")
    # [t b b b b] fires right to left: the setup (x 560), the start (x 430), the x and y ramps
    # (x 260), the wait for the end (x 20) that writes the output.
    out_name = c.obj(20, 340, "symbol")
    open_d = c.obj(300, 190, "s ip-open-d")
    open_c = c.obj(200, 190, "s ip-open-c")
    open_b = c.obj(110, 190, "s ip-open-b")
    first = c.obj(20, 160, "t b s")
    open_a = c.obj(20, 190, "s ip-open-a")
    steps = c.obj(20, 230, "t b b b b")
    rate = c.obj(560, 270, "samplerate~")
    length = c.obj(560, 300, "expr $f1*ip_secs")
    setup = c.msg(560, 330, "\\; ip-cfg sync 1 \\; ip-out resize \\$1 \\; ip-x 0 \\; ip-y 0")
    begin = c.msg(430, 270, "\\; ip-start bang \\; ip-rec bang")
    ms = c.obj(260, 270, "expr ip_secs*1000 \\; ip_secs*500")
    go_x, go_y = c.msg(260, 320, "0 \\, 1 \\$1"), c.msg(340, 320, "0 \\, 1 \\$1")
    line_x, line_y = c.obj(260, 350, "line 0 5"), c.obj(340, 350, "line 0 5")
    s_x, s_y = c.obj(260, 380, "s ip-x"), c.obj(340, 380, "s ip-y")
    wait_ms = c.obj(20, 270, "expr ip_secs*1000")
    delay = c.obj(20, 300, "delay")
    write = c.msg(20, 370, "write -wave -bytes 4 \\$1 ip-out")
    sf = c.obj(20, 400, "soundfiler")
    quit_ = c.msg(20, 430, "\\; pd quit")
    c.connect(
        [
            (r, 0, as_list, 0),
            (as_list, 0, args, 0),
            (args, 5, secs, 0),
            (args, 4, out_name, 1),
            (args, 3, open_d, 0),
            (args, 2, open_c, 0),
            (args, 1, open_b, 0),
            (args, 0, first, 0),
            (first, 1, open_a, 0),
            (first, 0, steps, 0),
            (steps, 3, rate, 0),
            (rate, 0, length, 0),
            (length, 0, setup, 0),
            (steps, 2, begin, 0),
            (steps, 1, ms, 0),
            (ms, 0, go_x, 0),
            (ms, 1, go_y, 0),
            (go_x, 0, line_x, 0),
            (go_y, 0, line_y, 0),
            (line_x, 0, s_x, 0),
            (line_y, 0, s_y, 0),
            (steps, 0, wait_ms, 0),
            (wait_ms, 0, delay, 0),
            (delay, 0, out_name, 0),
            (out_name, 0, write, 0),
            (write, 0, sf, 0),
            (sf, 0, quit_, 0),
        ]
    )
    return c


def _pitch_note(names: List[str]) -> str:
    """What the channels hold, when one is the pitch: '' otherwise."""
    if "pitch" not in names:
        return ""
    return (
        f"All {len(names)} latent channels of this model ({_channel_list(names)}) are mixed with these "
        f"weights \\, the pitch (z{names.index('pitch')} \\, MIDI notes) linearly in notes: between corners "
        "of different pitches the sound glides from one pitch to the other."
    )


def interpolation_plane_patch(names: List[str], model: str = MODEL) -> str:
    """The interpolation-plane.pd text for a model whose latent channels are `names` (its
    latent_names, in order), at `model` (relative to the patch)."""
    names = [str(name) for name in names]
    if not names:
        raise ValueError("interpolation_plane_patch: a model has at least one latent channel")
    if not all(re.fullmatch(r"[^\s;,\\$]+", name) for name in names):
        raise ValueError(f"interpolation_plane_patch: channel names must be single words without ; , \\ or $: {names}")
    c = Canvas(880, 700, x=40, y=40)
    c.text(
        20,
        10,
        "interpolation-plane: four sounds are encoded live \\, their latents mixed by a position "
        "(x \\, y) \\, and decoded (timbre_rt)., f 100",
    )
    c.text(
        20,
        60,
        "A sits at (0 \\, 0) \\, B at (1 \\, 0) \\, C at (0 \\, 1) \\, D at (1 \\, 1): weights "
        "A (1-x)(1-y) \\, B x(1-y) \\, C (1-x)y \\, D xy. Open four sounds (at any sample rate: "
        "each loops at its own) and drag the red dot on the plane (or move the x and y sliders)., f 100",
    )
    xs = [20 + 150 * j for j in range(len(CORNERS))]
    pick = [c.msg(x, 130, corner.upper()) for x, corner in zip(xs, CORNERS)]
    panel = [c.obj(x, 160, "openpanel") for x in xs]
    s_open = [c.obj(x, 190, f"s ip-open-{corner}") for x, corner in zip(xs, CORNERS)]
    c.obj(60, 450, "hsl 200 19 0 1 0 0 ip-x ip-x-set x -2 -8 0 12 #fcfcfc #000000 #000000 0 1")
    c.obj(20, 240, "vsl 19 200 0 1 0 0 ip-y ip-y-set y 0 -9 0 12 #fcfcfc #000000 #000000 0 1")
    c.text(280, 450, "x: A/C -> B/D")
    c.text(280, 240, "y (up): A/B -> C/D")
    c.text(420, 290, "or send a position: [\\; plane-xy 0.5 0.2(, f 26")
    r_xy = c.obj(420, 340, "r plane-xy")
    xy = c.obj(420, 370, "unpack f f")
    set_x, set_y = c.obj(420, 400, "s ip-x-set"), c.obj(530, 400, "s ip-y-set")
    c.subpatch(20, 500, "weights", _weights())
    mix = c.subpatch(110, 500, "mix", _mix(len(names), model))
    c.subpatch(180, 500, "batch", _batch())
    half = c.obj(110, 540, "*~ 0.5")
    dac = c.obj(110, 580, "dac~")
    record = c.obj(200, 580, "tabwrite~ ip-out")
    r_rec = c.obj(340, 540, "r ip-rec")
    c.obj(340, 580, "table ip-out")
    c.text(
        20,
        630,
        f"model: {model} (relative to this patch) in the five objects of [pd mix]. Messages to all "
        "of them: [\\; ip-cfg sync 1( for offline rendering (waits for the model) \\, [\\; ip-info "
        "info( prints latencies., f 100",
    )
    load = c.obj(640, 130, "loadbang")
    start = c.msg(640, 160, "\\; pd dsp 1 \\; ip-x-set 0 \\; ip-y-set 0")
    c.msg(500, 540, "\\; ip-info info")
    # The plane, with A..D at its corners and the dot to drag: [pd ip-plane] shows it (graph
    # on parent, where the grey square was); its template first, so that the dot loads.
    c.subpatch(660, 240, "ip-dot-template", dot_template())
    c.subpatch(60, 240, PLANE, plane_canvas())
    note = _pitch_note(names)
    if note:
        c.text(610, 480, f"{note}, f 36")  # between [; ip-info info( (to x 597) and the window's edge (880)
    for j in range(len(CORNERS)):
        c.connect([(pick[j], 0, panel[j], 0), (panel[j], 0, s_open[j], 0)])
    c.connect(
        [
            (r_xy, 0, xy, 0),
            (xy, 0, set_x, 0),
            (xy, 1, set_y, 0),
            (load, 0, start, 0),
            (mix, 0, half, 0),
            (half, 0, dac, 0),
            (half, 0, dac, 1),
            (mix, 0, record, 0),
            (r_rec, 0, record, 0),
        ]
    )
    return c.render()
