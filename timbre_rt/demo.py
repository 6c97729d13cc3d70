"""`timbre-rt demo`: a synthetic sound through an encode Engine then a decode Engine.

The host-side "main job" until the Pd externals exist: the same chain a Pd
patch would run (encoder -> latents at audio rate -> decoder), fed in small
host blocks, rendered deterministically (sync mode) and written as WAVs.
"""

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Union

import numpy as np

from ._core import Engine, ModelError
from .audio import read_wav, write_wav
from .pd_render import RECORD, pd_problems, render_patch, reported_latencies, run_pd
from .signals import harmonic_tones

# The shipped default: trained on the General MIDI soundfont set (models/README.md).
DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "continuous.ts"
DEFAULT_OUT = Path("out/demo.wav")

DESCRIPTION = """\
Render a synthetic harmonic tone sequence through [encoder~] -> [decoder~] in
headless Pure Data (--host pd, the default), or through an `encode` Engine and a
`decode` Engine from Python (--host python), in host blocks of --block samples,
and write the input and the output as 32-bit float WAVs (OUT and OUT's name +
_input.wav). Both hosts give the same samples. Without --model, the shipped
continuous model models/continuous.ts is used: it hears the tones through a
timbre space learnt from General MIDI instrument notes and resynthesises them.
"""


@dataclass
class DemoResult:
    """What the demo wrote. Output = decode(encode(input)) delayed by `latency` samples."""

    model: str
    input_path: Path
    output_path: Path
    sampling_rate: int
    latency: int  # samples: encoder latency + decoder latency
    frames: int  # length of both files in samples (the tone + silence to flush the latency)
    encode_stats: Dict  # Python host: Engine.stats(); Pd host: empty (Pd prints them)
    decode_stats: Dict
    host: str = "python"

    @property
    def latency_ms(self) -> float:
        return 1000.0 * self.latency / self.sampling_rate


def default_model() -> Path:
    """The shipped continuous model; a clear error if the checkout lacks it."""
    if not DEFAULT_MODEL.is_file():
        raise FileNotFoundError(
            f"{DEFAULT_MODEL} is missing: train and export one (models/README.md), or pass --model FILE"
        )
    return DEFAULT_MODEL


