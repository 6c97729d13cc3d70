"""Sound-file players for the example patches that play at the file's own rate, whatever Pd's.

[tabplay~] plays a table one sample per Pd sample: a 44.1 kHz file in a 48 kHz Pd plays
sharp and fast. These players read the table with [tabread4~] at a position that advances
file_rate / pd_rate samples per Pd sample; [soundfiler] gives the file's rate (Pd 0.53: the
first element of the list out of its right outlet, which fires before the left one, the
number of samples).

    loop_player("ip-a")   # [pd ...]: inlet 0 a path (reads, starts), inlet 1 a bang (restarts)
    once_player("oe-source")  # inlet 0 a path (reads), inlet 1 a bang (plays once); outlet 1: M

At Pd's rate the loop player reads each sample at its index up to float rounding of the
position (thousandths of a sample), except that [tabread4~] needs a neighbour on each side:
index 0 reads sample 1, and the last sample reads the one before it. The once player pads the
table with zeros on both sides, so it reads every sample, the first and the last too."""

from .canvas import Canvas

__all__ = ["loop_player", "once_player"]


def _file_inlets(c: Canvas, table: str, x: int, y: int, again_x: int, path_note: str, again_note: str):
    """Both players' top: a path inlet wired into [read -resize $1 table( -> [soundfiler] at
    (x, y) down, and a bang inlet at again_x, each with its note. -> (path, again, soundfiler)."""
    path = c.obj(x, y, "inlet")
    c.text(x + 50, y, path_note)
    again = c.obj(again_x, y, "inlet")
    c.text(again_x + 50, y, again_note)
    read = c.msg(x, y + 30, f"read -resize \\$1 {table}")
    soundfiler = c.obj(x, y + 60, "soundfiler")
    c.connect([(path, 0, read, 0), (read, 0, soundfiler, 0)])
    return path, again, soundfiler


def loop_player(table: str) -> Canvas:
    """A subpatch that reads a sound file into `table` (a [table] the parent holds) and loops
    it at the file's rate: [phasor~] at file_rate / N Hz (N the samples read) times N is the
    read position, so one loop lasts N / file_rate seconds at any Pd rate. Inlet 0: a path
    (reads the file and starts it from its beginning); inlet 1: a bang (starts it again).
    Its outlet~ is silent until a file is read."""
    c = Canvas(600, 460, x=120, y=120)
    c.text(
        20,
        10,
        f"loops the file read into {table} at the file's own sample rate: soundfiler gives the "
        "rate (right outlet \\, first) \\, then N \\, the samples read \\; a phasor~ at rate / N Hz "
        "times N is the read position \\, file_rate / pd_rate samples a sample., f 76",
    )
    path, again, sf = _file_inlets(c, table, 20, 80, 220, "<- a sound file", "<- bang: from the start again")
    rate = c.obj(100, 180, "unpack f")
    swap = c.obj(20, 220, "swap")
    samples = c.obj(80, 250, "t f f")
    hz = c.obj(20, 290, "/")
    go = c.obj(20, 320, "t f b")
    zero = c.msg(220, 340, "0")
    phasor = c.obj(20, 370, "phasor~")
    scale = c.obj(20, 410, "*~ 0, f 14")
    play = c.obj(20, 440, f"tabread4~ {table}")
    out = c.obj(220, 440, "outlet~")
    # [swap]: N (the left outlet of [soundfiler], after the rate) goes out first on the right,
    # to the scale and the divisor, then the rate on the left: rate / N Hz, from phase 0.
    c.connect(
        [
            (sf, 1, rate, 0),
            (rate, 0, swap, 1),
            (sf, 0, swap, 0),
            (swap, 1, samples, 0),
            (samples, 1, scale, 1),
            (samples, 0, hz, 1),
            (swap, 0, hz, 0),
            (hz, 0, go, 0),
            (go, 1, zero, 0),
            (again, 0, zero, 0),
            (go, 0, phasor, 0),
            (zero, 0, phasor, 1),
            (phasor, 0, scale, 0),
            (scale, 0, play, 0),
            (play, 0, out, 0),
        ]
    )
    return c


