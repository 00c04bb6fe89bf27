#!/usr/bin/env bash
# Creates .venv with the pinned dependency set and installs mechmap into it.
# Idempotent: a stamp of the lock file's hash skips the install when nothing changed,
# so the run and test commands stay quick after the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${PYTHON:-}
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin=$candidate; break; fi
  done
fi
if [ -z "$python_bin" ]; then
  echo "setup: no python3 found; install Python 3.11 (apt-get install -y python3)" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  # Debian's python3 ships venv without ensurepip until python3-venv is installed.
  if ! "$python_bin" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    "$python_bin" -m venv .venv
  fi
fi

stamp=.venv/.mechmap-installed
wanted=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing pinned dependencies into .venv (first run takes about a minute)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$wanted" > "$stamp"
fi
