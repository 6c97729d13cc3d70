"""What a musician hears first: level, hum on silence, and whether it keeps up.

- loudness-matched noise: white noise with the input's RMS in every 512-sample
  frame; its mel distance to the input is the scale of "no resemblance", so
  model distance / noise distance is comparable across sounds;
- level: output RMS over input RMS in dB;
- tone on silence: the strongest spectral line of decode(encode(zeros)), dBFS;
- realtime factor: audio seconds per CPU second of decode(encode(x)) on consecutive
  buffers of one size, one intra-op thread (the process's CPU time, not the wall
  clock: on a shared machine other jobs would otherwise set the number).
"""

import time
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch

NOISE_FRAME = 512
SILENCE_SECONDS = 2.0
SPEED_BUFFERS = (512, 2048)
SPEED_SECONDS = 6.0  # audio timed per buffer size (after warm-up calls)


@dataclass
class Quality:
    """Model-level checks (the file-level ones are averaged in EvalReport)."""

    silence_tone_dbfs: float
    silence_tone_hz: float
    realtime: Dict[str, float] = field(default_factory=dict)  # buffer -> x realtime, 1 thread


def matched_noise(x: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """x: [1, 1, T] -> white noise with x's RMS in each NOISE_FRAME-sample frame."""
    t = x.size(-1)
    frames = -(-t // NOISE_FRAME)
    padded = torch.nn.functional.pad(x, (0, frames * NOISE_FRAME - t)).reshape(frames, NOISE_FRAME)
    rms = padded.square().mean(dim=1, keepdim=True).sqrt()
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(frames, NOISE_FRAME, generator=g).to(x)
    return (noise * rms).reshape(1, 1, -1)[..., :t]


def level_db(output: torch.Tensor, reference: torch.Tensor) -> float:
    """20 log10(rms(output) / rms(reference)); nan when the reference is silent."""
    r = float(reference.square().mean().sqrt())
    o = float(output.square().mean().sqrt())
    if r <= 0:
        return float("nan")
    return 20.0 * float(np.log10(max(o, 1e-12) / r))


def strongest_line(audio: np.ndarray, sampling_rate: int) -> Tuple[float, float]:
    """(dBFS, Hz) of the highest peak of a Hann-windowed spectrum, scaled so that a
    full-scale sine reads 0 dBFS."""
    window = np.hanning(len(audio))
    spec = np.abs(np.fft.rfft(audio * window)) * 2.0 / window.sum()
    i = int(np.argmax(spec))
    return 20.0 * float(np.log10(max(spec[i], 1e-12))), i * sampling_rate / len(audio)


@torch.no_grad()
def silence_tone(module, sampling_rate: int, block: int) -> Tuple[float, float]:
    """The strongest line in decode(encode(zeros)) after a second of settling."""
    n = int(SILENCE_SECONDS * sampling_rate) // block * block
    module.reset()
    y = module.decode(module.encode(torch.zeros(1, 1, n)))[0, 0].numpy()
    module.reset()
    return strongest_line(y[n // 2 :], sampling_rate)


@torch.no_grad()
def realtime_factor(module, sampling_rate: int, buffer: int) -> float:
    """Seconds of audio per CPU second of decode(encode(x)) on consecutive buffers, one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        module.reset()
        x = torch.randn(1, 1, buffer) * 0.1
        for _ in range(10):  # TorchScript optimises on the first calls
            module.decode(module.encode(x))
        calls = max(20, int(SPEED_SECONDS * sampling_rate / buffer))
        start = time.process_time()
        for _ in range(calls):
            module.decode(module.encode(x))
        elapsed = time.process_time() - start
    finally:
        torch.set_num_threads(threads)
        module.reset()
    return calls * buffer / sampling_rate / elapsed


def measure_quality(module, sampling_rate: int, block: int, buffers: Sequence[int] = SPEED_BUFFERS) -> Quality:
    db, hz = silence_tone(module, sampling_rate, block)
    speed = {str(b): realtime_factor(module, sampling_rate, b) for b in buffers if b % block == 0}
    return Quality(db, hz, speed)


def quality_rows(q: Quality) -> List[Tuple[str, str]]:
    rows = [("tone on silence", f"{q.silence_tone_dbfs:.1f} dBFS at {q.silence_tone_hz:.0f} Hz")]
    rows += [(f"realtime factor, buffer {b}, 1 thread", f"{f:.1f}x") for b, f in q.realtime.items()]
    return rows
