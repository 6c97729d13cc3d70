"""`timbre-rt demo`: a synthetic sound through an encode Engine then a decode Engine.

The host-side "main job" until the Pd externals exist: the same chain a Pd
patch would run (encoder -> latents at audio rate -> decoder), fed in small
host blocks, rendered deterministically (sync mode) and written as WAVs.
"""
import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Union

import numpy as np

from ._core import Engine, ModelError
from .audio_io import write_wav
from .signals import harmonic_tones

DEFAULT_MODEL = Path("models/toy.ts")
DEFAULT_OUT = Path("out/demo.wav")

DESCRIPTION = """\
Stream a synthetic harmonic tone sequence through an `encode` Engine and a
`decode` Engine of one model file, in host blocks of --block samples (like
an audio callback), and write the input and the output as 32-bit float WAVs
(OUT and OUT's name + _input.wav). Without --model, a small untrained
ToyCodec is exported to models/toy.ts (reused when present): its output is
a coloured, noisy version of the input, not a reconstruction.
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
    encode_stats: Dict
    decode_stats: Dict

    @property
    def latency_ms(self) -> float:
        return 1000.0 * self.latency / self.sampling_rate


def ensure_default_model(path: Union[str, Path] = DEFAULT_MODEL) -> Path:
    """Export the default ToyCodec to `path` unless a file is already there."""
    path = Path(path)
    if not path.exists():
        # Imported here: exporting is only needed the first time.
        from .export import export_model
        from .models import ToyCodec

        export_model(ToyCodec(), path, seconds=0.25)
    return path


def run_demo(
    model: Union[str, Path],
    out: Union[str, Path] = DEFAULT_OUT,
    buffer: int = 2048,
    block: int = 64,
    seconds: float = 4.0,
) -> DemoResult:
    """Render the tone sequence through encode -> decode and write both WAVs.

    The input is the tone followed by enough silence that the delayed output
    holds all of it; its length is a multiple of the model's block size.
    """
    model = str(model)
    encoder = Engine(model, method="encode", buffer=buffer, sync=True)
    decoder = Engine(model, method="decode", buffer=buffer, sync=True)
    if encoder.out_channels != decoder.in_channels:
        raise ModelError(f"model file '{model}': encode gives {encoder.out_channels} channels, "
                         f"decode takes {decoder.in_channels}")
    rate = encoder.sampling_rate
    latency = encoder.latency + decoder.latency
    tone = harmonic_tones(rate, seconds)
    size = encoder.block_size
    frames = -(-(tone.shape[-1] + latency) // size) * size  # round up to whole blocks
    x = np.zeros((encoder.in_channels, frames), dtype=np.float32)  # [C_in, T]
    x[:, : tone.shape[-1]] = tone  # the same tone on every input channel
    y = np.zeros((decoder.out_channels, frames), dtype=np.float32)  # [C_out, T]
    for start in range(0, frames, block):
        latents = encoder.process(np.ascontiguousarray(x[:, start : start + block]))
        y[:, start : start + latents.shape[-1]] = decoder.process(latents)

    out = Path(out)
    input_path = write_wav(out.with_name(out.stem + "_input.wav"), x, rate)
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=None,
        help=f"model file with encode and decode methods (default: {DEFAULT_MODEL}, "
        "exported from a ToyCodec if missing)",
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help=f"output WAV; the input goes next to it (default: {DEFAULT_OUT})")
    parser.add_argument("--buffer", type=int, default=2048,
                        help="samples per model call in each engine (default: 2048)")
    parser.add_argument("--block", type=int, default=64,
                        help="host block size, as an audio callback would use (default: 64, Pd's)")
    parser.add_argument("--seconds", type=float, default=4.0,
                        help="length of the tone sequence (default: 4)")


def _format_stats(stats: Dict) -> str:
    return (f"{stats['calls']} calls, {stats['underruns']} underruns, {stats['errors']} errors, "
            f"compute p50 {stats['compute_ms_p50']:.3f} ms, p99 {stats['compute_ms_p99']:.3f} ms, "
            f"max {stats['compute_ms_max']:.3f} ms")


def run(args: argparse.Namespace) -> int:
    if args.buffer < 1 or args.block < 1 or args.seconds <= 0:
        print("error: --buffer and --block must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    try:
        model = Path(args.model) if args.model else ensure_default_model()
        result = run_demo(model, args.out, args.buffer, args.block, args.seconds)
    except ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"model:    {result.model}")
    print(f"rate:     {result.sampling_rate} Hz")
    print(f"latency:  {result.latency} samples ({result.latency_ms:.1f} ms), encoder + decoder")
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
