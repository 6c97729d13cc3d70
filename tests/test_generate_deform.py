"""Each deformation op on a known series, spec files, and clear errors naming the op."""

import json

import numpy as np
import pytest

from timbre_rt.generate import DeformError, DiscreteLatentError, LatentSeries, deform, load_spec

# 10 frames per second: frame k is at time k / 10 s.
RATE, RATIO = 1000, 100


def known(latent, names=("z0", "z1", "loudness"), kind="continuous") -> LatentSeries:
    latent = np.asarray(latent, dtype=np.float32)
    return LatentSeries(
        latent=latent,
        sampling_rate=RATE,
        ratio=RATIO,
        latent_names=list(names),
        model_sha256="0" * 64,
        model_path="m.ts",
        model_kind=kind,
        num_samples=latent.shape[1] * RATIO,
        source="known",
    )


@pytest.fixture
def ramp():
    """z0 = 0..9, z1 = 10 * z0, loudness = -k dB."""
    k = np.arange(10, dtype=np.float32)
    return known(np.stack([k, 10 * k, -k]))


def test_offset_by_name_index_and_all(ramp):
    out = deform(ramp, [{"op": "offset", "value": {"z0": 1.0, 2: -5, "1": 0.5}}])
    np.testing.assert_allclose(out.latent, ramp.latent + np.array([[1.0], [0.5], [-5.0]]))
    out = deform(ramp, [{"op": "offset", "value": 2}])
    np.testing.assert_allclose(out.latent, ramp.latent + 2)
    assert out.history == [{"op": "offset", "value": 2}] and ramp.history == []


def test_scale_around_zero_and_mean(ramp):
    out = deform(ramp, [{"op": "scale", "value": {"z1": 0.5}}])
    np.testing.assert_allclose(out.latent[1], ramp.latent[1] * 0.5)
    np.testing.assert_allclose(out.latent[[0, 2]], ramp.latent[[0, 2]])
    out = deform(ramp, [{"op": "scale", "value": 2.0, "center": "mean"}])
    np.testing.assert_allclose(out.latent[0], 4.5 + 2 * (np.arange(10) - 4.5), rtol=1e-6)


def test_curve_replace_between_breakpoints(ramp):
    out = deform(ramp, [{"op": "curve", "dim": "z0", "points": [[0.2, 0.0], [0.6, 4.0]]}])
    # Times 0.2..0.6 follow the line 0 -> 4; outside, z0 is untouched.
    np.testing.assert_allclose(out.latent[0], [0, 1, 0, 1, 2, 3, 4, 7, 8, 9], atol=1e-6)


def test_curve_add_and_hold(ramp):
    out = deform(ramp, [{"op": "curve", "dim": 1, "points": "0.2:0,0.6:4", "mode": "add", "outside": "hold"}])
    np.testing.assert_allclose(out.latent[1] - ramp.latent[1], [0, 0, 0, 1, 2, 3, 4, 4, 4, 4], atol=1e-5)


