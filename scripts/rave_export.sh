#!/usr/bin/env bash
# Builds RAVE v2 exports with random weights for the benchmarks, never committed:
#   .cache/rave/rave_v2_random_44100.ts and .cache/rave/rave_v2_random_48000.ts
# in RAVE's own venv (.cache/rave-venv, torch==2.13.0 + acids-rave), through RAVE's v2.gin
# and RAVE's own `rave export --streaming`. Safe to run again: skips what exists.
# Options go to timbre_rt/bench/rave_export.py (--out, --rates, --config, --seed; --help).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/rave-venv
PY="$VENV/bin/python"
fail() { echo "error: $*" >&2; exit 1; }

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exec python3 timbre_rt/bench/rave_export.py --help 2>/dev/null || true
fi
if [ ! -f "$VENV/.ready" ]; then
  echo "== creating $VENV (torch 2.13.0 CPU + acids-rave; a few minutes)"
  [ -x "$PY" ] || python3 -m venv "$VENV" || fail "cannot create $VENV (Debian: python3-venv)"
  # RAVE imports pkg_resources, which setuptools 81 removed. torch is pinned: unpinned, pip
  # pulls a multi-GB CUDA build.
  "$PY" -m pip install -q "setuptools<81" wheel || fail "pip could not install setuptools<81 into $VENV"
  "$PY" -m pip install -q "torch==2.13.0" acids-rave "setuptools<81" || fail "pip could not install acids-rave into $VENV"
  # torchaudio has no build for torch 2.13: its compiled libraries want CUDA and fail to load.
  # RAVE only imports torchaudio's Python side, so move the libraries aside.
  lib=$("$PY" - <<'PYEOF'
import importlib.util, pathlib
spec = importlib.util.find_spec("torchaudio")
print(pathlib.Path(spec.origin).parent / "lib" if spec else "")
PYEOF
)
  if [ -n "$lib" ] && [ -d "$lib" ]; then mv "$lib" "$lib.aside"; fi
  "$PY" -c "import rave" || fail "acids-rave installed but 'import rave' fails in $VENV (see above)"
  touch "$VENV/.ready"
fi
exec "$PY" timbre_rt/bench/rave_export.py "$@"
