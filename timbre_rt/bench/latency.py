"""The latency benchmark: for each model x method x device x threads x buffer x host block,
what a live host gets from the C++ core.

- compute: per-buffer compute time in the engine's worker (sync mode, p50/p99/max) and the
  realtime factor (buffer duration / p50), next to the same call from plain Python:
  TorchScript (`torch.jit.load`) and, when the model class can be rebuilt, eager PyTorch;
- paced: a host clock in real time (process() every block duration, realtime mode,
  headroom = buffer / 2 as `play` and the Pd objects use): underruns (blocks output as
  silence for want of a result) and dropped buffers;
- latency: an impulse through the engine (sync mode, the same host block) against
  silence; the first output sample that differs, against the latency the engine reports.

"pipeline" is encode -> latent knobs -> decode (timbre_rt.Pipeline), for files that have both.
"""

import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .._core import Engine, Pipeline
from ..model_file import list_methods, load_scripted
from .eager import eager_model
from .measure import Timing, _wait_for_calls, make_inputs, timing_of

__all__ = ["LatencyRow", "Plan", "latency_rows", "plan_rows"]

PIPELINE = "pipeline"


@dataclass
class LatencyRow:
    """One model x method x device x threads x buffer x host block. Times in ms."""

    model: str
    method: str
    device: str
    threads: int
    buffer: int  # samples per model call (rounded up to the block size)
    host_block: int  # samples per process() call
    sampling_rate: int
    headroom: int
    engine_ms_p50: float  # per buffer in the worker (pipeline: encode + decode)
    engine_ms_p99: float
    engine_ms_max: float
    realtime_factor: float  # buffer duration / engine p50
    torchscript_ms_p50: float  # the same call(s) from Python, TorchScript
    torchscript_ms_p99: float
    eager_ms_p50: Optional[float]  # ... eager PyTorch (None: class not rebuildable)
    eager_ms_p99: Optional[float]
    eager_note: str
    paced_seconds: float
    paced_calls: int
    underruns: int  # process() calls that output some silence for want of a result
    dropped: int  # buffers never computed (worker too far behind)
    late_host_calls: int  # the paced loop itself more than one block behind its clock
    latency_reported: int  # samples
    latency_measured: Optional[int]  # impulse; None: the impulse never changed the output

    @property
    def buffer_ms(self) -> float:
        return 1000.0 * self.buffer / self.sampling_rate

    def ms(self, samples: Optional[int]) -> Optional[float]:
        return None if samples is None else 1000.0 * samples / self.sampling_rate


@dataclass
class Plan:
    methods: Optional[Sequence[str]]
    devices: Sequence[str]
    threads: Sequence[int]
    buffers: Sequence[int]
    hosts: Sequence[int]
    calls: int = 200
    warmup: int = 20
    paced_seconds: float = 2.0
    seed: int = 0


# ---------------------------------------------------------------- compute times


def _time_calls(fn, tensors: List[torch.Tensor], count: int, device: str) -> List[float]:
    times = []
    cuda = device.startswith("cuda")
    for i in range(count):
        begin = time.perf_counter()
        fn(tensors[i % len(tensors)])
        if cuda:
            torch.cuda.synchronize()
        times.append(1000.0 * (time.perf_counter() - begin))
    return times


def _engine_times(engine: Engine, inputs: List[np.ndarray], calls: int, warmup: int) -> List[float]:
    """Engine compute stats over `calls` buffers fed one per process() call (sync mode)."""
    audio = [np.ascontiguousarray(np.repeat(x, engine.in_ratio, axis=-1)) for x in inputs]
    out = np.zeros((engine.out_channels, engine.buffer), dtype=np.float32)
    for i in range(warmup):
        engine.process(audio[i % len(audio)], out=out)
    _wait_for_calls(engine, warmup)
    engine.clear_stats()
    for i in range(calls):
        engine.process(audio[i % len(audio)], out=out)
    _wait_for_calls(engine, calls)
    s = engine.stats()
    return [float(s["compute_ms_p50"]), float(s["compute_ms_p99"]), float(s["compute_ms_max"])]


