"""DDP on CPU: two processes (gloo) train both model kinds with the README's command,
an interrupted two-process run resumes, and the exported files stream exactly."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from timbre_rt import Engine
from timbre_rt.cli import main
from timbre_rt.data import prepare_folder

import continuous_fixtures
import discrete_fixtures
from streaming import delayed, reference, stream_in_blocks

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 300  # seconds for one training command: a hang (ranks out of step) fails, not blocks CI
# The tiny configs, shorter; a global batch of 2 is 1 per process.
CONTINUOUS_STEPS = {"vae": 2, "vocoder": 4, "adversarial": 1, "finetune": 1}
CONTINUOUS_YAML = re.sub(
    r"(\w+)_stage: \{steps: \d+",
    lambda m: f"{m[1]}_stage: {{steps: {CONTINUOUS_STEPS[m[1]]}",
    continuous_fixtures.TINY_YAML,
)
# Steps enough for hours: the time budget (--minutes) stops it, on both ranks at one step.
DISCRETE_YAML = discrete_fixtures.TINY_YAML.replace("steps: 6", "steps: 100000")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ddp")
    continuous_fixtures.write_tones(root / "sounds", count=6)
    prepare_folder(
        root / "sounds",
        root / "cache",
        sampling_rate=continuous_fixtures.RATE,
        chunk=4096,
        held_out=0.34,
        progress=False,
    )
    (root / "continuous.yaml").write_text(CONTINUOUS_YAML)
    (root / "discrete.yaml").write_text(DISCRETE_YAML)
    return root


def _command(kind, dataset, out, *extra):
    """The README's command: `timbre-rt train` for the continuous model, and for the
    discrete one `python -m timbre_rt.train train` (what a GPU machine without the core runs)."""
    program = (
        [str(Path(sys.executable).parent / "timbre-rt")]
        if kind == "continuous"
        else [sys.executable, "-m", "timbre_rt.train"]
    )
    return [
        *program,
        "train",
        kind,
        "--config",
        str(dataset / f"{kind}.yaml"),
        "--data",
        str(dataset / "cache"),
        "--out",
        str(out),
        "--devices",
        "2",
        "--accelerator",
        "cpu",
        "--workers",
        "0",
        "--no-progress",
        *extra,
    ]


def _start(command):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    # Its own process group: Lightning's second rank is a child, killed with it.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _train(command) -> str:
    """Run a training command to its end; its output (both ranks)."""
    process = _start(command)
    try:
        output, _ = process.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        _kill(process)
        pytest.fail(f"two-process training hung for {LIMIT} s: {' '.join(command)}")
    assert process.returncode == 0, output[-3000:]
    return output


def _interrupt_after(command, marker: Path) -> None:
    """Start a run and kill every process of it as soon as `marker` exists."""
    process = _start(command)
    deadline = time.time() + LIMIT
    while not marker.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    finished = process.poll() is not None
    _kill(process)
    assert marker.exists() and not finished, process.stdout.read()[-3000:]


def _streams_exactly(model: Path, method: str) -> None:
    """The export refused any file whose chunked calls differ from a whole call; here the
    file also runs in the streaming engine, host block by host block."""
    engine = Engine(str(model), method=method, buffer=4 * 64, sync=True)
    signal_ = (0.3 * np.random.default_rng(0).standard_normal((1, 4096))).astype(np.float32)
    expected = delayed(reference(str(model), method, signal_, engine.in_ratio, engine.out_ratio), engine.buffer)
    got = stream_in_blocks(engine, signal_, 100)
    assert np.abs(expected).max() > 0
    assert np.abs(got - expected).max() <= 1e-4
    assert engine.stats()["underruns"] == 0


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_continuous_two_processes_interrupted_resumed_exported(dataset, tmp_path):
    out = tmp_path / "run"
    command = _command("continuous", dataset, out)
    # Killed within the vocoder stage, after its step-2 checkpoint (validate_every: 2).
    _interrupt_after(command, out / "vocoder" / "checkpoints" / "last.ckpt")
    assert not (out / "vocoder" / "done.json").exists()
    vae = (out / "vae" / "weights.pt").read_bytes()

    printed = _train(command)
    assert printed.count("== stage vae: skipped (already done)") == 1  # rank 0 alone prints
    assert "Restored all states from the checkpoint" in printed
    assert (out / "vae" / "weights.pt").read_bytes() == vae  # not retrained
    summary = _summary(out)
    assert {s: summary[s]["steps"] for s in CONTINUOUS_STEPS} == CONTINUOUS_STEPS
    # Validation ran on both processes' shards, reduced into one number.
    assert np.isfinite(summary["vocoder"]["metrics"]["val/mel_distance"])

    model = tmp_path / "continuous.ts"
    assert main(["export", str(out), "--out", str(model)]) == 0
    _streams_exactly(model, "encode")
    _streams_exactly(model, "forward")


def test_discrete_two_processes_stop_on_time_budget_exported(dataset, tmp_path):
    out = tmp_path / "run"
    _train(_command("discrete", dataset, out, "--minutes", "0.1"))
    summary = _summary(out)
    assert 2 <= summary["vqvae"]["steps"] < 100000  # stopped by the budget, not hung
    assert np.isfinite(summary["vqvae"]["metrics"]["val/perplexity"])
    weights = torch.load(out / "vqvae" / "weights.pt", weights_only=True)
    assert bool(weights["quantizer.initialised"])  # k-means ran on both ranks' vectors

    model = tmp_path / "discrete.ts"
    assert main(["export", str(out), "--out", str(model)]) == 0
    _streams_exactly(model, "forward")


def test_batch_that_cannot_be_split_is_one_line(dataset, tmp_path, capsys):
    odd = tmp_path / "odd.yaml"
    odd.write_text(DISCRETE_YAML.replace("batch_size: 2", "batch_size: 3"))
    assert (
        main(
            [
                "train",
                "discrete",
                "--config",
                str(odd),
                "--data",
                str(dataset / "cache"),
                "--out",
                str(tmp_path / "r"),
                "--devices",
                "2",
                "--accelerator",
                "cpu",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "batch_size 3 cannot be split evenly over 2 processes" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "vqvae").exists()
