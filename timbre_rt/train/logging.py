"""TensorBoard extras (figures, audio) that tolerate a missing logger."""

import numpy as np
import torch


def _tensorboard(task):
    logger = getattr(task, "logger", None)
    experiment = getattr(logger, "experiment", None)
    return experiment if hasattr(experiment, "add_figure") else None


def log_latent_figure(task, z: torch.Tensor, loudness_db: torch.Tensor, tag: str) -> None:
    """z: [D, L] latent trajectories over time, loudness_db: [L].

    Drawn as generate's plots draw a series: z as a heatmap (one row per dim; 16 lines
    would share 10 cycle colours), loudness on its own axes in dB."""
    tb = _tensorboard(task)
    if tb is None or task.global_rank != 0:
        return
    from ..generate.plot_parts import draw_heatmap, draw_line, finish, panels

    z = z.detach().float().cpu().numpy()
    frames = np.arange(z.shape[1])
    p = panels([max(1.4, 0.16 * z.shape[0]), 1.0], width=8.0)
    draw_heatmap(p, 0, frames, z, [f"z{i}" for i in range(z.shape[0])], max(float(np.abs(z).max()), 1e-6))
    draw_line(p, 1, frames, loudness_db.detach().float().cpu().numpy(), "loudness")
    p.axes[0].set_title("z (posterior mean)", fontsize=9)
    finish(p, "latent frame")
    tb.add_figure(tag, p.fig, task.global_step)


def log_audio(task, audio: torch.Tensor, tag: str, sampling_rate: int) -> None:
    """audio: [T]"""
    tb = _tensorboard(task)
    if tb is None or task.global_rank != 0:
        return
    tb.add_audio(
        tag, audio.detach().float().cpu().clamp(-1, 1).unsqueeze(0), task.global_step, sample_rate=sampling_rate
    )
