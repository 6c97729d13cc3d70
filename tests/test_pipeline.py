"""timbre_rt.Pipeline: encoder -> latent knobs -> decoder behind one call.

IdentityCodec (ratio 16, encode delay 3, decode delay 5) makes every effect exact: its
latent channel i is sample i of each 16-sample frame, so a knob on dimension i shows at
known output samples."""

import threading

import numpy as np
import pytest

from timbre_rt import Engine, ModelError, Pipeline

RATIO = 16


def run(pipeline: Pipeline, signal: np.ndarray, block: int, before=None) -> np.ndarray:
    """signal [T] -> output [T], `block` samples per call; before(start) runs before each call."""
    out = np.zeros_like(signal)
    for start in range(0, signal.size, block):
        if before is not None:
            before(start)
        pipeline.process(signal[start : start + block], out[start : start + block])
    return out


@pytest.mark.parametrize("buffer", [16, 64, 2048])
@pytest.mark.parametrize("block", [1, 64, 100, 441])
def test_impulse_arrives_at_encoder_plus_decoder_latency(identity_path, buffer, block):
    pipeline = Pipeline(identity_path, buffer=buffer, sync=True)
    encoder = Engine(identity_path, method="encode", buffer=buffer)
    decoder = Engine(identity_path, method="decode", buffer=buffer)
    assert pipeline.latency == pipeline.model_latency == encoder.latency + decoder.latency
    assert (pipeline.encoder_latency, pipeline.decoder_latency) == (encoder.latency, decoder.latency)
    signal = np.zeros(3 * 4096 if block > 1 else 2 * buffer + 1200, dtype=np.float32)
    signal[777] = 0.5
    out = run(pipeline, signal, block)
    assert np.flatnonzero(out).tolist() == [777 + pipeline.latency]
    assert out[777 + pipeline.latency] == 0.5


def test_headroom_is_rounded_to_whole_frames_and_latency_stays_exact(identity_path):
    pipeline = Pipeline(identity_path, buffer=64, headroom=37, sync=True)
    assert pipeline.encoder_latency == 64 + 48 + 3  # headroom 37 -> 48: frames stay on the decoder's grid
    assert pipeline.decoder_latency == 64 + 37 + 5
    signal = np.zeros(2048, dtype=np.float32)
    signal[333] = 1.0
    out = run(pipeline, signal, 64)
    assert np.flatnonzero(out).tolist() == [333 + pipeline.latency]


def test_identity_chain_reproduces_the_input_delayed(identity_path, rng):
    pipeline = Pipeline(identity_path, buffer=256, sync=True)
    signal = rng.standard_normal(8192).astype(np.float32)
    out = run(pipeline, signal, 441)
    latency = pipeline.latency
    np.testing.assert_array_equal(out[latency:], signal[:-latency])
    assert not out[:latency].any()


def test_resampled_impulse_arrives_at_the_reported_latency(identity_path):
    pipeline = Pipeline(identity_path, buffer=256, sync=True, host_rate=48000, max_block=256)
    assert pipeline.host_rate == 48000 and pipeline.sampling_rate == 24000
    assert pipeline.latency >= 2 * pipeline.model_latency
    signal = np.zeros(48000, dtype=np.float32)
    signal[5000] = 1.0
    out = run(pipeline, signal, 256)
    peak = int(np.argmax(np.abs(out)))
    assert abs(peak - (5000 + pipeline.latency)) <= 1, (peak - 5000, pipeline.latency)
    assert pipeline.stats()["resampler_underruns"] == 0


def test_offset_applies_from_the_next_latent_frame(identity_path):
    pipeline = Pipeline(identity_path, buffer=64, sync=True, smoothing=1)
    signal = np.zeros(4096, dtype=np.float32)
    turn_at = 1024 + 40  # in the middle of frame 65 (frames start every 16 samples)

    def knob(start):
        if start == turn_at:
            pipeline.set_offset(3, 0.25)
            assert pipeline.offset(3) == 0.25 and pipeline.applied_offset(3) == 0.0

    out = run(pipeline, signal, 8, before=knob)
    # Encoder output sample t holds the frame for t - encoder_latency' (frames on a 16 grid):
    # the first frame boundary at or after the turn is 1072; its sample 3 leaves the decoder
    # decoder_latency later, then every 16 samples.
    first = 1072 + pipeline.decoder_latency + 3
    assert np.flatnonzero(out).tolist() == list(range(first, signal.size, RATIO))
    assert set(out[out != 0].tolist()) == {0.25}
    assert pipeline.applied_offset(3) == 0.25


def test_smoothing_ramps_over_frames(identity_path):
    pipeline = Pipeline(identity_path, buffer=64, sync=True, smoothing=4)
    pipeline.set_offset(0, 1.0)
    out = run(pipeline, np.zeros(2048, dtype=np.float32), 64)
    values = out[np.flatnonzero(out)]
    np.testing.assert_allclose(values[:5], [0.25, 0.5, 0.75, 1.0, 1.0])
    assert pipeline.smoothing == 4


