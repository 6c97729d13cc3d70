"""ChunkDataset over a cache: shapes, crops, gain, rate check, workers, light imports."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from timbre_rt.data import ChunkDataset, DatasetError, Manifest
from timbre_rt.data.manifest import write_manifest

CHUNK = 256


def make_cache(folder, n_train=6, n_held=2, rate=24000, chunk=CHUNK):
    """A cache written by hand (no soundfile): row i of train holds ramp + i."""
    folder.mkdir(parents=True, exist_ok=True)
    ramp = np.linspace(0, 0.5, chunk, dtype=np.float32)
    train = np.stack([ramp + i for i in range(n_train)]).astype(np.float16)
    held = np.full((n_held, chunk), 0.25, np.float16)
    np.save(folder / "train.npy", train)
    np.save(folder / "held_out.npy", held)
    splits = {
        "train": [{"name": f"t{i}.wav", "chunks": 1, "seconds": 0.1} for i in range(n_train)],
        "held_out": [{"name": f"h{i}.wav", "chunks": 1, "seconds": 0.1} for i in range(n_held)],
    }
    counts = {s: {"sounds": len(v), "chunks": len(v), "seconds": 0.1 * len(v)} for s, v in splits.items()}
    write_manifest(Manifest(rate, chunk, {"kind": "folder", "path": "/x"}, {}, counts, splits, folder=folder), folder)
    return folder


def test_shapes_dtypes_and_whole_chunks(tmp_path):
    ds = ChunkDataset(make_cache(tmp_path / "c"))
    assert len(ds) == 6 and ds.segment == CHUNK and ds.sampling_rate == 24000
    x = ds[3]
    assert x.shape == (1, CHUNK) and x.dtype == torch.float32
    ref = np.load(tmp_path / "c" / "train.npy")[3].astype(np.float32)
    np.testing.assert_array_equal(x[0].numpy(), ref)


def test_centre_and_random_crops(tmp_path):
    cache = make_cache(tmp_path / "c")
    row = np.load(cache / "train.npy")[2].astype(np.float32)
    centre = ChunkDataset(cache, 100, random_crop=False)
    a, b = centre[2], centre[2]
    assert a.shape == (1, 100) and torch.equal(a, b)
    np.testing.assert_array_equal(a[0].numpy(), row[78:178])
    rand = ChunkDataset(cache, 100)
    torch.manual_seed(0)
    starts = set()
    for _ in range(20):
        x = rand[2][0].numpy()
        start = int(np.argmin(np.abs(row - x[0])))  # the ramp is strictly increasing
        np.testing.assert_array_equal(x, row[start : start + 100])
        starts.add(start)
    assert len(starts) > 5


def test_random_gain_stays_in_range(tmp_path):
    cache = make_cache(tmp_path / "c")
    ds = ChunkDataset(cache, gain_db=(-12.0, -6.0))
    plain = ChunkDataset(cache)
    torch.manual_seed(0)
    ratios = [float(ds[1][0, -1] / plain[1][0, -1]) for _ in range(20)]
    assert all(10 ** (-12 / 20) - 1e-6 <= r <= 10 ** (-6 / 20) + 1e-6 for r in ratios)
    assert len(set(ratios)) > 1


def test_splits_and_paths(tmp_path):
    cache = make_cache(tmp_path / "c")
    held = ChunkDataset(cache, split="held_out")
    assert len(held) == 2 and torch.allclose(held[0], torch.tensor(0.25))
    assert len(ChunkDataset(cache / "held_out.npy")) == 2
    assert len(ChunkDataset(cache / "train.npy")) == 6
    empty = ChunkDataset(make_cache(tmp_path / "e", n_held=0), split="held_out")
    assert len(empty) == 0
    with pytest.raises(IndexError):
        empty[0]


def test_wrong_rate_names_both_rates(tmp_path):
    cache = make_cache(tmp_path / "c", rate=44100)
    with pytest.raises(DatasetError, match="44100 Hz") as e:
        ChunkDataset(cache, sampling_rate=24000)
    assert "24000 Hz" in str(e.value) and str(cache) in str(e.value)
    assert ChunkDataset(cache, sampling_rate=44100).sampling_rate == 44100


def test_bad_arguments_and_missing_cache(tmp_path):
    cache = make_cache(tmp_path / "c")
    with pytest.raises(DatasetError, match="segment"):
        ChunkDataset(cache, CHUNK + 1)
    with pytest.raises(DatasetError, match="split"):
        ChunkDataset(cache, split="test")
    with pytest.raises(DatasetError, match="gain_db"):
        ChunkDataset(cache, gain_db=(0, -6))
    with pytest.raises(DatasetError, match="no manifest"):
        ChunkDataset(tmp_path / "nothing")


def test_pickles_without_the_array_and_works_in_workers(tmp_path):
    ds = ChunkDataset(make_cache(tmp_path / "c", n_train=64), 128)
    ds[0]  # opens the memory map
    assert len(pickle.dumps(ds)) < 64 * CHUNK * 2  # the path travels, not the array
    loader = torch.utils.data.DataLoader(ds, batch_size=16, num_workers=2)
    batches = list(loader)
    assert len(batches) == 4 and batches[0].shape == (16, 1, 128)


def test_import_without_preprocessing_packages(tmp_path):
    cache = make_cache(tmp_path / "c")
    code = (
        "import sys\n"
        "for m in ('soundfile', 'soxr', 'tinysoundfont', 'tqdm'):\n"
        "    sys.modules[m] = None  # import of any of them now fails\n"
        "from timbre_rt.data import ChunkDataset, read_manifest\n"
        f"ds = ChunkDataset({str(cache)!r}, 64, sampling_rate=24000)\n"
        "assert ds[0].shape == (1, 64)\n"
        f"assert read_manifest({str(cache)!r}).chunk == {CHUNK}\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
