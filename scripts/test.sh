#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (SQLite and the local PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/quizbot content validate
.venv/bin/quizbot content lint
# mypy needs one core for about half a minute and pytest mostly uses one: run them side by side.
mypy_log=$(mktemp)
.venv/bin/mypy >"$mypy_log" 2>&1 &
mypy_pid=$!
status=0
.venv/bin/python -m pytest "$@" || status=$?
if wait "$mypy_pid"; then
  cat "$mypy_log"
else
  cat "$mypy_log"
  echo "mypy failed" >&2
  status=1
fi
rm -f "$mypy_log"
exit "$status"