def test_scale_freeze_and_bypass(identity_path, rng):
    signal = rng.standard_normal(4096).astype(np.float32)

    pipeline = Pipeline(identity_path, buffer=64, sync=True)
    for d in range(RATIO):
        pipeline.set_scale(d, -2.0)
    out = run(pipeline, signal, 64)
    latency = pipeline.latency
    np.testing.assert_allclose(out[latency:], -2.0 * signal[:-latency], rtol=1e-6)

    pipeline = Pipeline(identity_path, buffer=64, sync=True)
    for d in range(RATIO):
        pipeline.set_scale(d, -2.0)
        pipeline.set_bypass(d, True)
    out = run(pipeline, signal, 64)
    np.testing.assert_array_equal(out[latency:], signal[:-latency])
    assert pipeline.scale(0) == -2.0 and pipeline.bypassed(0)

    pipeline = Pipeline(identity_path, buffer=64, sync=True)

    def freeze(start):
        if start == 1024:  # a frame boundary: its latents are held from here on
            for d in range(RATIO):
                pipeline.set_freeze(d, True)

    out = run(pipeline, signal, 64, before=freeze)
    begin = 1024 + pipeline.decoder_latency
    frames = out[begin : begin + 1024].reshape(-1, RATIO)
    assert (frames == frames[0]).all() and frames[0].any(), "every frame repeats the frozen one"
    np.testing.assert_array_equal(
        frames[0], signal[1024 - pipeline.encoder_latency : 1024 - pipeline.encoder_latency + RATIO]
    )
    state = pipeline.transform_state()
    assert state["freeze"] == [True] * RATIO and state["applied_freeze"] == [1.0] * RATIO


def test_clear_transform(identity_path):
    pipeline = Pipeline(identity_path, buffer=64, sync=True)
    pipeline.set_offset(1, 2.0)
    pipeline.set_freeze(2, True)
    pipeline.clear_transform()
    state = pipeline.transform_state()
    assert state["offset"] == [0.0] * RATIO and state["freeze"] == [False] * RATIO


def test_knobs_hammered_from_another_thread_while_streaming(identity_path, rng):
    """Realtime mode, one thread turning knobs as fast as it can: no crash, every applied
    value is one that was set (never torn), and the last one applies within one frame."""
    pipeline = Pipeline(identity_path, buffer=256, headroom=256)
    values = [-1.0, 0.5, 2.0]
    stop = threading.Event()
    sets = [0]

    def hammer():
        k = 0
        while not stop.is_set():
            pipeline.set_offset(k % RATIO, values[k % 3])
            pipeline.set_scale((k + 5) % RATIO, values[(k + 1) % 3])
            pipeline.set_freeze((k + 7) % RATIO, k % 5 == 0)
            k += 1
        sets[0] = k

    thread = threading.Thread(target=hammer)
    thread.start()
    block = rng.standard_normal(64).astype(np.float32)
    out = np.zeros(64, dtype=np.float32)
    seen_offsets = set()
    try:
        for i in range(3000):
            pipeline.process(block, out)
            if i % 50 == 0:
                seen_offsets.update(pipeline.transform_state()["applied_offset"])
    finally:
        stop.set()
        thread.join()
    assert sets[0] > 100
    assert seen_offsets <= {0.0, *values}, seen_offsets
    assert np.isfinite(out).all()
    for d in range(RATIO):
        pipeline.set_offset(d, 0.125 * d)
        pipeline.set_freeze(d, False)
    frames = pipeline.frames
    pipeline.process(
        np.zeros(pipeline.latent_ratio, dtype=np.float32), np.zeros(pipeline.latent_ratio, dtype=np.float32)
    )
    assert pipeline.frames == frames + 1
    assert [pipeline.applied_offset(d) for d in range(RATIO)] == [0.125 * d for d in range(RATIO)]
    assert pipeline.stats()["errors"] == 0


def test_interleaved_frames_are_mixed_in_and_copied_out(identity_path, rng):
    mono = rng.standard_normal(2048).astype(np.float32)
    stereo_in = np.stack([mono + 1.0, mono - 1.0], axis=1)  # [n, 2]: the mean is `mono`
    a = Pipeline(identity_path, buffer=64, sync=True)
    b = Pipeline(identity_path, buffer=64, sync=True)
    expected = run(a, mono, 256)
    out = np.zeros((2048, 3), dtype=np.float32)
    for start in range(0, 2048, 256):
        b.process(stereo_in[start : start + 256], out[start : start + 256])
    for c in range(3):
        np.testing.assert_allclose(out[:, c], expected, atol=1e-6)


def test_two_files_encoder_and_decoder(identity_path, toy_path):
    pipeline = Pipeline(identity_path, identity_path, sync=True, buffer=64)
    assert pipeline.latent_channels == RATIO and pipeline.latent_names[0] == "z0"
    with pytest.raises(ValueError, match="outputs 4 latent channel"):
        Pipeline(toy_path, identity_path)


def test_bad_arguments_raise_clear_errors(identity_path, tmp_path):
    with pytest.raises(ModelError, match="missing.ts"):
        Pipeline(str(tmp_path / "missing.ts"))
    with pytest.raises(ModelError, match="nope"):
        Pipeline(identity_path, encode_method="nope")
    with pytest.raises(ValueError, match="must take mono audio"):
        Pipeline(identity_path, encode_method="decode", decode_method="decode")
    with pytest.raises(ValueError, match="smoothing"):
        Pipeline(identity_path, smoothing=0)
    pipeline = Pipeline(identity_path, buffer=64)
    with pytest.raises(IndexError, match="out of range"):
        pipeline.set_offset(RATIO, 1.0)
    with pytest.raises(IndexError):
        pipeline.applied_offset(-1)
    x = np.zeros(64, dtype=np.float32)
    with pytest.raises(ValueError, match="same number of frames"):
        pipeline.process(x, np.zeros(32, dtype=np.float32))
    with pytest.raises(TypeError):
        pipeline.process(x, np.zeros(64))  # float64 output cannot be written in place
    with pytest.raises(TypeError):
        pipeline.process(x, np.zeros((64, 2), dtype=np.float32)[:, 0])  # not contiguous
    read_only = np.zeros(64, dtype=np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        pipeline.process(x, read_only)
    with pytest.raises(ValueError, match="dimensions"):
        pipeline.process(np.zeros((2, 2, 2), dtype=np.float32), np.zeros((2, 2, 2), dtype=np.float32))
