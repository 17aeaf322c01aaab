#!/usr/bin/env bash
# Create .venv (if missing) and install quizbot with its development tools into it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# torch==2.13.0 is pinned in pyproject.toml; its CPU build lies on the machine's disk (the
# folder pip's find-links names). uv installs the ninety-odd packages in parallel, about 10 s
# against pip's 40 s here, and takes torch from that folder; where the wheel is not there, pip
# and the machine's own pip settings do the install (uv alone would fetch a CUDA build of GBs).
links="${PIP_FIND_LINKS:-/opt/wheels}"
if compgen -G "$links/torch-2.13.0*.whl" >/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"
  .venv/bin/uv pip install --quiet --python .venv/bin/python --find-links "$links" -e ".[dev,demos]"
else
  # --no-compile: byte-compiling every installed module (torch has thousands) takes longer
  # than compiling, on first import, the few the bot and its tests use.
  .venv/bin/pip install --quiet --disable-pip-version-check --no-compile -e ".[dev,demos]"
fi
