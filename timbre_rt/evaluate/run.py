"""`evaluate`: a continuous model (and optionally its ablation) over a folder of audio files."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import torch

from ..audio import AudioFileError, find_audio_files, load_audio
from ..nn.loss import MultiResolutionSTFTDistance, MultiScaleMelDistance
from .continuous import ContinuousModel
from .errors import EvaluationError
from .griffin_lim import griffin_lim_resynthesis, mel_power
from .pitch import PLOT_NAME as PITCH_PNG, PitchTrack, plot_pitch, pitch_track, score_pitch
from .quality import level_db, matched_noise, measure_quality
from .latent_stats import LatentStatsAccumulator
from .probe import loudness_probe
from .report import EvalReport, FileResult, PlotTrack, write_report

PathLike = Union[str, Path]
PLOT_FILES = 3
PLOT_SECONDS = 10.0


@dataclass
class _Planned:
    path: Path
    max_seconds: Optional[float]  # None: the whole file


def _progress(items, enabled: bool, desc: str):
    if not enabled:
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are a nicety
        return items
    return tqdm(items, desc=desc, unit="file", leave=False)


def _weighted(values: List[float], weights: List[float]) -> float:
    return float(np.average(values, weights=weights)) if values else float("nan")


def _plot_track(name: str, model: ContinuousModel, x: torch.Tensor, out) -> PlotTrack:
    """The first PLOT_SECONDS of a file for the PNG."""
    t = min(x.size(-1), int(PLOT_SECONDS * model.sampling_rate))
    frame_rate = out.z.size(1) / (x.size(-1) / model.sampling_rate)
    n = max(1, int(round(PLOT_SECONDS * frame_rate)))
    mels = mel_power(torch.stack([x[..., :t], out.reconstruction[..., :t]])[:, 0], model.mel)
    mels = torch.log10(mels + 1e-5).cpu().numpy()
    return PlotTrack(
        name=name,
        frame_rate=frame_rate,
        z=out.z[:, :n].cpu().numpy(),
        loudness=out.loudness[:n].cpu().numpy(),
        mel_rate=model.sampling_rate / model.mel.hop,
        mel_original=mels[0],
        mel_reconstruction=mels[1],
    )


def _evaluate_model(
    model: ContinuousModel,
    data_dir: Path,
    plan: List[_Planned],
    seconds_limit: Optional[float],
    griffin_lim_iters: int,
    seed: int,
    progress: bool,
    log: Callable[[str], None],
    pitch: Optional[Dict[str, PitchTrack]] = None,
    quality: bool = False,
) -> Tuple[EvalReport, List[_Planned], List[PlotTrack], List[Tuple[PitchTrack, PitchTrack]]]:
    """Run every planned file through `model`. Returns the report (outputs
    not written yet), what was actually evaluated (for a comparison on the
    same audio), the plot tracks and the (input, output) pitch tracks.

    pitch: None skips pitch tracking; else a cache of the inputs' tracks by file
    name, filled here and shared with the comparison model."""
    start = time.perf_counter()
    sr = model.sampling_rate
    mel_distance = MultiScaleMelDistance(sr, reduction="none").to(model.device)
    stft_distance = MultiResolutionSTFTDistance(reduction="none").to(model.device)
    latent = LatentStatsAccumulator(model.z_names)
    z_all, loud_all, per_file, done, tracks, pitch_pairs = [], [], [], [], [], []
    skipped = {}
    budget = seconds_limit
    for item in _progress(plan, progress, Path(model.path).name):
        name = str(item.path.relative_to(data_dir))
        limit = item.max_seconds if budget is None else min(budget, item.max_seconds or budget)
        try:
            audio = load_audio(item.path, sr, limit)
        except AudioFileError as e:  # skip, never abort
            skipped[name] = str(e).removeprefix(f"{item.path}: ")  # the name is the key
            log(f"skipped {name}: {skipped[name]}")
            continue
        x = torch.from_numpy(audio).to(model.device).reshape(1, 1, -1)
        out = model.run(x)
        with torch.no_grad():
            gl = griffin_lim_resynthesis(x, model.mel, n_iter=griffin_lim_iters, seed=seed)
            trio = torch.cat([out.reconstruction, gl, matched_noise(x, seed)])  # [3, 1, T]
            mel = mel_distance(trio, x.expand(3, 1, -1)).tolist()
            stft = stft_distance(trio[:2], x.expand(2, 1, -1)).tolist()
        seconds = x.size(-1) / sr
        result = FileResult(name, seconds, mel[0], stft[0], mel[1], stft[1], mel[2], level_db(out.reconstruction, x))
        if pitch is not None:
            if name not in pitch:
                pitch[name] = pitch_track(audio, sr)
            track = pitch_track(out.reconstruction[0, 0].cpu().numpy(), sr)
            score = score_pitch(pitch[name], track)
            result.voiced_frames, result.pitch_kept_frames = score.voiced_frames, score.kept_frames
            pitch_pairs.append((pitch[name], track))
        per_file.append(result)
        z_all.append(out.z.cpu())
        loud_all.append(out.loudness.cpu())
        latent.update(out.mu.cpu(), out.logvar.cpu())
        if len(tracks) < PLOT_FILES:
            tracks.append(_plot_track(name, model, x, out))
        done.append(_Planned(item.path, seconds))
        if budget is not None:
            budget -= seconds
            if budget <= 0:
                break
    if not per_file:
        raise EvaluationError(
            f"none of the {len(plan)} audio file(s) in {data_dir} could be read: "
            + "; ".join(f"{n}: {why}" for n, why in skipped.items())
        )
    weights = [f.seconds for f in per_file]
    report = EvalReport(
        model=str(model.path),
        data_dir=str(data_dir),
        files=[f.name for f in per_file],
        skipped=skipped,
        seconds=float(sum(weights)),
        sampling_rate=sr,
        latency=model.latency,
        mel_distance=_weighted([f.mel_distance for f in per_file], weights),
        stft_distance=_weighted([f.stft_distance for f in per_file], weights),
        griffin_lim_mel_distance=_weighted([f.griffin_lim_mel_distance for f in per_file], weights),
        griffin_lim_stft_distance=_weighted([f.griffin_lim_stft_distance for f in per_file], weights),
        griffin_lim_iters=griffin_lim_iters,
        probe=loudness_probe(z_all, loud_all, seed=seed),
        latent=latent.result(),
        per_file=per_file,
        elapsed=0.0,
        noise_mel_distance=_weighted([f.noise_mel_distance for f in per_file], weights),
        level_db=_weighted([f.level_db for f in per_file], weights),
        voiced_frames=sum(f.voiced_frames for f in per_file),
        pitch_kept_frames=sum(f.pitch_kept_frames for f in per_file),
        quality=measure_quality(model.module, sr, model.block_size) if quality else None,
    )
    report.elapsed = time.perf_counter() - start
    return report, done, tracks, pitch_pairs


def _joined(pairs: List[Tuple[PitchTrack, PitchTrack]]) -> Tuple[PitchTrack, PitchTrack]:
    """All files' (input, output) tracks end to end, each pair cut to the same length."""
    ins, outs = [], []
    for a, b in pairs:
        n = min(len(a.f0), len(b.f0))
        ins.append(PitchTrack(a.f0[:n], a.voiced[:n]))
        outs.append(PitchTrack(b.f0[:n], b.voiced[:n]))

    def cat(tracks: List[PitchTrack]) -> PitchTrack:
        return PitchTrack(np.concatenate([t.f0 for t in tracks]), np.concatenate([t.voiced for t in tracks]))

    return cat(ins), cat(outs)


