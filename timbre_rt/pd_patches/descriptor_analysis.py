"""The `descriptors~.pd` abstraction: Pd's own analysis of a live input, in the units of the
discrete model's descriptor table.

    [descriptors~]  audio in -> f0 (Hz) | voicing (0/1) | loudness (dB, 0 = RMS 1) | centroid (Hz) | gain (RMS)

f0 and voicing from [sigmund~] (pitch -1500 = unpitched), loudness and gain from its env,
the spectral centroid from [rfft~] over 1024-sample blocks (magnitude-weighted mean bin).
Every value comes once per 512 samples (the model's frame) or per 1024-sample block."""

from .canvas import Canvas

__all__ = ["descriptors_patch"]

FFT = 1024


def _centroid() -> Canvas:
    c = Canvas(620, 600, font=10)
    inlet = c.obj(20, 20, "inlet~")
    c.obj(300, 20, f"block~ {FFT}")
    window = c.obj(90, 20, "tabreceive~ \\$0-hann")
    windowed = c.obj(20, 50, "*~")
    fft = c.obj(20, 80, "rfft~")
    re2 = c.obj(20, 110, "*~")
    im2 = c.obj(90, 110, "*~")
    power = c.obj(20, 140, "+~")
    mag = c.obj(20, 170, "sqrt~")
    for n, name in enumerate(("mag", "wmag", "bins", "hann")):
        c.obj(20 + 125 * n, 230, f"array define \\$0-{name} {FFT}")
    send_mag = c.obj(20, 200, "tabsend~ \\$0-mag")
    bins = c.obj(150, 140, "tabreceive~ \\$0-bins")
    weighted = c.obj(150, 170, "*~")
    send_w = c.obj(150, 200, "tabsend~ \\$0-wmag")
    c.connect(
        [
            (inlet, 0, windowed, 0),
            (window, 0, windowed, 1),
            (windowed, 0, fft, 0),
            (fft, 0, re2, 0),
            (fft, 0, re2, 1),
            (fft, 1, im2, 0),
            (fft, 1, im2, 1),
            (re2, 0, power, 0),
            (im2, 0, power, 1),
            (power, 0, mag, 0),
            (mag, 0, send_mag, 0),
            (mag, 0, weighted, 0),
            (bins, 0, weighted, 1),
            (weighted, 0, send_w, 0),
        ]
    )
    # every block: centroid = sum(k |X_k|) / sum(|X_k|) * rate / FFT
    tick = c.obj(20, 270, "bang~")
    order = c.obj(20, 300, "t b b b")
    wsum = c.obj(20, 330, "array sum \\$0-wmag")
    msum = c.obj(150, 330, "array sum \\$0-mag")
    rate = c.obj(280, 330, "samplerate~")
    ratio = c.obj(20, 360, "/")
    hz = c.obj(20, 390, f"expr $f1 * $f2 / {FFT}")
    out = c.obj(20, 420, "outlet")
    c.connect(
        [
            (tick, 0, order, 0),
            (order, 2, rate, 0),
            (order, 1, msum, 0),
            (order, 0, wsum, 0),
            (rate, 0, hz, 1),
            (msum, 0, ratio, 1),
            (wsum, 0, ratio, 0),
            (ratio, 0, hz, 0),
            (hz, 0, out, 0),
        ]
    )
    # bin k holds k below Nyquist, 0 above (rfft~ leaves the upper half zero anyway)
    load = c.obj(300, 270, "loadbang")
    first = c.obj(300, 300, "t b b")
    count = c.msg(300, 330, str(FFT))
    zero = c.msg(370, 330, "0")
    until = c.obj(300, 360, "until")
    k = c.obj(300, 390, "f")
    inc = c.obj(340, 390, "+ 1")
    split = c.obj(300, 420, "t f f f")
    below = c.obj(380, 450, f"moses {FFT // 2}")
    above = c.obj(450, 480, "* 0")
    write = c.obj(300, 510, "tabwrite \\$0-bins")
    hann = c.obj(460, 420, f"expr 0.5 - 0.5 * cos(2 * 3.14159265 * $f1 / {FFT})")
    write_hann = c.obj(460, 540, "tabwrite \\$0-hann")
    c.connect(
        [
            (load, 0, first, 0),
            (first, 1, zero, 0),
            (first, 0, count, 0),
            (zero, 0, k, 1),
            (count, 0, until, 0),
            (until, 0, k, 0),
            (k, 0, inc, 0),
            (inc, 0, k, 1),
            (k, 0, split, 0),
            (split, 2, write, 1),
            (split, 2, write_hann, 1),
            (split, 1, hann, 0),
            (hann, 0, write_hann, 0),
            (split, 0, below, 0),
            (below, 0, write, 0),
            (below, 1, above, 0),
            (above, 0, write, 0),
        ]
    )
    return c


def descriptors_patch() -> str:
    c = Canvas(640, 330, font=10)
    inlet = c.obj(20, 20, "inlet~")
    sig = c.obj(20, 60, "sigmund~ -hop 512 -npts 2048 pitch env")
    pitched = c.obj(20, 100, "moses 0")
    mtof = c.obj(80, 130, "mtof")
    voiced = c.msg(150, 130, "1")
    unvoiced = c.msg(20, 130, "0")
    db = c.obj(260, 100, "- 100")
    rms = c.obj(420, 100, "dbtorms")
    centroid = c.subpatch(340, 60, "centroid", _centroid())
    outs = [c.obj(80 + 120 * i, 200, "outlet") for i in range(5)]  # f0 voicing loudness centroid gain
    c.connect(
        [
            (inlet, 0, sig, 0),
            (inlet, 0, centroid, 0),
            (sig, 0, pitched, 0),
            (pitched, 0, unvoiced, 0),
            (pitched, 1, mtof, 0),
            (pitched, 1, voiced, 0),
            (mtof, 0, outs[0], 0),
            (voiced, 0, outs[1], 0),
            (unvoiced, 0, outs[1], 0),
            (sig, 1, db, 0),
            (db, 0, outs[2], 0),
            (centroid, 0, outs[3], 0),
            (sig, 1, rms, 0),
            (rms, 0, outs[4], 0),
        ]
    )
    c.text(
        20,
        240,
        "outlets: f0 (Hz) | voicing (1 pitched \\, 0 not) | loudness (dB \\, 0 = RMS 1) | "
        "centroid (Hz \\, rfft~ over 1024 samples) | gain (RMS). From sigmund~ every 512 samples., f 90",
    )
    return c.render()
