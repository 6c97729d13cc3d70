"""FrameLevelDistance: the level gap in dB, frame by frame, where the reference sounds."""

import torch

from timbre_rt.nn.level_loss import FrameLevelDistance


def test_a_gain_is_its_level_gap_in_db():
    y = torch.randn(2, 1, 8192, generator=torch.Generator().manual_seed(0)) * 0.1
    d = FrameLevelDistance()
    assert float(d(y, y)) == 0.0
    torch.testing.assert_close(d(0.5 * y, y), torch.tensor(20 * 0.30103), atol=1e-3, rtol=0)
    torch.testing.assert_close(d(2.0 * y, y), torch.tensor(20 * 0.30103), atol=1e-3, rtol=0)


def test_silent_reference_frames_do_not_count():
    y = torch.zeros(1, 1, 8192)
    y[..., 4096:] = torch.randn(4096, generator=torch.Generator().manual_seed(1)) * 0.1
    x = y.clone()
    x[..., :3000] = 0.5  # loud where the reference is silent: not counted
    assert float(FrameLevelDistance()(x, y)) < 0.01
    assert float(FrameLevelDistance()(torch.ones(1, 1, 4096), torch.zeros(1, 1, 4096))) == 0.0


def test_its_gradient_raises_a_quiet_output():
    y = torch.randn(1, 1, 4096, generator=torch.Generator().manual_seed(2)) * 0.1
    gain = torch.tensor(0.5, requires_grad=True)
    FrameLevelDistance()(gain * y, y).backward()
    assert gain.grad < 0  # louder lowers the loss