@torch.no_grad()
def compute_times(
    path: str, method: str, buffer: int, threads: int, device: str, calls: int, warmup: int, seed: int = 0
) -> Tuple[int, int, List[float], Timing, Optional[Timing], str]:
    """(buffer rounded, rate, engine [p50, p99, max], TorchScript timing, eager timing or
    None, why no eager). `method` PIPELINE sums encode and decode."""
    methods = ["encode", "decode"] if method == PIPELINE else [method]
    engine_ms = np.zeros(3)
    ts_times = np.zeros(calls)
    eager_times: Optional[np.ndarray] = np.zeros(calls)
    note = ""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for m in methods:
            engine = Engine(path, method=m, buffer=buffer, device=device, threads=threads, sync=True)
            buffer, rate = engine.buffer, engine.sampling_rate
            inputs = make_inputs(engine.in_channels, engine.in_ratio, buffer, count=8, seed=seed)
            engine_ms += _engine_times(engine, inputs, calls, warmup)
            del engine
            scripted = load_scripted(path, map_location=device)
            tensors = [torch.from_numpy(x)[None].to(device) for x in inputs]
            fn = getattr(scripted, m)
            if hasattr(scripted, "reset"):  # optional in the contract (foreign files may lack it)
                scripted.reset()
            _time_calls(fn, tensors, warmup, device)
            ts_times += np.asarray(_time_calls(fn, tensors, calls, device))
            if eager_times is not None:
                eager, why = eager_model(path, load_scripted(path), m)
                if eager is None:
                    eager_times, note = None, why
                    continue
                eager = eager.to(device)
                eager.reset()
                fn = getattr(eager, m)
                _time_calls(fn, tensors, warmup, device)
                eager_times += np.asarray(_time_calls(fn, tensors, calls, device))
    finally:
        torch.set_num_threads(previous)
    eager_timing = timing_of(eager_times.tolist()) if eager_times is not None else None
    return buffer, rate, engine_ms.tolist(), timing_of(ts_times.tolist()), eager_timing, note


# ---------------------------------------------------------------- realtime processors


class _Processor:
    """process(block) for an Engine or a Pipeline, with preallocated blocks."""

    def __init__(self, path: str, method: str, buffer: int, headroom: int, device: str, threads: int, sync: bool):
        if method == PIPELINE:
            self.pipeline = Pipeline(path, buffer=buffer, headroom=headroom, device=device, threads=threads, sync=sync)
            self.engine = None
            self.in_channels, self.in_ratio, self.out_channels = 1, 1, 1
            self.latency = self.pipeline.latency
        else:
            self.engine = Engine(
                path, method=method, buffer=buffer, device=device, threads=threads, sync=sync, headroom=headroom
            )
            self.pipeline = None
            self.in_channels, self.in_ratio, self.out_channels = (
                self.engine.in_channels,
                self.engine.in_ratio,
                self.engine.out_channels,
            )
            self.latency = self.engine.latency

    def process(self, block: np.ndarray, out: np.ndarray) -> None:
        """block: [in_channels, n], out: [out_channels, n] (both C-contiguous float32)."""
        if self.pipeline is not None:
            self.pipeline.process(block[0], out[0])
        else:
            self.engine.process(block, out=out)

    def stats(self):
        return (self.pipeline or self.engine).stats()

    def clear_stats(self) -> None:
        (self.pipeline or self.engine).clear_stats()


def paced_run(
    proc: _Processor, block: int, rate: int, seconds: float, warmup_seconds: float = 0.5, seed: int = 0
) -> Tuple[int, int, int, int]:
    """Call process() every block duration in real time for `seconds` (after a warm-up).
    Returns (calls, underruns, dropped, late host calls)."""
    rng = np.random.default_rng(seed)
    blocks = [(0.3 * rng.standard_normal((proc.in_channels, block))).astype(np.float32) for _ in range(16)]
    out = np.zeros((proc.out_channels, block), dtype=np.float32)
    period = block / rate

    def run(count: int) -> int:
        late = 0
        start = time.perf_counter()
        for k in range(count):
            due = start + k * period
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
            elif now - due > period:
                late += 1
            proc.process(blocks[k % len(blocks)], out)
        return late

    run(max(1, int(warmup_seconds / period)))
    proc.clear_stats()
    calls = max(1, int(seconds / period))
    late = run(calls)
    s = proc.stats()
    return calls, int(s["underruns"]), int(s["dropped"]), late