def run_demo(
    model: Union[str, Path],
    out: Union[str, Path] = DEFAULT_OUT,
    buffer: int = 2048,
    block: int = 64,
    seconds: float = 4.0,
    host: str = "pd",
) -> DemoResult:
    """Render the tone sequence through encode -> decode and write both WAVs.

    The input is the tone followed by enough silence that the delayed output
    holds all of it; its length is a multiple of the model's block size.
    host "pd": [encoder~] -> [decoder~] in `pd -batch`; "python": two Engines.
    """
    model = str(model)
    encoder = Engine(model, method="encode", buffer=buffer, sync=True)
    decoder = Engine(model, method="decode", buffer=buffer, sync=True)
    if encoder.out_channels != decoder.in_channels:
        raise ModelError(
            f"model file '{model}': encode gives {encoder.out_channels} channels, decode takes {decoder.in_channels}"
        )
    rate = encoder.sampling_rate
    latency = encoder.latency + decoder.latency
    tone = harmonic_tones(rate, seconds)
    size = encoder.block_size
    frames = -(-(tone.shape[-1] + latency) // size) * size  # round up to whole blocks
    x = np.zeros((encoder.in_channels, frames), dtype=np.float32)  # [C_in, T]
    x[:, : tone.shape[-1]] = tone  # the same tone on every input channel
    out = Path(out)
    input_path = write_wav(out.with_name(out.stem + "_input.wav"), x, rate)
    if host == "pd":
        return _render_in_pd(model, input_path, out, x.shape[-1], rate, buffer, block, encoder.out_channels, latency)

    y = np.zeros((decoder.out_channels, frames), dtype=np.float32)  # [C_out, T]
    for start in range(0, frames, block):
        latents = encoder.process(np.ascontiguousarray(x[:, start : start + block]))
        y[:, start : start + latents.shape[-1]] = decoder.process(latents)
    output_path = write_wav(out, y, rate)
    return DemoResult(
        model=model,
        input_path=input_path,
        output_path=output_path,
        sampling_rate=rate,
        latency=latency,
        frames=frames,
        encode_stats=encoder.stats(),
        decode_stats=decoder.stats(),
    )


def _render_in_pd(
    model: str, input_path: Path, out: Path, frames: int, rate: int, buffer: int, block: int, latents: int, latency: int
) -> DemoResult:
    """[encoder~ model buffer] -> every latent -> [decoder~ model buffer], in sync mode."""
    if block & (block - 1):
        raise ValueError(f"Pd's block size must be a power of two, got {block}")
    model_path = Path(model).resolve()  # the patch lives next to the output, not here
    # Headroom 0, as the Python engines: a sync render never waits on a deadline.
    chain = [f"encoder~ {model_path} {buffer} 0", f"decoder~ {model_path} {buffer} 0"]
    encoder, decoder = range(len(chain))
    wires = [(encoder, k, decoder, k) for k in range(latents)] + [(decoder, 0, RECORD, 0)]
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render_patch(input_path.resolve(), out.resolve(), frames, rate, chain, wires, block=block, extra=("info",))
    run = run_pd(text, out.parent, rate)
    if run.returncode != 0 or pd_problems(run.stderr) or not out.exists():
        raise RuntimeError(f"Pd could not render the chain:\n{run.stderr}")
    reported = reported_latencies(run.stderr)
    if sum(reported) != latency:
        raise RuntimeError(f"Pd's objects report {reported} samples of latency, the engines {latency}")
    return DemoResult(
        model=model,
        input_path=input_path,
        output_path=out,
        sampling_rate=rate,
        latency=latency,
        frames=read_wav(out)[0].shape[-1],
        encode_stats={},
        decode_stats={},
        host="pd",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=None,
        help="model file with encode and decode methods (default: the shipped models/continuous.ts)",
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help=f"output WAV; the input goes next to it (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--buffer", type=int, default=2048, help="samples per model call in each engine (default: 2048)"
    )
    parser.add_argument(
        "--block", type=int, default=64, help="host block size, as an audio callback would use (default: 64, Pd's)"
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the tone sequence (default: 4)")
    parser.add_argument(
        "--host",
        choices=["pd", "python"],
        default="pd",
        help="pd: [encoder~]/[decoder~] in headless Pure Data (default); python: timbre_rt.Engine",
    )


def _format_stats(stats: Dict) -> str:
    return (
        f"{stats['calls']} calls, {stats['underruns']} underruns, {stats['errors']} errors, "
        f"compute p50 {stats['compute_ms_p50']:.3f} ms, p99 {stats['compute_ms_p99']:.3f} ms, "
        f"max {stats['compute_ms_max']:.3f} ms"
    )


def run(args: argparse.Namespace) -> int:
    if args.buffer < 1 or args.block < 1 or not 0 < args.seconds <= 3600:  # NaN fails too
        print("error: --buffer and --block must be >= 1 and --seconds in (0, 3600]", file=sys.stderr)
        return 2
    try:
        model = Path(args.model) if args.model else default_model()
        result = run_demo(model, args.out, args.buffer, args.block, args.seconds, args.host)
    except (ModelError, ValueError, RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1  # a failure; 2 is for a bad command line
    print(
        f"host:     {'headless Pure Data, [encoder~] -> [decoder~]' if result.host == 'pd' else 'Python, timbre_rt.Engine'}"
    )
    print(f"model:    {result.model}")
    print(f"rate:     {result.sampling_rate} Hz")
    print(f"latency:  {result.latency} samples ({result.latency_ms:.1f} ms), encoder + decoder")
    if result.encode_stats:
        print(f"encode:   {_format_stats(result.encode_stats)}")
        print(f"decode:   {_format_stats(result.decode_stats)}")
    print(f"input:    {result.input_path}")
    print(f"output:   {result.output_path} ({result.frames} samples)")
    return 0


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m timbre_rt.demo", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
