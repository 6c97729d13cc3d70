"""interpolation_plane_patch(names): interpolation-plane.pd written for any number of latent channels.

With the 19 channels of the shipped harmonic model (z0..z15, pitch, periodicity, loudness)
it is the committed example, byte for byte; each corner's [encoder~] outlets 0..18 go through
one [*~] each (times the corner's weight) into [decoder~] inlets 0..18, a comment says the
pitch glides, no box overlaps or touches another (for 1 to 45 channels), and the patch
renders in headless Pd with a 19-channel test model (the committed one too:
tests/test_generate_pd.py)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from test_generate_pd import PD_RATE, MODEL_RATE, best_match, below, python_chain, tone, write
from test_pd_offline_edit_patch import assert_same_boxes_and_wires, extent as text_extent
from timbre_rt.export import export_model
from timbre_rt.models import ToyCodec
from timbre_rt.pd_patches import Canvas, interpolation_plane_patch
from timbre_rt.pd_render import run_pd_file
from pd_checks import assert_pd_ok

EXAMPLE = Path(__file__).resolve().parents[1] / "pd_externals" / "examples" / "interpolation-plane.pd"
Z = [f"z{k}" for k in range(16)]
NAMES17 = Z + ["loudness"]
NAMES19 = Z + ["pitch", "periodicity", "loudness"]


def subpatch(c: Canvas, name: str) -> Canvas:
    (box,) = [b for b in c.boxes if b.kind == "restore" and b.text.split(",")[0] == f"pd {name}"]
    return box.inner


def example_names() -> list:
    """The channels of the committed example: the 19 of the shipped harmonic model ([pd mix]
    has one [*~] per corner and channel)."""
    assert len(subpatch(Canvas.parse(EXAMPLE.read_text()), "mix").find(r"^\*~$")) == 4 * 19
    return NAMES19


def test_the_committed_example_is_what_the_function_writes():
    assert interpolation_plane_patch(example_names()) == EXAMPLE.read_text()


def test_the_committed_example_same_boxes_and_wires_as_parsed():
    """The same, canvas by canvas: should the bytes ever part (a record Pd rewrites), the
    boxes (kind, text) and the wires still have to agree."""
    ours, theirs = Canvas.parse(interpolation_plane_patch(example_names())), Canvas.parse(EXAMPLE.read_text())
    assert_same_boxes_and_wires(ours, theirs)


@pytest.mark.parametrize("n", [1, 17, 19, 20, 21, 45])
def test_every_channel_of_every_corner_is_mixed_into_its_decoder_inlet(n):
    names = Z[:n] if n <= 16 else [f"z{k}" for k in range(n - 3)] + ["pitch", "periodicity", "loudness"]
    mix = subpatch(Canvas.parse(interpolation_plane_patch(names)), "mix")
    wires = set(mix.connections())
    encoders = mix.find(r"^encoder~ ")
    (decoder,) = mix.find(r"^decoder~ ")
    (show,) = mix.find(r"^print interpolation-plane$")
    times = {b.index for b in mix.find(r"^\*~$")}
    assert len(encoders) == 4 and len(times) == 4 * n
    for corner, encoder in zip("abcd", encoders):
        (weight,) = mix.find(rf"^r ip-w{corner}$")
        (ramp,) = [sink for source, _, sink, _ in wires if source == weight.index]  # [$1 20(
        (line,) = [mix.boxes[sink] for source, _, sink, _ in wires if source == ramp]
        assert line.text == "line~"
        for k in range(n):
            # outlet k of this corner's encoder~ -> one [*~] (times its weight) -> decoder~ inlet k
            (mul,) = [sink for source, outlet, sink, inlet in wires if (source, outlet, inlet) == (encoder.index, k, 0)]
            assert mul in times
            assert (line.index, 0, mul, 1) in wires
            assert [(s, o, i) for s, o, d, i in wires if s == mul] == [(mul, 0, k)]
            assert (mul, 0, decoder.index, k) in wires
        assert (encoder.index, n, show.index, 0) in wires  # the info outlet follows the n signals
        assert max(o for s, o, _, _ in wires if s == encoder.index) == n
    inlets = sorted(i for s, _, d, i in wires if d == decoder.index and s in times)
    assert inlets == sorted(list(range(n)) * 4)  # four corners into each inlet 0..n-1, nothing beyond


def test_the_pitch_is_said_to_glide():
    c = Canvas.parse(interpolation_plane_patch(NAMES19))
    (note,) = c.find(r"glides")
    assert note.text.startswith("All 19 latent channels of this model (z0..z15 \\, pitch \\, periodicity \\, loudness)")
    assert "the pitch (z16 \\, MIDI notes) linearly in notes" in note.text
    assert "from one pitch to the other" in note.text
    for names in (NAMES17, Z):
        assert Canvas.parse(interpolation_plane_patch(names)).find("glides") == []


def test_the_model_path_goes_into_the_five_objects_and_the_comment():
    text = interpolation_plane_patch(NAMES19, model="/elsewhere/m.ts")
    assert text.count("encoder~ /elsewhere/m.ts 2048;") == 4
    assert text.count("decoder~ /elsewhere/m.ts 2048;") == 1
    assert "model: /elsewhere/m.ts (relative to this patch)" in text
    assert "continuous.ts" not in text


@pytest.mark.parametrize("bad", [[], ["z0", "a b"], ["z0", "x;y"], ["z0", ""], ["z0", "\\$1"]])
def test_refuses_names_pd_cannot_hold(bad):
    with pytest.raises(ValueError):
        interpolation_plane_patch(bad)


# --- layout: estimated extents (font 12), as in test_pd_offline_edit_patch -----------------


def extent(box) -> tuple:
    """A slider's or canvas's size from its arguments, a graph on parent's from its coords
    (the plane), a box's from its text."""
    words = box.text.split()
    coords = (
        [r.split() for r in box.inner.records if isinstance(r, str) and r.startswith("#X coords ")]
        if box.inner is not None
        else []
    )
    if coords and int(coords[0][8]) & 1:
        width, height = int(coords[0][6]), int(coords[0][7])
        return box.x, box.y, box.x + width, box.y + height
    if box.kind == "obj" and words[0] in ("hsl", "vsl"):
        return box.x, box.y, box.x + int(words[1]), box.y + int(words[2])
    if box.kind == "obj" and words[0] == "cnv":
        return box.x, box.y, box.x + int(words[2]), box.y + int(words[3])
    return text_extent(box)


