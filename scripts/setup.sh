#!/usr/bin/env bash
# First-time set-up: virtual environment, install, and a .env with a fresh ANSWER_HASH_KEY.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/quizbot setup
