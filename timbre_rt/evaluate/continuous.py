"""An exported continuous timbre model, loaded, checked and run on whole files.

The file's contract (see `timbre_rt.export`) plus, for model_kind "continuous":
    encode(x: [1, 1, T]) -> [1, C, T / ratio]  z (posterior mean), then the control
        channels: (pitch, periodicity,) loudness dB
    decode([1, C, T / ratio]) -> [1, 1, T]
    posterior(x: [1, 1, T]) -> [1, 2 D, T / ratio]  mean then log-variance of the D z dims
    latent_names[-1] == "loudness", mel_n_fft, mel_hop, mel_n_mels, mel_fmin, mel_fmax.
"""

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import List, Union

import torch

from .errors import EvaluationError
from .griffin_lim import MEL_ATTRIBUTES, MelParams

REQUIRED_METHODS = ("encode", "decode", "posterior", "reset")
REQUIRED_ATTRIBUTES = (
    "sampling_rate",
    "block_size",
    "latent_names",
    "model_kind",
    "encode_latency",
    "decode_latency",
) + MEL_ATTRIBUTES
# Samples per call: streaming makes chunked calls exact, and bounds the
# activations' memory on long files.
CHUNK_SAMPLES = 1 << 16
# Latent channels that are measured, not learned: they follow the z dims.
CONTROL_CHANNELS = ("pitch", "periodicity", "loudness")


@dataclass
class ModelOutputs:
    """One file through the model. N = frames covering the file (no padding-only frame)."""

    reconstruction: torch.Tensor  # [1, 1, T], aligned with the input (latency removed)
    z: torch.Tensor  # [D, N] latent of encode (posterior mean)
    loudness: torch.Tensor  # [N] dB, encode's last channel
    mu: torch.Tensor  # [D, N] from posterior
    logvar: torch.Tensor  # [D, N]


class ContinuousModel:
    """Load `path` with torch.jit.load and check the continuous contract.

    Raises EvaluationError naming everything that is missing.
    """

    def __init__(self, path: Union[str, Path], device: Union[str, torch.device] = "cpu"):
        path = Path(path)
        if not path.is_file():
            raise EvaluationError(f"model file not found: {path}")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", r"`torch\.jit\.\w+` is deprecated")
                module = torch.jit.load(str(path), map_location=device)
        except Exception as e:  # torch raises RuntimeError, ValueError, ... for bad files
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise EvaluationError(f"cannot load {path} as a TorchScript model: {first}") from e
        problems = _contract_problems(module)
        if problems:
            raise EvaluationError(f"{path} is not a continuous timbre model: {'; '.join(problems)}")
        self.path = path
        self.module = module
        self.device = torch.device(device)
        self.sampling_rate = int(module.sampling_rate)
        self.block_size = int(module.block_size)
        self.latent_names: List[str] = [str(n) for n in module.latent_names]
        self.encode_latency = int(module.encode_latency)
        self.decode_latency = int(module.decode_latency)
        self.mel = MelParams.from_module(module)

    @property
    def latency(self) -> int:
        """Samples by which decode(encode(x)) lags x."""
        return self.encode_latency + self.decode_latency

    @property
    def z_names(self) -> List[str]:
        return [n for n in self.latent_names if n not in CONTROL_CHANNELS]

    def _call(self, method: str, x: torch.Tensor, ratio: int) -> torch.Tensor:
        """reset(), then `method` on consecutive chunks of x ([1, C, L], L frames at `ratio`)."""
        self.module.reset()
        fn = getattr(self.module, method)
        step = max(1, (CHUNK_SAMPLES // self.block_size)) * self.block_size // ratio
        try:
            return torch.cat([fn(x[..., s : s + step]) for s in range(0, x.size(-1), step)], dim=-1)
        except RuntimeError as e:  # TorchScript: a traceback, then the message on the last line
            last = (str(e).strip().splitlines() or ["RuntimeError"])[-1]
            raise EvaluationError(
                f"{self.path}: {method} failed on a [1, {x.size(1)}, {min(step, x.size(-1))}] chunk: {last}"
            ) from e

    @torch.no_grad()
    def run(self, x: torch.Tensor) -> ModelOutputs:
        """x: [T] or [1, 1, T] audio at the model's rate -> ModelOutputs."""
        x = x.reshape(1, 1, -1).to(self.device, torch.float32)
        t = x.size(-1)
        # Zero-pad so that the lagged reconstruction covers all of x, to whole blocks.
        padded = math.ceil((t + self.latency) / self.block_size) * self.block_size
        x_pad = torch.nn.functional.pad(x, (0, padded - t))

        latents = self._call("encode", x_pad, 1)
        channels, frames = latents.size(1), latents.size(2)
        if channels != len(self.latent_names) or frames == 0 or padded % frames:
            raise EvaluationError(
                f"{self.path}: encode gave shape {tuple(latents.shape)} for {padded} samples, "
                f"expected [1, {len(self.latent_names)}, {padded} / ratio]"
            )
        ratio = padded // frames
        decoded = self._call("decode", latents, ratio)
        if tuple(decoded.shape) != (1, 1, padded):
            raise EvaluationError(f"{self.path}: decode gave shape {tuple(decoded.shape)}, expected (1, 1, {padded})")
        post = self._call("posterior", x_pad, 1)
        d = len(self.z_names)
        if tuple(post.shape) != (1, 2 * d, frames):
            raise EvaluationError(
                f"{self.path}: posterior gave shape {tuple(post.shape)}, expected (1, {2 * d}, {frames})"
            )
        self.module.reset()

        # Frame n has seen input up to (n + 1) * ratio - encode_latency: keep
        # the frames that saw some of x, drop those that saw only padding.
        keep = min(frames, math.ceil((t + self.encode_latency) / ratio))
        return ModelOutputs(
            reconstruction=decoded[..., self.latency : self.latency + t],
            z=latents[0, :d, :keep],
            loudness=latents[0, -1, :keep],
            mu=post[0, :d, :keep],
            logvar=post[0, d:, :keep],
        )


def _contract_problems(module) -> List[str]:
    problems = []
    kind = getattr(module, "model_kind", None)
    if kind != "continuous":
        problems.append(f"model_kind is {kind!r} (expected 'continuous')")
    missing = [m for m in REQUIRED_METHODS if not hasattr(module, m)]
    if missing:
        problems.append(f"no method {', '.join(missing)}")
    missing = [a for a in REQUIRED_ATTRIBUTES if not hasattr(module, a)]
    if missing:
        problems.append(f"no attribute {', '.join(missing)}")
    names = list(getattr(module, "latent_names", []) or [])
    controls = [n for n in names if n in CONTROL_CHANNELS]
    if "latent_names" not in missing and (
        len(names) < 2 or names[-1] != "loudness" or names[len(names) - len(controls) :] != controls
    ):
        problems.append(
            f"latent_names must be the z names then 'loudness' (after 'pitch', "
            f"'periodicity' if the model has them), got {names}"
        )
    return problems