def overlaps(c: Canvas, where: str = "top") -> list:
    """Boxes that overlap or touch (share an edge); a [cnv] is a background (the plane, in
    [pd ip-plane] under the corner names), not counted."""
    placed = [b for b in c.boxes if b.x is not None and not b.text.startswith("cnv ")]
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


def beyond(c: Canvas) -> list:
    """Boxes past their window's right or bottom edge, on the top canvas and in [pd mix] (the
    canvases whose contents depend on the channels)."""
    mix = subpatch(c, "mix")
    return [
        (where, b.text[:40])
        for where, canvas in (("top", c), ("pd mix", mix))
        for b in canvas.boxes
        if b.x is not None and (extent(b)[2] > canvas.width or extent(b)[3] > canvas.height)
    ]


@pytest.mark.parametrize("n", [1, 17, 19, 20, 21, 40, 45])
def test_nothing_overlaps_as_the_channels_grow(n):
    names = Z[:n] if n <= 16 else [f"z{k}" for k in range(n - 3)] + ["pitch", "periodicity", "loudness"]
    c = Canvas.parse(interpolation_plane_patch(names))
    assert overlaps(c) == []
    assert beyond(c) == []


# --- rendered in headless Pd with a 19-channel model ------------------------------------


@pytest.fixture(scope="module")
def model19(tmp_path_factory):
    """19 channels, frame 512 at 24 kHz (as the harmonic continuous model); no biases, so
    silent latents decode to silence."""
    codec = ToyCodec(sampling_rate=MODEL_RATE, latent_channels=19, strides=(8, 8, 8), hidden=8)
    with torch.no_grad():
        for name, p in codec.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    path = tmp_path_factory.mktemp("pd_model19") / "toy19.ts"
    export_model(codec, path, chunk_sizes=[512, 2048], seconds=0.2)
    return str(path)


