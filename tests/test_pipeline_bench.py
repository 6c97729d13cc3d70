"""`timbre-rt bench --report` / `--quick`: the latency benchmark's JSON, markdown and plot,
with the pipeline next to the file's methods, plain Python side by side, and the impulse-
measured latency equal to the reported one for the identity model."""

import json
from dataclasses import fields

from timbre_rt.bench import LatencyRow
from timbre_rt.cli import main


def test_quick_latency_report(identity_path, tmp_path, capsys):
    report = tmp_path / "report.md"
    args = [
        "bench",
        "--models",
        identity_path,
        "--quick",
        "--calls",
        "5",
        "--warmup",
        "2",
        "--paced-seconds",
        "0.3",
        "--hosts",
        "64",
        "441",
        "--report",
        str(report),
    ]
    assert main(args) == 0
    data = json.loads(report.with_suffix(".json").read_text())
    assert data["command"].startswith("timbre-rt bench --models") and data["config"]["quick"] is True
    rows = data["results"]
    assert [(r["method"], r["host_block"]) for r in rows] == [
        (m, h) for m in ("encode", "decode", "forward", "pipeline") for h in (64, 441)
    ]
    for r in rows:
        assert set(r) == {f.name for f in fields(LatencyRow)} | {"latency_ms"}
        assert (r["device"], r["threads"], r["buffer"], r["headroom"]) == ("cpu", 1, 2048, 1024)
        assert r["engine_ms_p50"] > 0 and r["realtime_factor"] > 1 and r["torchscript_ms_p50"] > 0
        assert r["eager_ms_p50"] > 0 and r["eager_note"] == "", "IdentityCodec is rebuilt eagerly"
        assert r["paced_calls"] > 0 and 0 <= r["underruns"] <= r["paced_calls"]
        if r["method"] in ("decode", "forward", "pipeline"):  # audio-rate outputs: exact
            assert r["latency_measured"] == r["latency_reported"], r
    pipeline = [r for r in rows if r["method"] == "pipeline"][0]
    encode, decode = (next(r for r in rows if r["method"] == m) for m in ("encode", "decode"))
    assert pipeline["latency_reported"] == encode["latency_reported"] + decode["latency_reported"]
    md = report.read_text()
    assert md.startswith("# timbre_rt latency benchmark") and "| pipeline" in md and "![plot](report.png)" in md
    assert report.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert "| pipeline" in capsys.readouterr().out


def test_quick_without_report_writes_into_out(identity_path, tmp_path):
    args = [
        "bench",
        "--models",
        identity_path,
        "--methods",
        "pipeline",
        "--quick",
        "--calls",
        "3",
        "--warmup",
        "1",
        "--paced-seconds",
        "0.2",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    rows = json.loads((tmp_path / "latency_quick.json").read_text())["results"]
    assert [r["method"] for r in rows] == ["pipeline"] and rows[0]["host_block"] == 256


def test_bad_latency_options(identity_path, tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["bench", "--models", identity_path, "--quick", "--hosts", "0", "--out", str(tmp_path)])
    assert "--hosts must be positive" in capsys.readouterr().err
    assert main(["bench", "--models", identity_path, "--quick", "--methods", "nope", "--out", str(tmp_path)]) == 2
    assert "has none of the methods ['nope']" in capsys.readouterr().err
