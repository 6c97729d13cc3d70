"""The validation layer: YAML numbers, schemas with hints, config files, atomic outputs."""

import os

import pytest

from timbre_rt.errors import InputError, UsageError
from timbre_rt.io import atomic_path, check_outputs
from timbre_rt.models.continuous.config import load_config as load_continuous
from timbre_rt.models.discrete.config import load_config as load_discrete
from timbre_rt.validate import Field, check_duration, check_mapping, load_yaml


@pytest.mark.parametrize(
    "text, value", [("1e9", 1e9), ("2E-4", 2e-4), ("-3e2", -300.0), (".5", 0.5), ("12", 12), ("1.0e9", 1e9)]
)
def test_yaml_reads_exponents_as_numbers(text, value):
    got = load_yaml(f"factor: {text}")["factor"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["a: 2020-13-45", "a: !!float abc", "a: !!int x"])
def test_yaml_values_it_cannot_build_name_the_file(text):
    with pytest.raises(InputError, match=r"^c.yaml: a value YAML cannot read"):
        load_yaml(text, "c.yaml")


def test_yaml_keeps_strings_and_reports_syntax_in_one_line():
    assert load_yaml("a: e9\nb: 1.2.3")["a"] == "e9"
    with pytest.raises(InputError, match=r"^spec.yaml: not valid YAML") as e:
        load_yaml("a: [1, 2\n", "spec.yaml")
    assert "\n" not in str(e.value)


SCHEMA = {
    "rate": Field(float, above=0),
    "count": Field(int, min=1, max=10),
    "mode": Field(str, choices=("loop", "hold"), required=False),
}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"rate": "fast", "count": 1}, "f: rate: must be a number, got 'fast'"),
        ({"rate": 0, "count": 1}, "f: rate: must be > 0, got 0"),
        ({"rate": float("nan"), "count": 1}, "f: rate: must be a finite number"),
        ({"rate": 1, "count": 1.5}, "f: count: must be an integer, got 1.5"),
        ({"rate": 1, "count": True}, "f: count: must be an integer, got True"),
        ({"rate": 1, "count": 11}, "f: count: must be <= 10, got 11"),
        ({"rate": 1, "count": 1, "mode": "lop"}, "did you mean 'loop'"),
        ({"rate": 1, "cuont": 1}, "f: unknown key 'cuont' (did you mean 'count'?)"),
        ({"rate": 1}, "f: missing count"),
        ([1, 2], "f: expected a mapping, got list"),
    ],
)
def test_schema_errors_name_the_field(data, message):
    with pytest.raises(InputError) as e:
        check_mapping(data, SCHEMA, "f")
    assert message in str(e.value)


def test_schema_accepts_and_converts():
    assert check_mapping({"rate": 2, "count": 3.0}, SCHEMA, "f") == {"rate": 2.0, "count": 3}


CONTINUOUS_CASES = [
    ("vae_stage: {steps: lots}", "vae_stage.steps: must be an integer, got 'lots'"),
    ("vae_stage: {steps: 5, learning_rate: fast}", "vae_stage.learning_rate: must be a number"),
    ("vae_stage: {steps: 5, learning_rate: 0}", "vae_stage.learning_rate: must be > 0"),
    ("vae_stage: {steps: -5}", "vae_stage.steps: must be >= 0, got -5"),
    ("vae: {hidden: [1, 2]}", "vae.hidden: must be an integer, got [1, 2]"),
    ("vae: {latent_dims: 0}", "vae.latent_dims: must be >= 1, got 0"),
    ("validate_every: 0", "validate_every: must be >= 1, got 0"),
    ("model: discrete", "a config for a 'discrete' model, not a continuous one"),
    ("", "empty config"),
    ("# only a comment\n", "empty config"),
    ("vae: {hiden: 3}", "vae: unknown key 'hiden' (did you mean 'hidden'?)"),
    ("mel: 3", "mel: expected a mapping, got int"),
    ("[1, 2]", "expected a mapping of config keys"),
]


