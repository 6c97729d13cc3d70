"""The pipeline's audio path allocates nothing and takes no lock while another thread turns
the knobs, and the latent transform follows its frame-application rule (C++ tests)."""

import re
import subprocess
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[1] / "build"


def _binary(name: str) -> Path:
    path = BUILD / name
    assert path.exists(), f"{path} is missing: build the project first (bash scripts/setup.sh builds it)"
    return path


@pytest.mark.parametrize("buffer", [256, 2048])
def test_pipeline_audio_path_allocates_nothing_and_never_locks(toy_path, buffer):
    run = subprocess.run(
        [str(_binary("test_realtime_path")), toy_path, "pipeline", str(buffer)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(run.stdout, run.stderr)
    pattern = r"^(\S+): allocations=(\d+) locks=(\d+) calls=(\d+) underruns=\d+ dropped=(\d+) errors=(\d+) frames=(\d+)"
    phases = {p[0]: [int(v) for v in p[1:]] for p in re.findall(pattern, run.stdout, re.M)}
    assert list(phases) == [
        "pipeline-paced",
        "pipeline-overload",
        "pipeline-odd-block",
        "pipeline-resampled",
        "pipeline-sync",
    ]
    for name, (allocations, locks, calls, dropped, errors, frames) in phases.items():
        assert (allocations, locks, errors) == (0, 0, 0), name
        assert frames > 0, f"{name}: the latent transform never stepped"
        if name == "pipeline-overload":
            assert dropped > 0, "the overload phase must exercise the drop path"
        else:
            assert calls > 0, f"{name}: the workers never ran"
    assert run.returncode == 0 and "pipeline realtime path: OK" in run.stdout


def test_latent_transform_frame_application_rule():
    run = subprocess.run([str(_binary("test_latent_transform"))], capture_output=True, text=True, timeout=120)
    print(run.stdout, run.stderr)
    assert "FAILED" not in run.stdout
    assert run.stdout.count("ok: ") >= 15
    assert run.returncode == 0 and "latent transform: OK" in run.stdout
