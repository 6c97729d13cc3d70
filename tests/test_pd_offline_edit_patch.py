"""offline_edit_patch(names): offline-edit.pd written for any number of latent channels.

With the 19 channels of the shipped harmonic model (z0..z15, pitch, periodicity, loudness)
it is the committed example, byte for byte; every channel has its array, its
[tabwrite~ oe-full<k>] on the encoder's outlet k and its [tabread~ z<k>] on the decoder's
inlet k, no box overlaps or touches another (for 1 to 40 channels), and the patch renders in
headless Pd with a 19-channel test model. The sound file plays at its own sample rate
([pd play-source], players.once_player): 24, 44.1, 48 and 96 kHz sines of 220 Hz come out at
220 Hz in a 48 kHz Pd, for ceil(N 48000 / rate) samples, which the patch encodes and writes."""

import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from timbre_rt.export import export_model
from timbre_rt.models import ToyCodec
from timbre_rt.pd_patches import Canvas, offline_edit_patch
from timbre_rt.pd_render import run_pd_file
from pd_checks import assert_pd_ok

EXAMPLE = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "offline-edit.pd"
SHIPPED_MODEL = "../../models/continuous.ts"
PD_RATE, MODEL_RATE = 48000, 24000
Z = [f"z{k}" for k in range(16)]
NAMES17 = Z + ["loudness"]
NAMES19 = Z + ["pitch", "periodicity", "loudness"]


def subpatch(c: Canvas, name: str) -> Canvas:
    (box,) = [b for b in c.boxes if b.kind == "restore" and b.text.split(",")[0] == f"pd {name}"]
    return box.inner


def arrays(c: Canvas) -> list:
    """The array records of a canvas and of the graphs inside it: 'name size float 2'."""
    found = [b.text for b in c.boxes if b.kind == "array"]
    for b in c.boxes:
        if b.inner is not None:
            found += arrays(b.inner)
    return found


def assert_same_boxes_and_wires(a: Canvas, b: Canvas) -> None:
    """The same boxes (kind, text) and wires, canvas by canvas, subpatches included."""
    assert [(x.kind, x.text) for x in a.boxes] == [(x.kind, x.text) for x in b.boxes]
    assert a.connections() == b.connections()
    for x, y in zip(a.boxes, b.boxes):
        if x.inner is not None:
            assert_same_boxes_and_wires(x.inner, y.inner)


def example_names() -> list:
    """The channels of the committed example: the 19 of the shipped harmonic model."""
    assert len(arrays(Canvas.parse(EXAMPLE.read_text()))) == 19
    return NAMES19


def test_the_committed_example_is_what_the_function_writes():
    assert offline_edit_patch(example_names()) == EXAMPLE.read_text()


def test_the_committed_example_same_boxes_and_wires_as_parsed():
    """The same, canvas by canvas: should the bytes ever part (a record Pd rewrites), the
    boxes (kind, text) and the wires still have to agree."""
    ours, theirs = Canvas.parse(offline_edit_patch(example_names())), Canvas.parse(EXAMPLE.read_text())
    assert_same_boxes_and_wires(ours, theirs)


def test_nineteen_channels_wired_one_box_per_channel():
    c = Canvas.parse(offline_edit_patch(NAMES19))
    assert sorted(arrays(c)) == sorted(f"z{k} 100 float 2" for k in range(19))

    encode = subpatch(c, "encode")
    (encoder,) = encode.find(r"^encoder~ ")
    wires = set(encode.connections())
    for k in range(19):
        (tw,) = encode.find(rf"^tabwrite~ oe-full{k}$")
        assert (encoder.index, k, tw.index, 0) in wires
        (table,) = encode.find(rf"^table oe-full{k}$")
        (read,) = encode.find(rf"^tabread oe-full{k}$")
        (write,) = encode.find(rf"^tabwrite z{k}$")
        assert (read.index, 0, write.index, 0) in wires
    (route,) = encode.find("^route latency$")
    assert (encoder.index, 19, route.index, 0) in wires  # the info outlet follows the 19 signals
    (resize,) = encode.find(r"^\\; z0 resize")
    assert resize.text.count("resize") == 19 and "z18 resize" in resize.text

    decode = subpatch(c, "decode")
    (decoder,) = decode.find(r"^decoder~ ")
    wires = set(decode.connections())
    inlets = sorted(
        inlet
        for source, _, sink, inlet in wires
        if sink == decoder.index and decode.boxes[source].text.startswith("tabread~ z")
    )
    assert inlets == list(range(19))
    for k in range(19):
        (tr,) = decode.find(rf"^tabread~ z{k}$")
        assert (tr.index, 0, decoder.index, k) in wires


