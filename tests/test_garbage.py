"""Property-based: generated garbage thrown at every parser and command-line entry point.

Whatever comes in, a parser raises one of our one-line errors (never a bare KeyError,
TypeError...), and a command exits non-zero with one line on stderr: no traceback, and
no existing file changed or left half-written beside its target.
"""

import contextlib
import io
import json

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_models import Faulty, save
from timbre_rt.cli import main
from timbre_rt.generate import encode_audio, load_series, load_spec
from timbre_rt.generate.curves import parse_breakpoints
from timbre_rt.generate.paths import read_path_csv
from timbre_rt.models.continuous.config import load_config as load_continuous
from timbre_rt.models.discrete.config import load_config as load_discrete
from timbre_rt.synth.targets import read_targets

RATE = 24000
FEW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# JSON / YAML-like values, with the numbers that break things (NaN, inf, huge, negative).
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e9, 1e11, -5000, 0.5]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=12))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
# YAML's sharp edges: tags, dates, anchors, unhashable keys, deep nesting.
NASTY = st.sampled_from(
    [
        "a: 2020-13-45",
        "a: !!float abc",
        "a: !!binary zzz",
        "? [a]\n: 1",
        "a: &x [*x]",
        "[" * 2000,
        "a: !!python/name:os.system",
        "- {op: 1e400}",
        "ops: {op: offset}",
        "time,x,y\n0,0,0\n0,1,1",
        "\x00\x01",
    ]
)
TEXT = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    NASTY,
    st.tuples(NASTY, st.text(max_size=20)).map("\n".join),
)
SERIES_KEYS = [
    "sampling_rate",
    "ratio",
    "latent_names",
    "model_sha256",
    "model_path",
    "model_kind",
    "num_samples",
    "delay",
    "source",
    "history",
    "format",
    "version",
]
CONFIG_KEYS = [
    "model",
    "sampling_rate",
    "validate_every",
    "vae",
    "mel",
    "vocoder",
    "vae_stage",
    "frames",
    "vq",
    "vqvae_stage",
    "encoder",
    "steps",
    "learning_rate",
    "hidden",
]
# What a parser may raise: ours, all ValueErrors with a one-line message naming the input.
EXPECTED = (ValueError,)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return save(Faulty(), tmp_path_factory.mktemp("garbage") / "good.ts")


@pytest.fixture(scope="module")
def series_file(model, tmp_path_factory):
    audio = np.sin(np.arange(2400) / 10.0).astype(np.float32)
    return encode_audio(model, audio).save(tmp_path_factory.mktemp("series") / "a.npz")


def _parses_or_refuses(parse, *args) -> None:
    try:
        parse(*args)
    except EXPECTED as e:
        assert str(e).strip() and "\n" not in str(e).strip(), repr(e)


@FEW
@given(data=st.binary(max_size=400))
def test_series_files_of_random_bytes(tmp_path, data):
    path = tmp_path / "s.npz"
    path.write_bytes(data)
    _parses_or_refuses(load_series, path)


@FEW
@given(
    changes=st.dictionaries(st.sampled_from(SERIES_KEYS), VALUES, min_size=1, max_size=4),
    drop=st.lists(st.sampled_from(SERIES_KEYS), max_size=2),
)
def test_series_metadata_of_random_values(series_file, tmp_path, changes, drop):
    with np.load(series_file) as data:
        latent, meta = data["latent"], json.loads(str(data["meta"][()]))
    meta.update(changes)
    for key in drop:
        meta.pop(key, None)
    path = tmp_path / "s.npz"
    with open(path, "wb") as f:
        np.savez(f, latent=latent, meta=np.array(json.dumps(meta)))
    _parses_or_refuses(load_series, path)


@FEW
@given(text=TEXT)
def test_text_files_of_every_kind(tmp_path, text):
    for name, parse in [
        ("spec.yaml", load_spec),
        ("c.yaml", load_continuous),
        ("d.yaml", load_discrete),
        ("path.csv", read_path_csv),
        ("t.csv", lambda p: read_targets(p, ["centroid", "f0"])),
        ("t.json", lambda p: read_targets(p, ["centroid", "f0"])),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        _parses_or_refuses(parse, path)


@FEW
@given(config=st.dictionaries(st.sampled_from(CONFIG_KEYS), VALUES, max_size=5))
def test_configs_of_random_mappings(tmp_path, config):
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(config, allow_nan=True))  # JSON is YAML
    _parses_or_refuses(load_continuous, path)
    _parses_or_refuses(load_discrete, path)


@FEW
@given(
    ops=st.lists(
        st.dictionaries(
            st.sampled_from(["op", "value", "factor", "dim", "points", "frames", "seconds", "at", "amount", "seed"]),
            st.one_of(VALUES, st.sampled_from(["offset", "stretch", "curve", "smooth", "freeze", "noise"])),
            max_size=4,
        ),
        max_size=3,
    )
)
def test_deform_ops_of_random_values(series_file, ops):
    from timbre_rt.generate import deform

    _parses_or_refuses(deform, load_series(series_file), ops)


@FEW
@given(text=st.text(max_size=40))
def test_breakpoints_of_random_text(text):
    _parses_or_refuses(parse_breakpoints, text, "--curve")


# --- command lines -----------------------------------------------------------------------


def run(argv):
    """-> (status, stderr) of `timbre-rt argv` in this process."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as e:
            status = e.code
    return status, err.getvalue()


def snapshot(folder):
    """The bytes of every existing file but the outputs of successful runs (under out/)."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and "out" not in p.parts}


