#!/usr/bin/env bash
# Install everything the project needs, from PyPI and npm only. Safe to run again.
#   Python 3.11 + pipenv -> .venv/ (from Pipfile.lock, dev tools included)
#   Node >= 20           -> node_modules/ (the pinned cdktf CLI, from package-lock.json)
# Terraform >= 1.10 must be on PATH (see the README, "Set up").
set -euo pipefail
cd "$(dirname "$0")/.."
export PIPENV_VENV_IN_PROJECT=1 PIPENV_NOSPIN=1 PIPENV_YES=1 PIP_DISABLE_PIP_VERSION_CHECK=1

PIPENV_VERSION=2026.10.3
if ! command -v pipenv >/dev/null 2>&1 || [ "$(pipenv --version 2>/dev/null | awk '{print $3}')" != "$PIPENV_VERSION" ]; then
  python3 -m pip install --quiet "pipenv==${PIPENV_VERSION}"
fi
pipenv sync --dev --quiet 2>&1 | grep -v -e '^Installing dependencies' -e '^$' || true
# fails loudly if the install did not work (find_spec: no Node process, no banner)
pipenv run python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('cdktf', 'cdktf_cdktf_provider_aws', 'pydantic', 'yaml')))"
npm ci --no-audit --no-fund --loglevel=error
command -v terraform >/dev/null || { echo "bootstrap: terraform is not on PATH (need >= 1.10)" >&2; exit 1; }
echo "bootstrap: ready ($(pipenv run python --version), node $(node --version), $(terraform version 2>/dev/null | head -1))"