def test_texts_say_what_the_channels_are():
    c = Canvas.parse(offline_edit_patch(NAMES19))
    (about,) = subpatch(c, "latent-arrays").find("one array per latent dimension")
    assert "z16 is the pitch (MIDI note) \\, z17 the periodicity (0..1) \\, z18 the loudness in dB." in about.text
    assert c.find(r"^<- click: the arrays z0 \.\. z18")
    assert c.find(r"its 19 latent channels \(z0\.\.z15 \\, pitch \\, periodicity \\, loudness\)")
    plain = Canvas.parse(offline_edit_patch(Z))
    (about,) = subpatch(plain, "latent-arrays").find("one array per latent dimension")
    assert about.text.endswith("then decode., f 120")


def test_arrays_are_drawn_in_their_channels_ranges():
    text = offline_edit_patch(NAMES19)
    coords = [line for line in text.splitlines() if line.startswith("#X coords")]
    assert coords[0] == "#X coords 0 3 100 -3 200 80 1 0 0;"
    assert coords[16:] == [
        "#X coords 0 127 100 0 200 80 1 0 0;",
        "#X coords 0 1 100 0 200 80 1 0 0;",
        "#X coords 0 0 100 -80 200 80 1 0 0;",
    ]


@pytest.mark.parametrize("bad", [[], ["z0", "a b"], ["z0", "x;y"], ["z0", ""]])
def test_refuses_names_pd_cannot_hold(bad):
    with pytest.raises(ValueError):
        offline_edit_patch(bad)


# --- layout: the boxes' extents at font 12 (7 x 16 pixels a character), as Pd draws them --

CHAR_W, LINE_H = 7, 16


def extent(box) -> tuple:
    """(x0, y0, x1, y1) of a box, estimated: one line per ';' shown, comments wrapped at
    their width, a graph 200 x 80."""
    if box.kind == "restore" and box.text == "graph":
        return box.x, box.y, box.x + 200, box.y + 80
    text, width = box.text, None
    if ", f " in text:
        text, width = text.rsplit(", f ", 1)
        width = int(width)
    text = text.replace("\\,", ",").replace("\\$", "$")
    lines = [part.strip() for part in text.split("\\;")]
    if width is not None:
        lines = [wrapped for line in lines for wrapped in (textwrap.wrap(line, width) or [""])]
    chars = width if width is not None else max(len(line) for line in lines)
    pad = 0 if box.kind == "text" else 4
    return box.x, box.y, box.x + CHAR_W * chars + pad, box.y + LINE_H * len(lines) + pad


def overlaps(c: Canvas, where: str = "top") -> list:
    """Boxes that overlap or touch (share an edge), in every canvas but the graphs."""
    placed = [b for b in c.boxes if b.x is not None]
    found = []
    for i, a in enumerate(placed):
        ax0, ay0, ax1, ay1 = extent(a)
        for b in placed[i + 1 :]:
            bx0, by0, bx1, by1 = extent(b)
            if ax0 <= bx1 and bx0 <= ax1 and ay0 <= by1 and by0 <= ay1:
                found.append((where, a.text[:40], b.text[:40]))
    for b in c.boxes:
        if b.inner is not None and b.text != "graph":
            found += overlaps(b.inner, b.text)
    return found


