#!/usr/bin/env bash
# Builds the core and its stress test under ThreadSanitizer (build-tsan/) and runs it on the
# toy model: an audio thread against a control thread that reconfigures without pause, a
# snapshot reader, and a Pipeline whose knobs another thread turns; then the core's unit
# checks, whose error mailbox has a writer and a reader at full speed. Needs scripts/setup.sh
# first (the venv's torch). A data race fails it (exit 66).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(.venv/bin/python -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')"
echo "== ThreadSanitizer build (build-tsan/)"
cmake -S . -B build-tsan -DTIMBRE_RT_SANITIZE=thread -DTIMBRE_RT_BUILD_PYTHON=OFF -DTIMBRE_RT_BUILD_PD=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$prefix" > build-tsan.log
cmake --build build-tsan -j"$(nproc)" --target stress_engine test_core_units >> build-tsan.log
echo "== stress test under ThreadSanitizer"
# One intra-op thread: libtorch's OpenMP pool is not built with ThreadSanitizer, which then
# reports its workers' copies as races with the allocating thread (false positives there,
# not in our hand-over, which is all this test is about).
OMP_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
  build-tsan/stress_engine models/toy.ts "${TSAN_SECONDS:-3}"
echo "== core units under ThreadSanitizer (the error mailbox's writer and reader)"
TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/test_core_units
