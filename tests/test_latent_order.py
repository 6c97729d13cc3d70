"""Latent dimensions ordered by importance: PCA of posterior means folded into the codec."""

import numpy as np
import torch

from continuous_fixtures import tiny_config
from timbre_rt.models.continuous import (
    ContinuousCodec,
    MelGANGenerator,
    MelVAE,
    fit_latent_order,
    order_latents,
)


def test_fit_orders_axes_by_variance():
    rng = np.random.default_rng(0)
    scales = np.array([0.1, 3.0, 1.0])
    means = rng.standard_normal((5000, 3)) * scales + np.array([1.0, -2.0, 0.5])
    fit = fit_latent_order(means)
    assert np.all(np.diff(fit.share) <= 0) and abs(fit.share.sum() - 1) < 1e-9
    assert np.argmax(np.abs(fit.rotation[:, 0])) == 1 and np.argmax(np.abs(fit.rotation[:, 1])) == 2
    np.testing.assert_allclose(fit.rotation.T @ fit.rotation, np.eye(3), atol=1e-9)
    assert fit.share[0] > 0.85


def _codec():
    torch.manual_seed(0)
    cfg = tiny_config()
    return ContinuousCodec(
        cfg, MelVAE(cfg.mel.n_mels, cfg.vae), MelGANGenerator(cfg.mel.n_mels, cfg.vocoder)
    ).eval(), cfg


@torch.no_grad()
def test_ordering_keeps_decode_of_encode_and_sorts_the_latents():
    codec, cfg = _codec()
    t = torch.arange(8 * cfg.latent_ratio * 4) / cfg.sampling_rate
    clips = [
        (0.3 * torch.sin(2 * np.pi * f * t) * (1 + torch.sin(3 * t))).reshape(1, 1, -1)
        for f in (110.0, 220.0, 440.0, 880.0, 1760.0)
    ]
    before = torch.cat([codec(c) for c in clips], -1)
    fit = order_latents(codec, clips)
    after = torch.cat([codec(c) for c in clips], -1)
    torch.testing.assert_close(after, before, atol=1e-4, rtol=1e-4)  # same sound
    z = torch.cat([codec.encode(c)[0, :-1] for c in clips], -1)
    var = z.var(dim=1)
    assert torch.all(var[:-1] >= var[1:] - 1e-6)  # most varied first
    torch.testing.assert_close(codec.latent_share, torch.from_numpy(fit.share).float())
    post = codec.posterior(clips[0])
    torch.testing.assert_close(post[:, : cfg.vae.latent_dims], codec.encode(clips[0])[:, :-1])


def test_the_share_is_stored_in_the_file_and_shown_by_info(tmp_path):
    from timbre_rt.export import export_model
    from timbre_rt.model_file import latent_shares

    codec, cfg = _codec()
    t = torch.arange(cfg.latent_ratio * 32) / cfg.sampling_rate
    order_latents(codec, [(0.3 * torch.sin(2 * np.pi * f * t)).reshape(1, 1, -1) for f in (100.0, 300.0, 900.0)])
    path = export_model(codec, tmp_path / "m.ts").path
    line = latent_shares(path)["latent share"]
    assert line.startswith("z0 ") and line.count("%") == cfg.vae.latent_dims
    shown = [float(part.split()[1].rstrip("%")) for part in line.split(", ")]
    assert shown == sorted(shown, reverse=True) and abs(sum(shown) - 100) < 0.5