@pytest.mark.parametrize("text, message", CONTINUOUS_CASES)
def test_continuous_config_errors(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_continuous(path)
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value)
    assert "\n" not in str(e.value)


def test_config_exponent_learning_rate_is_a_number(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model: continuous\nvae_stage: {steps: 5, learning_rate: 1e-3}\n")
    assert load_continuous(path).vae_stage.learning_rate == pytest.approx(1e-3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("vq: {decay: 2}", "vq.decay: must be <= 0.9999"),
        ("model: continuous", "not a discrete one"),
        ("frames: {window: 2048, hop: 0}", "frames.hop: must be >= 1"),
    ],
)
def test_discrete_config_errors(tmp_path, text, message):
    path = tmp_path / "d.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message.replace(".", r"\.")):
        load_discrete(path)


def test_shipped_configs_pass():
    for name in (
        "continuous",
        "continuous-melgan",
        "continuous-no-adversary",
        "continuous-cpu",
        "continuous-cpu-b0005",
    ):
        assert load_continuous(f"models/{name}.yaml").vae.latent_dims > 0
    for name in ("discrete", "discrete-loops"):
        assert load_discrete(f"models/{name}.yaml").vq.codes > 1


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), 1e7, "x"])
def test_durations_are_bounded(value):
    with pytest.raises(UsageError):
        check_duration(value, "--seconds", usage=True)


def test_atomic_path_keeps_the_old_file_on_failure(tmp_path):
    out = tmp_path / "out.wav"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(out) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("boom")
    assert out.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.wav"]
    with atomic_path(out) as tmp:
        assert tmp.suffix == ".wav" and tmp.parent == tmp_path
        tmp.write_bytes(b"new")
    assert out.read_bytes() == b"new" and os.listdir(tmp_path) == ["out.wav"]


def test_outputs_equal_to_inputs_are_refused(tmp_path):
    src = tmp_path / "a.wav"
    src.write_bytes(b"x")
    link = tmp_path / "link.wav"
    link.symlink_to(src)
    for out in (src, link, tmp_path / "sub" / ".." / "a.wav"):
        with pytest.raises(UsageError, match="is the input"):
            check_outputs([out], [src])
    with pytest.raises(UsageError, match="is a folder"):
        check_outputs([tmp_path], [src])
    check_outputs([tmp_path / "b.wav"], [src])  # a new file is fine


def test_debug_flag_is_taken_anywhere_before_the_double_dash():
    from timbre_rt.errors import split_debug

    assert split_debug(["a", "--debug", "b"]) == (["a", "b"], True)
    assert split_debug(["a", "--", "--debug"]) == (["a", "--", "--debug"], False)
    assert split_debug([]) == ([], False)


def test_train_module_entry_point_exits_cleanly(tmp_path, capsys):
    from timbre_rt.train.cli import main

    status = main(
        [
            "train",
            "continuous",
            "--config",
            str(tmp_path / "none.yaml"),
            "--data",
            str(tmp_path),
            "--out",
            str(tmp_path / "run"),
            "--devices",
            "0",
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and err == ["python -m timbre_rt.train train: error: --devices: must be at least 1, got 0"]


def test_configs_built_in_python_are_checked_like_files():
    from timbre_rt.models.continuous import ContinuousConfig
    from timbre_rt.models.discrete import DiscreteConfig

    with pytest.raises(InputError, match=r"^config: vae.hidden: must be an integer, got 'x'"):
        ContinuousConfig(vae={"hidden": "x"})
    with pytest.raises(InputError, match=r"config: vq: unknown key 'dimm' \(did you mean 'dim'\?\)"):
        DiscreteConfig(vq={"dimm": 3})
    assert ContinuousConfig(vocoder={"upsample": [4, 4, 4]}).vocoder.upsample == (4, 4, 4)
