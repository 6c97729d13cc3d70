"""The engine's thread hand-over under stress (csrc/tests/stress_engine.cpp): an audio
thread streams while a control thread reconfigures without pause and a reader copies
snapshots; a Pipeline while its knobs turn. .ci/run runs the same program under
ThreadSanitizer; here it runs in the normal build and must end cleanly."""

import re
import subprocess
from pathlib import Path

BINARY = Path(__file__).resolve().parents[1] / "build" / "stress_engine"


def test_reconfiguring_while_streaming_never_crashes(toy_path):
    assert BINARY.exists(), f"{BINARY} is missing: build the project first (bash scripts/setup.sh builds it)"
    run = subprocess.run([str(BINARY), toy_path, "1.5"], capture_output=True, text=True, timeout=300)
    print(run.stdout, run.stderr)
    assert run.returncode == 0 and "stress: OK" in run.stdout
    phases = re.findall(r"^(\S+): blocks=(\d+) reconfigurations=(\d+) reads=(\d+)", run.stdout, re.M)
    assert [p[0] for p in phases] == [
        "engine-encode",
        "engine-decode-resampled",
        "engine-forward-44k1",
        "pipeline-resampled",
    ]
    for name, blocks, reconfigurations, reads in phases:
        assert int(blocks) > 100 and int(reconfigurations) > 0 and int(reads) > 0, name
