"""Time one method of one model file: inside the Engine's worker, and called directly.

Both sides run the same TorchScript method on the same input shape
([1, in_channels, buffer / in_ratio]), with the same intra-op thread count,
so their difference is what the engine adds around the model call (input
wrapping, output checks and copies), not the model itself.
"""

import time
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch

from .._core import Engine
from ..model_file import load_scripted

STATS_WINDOW = 1024  # the engine keeps the compute times of its last 1024 calls


@dataclass
class Timing:
    """Per-call compute time in milliseconds over `calls` calls."""

    calls: int
    p50: float
    p99: float
    max: float


@dataclass
class BenchResult:
    """One row of the report: a model file x method x buffer x threads."""

    model: str  # label: the path as given, or a description of the built-in model
    method: str
    buffer: int  # samples per model call (the engine rounds up to the block size)
    threads: int
    sampling_rate: int
    calls: int
    engine_ms_p50: float
    engine_ms_p99: float
    engine_ms_max: float
    direct_ms_p50: float
    direct_ms_p99: float
    direct_ms_max: float
    overhead_pct: float  # (engine p50 - direct p50) / direct p50 * 100
    realtime_factor: float  # buffer duration / engine p50 (> 1: faster than real time)
    underruns: int
    errors: int

    @property
    def buffer_ms(self) -> float:
        return 1000.0 * self.buffer / self.sampling_rate


def quantile(sorted_ms: Sequence[float], q: float) -> float:
    """Nearest-rank quantile, the same rule as the engine's stats()."""
    return float(sorted_ms[int(q * (len(sorted_ms) - 1) + 0.5)])


def timing_of(times_ms: Sequence[float]) -> Timing:
    s = sorted(times_ms)
    return Timing(calls=len(s), p50=quantile(s, 0.5), p99=quantile(s, 0.99), max=float(s[-1]))


def make_inputs(in_channels: int, in_ratio: int, buffer: int, count: int, seed: int = 0) -> List[np.ndarray]:
    """`count` model inputs of one buffer each, as frames: float32 [in_channels, buffer / in_ratio].

    Audio (ratio 1) is noise of std 0.3; latents (ratio > 1) are unit normal.
    """
    rng = np.random.default_rng(seed)
    scale = 0.3 if in_ratio == 1 else 1.0
    shape = (in_channels, buffer // in_ratio)
    return [(scale * rng.standard_normal(shape)).astype(np.float32) for _ in range(count)]


def _wait_for_calls(engine: Engine, count: int, timeout_s: float = 10.0) -> None:
    # In sync mode process() returns once the *previous* buffer is computed: the
    # last submitted job may still be running, so wait before reading or clearing.
    deadline = time.perf_counter() + timeout_s
    while engine.stats()["calls"] < count and time.perf_counter() < deadline:
        time.sleep(0.0002)


def _feed_engine(engine: Engine, audio: List[np.ndarray], start: int, count: int, out: np.ndarray) -> None:
    for i in range(start, start + count):
        engine.process(audio[i % len(audio)], out=out)


def _time_direct(fn, tensors: List[torch.Tensor], start: int, count: int) -> List[float]:
    times = []
    for i in range(start, start + count):
        x = tensors[i % len(tensors)]
        begin = time.perf_counter()
        fn(x)
        times.append(1000.0 * (time.perf_counter() - begin))
    return times


@torch.no_grad()
def measure_pair(
    engine: Engine,
    module: torch.jit.ScriptModule,
    inputs: List[np.ndarray],
    calls: int,
    warmup: int,
    rounds: int = 10,
) -> Tuple[Dict, Timing]:
    """Time `calls` model calls in the engine's worker and `calls` direct calls.

    engine: sync=True, any buffer; module: the same file, torch.jit.load-ed.
    inputs: frames [in_channels, buffer / in_ratio], cycled (held to audio rate
    for the engine, one buffer per process() call). The measured calls are
    split into `rounds` alternating engine / direct batches so that a drift of
    the machine's speed (other load, clock) hits both sides alike.
    Returns (engine.stats() over the measured calls, direct Timing).
    """
    if not engine.sync:
        raise ValueError("measure_pair needs a sync=True engine (every buffer computed)")
    audio = [np.ascontiguousarray(np.repeat(x, engine.in_ratio, axis=-1)) for x in inputs]
    tensors = [torch.from_numpy(x)[None] for x in inputs]
    out = np.zeros((engine.out_channels, engine.buffer), dtype=np.float32)
    fn = getattr(module, engine.method)
    engine.reset()
    if hasattr(module, "reset"):  # optional in the contract (foreign files may lack it)
        module.reset()
    # Warm-up: TorchScript optimises a method after its first calls (both sides).
    _feed_engine(engine, audio, 0, warmup, out)
    _time_direct(fn, tensors, 0, warmup)
    _wait_for_calls(engine, warmup)
    engine.clear_stats()
    direct: List[float] = []
    done = 0
    for r in range(rounds):
        n = (calls - done) // (rounds - r)
        _feed_engine(engine, audio, warmup + done, n, out)
        _wait_for_calls(engine, done + n)  # the engine's last job ends before we time ours
        direct += _time_direct(fn, tensors, warmup + done, n)
        done += n
    return engine.stats(), timing_of(direct)


def bench_one(
    path: str,
    label: str,
    method: str,
    buffer: int,
    threads: int,
    calls: int = 1000,
    warmup: int = 20,
    seed: int = 0,
    rounds: int = 10,
) -> BenchResult:
    """Measure the engine and the direct call for one configuration."""
    if not 1 <= calls <= STATS_WINDOW:
        raise ValueError(f"calls must be in [1, {STATS_WINDOW}] (the engine's stats window)")
    rounds = max(1, min(rounds, calls))
    engine = Engine(path, method=method, buffer=buffer, threads=threads, sync=True)
    buffer = engine.buffer  # rounded up to the model's block size
    inputs = make_inputs(engine.in_channels, engine.in_ratio, buffer, count=8, seed=seed)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)  # the worker sets the same (process-wide) intra-op pool
    try:
        stats, direct = measure_pair(engine, load_scripted(path), inputs, calls, warmup, rounds)
    finally:
        torch.set_num_threads(previous)
    rate = engine.sampling_rate
    del engine

    engine_p50 = float(stats["compute_ms_p50"])
    return BenchResult(
        model=label,
        method=method,
        buffer=buffer,
        threads=threads,
        sampling_rate=rate,
        calls=int(stats["calls"]),
        engine_ms_p50=engine_p50,
        engine_ms_p99=float(stats["compute_ms_p99"]),
        engine_ms_max=float(stats["compute_ms_max"]),
        direct_ms_p50=direct.p50,
        direct_ms_p99=direct.p99,
        direct_ms_max=direct.max,
        overhead_pct=100.0 * (engine_p50 - direct.p50) / direct.p50 if direct.p50 > 0 else float("nan"),
        realtime_factor=(1000.0 * buffer / rate) / engine_p50 if engine_p50 > 0 else float("inf"),
        underruns=int(stats["underruns"]),
        errors=int(stats["errors"]),
    )
