"""Small TorchScript models that the engine tests build: each isolates one behaviour."""

from typing import List, Tuple

import numpy as np
import torch
from torch import nn


class Constant(nn.Module):
    """forward: [1, 1, T] -> [1, 1, T] filled with `value` (tells two models apart)."""

    def __init__(self, value: float):
        super().__init__()
        self.value = value
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))
        self.sampling_rate = 24000

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return ["forward"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full_like(x, self.value)


class Slow(nn.Module):
    """forward: identity after `rounds` matrix products, to be slower than real time."""

    def __init__(self, rounds: int, size: int = 256):
        super().__init__()
        self.rounds = rounds
        self.register_buffer("weight", torch.randn(size, size) / size**0.5)
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.ones(self.weight.shape[0], self.weight.shape[0])
        for _ in range(self.rounds):
            h = torch.tanh(h @ self.weight)
        return x + 0.0 * h.mean()


def save_slow(path, at_least: float) -> Tuple[str, float]:
    """Save a Slow model whose call takes at least `at_least` seconds in an Engine on this machine.

    A fixed round count is fast on a fast runner and the tests that need a slow model would
    prove nothing; so rounds grow until the engine's own median compute time is slow enough (it
    is measured there: the engine runs TorchScript several times faster than a Python call).
    Returns the path and that median in seconds.
    """
    from timbre_rt import Engine  # here, not at the top: the other fixtures need no build

    rounds = 400  # about 0.13 s in the engine on a 2-core Xeon of 2026
    for _ in range(12):
        saved = save(Slow(rounds=rounds), path)
        engine = Engine(saved, buffer=256, sync=True)
        engine.clear_stats()
        for _ in range(3):
            engine.process(np.zeros(256, dtype=np.float32))
        seconds = engine.stats()["compute_ms_p50"] / 1000
        del engine
        if seconds >= at_least:
            return saved, seconds
        rounds = int(rounds * min(8.0, 1.2 * at_least / max(seconds, 1e-4))) + 1
    raise RuntimeError(f"could not build a model slower than {at_least} s per call")


class NaNAbove(nn.Module):
    """forward: NaN wherever the input exceeds `threshold`, else the input."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x > self.threshold, torch.full_like(x, float("nan")), x)


class WrongShape(nn.Module):
    """forward: returns half the expected number of samples."""

    def __init__(self):
        super().__init__()
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[..., : x.shape[-1] // 2]


class RaveLike(nn.Module):
    """Mimics a RAVE streaming export's interface: `_params` buffers, get_methods(),
    get_attributes(), the rate from get_sample_rate() (no attribute), extra methods,
    no latency or contract metadata.

    encode: [1, 1, T] -> [1, 4, T / 64] (frame means of 4 gains)
    decode: [1, 4, T / 64] -> [1, 1, T] (held frames of the first channel)
    """

    def __init__(self):
        super().__init__()
        self.ratio = 64
        self.register_buffer("encode_params", torch.tensor([1, 1, 4, 64]))
        self.register_buffer("decode_params", torch.tensor([4, 64, 1, 1]))
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))
        self.register_buffer("gains", torch.tensor([1.0, -1.0, 0.5, 2.0]))
        self.temperature = 1.0

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return ["encode", "decode", "forward"]

    @torch.jit.export
    def get_attributes(self) -> List[str]:
        return ["temperature"]

    @torch.jit.export
    def get_sample_rate(self) -> int:
        return 44100

    @torch.jit.export
    def set_temperature(self, value: float) -> int:
        self.temperature = value
        return 0

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        frames = x.reshape(x.shape[0], 1, -1, self.ratio).mean(-1)
        return frames * self.gains.reshape(1, 4, 1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, :1].repeat_interleave(self.ratio, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def save(module: nn.Module, path) -> str:
    torch.jit.save(torch.jit.script(module), str(path))
    return str(path)


class Faulty(nn.Module):
    """An encode/decode pair (2 latent channels, one frame per 16 samples at 24 kHz)
    broken on purpose, to check that offline tools refuse what the engine refuses.

    fault: "" (works), "nan_encode", "short_encode", "raise_encode", "nan_decode",
    "raise_decode".
    """

    def __init__(self, fault: str = ""):
        super().__init__()
        self.fault = fault
        self.sampling_rate = 24000
        self.block_size = 16
        self.register_buffer("encode_params", torch.tensor([1, 1, 2, 16]))
        self.register_buffer("decode_params", torch.tensor([2, 16, 1, 1]))

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return ["encode", "decode"]

    @torch.jit.export
    def reset(self) -> None:
        pass

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        z = x.reshape(x.shape[0], 1, -1, 16).mean(-1).repeat(1, 2, 1)
        if self.fault == "nan_encode":
            z = z * float("nan")
        if self.fault == "short_encode":
            z = z[..., : z.shape[-1] // 2]
        if self.fault == "raise_encode":
            raise RuntimeError("the encoder exploded")
        return z

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        y = z[:, :1].repeat_interleave(16, dim=-1)
        if self.fault == "nan_decode":
            y = y * float("nan")
        if self.fault == "raise_decode":
            raise RuntimeError("the decoder exploded")
        return y