def evaluate(
    model_path: PathLike,
    data_dir: PathLike,
    out_dir: PathLike,
    *,
    max_files: Optional[int] = None,
    seconds_limit: Optional[float] = None,
    compare: Optional[PathLike] = None,
    griffin_lim_iters: int = 32,
    seed: int = 0,
    device: Union[str, torch.device] = "cpu",
    progress: bool = True,
    log: Callable[[str], None] = lambda line: None,
    pitch: bool = True,
    quality: bool = True,
) -> EvalReport:
    """Evaluate the continuous model at `model_path` on every audio file under
    `data_dir` (timbre_rt.audio.find_audio_files: sorted; mono mix, resampled to
    the model's rate) and write report.json, report.md and latents.png into `out_dir`.

    max_files: the first N files only. seconds_limit: stop after this much
    audio in total (the last file is cut). compare: a second model file (the
    ablation), evaluated on exactly the same audio; its report is nested in
    `comparison` and the markdown gets a comparison table. pitch: pYIN pitch kept
    (and pitch.png, f0 in vs out). quality: tone on silence and realtime factors.
    Unreadable files are skipped, listed in `skipped` and passed to `log`.
    Raises EvaluationError for a missing / non-continuous model or when no file
    can be read, AudioFileError for a missing folder or one without audio files.
    """
    if max_files is not None and max_files < 1:
        raise EvaluationError(f"max_files must be >= 1, got {max_files}")
    if seconds_limit is not None and not seconds_limit > 0:
        raise EvaluationError(f"seconds_limit must be > 0, got {seconds_limit}")
    if griffin_lim_iters < 0:
        raise EvaluationError(f"griffin_lim_iters must be >= 0, got {griffin_lim_iters}")
    # Check both models before the long part, so a typo in --compare fails fast.
    model = ContinuousModel(model_path, device)
    other = ContinuousModel(compare, device) if compare is not None else None
    data_dir = Path(data_dir)
    files = find_audio_files(data_dir)[:max_files]

    started = time.perf_counter()
    common = dict(
        griffin_lim_iters=griffin_lim_iters,
        seed=seed,
        progress=progress,
        log=log,
        pitch={} if pitch else None,
        quality=quality,
    )
    report, done, tracks, pairs = _evaluate_model(
        model, data_dir, [_Planned(p, None) for p in files], seconds_limit, **common
    )
    compare_tracks, plots = [], []
    if pairs:
        plots.append((Path(model.path).name, *_joined(pairs)))
    if other is not None:
        # The same files cut to the same durations: only the model differs.
        report.comparison, _, compare_tracks, pairs = _evaluate_model(other, data_dir, done, None, **common)
        if pairs:
            plots.append((Path(other.path).name, *_joined(pairs)))
    report.elapsed = time.perf_counter() - started
    if plots:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        report.outputs["pitch_png"] = str(plot_pitch(plots, Path(out_dir) / PITCH_PNG))
    write_report(report, out_dir, tracks, compare_tracks)
    return report
