"""Does a VAE's decoded mel still hold the pitch? Check it before spending vocoder time.

Griffin-Lim of the VAE's decoded mel (no vocoder) through pYIN: if the pitch is not
there, no vocoder can put it back. Works on a run folder's VAE stage, finished
(weights.pt) or still training (its last checkpoint).

    python -m timbre_rt.evaluate.vae_pitch runs/cpu3 --data data/unseen --max-files 9
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

import torch

from ..audio import find_audio_files, load_audio
from .griffin_lim import MelParams, griffin_lim, mel_to_magnitude
from .pitch import pitch_track, score_pitch, total_score


@dataclass
class VAEPitch:
    kept_frames: int
    voiced_frames: int
    kl_per_frame: float  # nats, posterior against N(0, 1), mean over the files' frames
    step: int  # training step of the weights (-1: the finished stage)


def _vae_state(run: Path):
    done = run / "vae" / "weights.pt"
    if done.is_file():
        return torch.load(done, map_location="cpu", weights_only=True), -1
    last = run / "vae" / "checkpoints" / "last.ckpt"
    if not last.is_file():
        raise FileNotFoundError(f"{run}: no VAE weights (vae/weights.pt or vae/checkpoints/last.ckpt)")
    ckpt = torch.load(last, map_location="cpu", weights_only=False)
    state = {k[len("vae.") :]: v for k, v in ckpt["state_dict"].items() if k.startswith("vae.")}
    return state, int(ckpt.get("global_step", 0))


@torch.no_grad()
def vae_mel_pitch(run: Path, files: Sequence[Path]) -> VAEPitch:
    """Pitch kept by Griffin-Lim (32 iterations) of the run's VAE-decoded mels."""
    from ..models.continuous import MelVAE, load_config
    from ..models.continuous.codec import build_frontend
    from ..models.continuous.vae import kl_divergence

    cfg = load_config(Path(run) / "config.yaml")
    state, step = _vae_state(Path(run))
    vae = MelVAE(cfg.mel.n_mels, cfg.vae)
    vae.load_state_dict(state)
    vae.eval()
    frontend = build_frontend(cfg)
    m = cfg.mel
    params = MelParams(cfg.sampling_rate, m.n_fft, m.hop, m.n_mels, m.fmin, m.fmax)
    ratio = cfg.latent_ratio
    scores, kl = [], []
    for path in files:
        audio = load_audio(path, cfg.sampling_rate)
        n = len(audio) // ratio * ratio
        x = torch.from_numpy(audio[:n]).reshape(1, 1, -1)
        out = vae(*frontend(x), sample=False)
        magnitude = mel_to_magnitude(torch.exp(out.log_mel), params)
        magnitude = torch.cat([magnitude, magnitude[..., -1:]], -1)  # centred frames: one more
        y = griffin_lim(magnitude, params, n, n_iter=32)[0].numpy()
        scores.append(score_pitch(pitch_track(audio[:n], cfg.sampling_rate), pitch_track(y, cfg.sampling_rate)))
        kl.append(float(kl_divergence(out.mu, out.logvar).sum(1).mean()))
    total = total_score(scores)
    return VAEPitch(total.kept_frames, total.voiced_frames, sum(kl) / max(1, len(kl)), step)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.evaluate.vae_pitch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("run", type=Path, help="run folder of `timbre-rt train continuous`")
    parser.add_argument("--data", required=True, type=Path, help="folder of audio files")
    parser.add_argument("--max-files", type=int, default=None, help="the first N files only")
    args = parser.parse_args(argv)
    r = vae_mel_pitch(args.run, find_audio_files(args.data)[: args.max_files])
    share = 100 * r.kept_frames / r.voiced_frames if r.voiced_frames else float("nan")
    print(
        f"{args.run} (step {r.step if r.step >= 0 else 'final'}): Griffin-Lim of the VAE's "
        f"mels keeps {r.kept_frames}/{r.voiced_frames} voiced frames ({share:.1f} %), "
        f"KL {r.kl_per_frame:.1f} nats/frame"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
