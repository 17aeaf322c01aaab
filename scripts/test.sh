#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (SQLite and the local PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
# Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), no process keeps the bytecode
# it compiles: each of the suite's hundred-odd Python processes (bots, workers, scripts) then
# compiled every module it imports from source again, 2-3 s a process. Written once, the
# modules are read back by the rest.
unset PYTHONDONTWRITEBYTECODE
bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# mypy from a fresh clone takes half a minute on its own; it runs beside the tests (which
# leave a core idle part of the time) and its verdict is waited for at the end.
mypy_log="$(mktemp)"
.venv/bin/mypy >"$mypy_log" 2>&1 &
mypy_pid=$!
.venv/bin/quizbot content validate
.venv/bin/quizbot content lint
# One pytest worker per core: each has its own template databases and temporary folders.
status=0
.venv/bin/python -m pytest --numprocesses=auto "$@" || status=$?
if ! wait "$mypy_pid"; then
  cat "$mypy_log"
  status=1
fi
tail -n 1 "$mypy_log"
rm -f "$mypy_log"
exit "$status"
