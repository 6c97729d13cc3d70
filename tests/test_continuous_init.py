"""A vocoder stage can start from the vocoder of an exported model file (init_from)."""
from pathlib import Path

import pytest
import torch

from timbre_rt.models.continuous import ContinuousConfig, MelGANGenerator
from timbre_rt.models.continuous.codec import vocoder_state_from_file
from timbre_rt.train.vocoder_task import VocoderTask

SHIPPED = Path(__file__).resolve().parents[1] / "models" / "continuous.ts"


@pytest.mark.skipif(not SHIPPED.is_file(), reason="models/continuous.ts absent")
def test_vocoder_starts_from_the_shipped_file():
    cfg = ContinuousConfig()
    state = vocoder_state_from_file(str(SHIPPED))
    assert not any(k.startswith("pqmf.") for k in state)
    task = VocoderTask(cfg, cfg.vocoder_stage, generator_state=state)
    own = task.generator.state_dict()
    for k, v in state.items():
        if k in own:
            torch.testing.assert_close(own[k], v)
    fresh = MelGANGenerator(cfg.mel.n_mels, cfg.vocoder).state_dict()
    torch.testing.assert_close(own["pqmf.conv.weight"], fresh["pqmf.conv.weight"])


def test_a_file_that_is_no_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.ts"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="x.ts: cannot load"):
        vocoder_state_from_file(str(bad))
    with pytest.raises(ValueError, match="generator weights lack"):
        VocoderTask(ContinuousConfig(), ContinuousConfig().vocoder_stage,
                    generator_state={"pre.weight": torch.zeros(1)})
