"""A tiny continuous-model config and a tiny dataset cache, for fast CPU tests."""

from pathlib import Path

import numpy as np
import soundfile

from timbre_rt.models.continuous import ContinuousConfig

RATE = 16000

TINY_YAML = """\
model: continuous
sampling_rate: 16000
mel: {n_fft: 256, hop: 64, n_mels: 20}
vae: {hidden: 16, latent_dims: 3, kl_warmup_steps: 4, adversary_ramp_steps: 4, loudness_bins: 6}
vocoder: {bands: 4, channels: 16, upsample: [4, 4], dilations: [1, 3], delay: 64}
discriminator: {scales: 2, channels: [4, 8, 16]}
vae_stage: {steps: 6, batch_size: 2, segment: 2048, learning_rate: 0.003}
vocoder_stage: {steps: 4, batch_size: 2, segment: 2048}
adversarial_stage: {steps: 2, batch_size: 2, segment: 2048}
finetune_stage: {steps: 2, batch_size: 2, segment: 2048}
validate_every: 2
"""


def tiny_config() -> ContinuousConfig:
    return ContinuousConfig(
        sampling_rate=RATE,
        mel=dict(n_fft=256, hop=64, n_mels=20),
        vae=dict(hidden=16, latent_dims=3, kl_warmup_steps=4, adversary_ramp_steps=4, loudness_bins=6),
        vocoder=dict(bands=4, channels=16, upsample=[4, 4], dilations=[1, 3], delay=64),
        discriminator=dict(scales=2, channels=[4, 8, 16]),
    )


def tiny_harmonic_config() -> ContinuousConfig:
    """tiny_config with the harmonic vocoder: the latents carry pitch and periodicity."""
    return ContinuousConfig(
        sampling_rate=RATE,
        mel=dict(n_fft=256, hop=64, n_mels=20),
        vae=dict(hidden=16, latent_dims=3, kl_warmup_steps=4, adversary_ramp_steps=4, loudness_bins=6),
        vocoder=dict(kind="harmonic", channels=16, layers=2, harmonics=12, noise_bands=9, delay=128),
        pitch=dict(f0_min=130.0, f0_max=2000.0),
    )


def write_tones(folder: Path, count: int = 6, seconds: float = 0.5) -> Path:
    """Harmonic tones of different pitch, brightness and level, as WAV files."""
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(RATE * seconds)) / RATE
    for i in range(count):
        f0 = 110.0 * 2 ** (i / 3)
        tone = sum((0.6**k) * np.sin(2 * np.pi * f0 * (k + 1) * t) for k in range(1 + i % 4))
        tone *= 0.3 * 10 ** (-(i % 3) * 6 / 20) * np.minimum(1.0, t * 50)
        soundfile.write(folder / f"tone{i}.wav", tone.astype(np.float32), RATE, subtype="FLOAT")
    return folder
