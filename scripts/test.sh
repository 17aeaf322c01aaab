#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (SQLite and the local PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/quizbot content validate
.venv/bin/quizbot content lint
# One pytest worker per core: each has its own template databases and temporary folders.
.venv/bin/python -m pytest --numprocesses=auto "$@"
