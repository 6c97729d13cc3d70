"""A tiny discrete-model config, an untrained codec with a hand-made descriptor table."""

import numpy as np
import torch

from timbre_rt.models.discrete import DESCRIPTOR_NAMES, VQVAE, DiscreteCodec, DiscreteConfig

RATE = 16000
WINDOW, HOP = 256, 64

TINY_YAML = """\
model: discrete
sampling_rate: 16000
frames: {window: 256, hop: 64}
encoder: {hidden: 32, layers: 1}
decoder: {hidden: 32, layers: 1}
vq: {codes: 8, dim: 4, kmeans_batches: 2, kmeans_iters: 5, dead_after: 3, memory: 512}
descriptors: {render_seconds: 0.1, f0_min: 130.0, f0_max: 2000.0}
vqvae_stage: {steps: 6, batch_size: 2, segment: 2048, learning_rate: 0.003}
validate_every: 3
"""


def tiny_config(**overrides) -> DiscreteConfig:
    args = dict(
        sampling_rate=RATE,
        frames=dict(window=WINDOW, hop=HOP),
        encoder=dict(hidden=32, layers=1),
        decoder=dict(hidden=32, layers=1),
        vq=dict(codes=8, dim=4, kmeans_batches=2, kmeans_iters=5, dead_after=3, memory=512),
        descriptors=dict(render_seconds=0.1, f0_min=130.0, f0_max=2000.0),
        vqvae_stage=dict(steps=6, batch_size=2, segment=2048),
    )
    args.update(overrides)
    return DiscreteConfig(**args)


def fake_table(codes: int) -> np.ndarray:
    """A descriptor table [codes, D] whose centroid rises with the code index."""
    k = np.arange(codes, dtype=np.float64)
    columns = {
        "centroid": 200.0 * 2**k,
        "bandwidth": 100.0 + 10 * k,
        "rolloff": 400.0 * 2**k,
        "flatness": 0.01 + 0.01 * k,
        "loudness": -10.0 - k,
        "f0": 100.0 + 50 * k,
        "f0_confidence": np.linspace(0.1, 0.9, codes),
    }
    return np.stack([columns[n] for n in DESCRIPTOR_NAMES], axis=1)


def tiny_codec(seed: int = 0) -> DiscreteCodec:
    """Untrained codec, codebook seeded by k-means on tones of several pitches (so that
    different sounds get different codes), descriptor table from `fake_table`."""
    torch.manual_seed(seed)
    cfg = tiny_config()
    vqvae = VQVAE(cfg).train()
    batch = torch.cat([tones(0.25, f0) for f0 in (110, 220, 440, 880, 1760)])
    with torch.no_grad():
        for _ in range(30):  # settle the encoder's BatchNorm statistics, as training does
            vqvae.net.analyse(batch)
        for _ in range(cfg.vq.kmeans_batches):
            vqvae(batch)
    assert bool(vqvae.quantizer.initialised)
    codec = DiscreteCodec(cfg, vqvae).eval()
    codec.set_descriptors(fake_table(cfg.vq.codes))
    return codec


def tones(seconds: float = 0.5, f0: float = 220.0, seed: int = 0) -> torch.Tensor:
    """A harmonic tone with a little noise and a swell: [1, 1, T], T a multiple of HOP."""
    n = int(RATE * seconds) // HOP * HOP
    t = torch.arange(n) / RATE
    gen = torch.Generator().manual_seed(seed)
    x = sum((0.5**k) * torch.sin(2 * torch.pi * f0 * (k + 1) * t) for k in range(4))
    x = x * (0.2 + 0.8 * torch.sin(torch.pi * t / t[-1])) + 0.01 * torch.randn(n, generator=gen)
    return (0.3 * x)[None, None]


def export_tiny(path) -> str:
    """tiny_codec() exported to `path` (a few seconds): the discrete model file of CLI tests."""
    from timbre_rt.export import export_model

    export_model(tiny_codec(), path, chunk_sizes=[HOP, 4 * HOP], seconds=0.25)
    return path
