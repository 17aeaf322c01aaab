#!/usr/bin/env bash
# Create .venv (if missing) and install quizbot with its development tools into it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU build from the local wheel cache.
# --no-compile: byte-compiling every installed module (torch has thousands) takes longer than
# compiling, on first import, the few the bot and its tests use.
.venv/bin/pip install --quiet --disable-pip-version-check --no-compile -e ".[dev]"
