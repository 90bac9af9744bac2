#!/usr/bin/env bash
# The one gate: format, lint, types, then the whole test suite (terraform tier included).
set -euo pipefail
cd "$(dirname "$0")/.."
ruff format --check .
ruff check .
mypy
python -m pytest "$@"
