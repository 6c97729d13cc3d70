"""Unit checks of core parts that need no model file (csrc/tests/test_core_units.cpp)."""

import subprocess
from pathlib import Path

BUILD = Path(__file__).resolve().parents[1] / "build"


def test_core_units():
    binary = BUILD / "test_core_units"
    assert binary.exists(), f"{binary} is missing: build the project first (bash scripts/setup.sh builds it)"
    run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=120)
    print(run.stdout, run.stderr)
    assert "FAILED" not in run.stdout and run.stdout.count("ok: ") >= 6
    assert run.returncode == 0 and "core units: OK" in run.stdout
