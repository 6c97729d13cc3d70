"""Every bad input of issue 14 on the offline tools: one line, the right exit status,
no file lost or damaged. 2 = bad command line, 1 = bad input file or model."""

import json
import re
import struct

import numpy as np
import pytest
import soundfile
import torch

from fixture_models import Faulty, save
from timbre_rt import ModelError
from timbre_rt.cli import main
from timbre_rt.generate import encode_audio, load_model

RATE = 24000
PROGRESS = re.compile(r"^[\w .-]+:\s+\d+%\|")


def run(args, capsys):
    """-> (exit status, the stderr lines); argparse's own usage errors exit 2 too."""
    try:
        status = main([str(a) for a in args])
    except SystemExit as e:
        status = e.code
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    # Progress bars (tqdm, on stderr) are not messages.
    return status, [line for line in err.splitlines() if line.strip() and not PROGRESS.match(line)]


def fails(args, capsys, status, words, command=None):
    """The command exits with `status` and one line `timbre-rt <command>: error: ...words...`."""
    got, lines = run(args, capsys)
    assert got == status, (args, lines)
    command = command or args[0]
    assert len(lines) == 1 and lines[0].startswith(f"timbre-rt {command}: error: "), lines
    assert words in lines[0], (words, lines[0])


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faulty")
    faults = ["", "nan_encode", "short_encode", "raise_encode", "nan_decode", "raise_decode"]
    return {f or "good": save(Faulty(f), folder / f"{f or 'good'}.ts") for f in faults}


@pytest.fixture
def files(tmp_path, models):
    """a.wav .. d.wav (0.1 s tones) and a.npz, the series of a.wav."""
    t = np.arange(int(0.1 * RATE)) / RATE
    paths = {}
    for i, name in enumerate("abcd"):
        paths[name] = tmp_path / f"{name}.wav"
        soundfile.write(str(paths[name]), 0.3 * np.sin(2 * np.pi * 220 * (i + 1) * t), RATE, subtype="FLOAT")
    paths["series"] = encode_audio(models["good"], soundfile.read(str(paths["a"]))[0]).save(tmp_path / "a.npz")
    return paths


def snapshot(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def with_meta(series_path, out, **changes):
    with np.load(series_path) as data:
        latent, meta = data["latent"], json.loads(str(data["meta"][()]))
    meta.update(changes)
    with open(out, "wb") as f:
        np.savez(f, latent=latent, meta=np.array(json.dumps(meta)))
    return out


# --- files lost or damaged ---------------------------------------------------------------


def test_output_equal_to_an_input_is_refused(models, files, tmp_path, capsys):
    before = snapshot(tmp_path)
    m = models["good"]
    link = tmp_path / "link.wav"
    link.symlink_to(files["a"])
    cases = [
        ["encode", m, files["a"], "-o", files["a"]],
        ["encode", m, files["a"], "-o", link],  # the same file through a link
        ["encode", m, files["a"], "-o", m],
        ["decode", m, files["series"], "-o", files["series"]],
        ["plane", m, files["a"], files["b"], files["c"], files["d"], "--path", "circle", "-o", files["c"]],
        ["morph", m, files["a"], files["b"], "-o", files["b"]],
        ["deform", files["series"], "--spec", files["series"], "-o", files["series"]],
    ]
    for args in cases:
        fails(args, capsys, 2, "it would be overwritten")
    after = snapshot(tmp_path)
    assert all(after[p] == b for p, b in before.items())


def test_play_record_over_its_input_is_refused(files, models, capsys):
    before = files["a"].read_bytes()
    fails(["play", models["good"], "--input", files["a"], "--record", files["a"]], capsys, 2, "it would be overwritten")
    assert files["a"].read_bytes() == before


def test_failed_decode_leaves_the_existing_output(models, files, tmp_path, capsys):
    existing = tmp_path / "existing.wav"
    existing.write_bytes(b"precious")
    bad = with_meta(files["series"], tmp_path / "bad.npz", num_samples="abc")
    fails(["decode", models["good"], bad, "-o", existing], capsys, 1, "num_samples: must be an integer")
    fails(
        ["decode", models["nan_decode"], files["series"], "--any-model", "-o", existing],
        capsys,
        1,
        "decode returned NaN",
    )
    assert existing.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- no bound on work or memory ----------------------------------------------------------


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"num_samples": 1e11}, "num_samples: 100000000000 samples, but"),
        ({"delay": 1e10}, "delay: 10000000000 samples, but"),
        ({"num_samples": -100}, "num_samples: must be >= 1, got -100"),
        ({"delay": -5000}, "delay: must be >= 0, got -5000"),
        ({"num_samples": "abc"}, "num_samples: must be an integer, got 'abc'"),
        ({"latent_names": "z0"}, "latent_names: must be a list"),
        ({"sampling_rate": 0}, "sampling_rate: must be >= 1"),
        ({"history": {"op": 1}}, "history: must be a list"),
    ],
)
def test_series_metadata_is_checked(models, files, tmp_path, capsys, changes, words):
    bad = with_meta(files["series"], tmp_path / "bad.npz", **changes)
    fails(["decode", models["good"], bad, "-o", tmp_path / "x.wav"], capsys, 1, f"bad.npz: {words}")
    assert not (tmp_path / "x.wav").exists()