def fits(c: Canvas, where: str = "top") -> list:
    """Boxes of a subpatch below its window's bottom edge (the window grows with the rows)."""
    found = []
    if where != "top":
        found = [(where, b.text[:40]) for b in c.boxes if b.x is not None and extent(b)[3] > c.height]
    for b in c.boxes:
        if b.inner is not None and b.text != "graph":
            found += fits(b.inner, b.text)
    return found


@pytest.mark.parametrize("n", [1, 4, 17, 19, 24, 25, 40])
def test_nothing_overlaps_as_the_channels_grow(n):
    names = [f"z{k}" for k in range(n - 3)] + ["pitch", "periodicity", "loudness"] if n > 3 else Z[:n]
    c = Canvas.parse(offline_edit_patch(names))
    assert overlaps(c) == []
    assert fits(c) == []


# --- rendered in headless Pd with a 19-channel model ------------------------------------


@pytest.fixture(scope="module")
def model19(tmp_path_factory):
    """19 channels, frame 512 at 24 kHz (as the harmonic continuous model); no biases."""
    codec = ToyCodec(sampling_rate=MODEL_RATE, latent_channels=19, strides=(8, 8, 8), hidden=8)
    with torch.no_grad():
        for name, p in codec.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    path = tmp_path_factory.mktemp("pd_model19") / "toy19.ts"
    export_model(codec, path, chunk_sizes=[512, 2048], seconds=0.2)
    return str(path)


