"""Headless Pd: write a render patch, run `pd -batch`, read what it wrote (demo and tests).

The render patch plays an input WAV through `chain` (objects inside a subpatch with its own
[block~]) and records the result, all at one block size so that input and output are
sample-aligned."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .audio import read_wav, write_wav
from .pd_patches.canvas import Canvas

# Where the build puts encoder~/decoder~ (scripts/setup.sh builds into build/ at the repo root).
PD_EXTERNALS = Path(os.environ.get("TIMBRE_RT_PD_PATH", Path(__file__).resolve().parents[1] / "build" / "pd"))


RECORD = -1  # in render_patch's connections: the sink that records the output
ENGINE_OBJECTS = ("encoder~", "decoder~", "timbre~")  # the chain objects render_patch configures


@dataclass
class PdRun:
    output: np.ndarray  # [T] what tabwrite~ recorded
    stderr: str
    returncode: int


def render_patch(
    input_wav: Path,
    output_wav: Path,
    frames: int,
    rate: int,
    chain: Sequence[str],
    connections: Sequence[Tuple[int, int, int, int]],
    block: int = 64,
    config: Sequence[str] = ("sync 1",),
    extra: Sequence[str] = (),
) -> str:
    """A patch text. `chain` objects (numbered 0.. in `connections`) sit inside the render
    subpatch; the first one is fed by [tabplay~ input] on its inlet 0, and `connections`
    (from, outlet, to, inlet) wire them; connection target RECORD (-1) is [tabwrite~ output].
    `config` messages go to every engine object of the chain (ENGINE_OBJECTS) before DSP
    starts; `extra` are messages sent to them once DSP runs."""
    seconds = frames / rate
    c = Canvas(600, 400, x=0, y=0)
    c.obj(10, 10, "table input")
    c.obj(10, 40, f"table output {frames}")
    load = c.obj(10, 70, "loadbang")
    steps = c.obj(10, 100, "t b b b b b")
    read = c.msg(10, 130, f"read -resize {input_wav} input")
    read_file = c.obj(10, 160, "soundfiler")
    dsp = c.msg(10, 190, "\\; pd dsp 1")
    start = c.msg(10, 220, "\\; start bang")
    wait = c.obj(10, 250, f"delay {1000.0 * seconds + 50.0}")
    write = c.msg(10, 280, f"write -bytes 4 {output_wav} output")
    write_file = c.obj(10, 310, "soundfiler")
    quit_ = c.msg(10, 340, "\\; pd quit")
    configure = c.msg(200, 190, " ".join(f"\\; cfg {m}" for m in config))
    extras = c.msg(200, 220, " ".join(f"\\; extra {m}" for m in extra))

    sub = Canvas(600, 400, x=0, y=0)
    sub.obj(10, 10, f"block~ {block}")
    go = sub.obj(10, 40, "r start")
    play = sub.obj(10, 70, "tabplay~ input")
    record = sub.obj(10, 100, "tabwrite~ output")
    cfg = sub.obj(200, 10, "r cfg")
    more = sub.obj(300, 10, "r extra")
    boxes = [sub.obj(10, 130 + 30 * i, text) for i, text in enumerate(chain)]
    sub.connect([(go, 0, play, 0), (go, 0, record, 0), (play, 0, boxes[0], 0)])
    for box in boxes:
        if box.text.split()[0] in ENGINE_OBJECTS:  # others would not know 'sync' or 'info'
            sub.connect([(cfg, 0, box, 0), (more, 0, box, 0)])
    for src, outlet, dst, inlet in connections:
        if dst == RECORD:
            sub.wire(boxes[src], outlet, record, 0)
        else:
            sub.wire(boxes[src], outlet, boxes[dst], inlet)
    c.subpatch(300, 300, "render", sub)

    c.connect(
        [
            (load, 0, steps, 0),
            (steps, 4, read, 0),
            (read, 0, read_file, 0),  # read the input first
            (steps, 3, configure, 0),  # configure the objects
            (steps, 2, dsp, 0),  # DSP on
            (steps, 1, start, 0),
            (steps, 1, extras, 0),  # start, extra messages
            (steps, 0, wait, 0),
            (wait, 0, write, 0),
            (write, 0, write_file, 0),
            (write_file, 0, quit_, 0),
        ]
    )
    return c.render()


def run_pd_file(
    patch: Path,
    rate: int,
    sends: Sequence[str] = (),
    timeout: float = 600.0,
    pd_path: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    cwd: Optional[Path] = None,
    search: Sequence[Path] = (),
) -> subprocess.CompletedProcess:
    """Run `patch` in `pd -batch` at `rate` with one `-send` per message in `sends`.

    `pd_path`: where the externals are (default PD_EXTERNALS); `search`: more folders on Pd's
    path (abstractions); `env`: the environment Pd runs in (default: this one), e.g. a bare one
    to prove a package needs nothing else; `cwd` (default: the patch's folder) is where relative
    file names in the messages are found."""
    pd_path = PD_EXTERNALS if pd_path is None else Path(pd_path)
    if shutil.which("pd") is None:
        raise FileNotFoundError("Pure Data (pd) is not installed: run scripts/setup.sh")
    if not (pd_path / "encoder~.pd_linux").exists():
        raise FileNotFoundError(f"no encoder~.pd_linux in {pd_path}: build the project first (scripts/setup.sh)")
    patch = Path(patch).resolve()
    command = ["pd", "-nogui", "-nosound", "-batch", "-stderr", "-r", str(rate), "-path", str(pd_path)]
    for folder in search:
        command += ["-path", str(folder)]
    command += ["-open", str(patch)]
    for message in sends:
        command += ["-send", message]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=patch.parent if cwd is None else cwd, env=env
    )


def run_pd(
    patch_text: str,
    folder: Path,
    rate: int,
    timeout: float = 600.0,
    pd_path: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
) -> subprocess.CompletedProcess:
    """Write `patch_text` to folder/render.pd and run it (`pd_path`, `env`: as for run_pd_file)."""
    patch = folder / "render.pd"
    patch.write_text(patch_text)
    return run_pd_file(patch, rate, timeout=timeout, pd_path=pd_path, env=env, cwd=folder)


# What Pd prints when a patch is broken; it still exits 0, so callers must look.
BROKEN_PATCH = ("couldn't create", "connection failed", "no such object")


def pd_problems(log: str, errors_expected: bool = False) -> List[str]:
    """The lines of a Pd log that say a patch is broken (or, unless `errors_expected`, that
    anything posted an error: Pd starts those lines with 'error:'; a word 'error' elsewhere,
    in a file name say, is no error)."""

    def bad(line: str) -> bool:
        lower = line.lower()
        return any(word in lower for word in BROKEN_PATCH) or (not errors_expected and lower.startswith("error:"))

    return [line for line in log.splitlines() if bad(line)]


def render(
    folder: Path,
    signal: np.ndarray,
    rate: int,
    chain,
    connections,
    pd_path: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    **options,
) -> PdRun:
    """Plays `signal` [T] through the chain in headless Pd and returns what it recorded
    (`pd_path`, `env`: as for run_pd)."""
    input_wav, output_wav = folder / "input.wav", folder / "output.wav"
    write_wav(input_wav, signal.astype(np.float32), rate)
    text = render_patch(input_wav, output_wav, signal.shape[-1], rate, chain, connections, **options)
    run = run_pd(text, folder, rate, pd_path=pd_path, env=env)
    output = read_wav(output_wav)[0] if output_wav.exists() else np.zeros(0, dtype=np.float32)
    return PdRun(output=np.asarray(output).reshape(-1), stderr=run.stderr, returncode=run.returncode)


def reported_latencies(stderr: str) -> List[int]:
    """Latencies in samples that the objects printed after an [info( message, in order."""
    return [int(v) for v in re.findall(r"latency (\d+) samples \(", stderr)]