def check_run(argv, folder, must_fail=True):
    """No traceback, one error line when failing, files unchanged and no temp left."""
    before = snapshot(folder)
    status, err = run(argv)
    assert "Traceback" not in err, err
    if must_fail:
        assert status in (1, 2), (argv, status, err)
    if status != 0:
        assert err.strip().splitlines()[-1].startswith(("timbre-rt", "usage:")) or "error:" in err, err
    after = snapshot(folder)
    assert all(after.get(p) == b for p, b in before.items()), argv
    assert not [p for p in after if ".partial" in p.name], after


@FEW
@given(
    content=st.binary(max_size=300),
    command=st.sampled_from(["encode", "decode", "deform", "morph", "plane", "synth", "info", "export"]),
)
def test_commands_on_garbage_files_fail_cleanly(model, tmp_path, content, command):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(content)
    precious = tmp_path / "precious.wav"
    precious.write_bytes(b"keep me")
    for suffix in (".wav", ".npz", ".yaml", ".csv"):
        junk.with_suffix(suffix).write_bytes(content)
    j = junk.with_suffix
    argv = {
        "encode": ["encode", model, j(".wav"), "-o", tmp_path / "new.npz"],
        "decode": ["decode", model, j(".npz"), "-o", precious],
        "deform": ["deform", j(".npz"), "--spec", j(".yaml"), "-o", tmp_path / "new.npz"],
        "morph": ["morph", model, j(".wav"), j(".wav").with_name("junk2.wav"), "-o", precious],
        "plane": ["plane", model, j(".wav"), j(".wav"), j(".wav"), j(".wav"), "--path", j(".csv"), "-o", precious],
        "synth": ["synth", junk, "--target", j(".csv"), "--out", precious],
        "info": ["info", junk],
        "export": ["export", tmp_path, "--out", tmp_path / "new.ts"],
    }[command]
    check_run(argv, tmp_path)


OPTION_VALUES = st.one_of(
    NUMBERS.map(str), st.sampled_from(["nan", "inf", "-inf", "1e9", "abc", "", "0,0", "nan,0;1,1", "-0"])
)


@FEW
@given(
    option=st.sampled_from(["--seconds", "--radius", "--period", "--center", "--positions", "--chunk", "--from"]),
    value=OPTION_VALUES,
)
def test_plane_options_of_random_values(model, tmp_path, option, value):
    anchors = []
    for i in range(4):
        anchors.append(tmp_path / f"{i}.wav")
        soundfile.write(str(anchors[-1]), np.full(1600, 0.1 * (i + 1), np.float32), RATE)
    out = tmp_path / "out" / "x.wav"
    out.unlink(missing_ok=True)
    argv = ["plane", model, *anchors, "--path", "circle", "-o", out, "--no-plot", "--no-progress", option, value]
    check_run(argv, tmp_path, must_fail=False)
    if out.exists():  # a success wrote finite audio of a bounded length
        audio, _ = soundfile.read(str(out))
        assert np.all(np.isfinite(audio)) and len(audio) <= 6 * 3600 * RATE


@FEW
@given(
    option=st.sampled_from(["--minutes", "--devices", "--num-nodes", "--workers", "--accelerator"]), value=OPTION_VALUES
)
def test_train_options_of_random_values(tmp_path, option, value):
    argv = [
        "train",
        "continuous",
        "--config",
        tmp_path / "missing.yaml",
        "--data",
        tmp_path / "none",
        "--out",
        tmp_path / "run",
        option,
        value,
    ]
    check_run(argv, tmp_path)  # the config is missing: never a success
    assert not (tmp_path / "run").exists()


def _options(command: str):
    """The option strings of a `timbre-rt` subcommand, from its parser."""
    from timbre_rt.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "subcommand")
    return sorted(
        s
        for a in sub.choices[command]._actions
        for s in a.option_strings
        if s.startswith("--") and s not in ("--help", "--list")
    )


# Every command with a garbage file J where it reads a model, audio, series, spec or data.
SKELETONS = {
    "info": "info J",
    "encode": "encode J J -o OUT",
    "decode": "decode J J -o OUT",
    "deform": "deform J --spec J -o OUT",
    "morph": "morph J J J -o OUT",
    "plane": "plane J J J J J --path J -o OUT",
    "synth": "synth J --target J --out OUT",
    "codebook": "codebook J --out OUTDIR",
    "export": "export J --out OUT",
    "train": "train continuous --config J --data J --out OUTDIR",
    "eval": "eval J --data J",
    "make-dataset": "make-dataset --folder J --out OUTDIR",
    "bench": "bench --models J --out OUTDIR",
}


@FEW
@given(
    command=st.sampled_from(sorted(SKELETONS)),
    content=st.binary(max_size=100),
    extra=st.lists(st.one_of(st.just("OPT"), OPTION_VALUES), max_size=4),
    seed=st.integers(0, 10**6),
)
def test_every_command_with_garbage_and_random_options(tmp_path, command, content, extra, seed):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(content)
    options = _options(command) or ["--debug"]  # info has no option of its own
    rng = np.random.default_rng(seed)
    extra = [options[rng.integers(len(options))] if t == "OPT" else t for t in extra]
    words = {"J": junk, "OUT": tmp_path / "out" / "o.bin", "OUTDIR": tmp_path / "out" / "dir"}
    argv = [words.get(w, w) for w in SKELETONS[command].split()] + extra
    if "--quick" in extra or "--pd-jack" in extra or "--live" in extra:
        return  # benchmark modes that run for minutes on the default models
    check_run(argv, tmp_path)
