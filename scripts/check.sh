#!/usr/bin/env bash
# Install motcua with its development tools into .venv, then run every check CI runs:
# lint, format, types, the shipped data against its sources, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The suite runs on every core (pytest-xdist), a test module per worker so that its module-scoped
# servers and databases are made once; MOTCUA_TEST_WORKERS=0 runs it in this process.
.venv/bin/python -m pytest -n "${MOTCUA_TEST_WORKERS:-auto}" --dist loadscope "$@"
