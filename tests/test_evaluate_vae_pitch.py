"""The VAE-only pitch check reads a run folder's VAE stage and scores pYIN on Griffin-Lim."""

import pytest
import torch

from continuous_fixtures import TINY_YAML, tiny_config, write_tones
from timbre_rt.evaluate.vae_pitch import vae_mel_pitch
from timbre_rt.models.continuous import MelVAE


def test_vae_pitch_on_a_run_folder(tmp_path):
    run = tmp_path / "run"
    (run / "vae").mkdir(parents=True)
    (run / "config.yaml").write_text(TINY_YAML)
    files = sorted(write_tones(tmp_path / "tones", count=2, seconds=0.6).glob("*.wav"))
    with pytest.raises(FileNotFoundError, match="no VAE weights"):
        vae_mel_pitch(run, files)
    cfg = tiny_config()
    torch.save(MelVAE(cfg.mel.n_mels, cfg.vae).state_dict(), run / "vae" / "weights.pt")
    r = vae_mel_pitch(run, files)
    assert r.step == -1 and r.voiced_frames > 0 and 0 <= r.kept_frames <= r.voiced_frames
    assert r.kl_per_frame > 0
