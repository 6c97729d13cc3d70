"""Continuous timbre model: log-mel VAE with a loudness-invariant latent + a vocoder
(multi-band MelGAN, or harmonic-plus-noise driven by the encoder's pitch)."""

from .codec import ContinuousCodec, build_codec, build_frontend, build_pitch, build_vocoder, make_codec, order_latents
from .config import ContinuousConfig, StageConfig, load_config
from .discriminator import (
    MultiScaleDiscriminator,
    discriminator_hinge_loss,
    feature_matching_loss,
    generator_hinge_loss,
)
from .harmonic_codec import HarmonicCodec
from .harmonic_vocoder import HarmonicVocoder
from .latent_order import LatentOrder, LatentOrderFit, fit_latent_order
from .vae import MelVAE, VAEOutput, energy_to_db, kl_divergence, latent_loudness
from .vocoder import MelGANGenerator

__all__ = [
    "ContinuousCodec",
    "ContinuousConfig",
    "HarmonicCodec",
    "HarmonicVocoder",
    "LatentOrder",
    "LatentOrderFit",
    "MelGANGenerator",
    "MelVAE",
    "MultiScaleDiscriminator",
    "StageConfig",
    "VAEOutput",
    "build_codec",
    "build_frontend",
    "build_pitch",
    "build_vocoder",
    "discriminator_hinge_loss",
    "energy_to_db",
    "feature_matching_loss",
    "fit_latent_order",
    "generator_hinge_loss",
    "kl_divergence",
    "latent_loudness",
    "load_config",
    "make_codec",
    "order_latents",
]