def impulse_latency(make: Callable[[], _Processor], block: int, buffer: int) -> Optional[int]:
    """Samples from an impulse at the input to the first output sample that differs at all
    from the output for silence, each through a fresh processor from `make()` (sync mode,
    `block` samples per call). None: no difference."""
    proc = make()
    position = 2 * buffer  # frame-aligned: buffers are multiples of every ratio
    length = position + proc.latency + 2 * buffer + block
    length = (length + block - 1) // block * block
    silence = np.zeros((proc.in_channels, length), dtype=np.float32)
    impulse = silence.copy()
    impulse[0, position : position + proc.in_ratio] = 0.5 if proc.in_ratio == 1 else 1.0
    outputs = []
    for signal in (silence, impulse):
        proc = proc or make()
        out = np.zeros((proc.out_channels, length), dtype=np.float32)
        chunk = np.zeros((proc.out_channels, block), dtype=np.float32)
        for start in range(0, length, block):
            proc.process(np.ascontiguousarray(signal[:, start : start + block]), chunk)
            out[:, start : start + block] = chunk
        outputs.append(out)
        proc = None  # the next signal starts from a fresh state
    # Both runs make the same calls on the same shapes, so outputs are bit-identical until the
    # impulse reaches them: any difference counts (an untrained model's response can be tiny).
    differs = np.flatnonzero((outputs[1] != outputs[0]).any(axis=0))
    return int(differs[0]) - position if differs.size else None


# ---------------------------------------------------------------- the plan


def plan_rows(path: str, methods: Optional[Sequence[str]]) -> List[str]:
    """The methods to measure for a file: its own (or those asked for), plus PIPELINE
    when it has encode and decode (and PIPELINE was asked for or nothing was)."""
    available = list_methods(path)
    if methods:
        chosen = [m for m in methods if m in available or (m == PIPELINE and {"encode", "decode"} <= set(available))]
    else:
        chosen = available + ([PIPELINE] if {"encode", "decode"} <= set(available) else [])
    return chosen


def latency_rows(models: Sequence[Tuple[str, str]], plan: Plan, log: Callable[[str], None] = print) -> List[LatencyRow]:
    """Measure every configuration of `plan` for `models` ((path, label) pairs)."""
    from .._core import ModelError

    rows: List[LatencyRow] = []
    work = []
    for path, label in models:
        chosen = plan_rows(path, plan.methods)
        if not chosen:
            raise ModelError(
                f"model file '{path}' has none of the methods {list(plan.methods or [])} "
                f"(it has: {', '.join(list_methods(path))})"
            )
        work += [
            (path, label, m, d, t, b) for m in chosen for d in plan.devices for t in plan.threads for b in plan.buffers
        ]
    total = len(work) * len(plan.hosts)
    for path, label, method, device, threads, buffer in work:
        buffer, rate, engine_ms, ts, eager, note = compute_times(
            path, method, buffer, threads, device, plan.calls, plan.warmup, plan.seed
        )
        headroom = buffer // 2
        for host in plan.hosts:
            proc = _Processor(path, method, buffer, headroom, device, threads, sync=False)
            calls, underruns, dropped, late = paced_run(proc, host, rate, plan.paced_seconds, seed=plan.seed)
            reported = proc.latency
            del proc
            # Called within this iteration: the loop variables are the ones meant.
            measured = impulse_latency(
                lambda: _Processor(path, method, buffer, headroom, device, threads, sync=True),  # noqa: B023
                host,
                buffer,
            )
            row = LatencyRow(
                model=label,
                method=method,
                device=device,
                threads=threads,
                buffer=buffer,
                host_block=host,
                sampling_rate=rate,
                headroom=headroom,
                engine_ms_p50=engine_ms[0],
                engine_ms_p99=engine_ms[1],
                engine_ms_max=engine_ms[2],
                realtime_factor=(1000.0 * buffer / rate) / engine_ms[0] if engine_ms[0] > 0 else float("inf"),
                torchscript_ms_p50=ts.p50,
                torchscript_ms_p99=ts.p99,
                eager_ms_p50=eager.p50 if eager else None,
                eager_ms_p99=eager.p99 if eager else None,
                eager_note=note,
                paced_seconds=calls * host / rate,
                paced_calls=calls,
                underruns=underruns,
                dropped=dropped,
                late_host_calls=late,
                latency_reported=reported,
                latency_measured=measured,
            )
            rows.append(row)
            log(
                f"[{len(rows)}/{total}] {label} {method} {device} threads={threads} buffer={buffer} host={host}: "
                f"{row.realtime_factor:.1f}x realtime, underruns {underruns}/{calls}, latency "
                f"{reported} reported / {measured} measured"
            )
    return rows
