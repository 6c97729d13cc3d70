"""TensorBoard extras (figures, audio) that tolerate a missing logger."""
import torch


def _tensorboard(task):
    logger = getattr(task, "logger", None)
    experiment = getattr(logger, "experiment", None)
    return experiment if hasattr(experiment, "add_figure") else None


def log_latent_figure(task, z: torch.Tensor, loudness_db: torch.Tensor, tag: str) -> None:
    """z: [D, L] latent trajectories over time, loudness_db: [L]."""
    tb = _tensorboard(task)
    if tb is None or task.global_rank != 0:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    top.plot(z.detach().float().cpu().T.numpy(), linewidth=0.8)
    top.set_ylabel("z (posterior mean)")
    bottom.plot(loudness_db.detach().float().cpu().numpy(), color="black")
    bottom.set_ylabel("loudness (dB)")
    bottom.set_xlabel("latent frame")
    fig.tight_layout()
    tb.add_figure(tag, fig, task.global_step)
    plt.close(fig)


def log_audio(task, audio: torch.Tensor, tag: str, sampling_rate: int) -> None:
    """audio: [T]"""
    tb = _tensorboard(task)
    if tb is None or task.global_rank != 0:
        return
    tb.add_audio(tag, audio.detach().float().cpu().clamp(-1, 1).unsqueeze(0),
                 task.global_step, sample_rate=sampling_rate)