def test_durations_are_bounded(models, files, tmp_path, capsys):
    m, anchors = models["good"], [files[k] for k in "abcd"]
    out = tmp_path / "x.wav"
    for seconds in ("1e7", "0", "-1", "nan"):
        fails(["plane", m, *anchors, "--path", "circle", "--seconds", seconds, "-o", out], capsys, 2, "--seconds")
    spec = tmp_path / "s.yaml"
    spec.write_text("- {op: stretch, factor: 1e8}\n")
    fails(["deform", files["series"], "--spec", spec, "-o", tmp_path / "x.npz"], capsys, 1, "past the limit")
    path = tmp_path / "path.csv"
    path.write_text("time,x,y\n0,0,0\n100000,1,1\n")
    fails(["plane", m, *anchors, "--path", path, "-o", out], capsys, 1, "past the limit")
    assert not out.exists()


# --- silent wrong results ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fault, words",
    [
        ("nan_encode", "encode returned NaN or inf"),
        ("short_encode", "encode returned shape (1, 2, 0), its declared params imply (1, 2, 1)"),
        ("raise_encode", "encode failed: RuntimeError: the encoder exploded"),
    ],
)
def test_broken_encoders_are_model_errors(models, files, tmp_path, capsys, fault, words):
    fails(
        ["encode", models[fault], files["a"], "-o", tmp_path / "x.npz", "--chunk", "16"],
        capsys,
        1,
        f"model file '{models[fault]}': {words}",
    )
    assert not (tmp_path / "x.npz").exists()


def test_model_errors_in_the_api_name_the_file(models):
    model = load_model(models["raise_decode"])
    with pytest.raises(ModelError, match=r"raise_decode.ts': decode failed: .*decoder exploded$"):
        model.decode(torch.zeros(1, 2, 4))
    with pytest.raises(ModelError, match=r"nan_encode.ts': encode returned NaN"):
        encode_audio(load_model(models["nan_encode"]), np.ones(64, np.float32))


def test_bad_plane_numbers(models, files, tmp_path, capsys):
    m, anchors = models["good"], [files[k] for k in "abcd"]
    out = tmp_path / "x.wav"
    fails(["plane", m, *anchors, "--path", "circle", "--radius", "nan", "-o", out], capsys, 2, "--radius")
    fails(
        ["plane", m, *anchors, "--path", "circle", "--positions", "nan,0;1,1;0,1;1,0", "-o", out],
        capsys,
        2,
        "--positions (anchor 1): x and y must be finite",
    )
    fails(
        ["plane", m, *anchors, "--path", "circle", "--positions", "0,0;1,1", "-o", out],
        capsys,
        2,
        "2 positions for 4 anchors",
    )
    fails(
        ["plane", m, anchors[0], "--path", "circle", "--positions", "0,0", "-o", out],
        capsys,
        2,
        "give at least 2 anchor sounds",
    )
    assert not out.exists()