def render(model: str, folder: Path, message: str) -> str:
    """The 19-channel patch with `model`, run headless with one -send message -> stderr."""
    patch = folder / "interpolation-plane.pd"
    patch.write_text(interpolation_plane_patch(NAMES19, model=model))
    run = run_pd_file(patch, PD_RATE, [message], timeout=120)
    assert_pd_ok(run)
    return run.stderr


def test_nineteen_channels_equal_anchors_is_the_plain_chain(model19, tmp_path):
    # Weights always sum to 1: with four equal anchors, any path gives decode(encode(x)).
    x = tone(2.0, 220.0)
    src, out = write(tmp_path / "a.wav", x), tmp_path / "out.wav"
    render(model19, tmp_path, f"interpolation-plane-batch {src} {src} {src} {src} {out} 1.2")
    y = soundfile.read(out, dtype="float32")[0]
    assert y.shape == (int(1.2 * PD_RATE),)
    ref = python_chain(model19, x)
    corr, lag = best_match(below(y), below(ref), 5000, 30000, range(6000, 20000))  # encoder + decoder latency
    assert corr > 0.999, (corr, lag)
    assert abs(np.std(y[lag + 5000 :]) / np.std(ref[5000 : y.size - lag]) - 1) < 0.02


def test_nineteen_channels_move_away_from_a(model19, tmp_path):
    # A is a tone, B, C, D silence: A's weight (1-x)(1-y) is 0 from half the duration on.
    src = write(tmp_path / "a.wav", tone(2.0, 330.0))
    silent = write(tmp_path / "silence.wav", np.zeros(PD_RATE))
    out = tmp_path / "out.wav"
    render(model19, tmp_path, f"interpolation-plane-batch {src} {silent} {silent} {silent} {out} 1.5")
    y = soundfile.read(out, dtype="float32")[0]
    latency = 9566  # encoder + decoder at these settings, as the 17-channel toy (same strides)
    early = np.std(y[latency + 2400 : latency + 12000])  # A's weight near 1
    late = np.std(y[-7000:])  # A's weight 0 for 0.4 s already
    assert early > 1e-6 and late < 0.01 * early, (early, late)


# --- each corner plays its file at the file's own rate ------------------------------------

F0 = 220.0
# A file per corner: its rate and its length (whole periods of F0: the loops are seamless).
FILES = {"a": (44100, 0.5), "b": (24000, 0.3), "c": (PD_RATE, 0.25), "d": (96000, 0.4)}


def sine_file(path: Path, rate: int, seconds: float) -> np.ndarray:
    x = (0.5 * np.sin(2 * np.pi * F0 * np.arange(int(rate * seconds)) / rate)).astype(np.float32)
    soundfile.write(path, x, rate, subtype="FLOAT")
    return x


def tapped(text: str, folder: Path, seconds: float) -> str:
    """`text` with what feeds each corner's [encoder~] (its player) also written into an array
    tap-<corner> from ip-rec on (the batch's recording, sent with ip-start), the arrays saved
    as tap-<corner>.wav in `folder` before the batch writes its output and quits."""
    c = Canvas.parse(text)
    mix = subpatch(c, "mix")
    frames = int(0.9 * seconds * PD_RATE)
    rec = mix.obj(20, 2000, "r ip-rec")
    wait = mix.obj(20, 2030, f"delay {0.9 * seconds * 1000 + 10}")
    for j, (corner, encoder) in enumerate(zip("abcd", mix.find(r"^encoder~ "))):
        (player,) = [
            mix.boxes[s]
            for s, _, d, i in mix.connections()
            if (d, i) == (encoder.index, 0) and not mix.boxes[s].text.startswith("r ")
        ]
        mix.obj(400 + 200 * j, 2000, f"table tap-{corner} {frames}")
        tap = mix.obj(400 + 200 * j, 2030, f"tabwrite~ tap-{corner}")
        write = mix.msg(400 + 200 * j, 2060, f"write -bytes 4 {folder / f'tap-{corner}.wav'} tap-{corner}")
        save = mix.obj(400 + 200 * j, 2090, "soundfiler")
        mix.connect([(player, 0, tap, 0), (rec, 0, tap, 0), (wait, 0, write, 0), (write, 0, save, 0)])
    mix.wire(rec, 0, wait, 0)
    return c.render()


