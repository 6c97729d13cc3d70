"""LevelLock: the expected power of harmonic-plus-noise controls is the synth's measured
power, and a locked decoder plays at its loudness channel."""

import pytest
import torch

from timbre_rt.export import export_model
from timbre_rt.models.continuous import MelVAE, build_vocoder, make_codec
from timbre_rt.nn.harmonic_noise import HarmonicNoiseSynth
from timbre_rt.nn.level_lock import MAX_GAIN_DB, LevelLock, noise_power_matrix

from continuous_fixtures import tiny_harmonic_config

RATE, HOP, F0_HOP, K, N = 24000, 256, 512, 16, 9
FRAMES = 300


def steady(noise_bands: torch.Tensor, harmonic_amps: torch.Tensor, f0: float = 220.0):
    f = torch.full((1, 1, FRAMES * HOP // F0_HOP), f0)
    h = harmonic_amps.view(1, K, 1).expand(1, K, FRAMES).clone()
    return f, h, noise_bands.view(1, N, 1).expand(1, N, FRAMES).clone()


def measured_db(audio: torch.Tensor) -> float:
    return float(10 * torch.log10(audio[..., 8 * HOP :].square().mean()))


@pytest.mark.parametrize("case", ["flat noise", "coloured noise", "one band", "harmonics", "both"])
def test_expected_power_is_the_synth_output_power(case):
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    lock = LevelLock(noise_power_matrix(synth))
    gen = torch.Generator().manual_seed(3)
    noise, amps = torch.zeros(N), torch.zeros(K)
    if case == "flat noise":
        noise[:] = 0.7
    elif case in ("coloured noise", "both"):
        noise = torch.rand(N, generator=gen) ** 3 * 2
    elif case == "one band":
        noise[3] = 1.0
    if case in ("harmonics", "both"):
        amps[:6] = torch.rand(6, generator=gen) * 0.2
    f, h, n = steady(noise, amps)
    predicted = 10 * torch.log10(lock.expected_power(h, n)[0, 0, 10])
    assert abs(measured_db(synth(f, h, n)) - float(predicted)) < 0.25


def test_locked_controls_play_at_the_target_and_the_cap_holds():
    synth = HarmonicNoiseSynth(RATE, HOP, F0_HOP, K, N)
    lock = LevelLock(noise_power_matrix(synth))
    noise, amps = torch.full((N,), 0.05), torch.zeros(K)
    amps[:3] = 0.05
    f, h, n = steady(noise, amps)
    before = 10 * float(torch.log10(lock.expected_power(h, n)[0, 0, 0]))
    for target in (-30.0, -12.0, before + MAX_GAIN_DB + 10.0):
        h2, n2 = lock(h, n, torch.full((1, 1, FRAMES), 10 ** (target / 10)))
        want = min(target, before + MAX_GAIN_DB)  # raised at most MAX_GAIN_DB
        assert abs(measured_db(synth(f, h2, n2)) - want) < 0.25


def test_a_locked_decoder_follows_its_loudness_channel_db_for_db(tmp_path):
    torch.manual_seed(0)
    cfg = tiny_harmonic_config()
    cfg.vocoder.level_lock = True
    codec = make_codec(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), build_vocoder(cfg))
    path = tmp_path / "locked.ts"
    block = cfg.latent_ratio
    assert export_model(codec, path, chunk_sizes=[block, 3 * block], seconds=0.5).max_error < 1e-4
    m = torch.jit.load(str(path))
    levels = []
    for loudness in (-30.0, -24.0, -18.0):
        z = torch.zeros(1, 6, 60)
        z[:, 3], z[:, 4], z[:, 5] = 57.0, 1.0, loudness
        m.reset()
        with torch.no_grad():
            levels.append(measured_db(m.decode(z)))
    # An untrained network chooses some spectrum; the lock sets its level (within the
    # cap, which an untrained head's quiet noise may hit: so compare steps, not levels).
    assert levels[1] - levels[0] == pytest.approx(6.0, abs=0.3)
    assert levels[2] - levels[1] == pytest.approx(6.0, abs=0.3)
