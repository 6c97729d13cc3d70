"""Helpers shared by the engine tests: feed an engine host block by host block, and
compute the Python reference the engine must reproduce."""

import numpy as np
import torch


def stream_in_blocks(engine, signal: np.ndarray, block: int) -> np.ndarray:
    """signal: [C_in, T] -> engine output [C_out, T], fed `block` samples per call."""
    out = np.zeros((engine.out_channels, signal.shape[-1]), dtype=np.float32)
    for start in range(0, signal.shape[-1], block):
        chunk = np.ascontiguousarray(signal[:, start : start + block])
        out[:, start : start + chunk.shape[-1]] = engine.process(chunk)
    return out


def hold(frames: np.ndarray, ratio: int) -> np.ndarray:
    """frames: [C, N] -> [C, N * ratio], each frame held for `ratio` samples."""
    return np.repeat(frames, ratio, axis=-1)


def reference(path: str, method: str, signal: np.ndarray, in_ratio: int, out_ratio: int) -> np.ndarray:
    """One whole-signal call of the scripted method, at audio rate on both sides.

    signal: [C_in, T] at audio rate (frame-rate inputs are held) -> [C_out, T]."""
    module = torch.jit.load(path)
    if hasattr(module, "reset"):  # foreign files (e.g. RAVE-like) may have no reset()
        module.reset()
    x = torch.from_numpy(np.ascontiguousarray(signal[:, in_ratio // 2 :: in_ratio]))[None]
    with torch.no_grad():
        y = getattr(module, method)(x)[0].numpy()
    return hold(y, out_ratio)


def delayed(signal: np.ndarray, samples: int) -> np.ndarray:
    """signal: [C, T] -> [C, T] delayed by `samples`, zeros in front."""
    out = np.zeros_like(signal)
    out[:, samples:] = signal[:, : signal.shape[-1] - samples]
    return out


def chain_reference(path: str, signal: np.ndarray, encoder_latency: int, decoder_latency: int) -> np.ndarray:
    """What encoder -> decoder engines output for `signal` [1, T]: the decoder first sees the
    encoder's `encoder_latency` samples of silent latents, then encode(signal).

    Returns [1, T]."""
    module = torch.jit.load(path)
    module.reset()
    ratio = int(module.encode_params[3])
    assert encoder_latency % ratio == 0, "the encoder's latency must be whole frames"
    with torch.no_grad():
        z = module.encode(torch.from_numpy(np.ascontiguousarray(signal))[None])
        z = torch.cat([torch.zeros_like(z[..., : encoder_latency // ratio]), z], dim=-1)[..., : z.shape[-1]]
        module.reset()
        y = module.decode(z)[0].numpy()
    return delayed(y, decoder_latency)


def assert_engine_streams_like_one_call(
    path: str, method: str, signal: np.ndarray, block: int, buffer: int = 256, atol: float = 1e-4
) -> None:
    """The C++ engine fed `block` samples per call gives the whole-signal Python call of an
    audio-rate `method` (signal: [C_in, T]), `buffer` samples later, and reports that
    latency plus the model's own."""
    from timbre_rt import Engine

    module = torch.jit.load(path)
    module.reset()
    with torch.no_grad():
        whole = getattr(module, method)(torch.from_numpy(signal)[None])[0].numpy()
    engine = Engine(path, method=method, buffer=buffer, sync=True)
    out = stream_in_blocks(engine, signal, block)
    # The reported latency includes the model's own delay, already inside `whole`.
    assert engine.latency == buffer + getattr(module, f"{method}_latency")
    np.testing.assert_allclose(out, delayed(whole, buffer), atol=atol)
