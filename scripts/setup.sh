#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine: system packages, the Python venv (.venv),
# and the C++ build (build/: the core, the C++ tests and the Pd externals; timbre_rt._core is
# installed into the venv). Safe to run again: it skips what is already there. Runs as root,
# or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Compilers, CMake and libsamplerate for the core, Python headers and venv for the module, Pd (headers
# for the externals, the binary for the headless tests and the demo), JACK for the Pd benchmark
# and the realtime host (`timbre-rt play` runs on `jackd -d dummy` without a sound card),
# PortAudio for sounddevice, libjack (from jackd2) for JACK-Client (the live latency benchmark),
# and the General MIDI soundfont (MIT) that the default training set is rendered from;
# TimGM6mb (GPL-2) and espeak-ng make the evaluation set of sources no model trains on
# (`timbre-rt make-dataset --unseen`); patchelf gives `timbre-rt pd-package` its $ORIGIN run paths;
# puredata-extra has sigmund~ (descriptor-synth.pd analyses its input with it); puredata-gui, xvfb,
# xdotool and x11-apps (xwd) let the GUI tests open a patch in Pd's window on a virtual screen, look
# at it and drag in it with the mouse (tests/xvfb_screen.py).
packages=(build-essential cmake git python3 python3-venv python3-dev libsamplerate0-dev puredata-core puredata-dev puredata-utils puredata-extra puredata-gui xvfb xdotool x11-apps patchelf jackd2 libportaudio2 fluid-soundfont-gm timgm6mb-soundfont espeak-ng)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# torch is pinned: an unpinned torch pulls a multi-GB CUDA build.
echo "== installing Python packages"
.venv/bin/python -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12"
.venv/bin/python -m pip install -q "torch==2.13.0" "numpy>=1.24" "pytest>=7" "soxr>=0.3" \
  "soundfile>=0.12" "lightning>=2.2" "tensorboard>=2.14" "pyyaml>=6" "tqdm>=4.60" "matplotlib>=3.7" \
  "sounddevice>=0.4" "python-rtmidi>=1.5" "librosa>=0.10" "JACK-Client>=0.5" "hypothesis>=6.100" \
  "ruff==0.17.6"
# tinysoundfont declares pyaudio (for live playback, which we never use) and pyaudio needs
# PortAudio headers to build: install it without its dependencies.
.venv/bin/python -m pip install -q --no-deps "tinysoundfont>=0.3"
# No build isolation: the build must see the pinned torch of the venv (its headers and CMake files).
# Editable (the Python files stay in timbre_rt/, _core goes into the venv) and built in the fixed
# folder build/, where the tests find the C++ test programs and the Pd externals (build/pd), which
# a plain `pip install .` leaves off (pyproject.toml).
echo "== building timbre_rt (C++ core, Python module, tests, Pd externals)"
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  .venv/bin/python -m pip install -q --no-build-isolation --no-deps \
    --config-settings=build-dir=build \
    --config-settings=cmake.define.TIMBRE_RT_BUILD_TESTS=ON \
    --config-settings=cmake.define.TIMBRE_RT_BUILD_PD=ON \
    -e .
echo "== ready: .venv/bin/timbre-rt --help"
