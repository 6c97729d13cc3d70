"""SilenceGate: closed on silence, open on sound, streamed == offline, ramps between frames."""

import torch

from timbre_rt.nn import SilenceGate, set_streaming


def test_gate_levels_and_ramps():
    gate = SilenceGate(4, floor_db=-90.0, width_db=10.0)
    loud = torch.tensor([[[-100.0, -100.0, -20.0, -20.0, -100.0, -100.0, -100.0, -85.0]]])
    g = gate(loud)[0, 0].reshape(8, 4)
    # A decoder one frame late plays frame j's sound in block j + 1: the gate opens
    # during block 2, is open for blocks 3-4 (frames 2-3) and closes during block 5.
    assert torch.all(g[:2] == 0)  # silence: exactly 0
    assert torch.allclose(g[2], torch.tensor([0.25, 0.5, 0.75, 1.0]))
    assert torch.all(g[3:5] == 1)
    assert torch.allclose(g[5], torch.tensor([0.75, 0.5, 0.25, 0.0]))
    assert torch.all(g[6] == 0) and torch.allclose(g[7, -1], torch.tensor(0.5))  # -85 dB: half


def test_streamed_chunks_equal_one_call():
    gate = SilenceGate(8)
    loud = torch.empty(2, 1, 30).uniform_(-110.0, -60.0)
    whole = gate(loud)
    set_streaming(gate, True)
    parts = torch.cat([gate(loud[..., i : i + 3]) for i in range(0, 30, 3)], dim=-1)
    torch.testing.assert_close(parts, whole)
    gate.reset()
    torch.testing.assert_close(gate(loud[..., :5]), whole[..., :40])


def test_codec_decodes_silence_to_exact_zeros():
    from continuous_fixtures import tiny_config
    from timbre_rt.models.continuous import MelGANGenerator, MelVAE
    from timbre_rt.models.continuous.codec import ContinuousCodec

    cfg = tiny_config()
    codec = ContinuousCodec(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), MelGANGenerator(cfg.mel.n_mels, cfg.vocoder)).eval()
    with torch.no_grad():
        for p in codec.vocoder.post.parameters():  # a vocoder that hums: constant sub-bands
            p.fill_(0.01)
        ratio = cfg.latent_ratio
        y = codec(torch.zeros(1, 1, 16 * ratio))
        assert torch.all(y == 0)
        tone = 0.3 * torch.sin(torch.arange(16 * ratio) * 0.1).reshape(1, 1, -1)
        assert codec(tone)[..., 4 * ratio :].abs().max() > 0  # sound passes


def test_zero_db_frames_in_the_past_are_not_mistaken_for_no_past():
    # A host that sends all-zero latent frames (loudness 0 dB) before the first real
    # ones must get the same gate streamed as offline.
    gate = SilenceGate(4)
    loud = torch.cat([torch.zeros(1, 1, 3), torch.full((1, 1, 3), -100.0), torch.zeros(1, 1, 2)], -1)
    whole = gate(loud)
    set_streaming(gate, True)
    torch.testing.assert_close(torch.cat([gate(loud[..., i : i + 1]) for i in range(8)], -1), whole)
