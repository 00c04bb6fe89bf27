"""Shared helpers: run the real ``mechmap`` command on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def run_mechmap(*args: str, cwd: Path = ROOT, env=None) -> subprocess.CompletedProcess[str]:
    """``python -m mechmap ARGS`` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "mechmap", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def validate_json(*files: Path | str) -> dict:
    result = run_mechmap("validate", "--format", "json", *map(str, files))
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