def test_nineteen_channels_render_in_pd(model19, tmp_path):
    t = np.arange(PD_RATE) / PD_RATE
    x = 0.4 * np.sin(2 * np.pi * 220.0 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    soundfile.write(src, x.astype(np.float32), PD_RATE, subtype="FLOAT")
    patch = tmp_path / "offline-edit.pd"
    patch.write_text(offline_edit_patch(NAMES19, model=model19))
    run = run_pd_file(patch, PD_RATE, [f"offline-edit-batch {src} {out}"], timeout=120, cwd=tmp_path)
    assert_pd_ok(run)
    assert "offline-edit: encoded 47 frames" in run.stderr  # ceil(48000 / 1024)
    assert "offline-edit: wrote 48000 samples" in run.stderr
    y, rate = soundfile.read(out, dtype="float32")
    assert rate == PD_RATE and y.shape == x.shape and np.std(y) > 0


# --- the sound file plays at its own sample rate ([pd play-source]) -----------------------

F0 = 220.0
FILE_RATES = [24000, 44100, 48000, 96000]


def sine_file(path: Path, rate: int, samples: int) -> np.ndarray:
    """A 220 Hz sine of `samples` samples at `rate` Hz, written as 32-bit float."""
    x = (0.5 * np.sin(2 * np.pi * F0 * np.arange(samples) / rate)).astype(np.float32)
    soundfile.write(path, x, rate, subtype="FLOAT")
    return x


def f0_of(y: np.ndarray, rate: int) -> float:
    """The frequency of a sine from its rising zero crossings (interpolated), at `rate`."""
    k = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    t = k + y[k] / (y[k] - y[k + 1])
    return (t.size - 1) * rate / (t[-1] - t[0])


def played_length(samples: int, file_rate: int, pd_rate: int) -> int:
    """M = ceil(N pd_rate / file_rate): the Pd samples a file of N samples lasts."""
    return -(-samples * pd_rate // file_rate)


def assert_plays_at_its_rate(x: np.ndarray, file_rate: int, y: np.ndarray, pd_rate: int) -> dict:
    """`y`, what a once_player sent from its bang on (M + 2 samples at least), is the file `x`
    read at file_rate / pd_rate samples a Pd sample: 220 Hz, the sine where it should be
    (within 1e-3, but for the first and last file sample's neighbourhood, where [tabread4~]
    interpolates with the zeros around the file), sample for sample at equal rates, then
    silence. What was measured, for the report."""
    m = played_length(x.size, file_rate, pd_rate)
    assert y.size >= m + 2
    f0 = f0_of(y[:m], pd_rate)
    assert abs(f0 - F0) < 0.05, (file_rate, f0)
    where = np.arange(m) * file_rate / pd_rate
    inside = (where >= 1) & (where <= x.size - 2)
    error = np.abs(y[:m] - 0.5 * np.sin(2 * np.pi * F0 * where / file_rate))[inside].max()
    assert error < 1e-3, (file_rate, error)
    if file_rate == pd_rate:
        # as [tabplay~] played it, the first and last sample too, within float rounding of
        # the index (float32 near 14400: 2^-10 samples; measured 7e-6 of a 0.5 sine)
        assert np.abs(y[:m] - x).max() < 1e-4
    assert abs(y[m]) < 1e-3 and not y[m + 1 :].any(), (file_rate, y[m : m + 4])  # over: the zeros
    return {"f0": f0, "M": m, "error": error, "last": int(np.flatnonzero(y)[-1])}


def tapped(text: str, tap: Path, frames: int) -> str:
    """`text` with what [pd play-source] plays also written into an array from the encode's
    start (the bang that plays it), saved as `tap` when the encode is over (oe-decimate)."""
    c = Canvas.parse(text)
    encode = subpatch(c, "encode")
    (player,) = [b for b in encode.boxes if b.kind == "restore" and b.text == "pd play-source"]
    (steps,) = encode.find(r"^t b b b b$")
    encode.obj(20, 3000, f"table oe-tap {frames}")
    record = encode.obj(20, 3030, "tabwrite~ oe-tap")
    done = encode.obj(200, 3000, "r oe-decimate")
    write = encode.msg(200, 3030, f"write -bytes 4 {tap} oe-tap")
    save = encode.obj(200, 3060, "soundfiler")
    encode.connect([(player, 0, record, 0), (steps, 1, record, 0), (done, 0, write, 0), (write, 0, save, 0)])
    return c.render()


def test_the_player_reads_the_files_rate():
    c = Canvas.parse(offline_edit_patch(NAMES19))
    encode = subpatch(c, "encode")
    (player,) = [b for b in encode.boxes if b.kind == "restore" and b.text == "pd play-source"]
    assert not encode.find("tabplay~") and player.inner.find(r"^tabread4~ oe-source$")
    (length,) = encode.find(r"^v oe_len$")
    (r_open,) = encode.find(r"^r oe-open$")
    (steps,) = encode.find(r"^t b b b b$")
    (encoder,) = encode.find(r"^encoder~ ")
    wires = set(encode.connections())
    assert {
        (r_open.index, 0, player.index, 0),
        (steps.index, 1, player.index, 1),
        (player.index, 0, encoder.index, 0),
        (player.index, 1, length.index, 0),
    } <= wires


@pytest.mark.parametrize("file_rate", FILE_RATES)
def test_a_file_plays_at_its_own_rate(model19, tmp_path, file_rate):
    # A 220 Hz sine at 24, 44.1, 48 or 96 kHz in a 48 kHz Pd ([tabplay~] played it at 440,
    # 239.5, 220 and 110 Hz): 220 Hz, and the patch encodes, decodes and writes the M Pd
    # samples it lasts (N = 0.3 s + 7 samples: M is not always a whole multiple).
    samples = int(0.3 * file_rate) + 7
    m = played_length(samples, file_rate, PD_RATE)
    src, out, tap = tmp_path / "in.wav", tmp_path / "out.wav", tmp_path / "tap.wav"
    x = sine_file(src, file_rate, samples)
    patch = tmp_path / "offline-edit.pd"
    patch.write_text(tapped(offline_edit_patch(NAMES19, model=model19), tap, m + 100))
    run = run_pd_file(patch, PD_RATE, [f"offline-edit-batch {src} {out}"], timeout=120, cwd=tmp_path)
    assert_pd_ok(run)
    assert f"offline-edit: encoded {-(-m // 1024)} frames" in run.stderr  # 1024 Pd samples a frame
    assert f"offline-edit: wrote {m} samples" in run.stderr
    y, rate = soundfile.read(out, dtype="float32")
    assert rate == PD_RATE and y.shape == (m,) and np.std(y) > 0
    played = soundfile.read(tap, dtype="float32")[0]
    assert_plays_at_its_rate(x, file_rate, played, PD_RATE)
