"""The EMA vector quantiser: k-means seeding, EMA pull, dead-code restart, statistics."""

import torch

from timbre_rt.nn.vector_quantizer import Codebook, VectorQuantizer, nearest_indices


def _clusters(n_per=64, centres=((0.0, 0.0), (10.0, 0.0), (0.0, 10.0)), seed=0):
    gen = torch.Generator().manual_seed(seed)
    c = torch.tensor(centres)
    x = c.repeat_interleave(n_per, 0) + 0.1 * torch.randn(len(c) * n_per, 2, generator=gen)
    return x, c


def test_nearest_and_lookup():
    book = Codebook(3, 2)
    book.embeddings.copy_(torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 5.0]]))
    x = torch.tensor([[[0.1, 0.1], [0.9, -0.2]], [[0.2, 4.0], [0.4, 0.0]]])
    idx = book.nearest(x)
    assert idx.tolist() == [[0, 1], [2, 0]]
    assert torch.equal(book(x), book.embeddings[idx])
    assert torch.equal(nearest_indices(x, book.embeddings), idx)


def test_passes_through_until_kmeans_then_codes_sit_on_the_clusters():
    torch.manual_seed(0)
    x, centres = _clusters()
    vq = VectorQuantizer(3, 2, kmeans_batches=2, kmeans_iters=10).train()
    first = vq(x)
    assert torch.equal(first.quantized, x) and not bool(vq.initialised)
    vq(x)  # second batch: k-means runs on the remembered vectors
    assert bool(vq.initialised)
    learned = vq.codebook.embeddings
    # every true centre has a code within the noise
    assert torch.cdist(centres, learned).min(dim=1).values.max() < 0.1
    out = vq(x)
    assert out.usage == 1.0 and abs(float(out.perplexity) - 3.0) < 1e-3


def test_ema_moves_codes_toward_their_vectors():
    vq = VectorQuantizer(2, 2, decay=0.5, kmeans_batches=0, dead_after=0).train()
    vq.codebook.embeddings.copy_(torch.tensor([[0.0, 0.0], [10.0, 10.0]]))
    vq.ema_sum.copy_(vq.codebook.embeddings)  # counts are 1: sums = codes
    target = torch.tensor([[2.0, 1.0]] * 8)  # all nearest to code 0
    before = (vq.codebook.embeddings[0] - target[0]).norm()
    for _ in range(10):
        out = vq(target)
    after = (vq.codebook.embeddings[0] - target[0]).norm()
    assert after < 0.01 * before
    assert (vq.codebook.embeddings[1] - target[0]).norm() > 10.0  # not pulled: nothing assigned
    assert out.indices.unique().tolist() == [0]
    # commitment pulls the input toward its code; the straight-through output carries the code
    torch.testing.assert_close(out.quantized.detach(), vq.codebook.embeddings[out.indices], atol=0.02, rtol=0)


def test_straight_through_gradient_and_commitment():
    vq = VectorQuantizer(2, 2, kmeans_batches=0).train()
    x = torch.randn(5, 2, requires_grad=True)
    out = vq(x)
    (out.quantized.sum() + out.commitment).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_dead_codes_are_restarted_on_recent_vectors():
    torch.manual_seed(0)
    vq = VectorQuantizer(4, 2, kmeans_batches=0, dead_after=3).train()
    vq.codebook.embeddings.copy_(torch.tensor([[0.0, 0.0], [100.0, 100.0], [-100.0, 50.0], [80.0, -90.0]]))
    vq.ema_sum.copy_(vq.codebook.embeddings)  # counts are 1: sums = codes
    x, _ = _clusters(n_per=16, centres=((0.0, 0.0), (5.0, 5.0)))
    for _ in range(3):
        vq(x)
    assert int(vq.restarts) == 3  # codes 1..3 never won a vector
    # the restarted codes are now among the data, not far away
    far = torch.cdist(vq.codebook.embeddings[1:], x).min(dim=1).values
    assert far.max() < 1.0
    assert int(vq.steps_unused.max()) < 3


def test_eval_mode_does_not_update():
    vq = VectorQuantizer(3, 2, kmeans_batches=0).eval()
    before = vq.codebook.embeddings.clone()
    vq(torch.randn(20, 2))
    assert torch.equal(before, vq.codebook.embeddings)