def _wav_bytes(seconds):
    return b"".join(
        [
            b"RIFF",
            struct.pack("<I", 36 + 2 * int(seconds * RATE)),
            b"WAVE",
            b"fmt ",
            struct.pack("<IHHIIHH", 16, 1, 1, RATE, 2 * RATE, 2, 16),
            b"data",
            struct.pack("<I", 2 * int(seconds * RATE)),
        ]
    )


@pytest.mark.parametrize("declared", [1.0, 36000.0])  # truncated, a header claiming 10 hours
def test_short_wav_files_are_refused(models, tmp_path, capsys, declared):
    wav = tmp_path / "short.wav"
    wav.write_bytes(_wav_bytes(declared) + b"\0\1" * 1000)
    fails(["encode", models["good"], wav, "-o", tmp_path / "x.npz"], capsys, 1, "truncated or damaged")


# --- misleading messages -----------------------------------------------------------------


def test_exponents_in_specs_are_numbers(files, tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text("- {op: stretch, factor: 2e0}\n- {op: offset, value: 1e-1}\n")
    out = tmp_path / "x.npz"
    status, _ = run(["deform", files["series"], "--spec", spec, "-o", out, "--no-plot"], capsys)
    assert status == 0 and out.exists()
    spec.write_text("- {op: stretch, factor: 1e9}\n")
    fails(["deform", files["series"], "--spec", spec, "-o", out], capsys, 1, "factor 1e+09 would")


def test_unknown_keys_get_a_hint(files, tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text("- {op: strech, factor: 2}\n")
    fails(
        ["deform", files["series"], "--spec", spec, "-o", tmp_path / "x.npz"],
        capsys,
        1,
        "unknown op 'strech' (did you mean 'stretch'?)",
    )
    spec.write_text("- {op: stretch, factr: 2}\n")
    fails(
        ["deform", files["series"], "--spec", spec, "-o", tmp_path / "x.npz"],
        capsys,
        1,
        "unknown key 'factr' (did you mean 'factor'?)",
    )


def test_debug_shows_the_traceback(models, files, tmp_path, capsys):
    args = ["encode", str(models["raise_encode"]), str(files["a"]), "-o", str(tmp_path / "x.npz")]
    assert main(args + ["--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("timbre-rt encode: error:")


# --- training, export, dataset, bench ----------------------------------------------------


def _train_args(config, tmp_path, *extra):
    return [
        "train",
        "continuous",
        "--config",
        config,
        "--data",
        tmp_path / "nowhere",
        "--out",
        tmp_path / "run",
        "--accelerator",
        "cpu",
        *extra,
    ]


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--minutes", "-2"], "--minutes: must be a positive number"),
        (["--minutes", "nan"], "--minutes: must be a positive number"),
        (["--devices", "0"], "--devices: must be at least 1"),
        (["--num-nodes", "0"], "--num-nodes: must be at least 1"),
        (["--workers", "-5"], "--workers"),
        (["--accelerator", "tpu"], "--accelerator: must be one of"),
    ],
)
def test_train_options_are_usage_errors(tmp_path, capsys, extra, words):
    fails(_train_args("models/continuous.yaml", tmp_path, *extra), capsys, 2, words)
    assert not (tmp_path / "run").exists()


def test_train_on_gpu_without_one(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    args = _train_args("models/continuous.yaml", tmp_path)
    args[args.index("cpu")] = "gpu"
    fails(args, capsys, 2, "0 CUDA device(s) here")


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "empty config"),
        ("model: discrete\n", "model: a config for a 'discrete' model, not a continuous one"),
        ("vae_stage: {steps: lots}\n", "vae_stage.steps: must be an integer, got 'lots'"),
        ("vae_stage: {steps: -5}\n", "vae_stage.steps: must be >= 0"),
        ("vae_stage: {steps: 5, learning_rate: fast}\n", "vae_stage.learning_rate: must be a number"),
        ("vae_stage: {steps: 5, learning_rate: 0}\n", "vae_stage.learning_rate: must be > 0"),
        ("vae: {hidden: [1, 2]}\n", "vae.hidden: must be an integer"),
        ("vae: {latent_dims: 0}\n", "vae.latent_dims: must be >= 1"),
        ("validate_every: 0\n", "validate_every: must be >= 1"),
    ],
)
def test_bad_train_configs_fail_before_any_work(tmp_path, capsys, text, words):
    config = tmp_path / "c.yaml"
    config.write_text(text)
    fails(_train_args(config, tmp_path), capsys, 1, f"c.yaml: {words}")
    assert not (tmp_path / "run").exists()