def test_smooth_moving_average():
    spike = known([[0, 0, 0, 3, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [0] * 7])
    out = deform(spike, [{"op": "smooth", "frames": 3, "dims": ["z0"]}])
    np.testing.assert_allclose(out.latent[0], [0, 0, 1, 1, 1, 0, 0], atol=1e-6)
    np.testing.assert_allclose(out.latent[1:], spike.latent[1:])
    # 0.3 s at 10 frames/s is the same window.
    np.testing.assert_allclose(deform(spike, [{"op": "smooth", "seconds": 0.3}]).latent[0], out.latent[0])


def test_smooth_one_pole_step_response():
    step = known([[0, 1, 1, 1, 1], [0] * 5, [0] * 5])
    out = deform(step, [{"op": "smooth", "kind": "one_pole", "frames": 2}])
    a = 1 - np.exp(-1 / 2)
    np.testing.assert_allclose(out.latent[0], [0] + [1 - (1 - a) ** k for k in range(1, 5)], atol=1e-6)


def test_stretch(ramp):
    out = deform(ramp, [{"op": "stretch", "factor": 2}])
    assert out.frames == 20 and out.num_samples == 2 * ramp.num_samples
    np.testing.assert_allclose(out.latent[0, :19], np.arange(19) / 2, atol=1e-6)
    assert out.latent[0, 19] == 9  # the last frame holds
    half = deform(ramp, [{"op": "stretch", "factor": 0.5}])
    np.testing.assert_allclose(half.latent[0], [0, 2, 4, 6, 8])


def test_reverse(ramp):
    np.testing.assert_array_equal(deform(ramp, [{"op": "reverse"}]).latent, ramp.latent[:, ::-1])


def test_freeze_range_and_all(ramp):
    out = deform(ramp, [{"op": "freeze", "at": 0.2, "start": 0.5, "end": 0.8}])
    np.testing.assert_array_equal(out.latent[0], [0, 1, 2, 3, 4, 2, 2, 2, 8, 9])
    np.testing.assert_array_equal(out.latent[1], 10 * out.latent[0])
    out = deform(ramp, [{"op": "freeze", "at": 0.31, "dims": ["loudness"]}])
    np.testing.assert_array_equal(out.latent[2], np.full(10, -3))
    np.testing.assert_array_equal(out.latent[:2], ramp.latent[:2])


def test_noise_is_seeded_and_per_dim(ramp):
    spec = [{"op": "noise", "amount": {"z1": 0.5}, "seed": 7}]
    a, b = deform(ramp, spec), deform(ramp, spec)
    np.testing.assert_array_equal(a.latent, b.latent)
    diff = a.latent - ramp.latent
    assert np.all(diff[[0, 2]] == 0) and 0.1 < diff[1].std() < 1.5
    other = deform(ramp, [{"op": "noise", "amount": {"z1": 0.5}, "seed": 8}])
    assert not np.array_equal(other.latent, a.latent)


def test_ops_compose_in_order(ramp):
    out = deform(ramp, [{"op": "offset", "value": 1}, {"op": "scale", "value": 2}])
    np.testing.assert_allclose(out.latent, (ramp.latent + 1) * 2)
    assert [h["op"] for h in out.history] == ["offset", "scale"]


def test_spec_files_yaml_and_json_replay(ramp, tmp_path):
    (tmp_path / "d.yaml").write_text("ops:\n  - {op: offset, value: {z0: 0.5}}\n  - {op: reverse}\n")
    (tmp_path / "d.json").write_text(json.dumps([{"op": "offset", "value": {"z0": 0.5}}, {"op": "reverse"}]))
    a = deform(ramp, tmp_path / "d.yaml")
    b = deform(ramp, str(tmp_path / "d.json"))
    np.testing.assert_array_equal(a.latent, b.latent)
    # The history is itself a spec: replaying it gives the same series.
    np.testing.assert_array_equal(deform(ramp, a.history).latent, a.latent)
    assert load_spec(tmp_path / "d.yaml") == a.history


@pytest.mark.parametrize(
    "spec, words",
    [
        ([{"op": "offset", "value": 1}, {"op": "twist"}], "op 1: unknown op 'twist'"),
        ([{"op": "offset", "value": {"z9": 1}}], "op 0 (offset): no latent dimension 'z9'"),
        ([{"op": "curve", "dim": 3, "points": [[0, 1]]}], "op 0 (curve): no latent dimension 3"),
        ([{"op": "reverse"}, {"op": "stretch", "factor": -1}], "op 1 (stretch): factor must be positive"),
        ([{"op": "scale", "value": "big"}], "op 0 (scale): value must be a finite number"),
        ([{"op": "smooth", "frames": 2, "seconds": 1}], "op 0 (smooth): give exactly one"),
        ([{"op": "smooth", "frames": 2, "kind": "gauss"}], "op 0 (smooth): kind must be"),
        ([{"op": "freeze", "at": 0, "start": 1, "end": 0.5}], "op 0 (freeze): end"),
        ([{"op": "noise", "amount": -1}], "op 0 (noise): amount must not be negative"),
        ([{"op": "noise", "amount": 1, "seed": 1.5}], "op 0 (noise): seed must be"),
        ([{"op": "curve", "dim": "z0", "points": [[0, 1], [0, 2]]}], "op 0 (curve): points: two breakpoints"),
        ([{"op": "stretch"}], "op 0 (stretch): missing factor"),
        ([{"op": "offset", "value": 1, "vlaue": 2}], "op 0 (offset): unknown key 'vlaue' (did you mean 'value'?)"),
        ([{"value": 1}], "op 0: expected a mapping with an 'op' key"),
        ({"op": "offset"}, "expected a list of ops"),
    ],
)
def test_bad_specs_name_the_op(ramp, spec, words):
    with pytest.raises(DeformError) as e:
        deform(ramp, spec)
    assert words in str(e.value)


def test_bad_spec_files(ramp, tmp_path):
    with pytest.raises(DeformError, match="no such deform spec file"):
        deform(ramp, tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("ops: [ {op: offset\n")
    with pytest.raises(DeformError, match="bad.yaml: not valid YAML/JSON"):
        deform(ramp, tmp_path / "bad.yaml")
    (tmp_path / "unknown.yaml").write_text("- {op: offset, value: 1}\n- {op: wobble}\n")
    with pytest.raises(DeformError, match=r"unknown.yaml: op 1: unknown op 'wobble'"):
        load_spec(tmp_path / "unknown.yaml")


def test_discrete_series_only_moves_frames():
    codes = known([[3, 1, 4, 1], [0.5, 0.2, 0.9, 0.1]], names=("code", "gain"), kind="discrete")
    np.testing.assert_array_equal(deform(codes, [{"op": "reverse"}]).latent, codes.latent[:, ::-1])
    with pytest.raises(DiscreteLatentError, match="op 0 \\(smooth\\).*embedding space"):
        deform(codes, [{"op": "smooth", "frames": 2}])