def play_corners(text: str, folder: Path, seconds: float = 1.0) -> dict:
    """Each corner's file (FILES) played by the patch `text` in Pd at 48 kHz: corner ->
    (the file's samples, its rate, what the corner's player sent its [encoder~])."""
    files = {corner: (folder / f"{corner}.wav", rate) for corner, (rate, _) in FILES.items()}
    samples = {corner: sine_file(path, rate, FILES[corner][1]) for corner, (path, rate) in files.items()}
    patch = folder / "tapped.pd"
    patch.write_text(tapped(text, folder, seconds))
    paths = " ".join(str(path) for path, _ in files.values())
    run = run_pd_file(
        patch, PD_RATE, [f"interpolation-plane-batch {paths} {folder / 'out.wav'} {seconds}"], timeout=120
    )
    assert_pd_ok(run)
    return {
        corner: (samples[corner], rate, soundfile.read(folder / f"tap-{corner}.wav", dtype="float32")[0])
        for corner, (_, rate) in files.items()
    }


def f0_of(y: np.ndarray) -> float:
    """The frequency of a sine from its rising zero crossings (interpolated), at Pd's rate."""
    k = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    t = k + y[k] / (y[k] - y[k + 1])
    return (t.size - 1) * PD_RATE / (t[-1] - t[0])


@pytest.fixture(scope="module")
def played(model19, tmp_path_factory):
    return play_corners(interpolation_plane_patch(NAMES19, model=model19), tmp_path_factory.mktemp("ip_rates"), 1.0)


@pytest.mark.parametrize("corner", "abcd")
def test_a_file_loops_at_its_own_rate(played, corner):
    # 44.1, 24, 48 and 96 kHz files of a 220 Hz sine in a 48 kHz Pd: 220 Hz each (tabplay~
    # played them at 239.5, 440, 220 and 110 Hz). Pd sample k reads the file at k rate / 48000
    # (mod its length): the sine there, within 1e-3 (the position is float32: N 2^-24 samples
    # off, under 0.01, times a slope under 0.03 a sample) but at the loop's ends, where
    # [tabread4~] has no neighbour on one side (index 0 reads sample 1, the last sample 1 back).
    x, rate, y = played[corner]
    assert abs(f0_of(y) - F0) < 0.05, (corner, rate, f0_of(y))
    where = np.arange(y.size) * rate / PD_RATE % x.size
    inside = (where >= 1) & (where <= x.size - 2)
    assert inside.mean() > 0.99
    expected = 0.5 * np.sin(2 * np.pi * F0 * where / rate)
    assert np.abs(y - expected)[inside].max() < 1e-3, (corner, rate)


def test_a_file_at_pds_rate_plays_sample_for_sample(played):
    # As [tabplay~] did, within float rounding of the position (measured: about 1e-4 of a
    # 0.5 sine), from the batch's start and through three loops; the two samples at each
    # loop's seam are their neighbours ([tabread4~] reads indices 1 .. N-2).
    x, rate, y = played["c"]
    assert rate == PD_RATE
    k = np.arange(y.size) % x.size
    seam = (k == 0) | (k == x.size - 1)
    assert np.abs(y - x[k])[~seam].max() < 1e-3
    assert np.abs(y[seam] - x[np.where(k[seam] == 0, 1, x.size - 2)]).max() < 1e-3