def once_player(table: str) -> Canvas:
    """A subpatch that reads a sound file into `table` (a [table] the parent holds) and plays
    it once at the file's rate. Inlet 0: a path (reads the file; silent until a bang); inlet
    1: a bang (plays it from its beginning). Outlet 0: the sound; outlet 1, once per read,
    after the table is ready: M = ceil(N pd_rate / file_rate), the Pd samples a play lasts
    (N the samples read), for a parent that records what is played.

    The table becomes 0 0 x0 .. x(N-1) 0 0 ([tabread4~] reads index i from i-1 .. i+2, and
    reads index 1 for anything below): from the bang, Pd sample k reads index 2 + k
    file_rate / pd_rate ([vline~] gives each sample the value at its end, so the ramp starts
    one step before 2), and M samples after the bang the index jumps back to 0, on the zeros.
    At Pd's rate sample k is x_k from the first to the last, up to float rounding of the index.
    M is computed in integers ([expr] $i: 64 bits), exact for N < 2^24. A file soundfiler
    cannot read (its error in the Pd window) gives N = 0: M = 0, and a bang plays nothing."""
    c = Canvas(720, 700, x=120, y=120)
    c.text(
        20,
        10,
        f"plays the file read into {table} once at the file's own sample rate. soundfiler gives the "
        "rate (right outlet \\, first) then N \\, the samples read. The table becomes 0 0 x0 .. x(N-1) "
        "0 0 \\, and a bang ramps the read index from 2 by file_rate / pd_rate a sample (vline~ gives "
        "each sample its end value: the ramp starts one step early) for M = ceil(N pd_rate / file_rate) "
        "Pd samples \\, then back to 0 \\, on the zeros. M goes out once the table is ready., f 96",
    )
    path, again, sf = _file_inlets(
        c, table, 60, 120, 460, "<- a sound file: read (silent until a bang)", "<- bang: play it once"
    )
    info = c.obj(160, 210, "unpack f")
    rate = c.obj(160, 240, "t f b")
    pd_rate = c.obj(240, 270, "samplerate~")
    # max(rate, 1): a file soundfiler cannot read gives N = 0 and no rate (the first time: 0)
    sizes = c.obj(
        60,
        310,
        "expr ($i1*$i3 + max($i2 \\, 1) - 1)/max($i2 \\, 1) \\; $i1 + 4 \\; "
        "2 - float($i2)/$i3 \\; $i1 + 2 \\; ($i1 + float($i2)/$i3)*1000/max($i2 \\, 1)",
    )
    length = c.obj(60, 430, "outlet")
    c.text(60, 460, "M, f 2")
    pad = c.obj(130, 440, "t b f")
    size = c.obj(200, 470, f"array size {table}")
    get = c.obj(130, 500, f"array get {table}")
    shift = c.obj(130, 530, "list prepend 0 0")
    put = c.obj(130, 560, f"array set {table}")
    pack = c.obj(360, 420, "pack f f f")
    store = c.msg(360, 450, "set \\$1 \\$2 \\$3")
    ramp = c.msg(460, 480, "")
    c.text(520, 480, "<- index from \\, to \\, ms")
    line = c.msg(460, 510, "\\$1 \\, \\$2 \\$3 \\, 0 0 \\$3")
    vline = c.obj(460, 540, "vline~")
    play = c.obj(460, 570, f"tabread4~ {table}")
    out = c.obj(20, 640, "outlet~")
    # [expr]'s outlets go right to left: the ramp (stored), the zeros, then M
    c.connect(
        [
            (sf, 1, info, 0),
            (info, 0, rate, 0),
            (rate, 1, pd_rate, 0),
            (pd_rate, 0, sizes, 2),
            (rate, 0, sizes, 1),
            (sf, 0, sizes, 0),
            (sizes, 4, pack, 2),
            (sizes, 3, pack, 1),
            (sizes, 2, pack, 0),
            (pack, 0, store, 0),
            (store, 0, ramp, 0),
            (sizes, 1, pad, 0),
            (pad, 1, size, 0),
            (pad, 0, get, 0),
            (get, 0, shift, 0),
            (shift, 0, put, 0),
            (sizes, 0, length, 0),
            (again, 0, ramp, 0),
            (ramp, 0, line, 0),
            (line, 0, vline, 0),
            (vline, 0, play, 0),
            (play, 0, out, 0),
        ]
    )
    return c
