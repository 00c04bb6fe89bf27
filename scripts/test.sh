#!/usr/bin/env bash
# The whole test suite: lint, then every test. Sets itself up first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check mechmap tests benchmarks
.venv/bin/python -m pytest "$@"
