"""Evaluation numbers of a discrete model on held-out sounds.

Reconstruction distance, codebook usage (collapse is the known failure),
level invariance of the codes, and the error of descriptor synthesis that
imitates each sound (`--like`).
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Union

import numpy as np
import torch

from ..audio import AudioFileError, find_audio_files, load_audio
from ..errors import one_line
from ..models.discrete.table import CodeTable
from ..nn.loss import MultiResolutionSTFTDistance, MultiScaleMelDistance
from ..synth.offline import render_targets
from ..synth.targets import targets_like
from .pitch import pitch_track, score_pitch, total_score

__all__ = ["DiscreteEval", "evaluate_discrete"]

LEVELS_DB = (-10.0, -20.0)
# Frames quieter than this (RMS) are left out of usage and invariance counts: in
# near-silence the code is noise, at any level.
AUDIBLE_RMS = 1e-3


@dataclass
class DiscreteEval:
    files: int
    seconds: float
    mel_distance: float  # MultiScaleMelDistance of decode(encode(x)) to x (delay removed)
    stft_distance: float  # MultiResolutionSTFTDistance, likewise
    codes: int
    codes_used: int  # distinct codes over the audible frames
    usage: float  # codes_used / codes
    perplexity: float  # exp(entropy) of the code histogram (codes: every code equally used)
    level_invariance: Dict[str, float] = field(default_factory=dict)  # "-10 dB": fraction same codes
    synthesis_error: Dict[str, float] = field(default_factory=dict)  # mean mae_standard per descriptor
    synthesis_files: List[str] = field(default_factory=list)
    # The input's pYIN-voiced frames whose pitch decode(encode(x)) keeps within 50 cents
    # (as `eval` measures the continuous model), and the output level over the input's.
    pitch_kept: float = float("nan")
    voiced_frames: int = 0
    level_db: float = float("nan")
    skipped: Dict[str, str] = field(default_factory=dict)  # unreadable file -> why (as `eval`)

    def to_dict(self) -> dict:
        return asdict(self)


@torch.no_grad()
def _encode(model, x: torch.Tensor) -> torch.Tensor:
    model.reset()
    z = model.encode(x)
    model.reset()
    return z


def evaluate_discrete(
    model,
    data: Union[str, Path],
    max_files: Optional[int] = None,
    synth_files: int = 2,
    progress: bool = True,
    pitch: bool = True,
) -> DiscreteEval:
    """model: a loaded discrete .ts; data: a folder of audio files; pitch: measure pitch
    kept (pYIN on every file: the slow part)."""
    from tqdm import tqdm

    table = CodeTable.from_model(model)
    f = table.framing
    files = find_audio_files(data)[:max_files]
    delay = int(model.decode_latency)  # window - hop for loops, window / 2 for harmonics
    mel, stft = MultiScaleMelDistance(f.sampling_rate), MultiResolutionSTFTDistance()
    mels, stfts, weights = [], [], []
    histogram = np.zeros(table.codes)
    same = {db: [0, 0] for db in LEVELS_DB}
    synth_errors: Dict[str, List[float]] = {}
    used_for_synth = []
    seconds = 0.0
    pitch_scores, power_in, power_out = [], 0.0, 0.0
    skipped: Dict[str, str] = {}
    for path in tqdm(files, desc="evaluate", disable=not progress):
        try:
            audio = load_audio(path, f.sampling_rate)
        except AudioFileError as e:  # skip, as `eval` does
            skipped[str(path)] = one_line(e)
            continue
        audio = audio[: len(audio) // f.hop * f.hop]
        if len(audio) <= f.window:
            continue
        seconds += len(audio) / f.sampling_rate
        x = torch.from_numpy(audio)[None, None]
        z = _encode(model, x)
        with torch.no_grad():
            y = model.decode(z)
            model.reset()
        fake, real = y[..., delay:], x[..., : x.size(-1) - delay]
        mels.append(float(mel(fake, real)))
        stfts.append(float(stft(fake, real)))
        weights.append(real.size(-1))
        power_in += float(real.square().sum())
        power_out += float(fake.square().sum())
        if pitch:
            pitch_scores.append(
                score_pitch(
                    pitch_track(real[0, 0].numpy(), f.sampling_rate), pitch_track(fake[0, 0].numpy(), f.sampling_rate)
                )
            )
        codes, gains = z[0, 0].long().numpy(), z[0, 1].numpy()
        audible = gains > AUDIBLE_RMS
        histogram += np.bincount(codes[audible], minlength=table.codes)
        for db in LEVELS_DB:
            quiet = _encode(model, x * 10.0 ** (db / 20.0))[0, 0].long().numpy()
            same[db][0] += int((quiet[audible] == codes[audible]).sum())
            same[db][1] += int(audible.sum())
        if len(used_for_synth) < synth_files:
            result = render_targets(model, targets_like(audio, f), seconds=len(audio) / f.sampling_rate)
            for name, e in result.errors.items():
                if e["frames"]:
                    synth_errors.setdefault(name, []).append(e["mae_standard"])
            used_for_synth.append(str(path))
    if not weights:
        unreadable = f"; {len(skipped)} unreadable, e.g. {next(iter(skipped.items()))}" if skipped else ""
        raise ValueError(f"{data}: no readable file longer than one window ({f.window} samples){unreadable}")
    p = histogram / max(1.0, histogram.sum())
    nz = p[p > 0]
    kept = total_score(pitch_scores)
    return DiscreteEval(
        files=len(weights),
        seconds=seconds,
        mel_distance=float(np.average(mels, weights=weights)),
        stft_distance=float(np.average(stfts, weights=weights)),
        codes=table.codes,
        codes_used=int((histogram > 0).sum()),
        usage=float((histogram > 0).mean()),
        perplexity=float(np.exp(-(nz * np.log(nz)).sum())),
        level_invariance={f"{db:g} dB": s / max(1, n) for db, (s, n) in same.items()},
        synthesis_error={k: float(np.mean(v)) for k, v in synth_errors.items()},
        synthesis_files=used_for_synth,
        skipped=skipped,
        pitch_kept=kept.share,
        voiced_frames=kept.voiced_frames,
        level_db=float(10.0 * np.log10(max(power_out, 1e-20) / max(power_in, 1e-20))),
    )
