"""A vocoder stage can start from the vocoder of an exported model file (init_from)."""

from pathlib import Path

import pytest
import torch

from timbre_rt.models.continuous import ContinuousConfig, MelGANGenerator
from timbre_rt.models.continuous.codec import vocoder_state_from_file
from timbre_rt.train.vocoder_task import VocoderTask

SHIPPED = Path(__file__).resolve().parents[1] / "models" / "continuous.ts"


@pytest.fixture(scope="module")
def melgan_file(tmp_path_factory):
    """A tiny exported MelGAN model (the shipped one has the harmonic vocoder)."""
    from timbre_rt.export import export_model
    from timbre_rt.models.continuous import MelVAE, make_codec

    from continuous_fixtures import tiny_config

    torch.manual_seed(0)
    cfg = tiny_config()
    path = tmp_path_factory.mktemp("melgan") / "tiny.ts"
    export_model(
        make_codec(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), MelGANGenerator(cfg.mel.n_mels, cfg.vocoder)),
        path,
        seconds=0.25,
    )
    return cfg, path


def test_vocoder_starts_from_a_melgan_file(melgan_file):
    cfg, path = melgan_file
    state = vocoder_state_from_file(str(path))
    assert not any(k.startswith("pqmf.") for k in state)  # fixed by the code, not learned
    task = VocoderTask(cfg, cfg.vocoder_stage, generator_state=state)
    own = task.generator.state_dict()
    for k, v in own.items():
        if not k.startswith("pqmf."):
            torch.testing.assert_close(v, state[k])
    fresh = MelGANGenerator(cfg.mel.n_mels, cfg.vocoder).state_dict()
    torch.testing.assert_close(own["pqmf.conv.weight"], fresh["pqmf.conv.weight"])


@pytest.mark.skipif(not SHIPPED.is_file(), reason="models/continuous.ts absent")
def test_vocoder_starts_from_the_shipped_file():
    from timbre_rt.models.continuous import load_config

    cfg = load_config(SHIPPED.with_suffix(".yaml"))
    state = vocoder_state_from_file(str(SHIPPED))
    task = VocoderTask(cfg, cfg.vocoder_stage, generator_state=state)
    for k, v in task.generator.state_dict().items():  # every weight comes from the file
        torch.testing.assert_close(v, state[k])
    with pytest.raises(ValueError, match="generator weights lack"):  # a MelGAN cannot start from it
        VocoderTask(ContinuousConfig(), ContinuousConfig().vocoder_stage, generator_state=state)


def test_a_file_that_is_no_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.ts"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="x.ts: cannot load"):
        vocoder_state_from_file(str(bad))
    with pytest.raises(ValueError, match="generator weights lack"):
        VocoderTask(
            ContinuousConfig(), ContinuousConfig().vocoder_stage, generator_state={"pre.weight": torch.zeros(1)}
        )


@pytest.mark.skipif(not SHIPPED.is_file(), reason="models/continuous.ts absent")
@torch.no_grad()
def test_a_model_file_rebuilt_with_todays_code_sounds_the_same():
    from timbre_rt.models.continuous import load_config
    from timbre_rt.models.continuous.codec import codec_from_file
    from timbre_rt.nn import set_streaming

    codec = codec_from_file(str(SHIPPED), load_config(SHIPPED.with_suffix(".yaml"))).eval()
    shipped = torch.jit.load(str(SHIPPED))
    t = torch.arange(512 * 24) / 24000
    x = (0.3 * torch.sin(2 * torch.pi * 330 * t)).reshape(1, 1, -1)
    shipped.reset()
    set_streaming(codec, True)
    a = torch.cat([shipped.forward(x[..., i : i + 2048]) for i in range(0, x.size(-1), 2048)], -1)
    b = torch.cat([codec(x[..., i : i + 2048]) for i in range(0, x.size(-1), 2048)], -1)
    # The same weights; today's gate is open once the tone has sounded for a frame.
    torch.testing.assert_close(b[..., 2048:], a[..., 2048:], atol=1e-4, rtol=1e-4)


@pytest.mark.skipif(not SHIPPED.is_file(), reason="models/continuous.ts absent")
def test_export_rebuilds_a_model_file_from_the_command_line(tmp_path, capsys):
    from timbre_rt.train.cli import main

    out = tmp_path / "again.ts"
    assert main(["export", str(SHIPPED), "--out", str(out)]) == 2  # needs its config
    assert "needs --config" in capsys.readouterr().err
    assert main(["export", str(SHIPPED), "--config", str(SHIPPED.with_suffix(".yaml")), "--out", str(out)]) == 0
    again, shipped = torch.jit.load(str(out)), torch.jit.load(str(SHIPPED))
    x = 0.3 * torch.sin(torch.arange(8192) * 0.07).reshape(1, 1, -1)
    with torch.no_grad():
        torch.testing.assert_close(again.encode(x), shipped.encode(x), atol=1e-4, rtol=1e-4)
