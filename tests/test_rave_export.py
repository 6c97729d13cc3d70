"""The RAVE v2 exports built at bench time (scripts/rave_export.sh): the builder fails with one
line outside RAVE's venv, and once built, the files read as RAVE declares them (its `sr`
attribute, 8 latents after the fidelity cut, frames of 2048 samples). The files are never
committed: a checkout without them skips the second test."""

import subprocess
import sys
from pathlib import Path

import pytest

from timbre_rt import read_model_info

REPO = Path(__file__).resolve().parents[1]
BUILDER = REPO / "timbre_rt" / "bench" / "rave_export.py"
RATES = [44100, 48000]


def test_the_builder_outside_raves_venv_fails_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot import rave") and "rave_export.sh" in lines[0]
    assert not any(tmp_path.iterdir())  # nothing half-built


def test_the_builder_skips_what_exists_without_importing_rave(tmp_path):
    for rate in RATES:
        (tmp_path / f"rave_v2_random_{rate}.ts").write_bytes(b"built before")
    done = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("exists, skipped") == len(RATES)


@pytest.mark.parametrize("rate", RATES)
def test_a_built_rave_export_reads_as_rave_declares_it(rate):
    path = REPO / ".cache" / "rave" / f"rave_v2_random_{rate}.ts"
    if not path.exists():
        pytest.skip(f"{path.name} is not built (bash scripts/rave_export.sh)")
    info = read_model_info(str(path))
    assert info["sampling_rate"] == rate and info["sampling_rate_declared"]
    assert info["block_size"] == 2048
    assert info["methods"]["encode"]["params"] == [1, 1, 8, 2048]
    assert info["methods"]["decode"]["params"] == [8, 2048, 1, 1]
