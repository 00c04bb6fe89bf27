#!/usr/bin/env bash
# The whole test suite: lint, then every test. Sets itself up first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The viewer's tests drive Debian's Chromium through Playwright, which must never download a
# browser of its own (no `playwright install`). Runs as root, like the set-up.
if [ ! -x /usr/bin/chromium ]; then
  echo "test: installing Debian's chromium for the viewer tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check mechmap tests benchmarks
# One worker per core, each taking whole test files (their module fixtures are set up once).
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
