"""The audio-thread path allocates nothing and takes no lock (C++ test with malloc hooks)."""

import re
import subprocess
from pathlib import Path

import pytest

BINARY = Path(__file__).resolve().parents[1] / "build" / "test_realtime_path"


@pytest.mark.parametrize("method, buffer", [("forward", 256), ("encode", 512), ("decode", 2048)])
def test_no_allocation_and_no_lock_on_the_audio_thread(toy_path, method, buffer):
    assert BINARY.exists(), f"{BINARY} is missing: build the project first (bash scripts/setup.sh builds it)"
    run = subprocess.run([str(BINARY), toy_path, method, str(buffer)], capture_output=True, text=True, timeout=300)
    print(run.stdout, run.stderr)
    pattern = r"^(\S+): allocations=(\d+) locks=(\d+) calls=(\d+) underruns=\d+ dropped=(\d+)"
    phases = {p[0]: [int(v) for v in p[1:]] for p in re.findall(pattern, run.stdout, re.M)}
    assert list(phases) == [
        "realtime-paced",
        "realtime-overload",
        "realtime-odd-block",
        "sync",
        "realtime-resampled-2x",
        "realtime-resampled-44k1",
        "realtime-reconfigured",
        "realtime-resampled-reconfigured",
    ]
    for name, (allocations, locks, calls, dropped) in phases.items():
        assert (allocations, locks) == (0, 0), name
        if name == "realtime-overload":
            assert dropped > 0, "the overload phase must exercise the drop path"
        else:
            assert calls > 0, f"{name}: the worker never ran"
    assert run.returncode == 0 and "realtime path: OK" in run.stdout
