"""Sound-file players for the example patches that play at the file's own rate, whatever Pd's.

[tabplay~] plays a table one sample per Pd sample: a 44.1 kHz file in a 48 kHz Pd plays
sharp and fast. These players read the table with [tabread4~] at a position that advances
file_rate / pd_rate samples per Pd sample; [soundfiler] gives the file's rate (Pd 0.53: the
first element of the list out of its right outlet, which fires before the left one, the
number of samples).

    loop_player("ip-a")   # [pd ...]: inlet 0 a path (reads, starts), inlet 1 a bang (restarts)

At Pd's rate a player reads each sample at its index up to float rounding of the position
(thousandths of a sample), except that [tabread4~] needs a neighbour on each side: index 0
reads sample 1, and the last sample reads the one before it."""
from .canvas import Canvas

__all__ = ["loop_player"]


def loop_player(table: str) -> Canvas:
    """A subpatch that reads a sound file into `table` (a [table] the parent holds) and loops
    it at the file's rate: [phasor~] at file_rate / N Hz (N the samples read) times N is the
    read position, so one loop lasts N / file_rate seconds at any Pd rate. Inlet 0: a path
    (reads the file and starts it from its beginning); inlet 1: a bang (starts it again).
    Its outlet~ is silent until a file is read."""
    c = Canvas(600, 460, x=120, y=120)
    c.text(20, 10, f"loops the file read into {table} at the file's own sample rate: soundfiler gives the "
                   "rate (right outlet \\, first) \\, then N \\, the samples read \\; a phasor~ at rate / N Hz "
                   "times N is the read position \\, file_rate / pd_rate samples a sample., f 76")
    path = c.obj(20, 80, "inlet")
    c.text(70, 80, "<- a sound file")
    again = c.obj(220, 80, "inlet")
    c.text(270, 80, "<- bang: from the start again")
    read = c.msg(20, 110, f"read -resize \\$1 {table}")
    sf = c.obj(20, 140, "soundfiler")
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
    c.connect([(path, 0, read, 0), (read, 0, sf, 0), (sf, 1, rate, 0), (rate, 0, swap, 1), (sf, 0, swap, 0),
               (swap, 1, samples, 0), (samples, 1, scale, 1), (samples, 0, hz, 1), (swap, 0, hz, 0),
               (hz, 0, go, 0), (go, 1, zero, 0), (again, 0, zero, 0), (go, 0, phasor, 0), (zero, 0, phasor, 1),
               (phasor, 0, scale, 0), (scale, 0, play, 0), (play, 0, out, 0)])
    return c
