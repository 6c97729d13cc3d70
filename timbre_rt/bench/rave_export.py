"""Build a RAVE v2 model with random weights and export it with RAVE's own export script.

Runs inside RAVE's own venv (`scripts/rave_export.sh` creates it and calls this file by
path), not in the project's: it imports `rave` and `gin`, nothing from timbre_rt. For each
sampling rate it

1. parses RAVE's `v2.gin` (shipped in the `acids-rave` package) with the binding
   `SAMPLING_RATE = <rate>`, builds `rave.RAVE()` as RAVE's train script does, and writes a
   run folder as training would: `config.gin` (gin's operative config) and a checkpoint;
2. sets the `fidelity` buffer (cumulative explained variance of the latent PCA, which
   training computes): left at zero, the export keeps a single latent dimension;
3. runs `rave export --run <folder> --streaming` (cached causal convolutions), which writes
   `<out>/rave_v2_random_<rate>_streaming.ts`; renamed to `<out>/rave_v2_random_<rate>.ts`.

Skips a rate whose .ts file exists (delete it to rebuild). The weights are random (seeded):
the files measure speed and latency, their sound is noise."""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

LATENTS = 8  # latent dimensions the export keeps (fidelity reaches 1 at the 8th)


def output_path(out: Path, rate: int) -> Path:
    return out / f"rave_v2_random_{rate}.ts"


def write_run(run: Path, rate: int, config: str, seed: int) -> None:
    """A RAVE run folder with random weights, as `rave train` would leave it."""
    import gin
    import torch

    import rave

    gin.clear_config()
    gin.parse_config_files_and_bindings([config], [f"SAMPLING_RATE = {rate}", "RAVE.n_channels = 1"])
    torch.manual_seed(seed)
    model = rave.RAVE(n_channels=1)
    fidelity = torch.clamp(torch.arange(1, model.latent_size + 1, dtype=torch.float32) / LATENTS, max=1.0)
    model.fidelity.copy_(fidelity)
    (run / "checkpoints").mkdir(parents=True, exist_ok=True)
    (run / "config.gin").write_text(gin.operative_config_str())
    torch.save({"state_dict": model.state_dict(), "global_step": 0}, run / "checkpoints" / "last.ckpt")


def export(run: Path, out: Path, rate: int) -> Path:
    rave_cli = Path(sys.executable).parent / "rave"
    name = f"rave_v2_random_{rate}"
    command = [str(rave_cli), "export", "--run", str(run), "--streaming", "--name", name, "--output", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    written = out / f"{name}_streaming.ts"
    if done.returncode != 0 or not written.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"rave export failed for {rate} Hz (status {done.returncode}): {tail[0]}")
    target = output_path(out, rate)
    written.replace(target)
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="rave_export.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=".cache/rave", help="folder of the .ts files (default: .cache/rave)")
    parser.add_argument(
        "--rates",
        type=int,
        nargs="+",
        default=[44100, 48000],
        help="sampling rates to build (default: 44100 48000; RAVE's v2.gin says 44100)",
    )
    parser.add_argument(
        "--config", default="v2.gin", help="RAVE config file, found on RAVE's gin path (default: v2.gin)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default: 0)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    missing = [rate for rate in args.rates if not output_path(out, rate).exists()]
    for rate in sorted(set(args.rates) - set(missing)):
        print(f"{output_path(out, rate)}: exists, skipped")
    if not missing:
        return 0
    try:
        import rave  # noqa: F401  (fails outside RAVE's venv)
    except ImportError as e:
        print(f"error: cannot import rave ({e}): run this through scripts/rave_export.sh", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for rate in missing:
        run = out / f"run_{rate}"
        try:
            write_run(run, rate, args.config, args.seed)
            print(f"{export(run, out, rate)}: RAVE v2, random weights, {rate} Hz, streaming")
        except Exception as e:  # one clear line, whatever RAVE raised
            print(f"error: {rate} Hz: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(run, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    sys.exit(main())
