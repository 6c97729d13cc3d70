"""`timbre-rt pd-package`: the folder, moved elsewhere, plays in a Pd with a bare environment
exactly as build/pd does; its binaries look only inside it; its patches find its models."""

import os
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from timbre_rt.cli import main
from timbre_rt.pd_package import LIBRARY, SYSTEM_LIBRARIES, needed, run_path, write_dek
from timbre_rt.pd_render import render
from pd_checks import assert_pd_ok, run_opened

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "models" / "toy.ts"  # the shipped toy model: 4 latents, 24 kHz
RATE = 24000
LATENTS = 4
BARE = {"PATH": "/usr/bin:/bin"}  # as `env -i PATH=/usr/bin:/bin`: no venv, no LD_LIBRARY_PATH


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """Built once (libtorch hard-linked where the filesystem allows), then moved away."""
    built = tmp_path_factory.mktemp("built")
    assert main(["pd-package", "--out", str(built), "--no-archive", "--hardlink"]) == 0
    moved = tmp_path_factory.mktemp("moved") / "somewhere" / "else"
    moved.parent.mkdir()
    shutil.move(str(built / LIBRARY), str(moved))
    assert not (built / LIBRARY).exists()
    return moved


def chain(model: Path):
    objects = [f"encoder~ {model} 256 0", f"decoder~ {model} 256 0"]
    wires = [(0, k, 1, k) for k in range(LATENTS)] + [(1, 0, -1, 0)]
    return objects, wires


def test_moved_package_plays_like_the_build_in_a_bare_environment(tmp_path, package):
    t = np.arange(RATE // 2) / RATE
    tone = (0.4 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.random.default_rng(1).standard_normal(t.size)).astype(
        np.float32
    )
    (tmp_path / "build").mkdir()
    (tmp_path / "package").mkdir()
    reference = render(tmp_path / "build", tone, RATE, *chain(TOY))
    packaged = render(
        tmp_path / "package", tone, RATE, *chain(package / "models" / "toy.ts"), pd_path=package, env=BARE
    )
    for run in (reference, packaged):
        assert_pd_ok(run)
        assert run.output.shape == tone.shape, run.stderr
    assert np.abs(reference.output).max() > 0.01  # a chain that plays, not two silences
    np.testing.assert_array_equal(packaged.output, reference.output)


def test_binaries_look_only_inside_the_package(package):
    bundled = {p.name for p in (package / "lib").iterdir()}
    assert {"libtorch_cpu.so", "libc10.so", "libsamplerate.so.0"} <= bundled
    for external in package.glob("*.pd_linux"):
        assert run_path(external) == "$ORIGIN/lib", external
        assert set(needed(external)) <= bundled | SYSTEM_LIBRARIES, external
    for lib in (package / "lib").iterdir():
        assert run_path(lib) == "$ORIGIN", lib
        assert set(needed(lib)) <= bundled | SYSTEM_LIBRARIES, lib


def test_every_patch_finds_its_models(package):
    patches = list(package.glob("*-help.pd")) + list((package / "examples").glob("*.pd"))
    assert len(patches) >= 3 + len(list((REPO / "pd_externals" / "examples").glob("*.pd")))
    seen = 0
    for patch in patches:
        boxes = [line for line in patch.read_text().splitlines() if line.startswith(("#X obj", "#X msg"))]
        for ref in re.findall(r"[\w./-]*models/[\w.-]+\.ts", "\n".join(boxes)):
            assert (patch.parent / ref).resolve().is_file(), f"{patch.name}: {ref}"
            seen += 1
    assert seen > 0
    assert "models/" in (package / "README.md").read_text()


def test_dek_archive_holds_the_folder_under_a_deken_name(tmp_path):
    folder = tmp_path / LIBRARY
    (folder / "lib").mkdir(parents=True)
    (folder / "encoder~.pd_linux").write_bytes(b"\x7fELF")
    os.chmod(folder / "encoder~.pd_linux", 0o755)
    (folder / "lib" / "libx.so").write_bytes(b"x")
    dek = write_dek(folder, tmp_path / "out", "1.2.3", "Linux-amd64-32")
    assert dek.name == "timbre_rt[v1.2.3](Linux-amd64-32).dek"
    with zipfile.ZipFile(dek) as archive:
        names = sorted(archive.namelist())
        mode = archive.getinfo("timbre_rt/encoder~.pd_linux").external_attr >> 16
    assert names == ["timbre_rt/encoder~.pd_linux", "timbre_rt/lib/libx.so"]
    assert mode & 0o111  # the externals stay executable


def test_out_that_is_a_file_is_one_clear_error(tmp_path, capsys):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert main(["pd-package", "--out", str(not_a_folder), "--no-archive"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(not_a_folder) in err[0] and "is a file" in err[0]


def test_every_packaged_patch_opens_in_a_bare_pd(package):
    """Help patches and examples, all in one Pd from the moved folder: every object created,
    every model found (a missing model is an error line from the objects)."""
    patches = sorted(package.glob("*-help.pd")) + sorted((package / "examples").glob("*.pd"))
    run_opened(patches, cwd=package, pd_path=package, env=BARE, timeout=300)