@pytest.fixture
def run_folder(tmp_path):
    """A discrete run folder whose stage weights are garbage."""
    from discrete_fixtures import TINY_YAML

    run = tmp_path / "run"
    (run / "vqvae").mkdir(parents=True)
    (run / "config.yaml").write_text(TINY_YAML)
    (run / "vqvae" / "weights.pt").write_bytes(b"not a torch file")
    (run / "vqvae" / "done.json").write_text("{}")
    return run


def test_export_of_a_broken_run(run_folder, tmp_path, capsys):
    out = tmp_path / "m.ts"
    fails(["export", run_folder, "--out", out], capsys, 1, "weights cannot be loaded")
    (run_folder / "config.yaml").write_bytes(b"\xff\xfe\x00garbage")
    fails(["export", run_folder, "--out", out], capsys, 1, "config.yaml: not a text file")
    fails(["export", run_folder, "--out", tmp_path], capsys, 2, "is a folder")
    fails(["export", run_folder, "--out", run_folder / "config.yaml"], capsys, 2, "it would be overwritten")
    fails(["export", tmp_path / "nope", "--out", out], capsys, 1, "no such run folder")
    assert not out.exists()


def test_make_dataset_checks_rate_and_a_damaged_cache(files, tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for name in "abcd":
        soundfile.write(str(src / f"{name}.wav"), np.full(6000, 0.1 * (1 + "abcd".index(name))), RATE, subtype="FLOAT")
    args = ["make-dataset", "--folder", src, "--out", tmp_path / "cache", "--chunk", "1024", "--held-out", "0.25"]
    fails(args + ["--rate", "0"], capsys, 2, "--rate: must be a sampling rate")
    fails(args + ["--chunk", "0"], capsys, 2, "--chunk: must be at least 1")
    fails(args + ["--held-out", "2"], capsys, 2, "--held-out: must be a fraction")
    assert run(args, capsys)[0] == 0
    train = tmp_path / "cache" / "train.npy"
    train.write_bytes(train.read_bytes()[:-100])
    status, lines = run(args, capsys)
    assert status != 0 and "train.npy: damaged cache array" in lines[-1]


def test_bench_out_is_a_folder(models, files, tmp_path, capsys):
    status, lines = run(["bench", "--models", models["good"], "--out", files["a"]], capsys)
    assert status == 2 and "is a file" in lines[-1]


# --- the discrete model's commands -------------------------------------------------------


@pytest.fixture(scope="module")
def discrete(tmp_path_factory):
    from discrete_fixtures import export_tiny

    return export_tiny(tmp_path_factory.mktemp("discrete") / "tiny.ts")


def test_synth_and_codebook_bounds(discrete, tmp_path, capsys):
    target = tmp_path / "t.csv"
    target.write_text("time,centroid\n0,400\n1,800\n")
    out = tmp_path / "s.wav"
    fails(
        ["synth", discrete, "--target", target, "--out", out, "--gain-db", "400"],
        capsys,
        2,
        "--gain-db: must be between",
    )
    fails(["synth", discrete, "--target", target, "--out", out, "--seconds", "1e7"], capsys, 2, "--seconds")
    fails(["synth", discrete, "--target", target, "--out", target], capsys, 2, "it would be overwritten")
    far = tmp_path / "far.csv"
    far.write_text("time,centroid\n0,400\n100000,800\n")
    fails(["synth", discrete, "--target", far, "--out", out], capsys, 1, "time: the last target")
    assert not out.exists()
    folder = tmp_path / "cb"
    fails(["codebook", discrete, "--out", folder, "--hold", "100000"], capsys, 2, "--hold")
    fails(["codebook", discrete, "--out", folder, "--max-files", "0"], capsys, 2, "--max-files: must be at least 1")
    fails(["codebook", discrete, "--out", target], capsys, 2, "is a file")
    assert not folder.exists()


def test_codebook_data_skips_unreadable_files(discrete, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a_broken.wav").write_bytes(b"RIFF not really")
    t = np.arange(16000) / 16000
    soundfile.write(str(data / "b.wav"), 0.3 * np.sin(2 * np.pi * 330 * t), 16000)
    status, lines = run(["codebook", discrete, "--out", tmp_path / "cb", "--data", data, "--no-progress"], capsys)
    assert status == 0 and any("skipped" in line and "a_broken.wav" in line for line in lines)
    report = json.loads((tmp_path / "cb" / "eval.json").read_text())
    assert report["files"] == 1 and list(report["skipped"]) == [str(data / "a_broken.wav")]


def test_bench_on_a_model_without_reset(tmp_path, capsys):
    from fixture_models import RaveLike

    model = save(RaveLike(), tmp_path / "rave.ts")
    status, lines = run(
        ["bench", "--models", model, "--calls", "2", "--rounds", "1", "--buffers", "256", "--out", tmp_path / "b"],
        capsys,
    )
    assert status == 0, lines


@pytest.mark.parametrize(
    "op, words",
    [
        ("{op: smooth, frames: 1e9}", "longer than the series"),
        (
            "{op: offset, value: 3e38}\n- {op: offset, value: 3e38}",  # the sum overflows
            "op 1 (offset): latent series: frames hold NaN or inf",
        ),
        ("{op: scale, value: 1e300}", "value is too large"),
    ],
)
def test_deform_cannot_blow_up(files, tmp_path, capsys, op, words):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"- {op}\n")
    out = tmp_path / "x.npz"
    fails(["deform", files["series"], "--spec", spec, "-o", out], capsys, 1, words)
    assert not out.exists()


def test_demo_options(tmp_path, capsys):
    status, lines = run(["demo", "--seconds", "nan", "--out", tmp_path / "d.wav"], capsys)
    assert status == 2 and lines == ["error: --buffer and --block must be >= 1 and --seconds in (0, 3600]"]


def test_encode_audio_checks_its_array(models):
    from timbre_rt.generate import GenerateError

    model = load_model(models["good"])
    with pytest.raises(GenerateError, match="<array>: non-finite samples"):
        encode_audio(model, np.array([0.0, np.nan] * 32, np.float32))
    with pytest.raises(GenerateError, match=r"audio must be mono \[T\], got shape \(2, 64\)"):
        encode_audio(model, np.zeros((2, 64), np.float32))
    assert encode_audio(model, np.zeros((1, 64), np.float32)).frames == 4


def test_plane_path_file_errors_are_failures(models, files, tmp_path, capsys):
    anchors = [files[k] for k in "abcd"]
    path = tmp_path / "path.csv"
    path.write_text("time,x,y\n0,0,nan\n")
    fails(
        ["plane", models["good"], *anchors, "--path", path, "-o", tmp_path / "x.wav"],
        capsys,
        1,
        "path.csv: NaN or inf in the path",
    )
    fails(
        ["plane", models["good"], *anchors, "--path", "spiral", "-o", tmp_path / "x.wav"],
        capsys,
        2,
        "spiral: no such path file",
    )
