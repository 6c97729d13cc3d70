"""Builds timbre_rt._core through the root CMakeLists.txt (metadata lives in pyproject.toml)."""
import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent.resolve()


class CMakeExtension(Extension):
    def __init__(self, name: str):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        import pybind11
        import torch

        output_dir = Path(self.get_ext_fullpath(ext.name)).parent.resolve()
        # A fixed build folder: the C++ tests (and later the Pd externals) are found there.
        build_dir = Path(os.environ.get("TIMBRE_RT_BUILD_DIR", ROOT / "build")).resolve()
        prefix = ";".join([torch.utils.cmake_prefix_path, pybind11.get_cmake_dir()])
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            f"-DCMAKE_PREFIX_PATH={prefix}",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DTIMBRE_RT_PYTHON_OUTPUT_DIR={output_dir}",
            "-DCMAKE_BUILD_TYPE=Release",
        ]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "-j", jobs], check=True)


setup(ext_modules=[CMakeExtension("timbre_rt._core")], cmdclass={"build_ext": CMakeBuild})
