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

from .audio_io import read_wav, write_wav

# Where the build puts encoder~/decoder~ (setup.py builds into build/ at the repo root).
PD_EXTERNALS = Path(os.environ.get("TIMBRE_RT_PD_PATH", Path(__file__).resolve().parents[1] / "build" / "pd"))


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
    """A patch text. `chain` objects get indices 0.. inside the render subpatch; the first
    one is fed by [tabplay~ input] on its inlet 0, and `connections` (from, outlet, to,
    inlet) wire them; connection target -1 is [tabwrite~ output]. `config` messages go to
    every chain object before DSP starts; `extra` are messages sent once DSP runs."""
    seconds = frames / rate
    lines = [
        "#N canvas 0 0 600 400 12;",
        "#X obj 10 10 table input;",
        f"#X obj 10 40 table output {frames};",
        "#X obj 10 70 loadbang;",
        "#X obj 10 100 t b b b b b;",
        f"#X msg 10 130 read -resize {input_wav} input;",
        "#X obj 10 160 soundfiler;",
        "#X msg 10 190 \\; pd dsp 1;",
        "#X msg 10 220 \\; start bang;",
        f"#X obj 10 250 delay {1000.0 * seconds + 50.0};",
        f"#X msg 10 280 write -bytes 4 {output_wav} output;",
        "#X obj 10 310 soundfiler;",
        "#X msg 10 340 \\; pd quit;",
        "#X msg 200 190 " + " ".join(f"\\; cfg {c}" for c in config) + ";" if config else "#X msg 200 190;",
        "#X msg 200 220 " + " ".join(f"\\; extra {c}" for c in extra) + ";" if extra else "#X msg 200 220;",
    ]
    sub = [f"#N canvas 0 0 600 400 render 0;", f"#X obj 10 10 block~ {block};", "#X obj 10 40 r start;",
           "#X obj 10 70 tabplay~ input;", "#X obj 10 100 tabwrite~ output;", "#X obj 200 10 r cfg;", "#X obj 300 10 r extra;"]
    base = len(sub) - 1  # chain objects follow
    for i, text in enumerate(chain):
        sub.append(f"#X obj 10 {130 + 30 * i} {text};")
    sub += ["#X connect 1 0 2 0;", "#X connect 1 0 3 0;", f"#X connect 2 0 {base} 0;"]
    for i in range(len(chain)):
        sub.append(f"#X connect 4 0 {base + i} 0;")
        sub.append(f"#X connect 5 0 {base + i} 0;")
    for src, outlet, dst, inlet in connections:
        target = 3 if dst == -1 else base + dst
        sub.append(f"#X connect {base + src} {outlet} {target} {inlet if dst != -1 else 0};")
    sub.append(f"#X restore 300 300 pd render;")
    lines += sub
    lines += [
        "#X connect 2 0 3 0;",
        "#X connect 3 4 4 0;", "#X connect 4 0 5 0;",  # read the input first
        "#X connect 3 3 12 0;",  # configure the objects
        "#X connect 3 2 6 0;",  # DSP on
        "#X connect 3 1 7 0;", "#X connect 3 1 13 0;",  # start, extra messages
        "#X connect 3 0 8 0;", "#X connect 8 0 9 0;", "#X connect 9 0 10 0;", "#X connect 10 0 11 0;",
    ]
    return "\n".join(lines) + "\n"


def run_pd(patch_text: str, folder: Path, rate: int, timeout: float = 600.0, pd_path: Optional[Path] = None,
           env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """`pd_path`: where the externals are (default PD_EXTERNALS); `env`: the environment Pd
    runs in (default: this one), e.g. a bare one to prove a package needs nothing else."""
    pd_path = PD_EXTERNALS if pd_path is None else Path(pd_path)
    if shutil.which("pd") is None:
        raise FileNotFoundError("Pure Data (pd) is not installed: run scripts/setup.sh")
    if not (pd_path / "encoder~.pd_linux").exists():
        raise FileNotFoundError(f"no encoder~.pd_linux in {pd_path}: build the project first (scripts/setup.sh)")
    patch = (folder / "render.pd").resolve()
    patch.write_text(patch_text)
    command = ["pd", "-nogui", "-nosound", "-batch", "-stderr", "-r", str(rate), "-path", str(pd_path), "-open", str(patch)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=folder, env=env)


def render(folder: Path, signal: np.ndarray, rate: int, chain, connections, pd_path: Optional[Path] = None,
           env: Optional[Dict[str, str]] = None, **options) -> PdRun:
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
