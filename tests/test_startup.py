"""Start-up: a run imports only what it uses, and the fast ``--help`` is typer's help.

``mechmap --help`` is drawn from :mod:`mechmap.cli.commands` without typer; each command's
module is imported only when that command runs. These tests check the table against the
real command definitions, the fast help against typer's own rendering of the whole app, and
which modules real runs import (``python -X importtime``)."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys

import pytest

from mechmap.cli.commands import COMMANDS, DEFAULT_PANEL, import_all
from tests.conftest import ROOT, run_mechmap

ALLIANCE = "maps/yakovchenko-2025-working-alliance.yaml"
GTI = "data/gti-synthetic"
# typer's --help with every command module imported: the help the table must reproduce.
TYPER_HELP = (
    "import sys; from mechmap.cli.app import main; from mechmap.cli.commands import import_all\n"
    "import_all(); sys.argv = ['mechmap', *sys.argv[1:]]; main()"
)


def test_the_command_table_is_what_the_modules_define() -> None:
    from typer.main import get_command_name
    from typer.models import DefaultPlaceholder

    from mechmap.cli.app import app

    import_all()
    defined = []
    for info in app.registered_commands:
        panel = info.rich_help_panel
        defined.append(
            (
                info.name or get_command_name(info.callback.__name__),
                info.callback.__module__.removeprefix("mechmap.cli."),
                DEFAULT_PANEL if isinstance(panel, DefaultPlaceholder) else panel,
                inspect.cleandoc(info.help or info.callback.__doc__).split("\n\n")[0],
            )
        )
    assert sorted(defined) == sorted(tuple(c) for c in COMMANDS)


def _typer_and_fast(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, ...]:
    run = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 120, "env": env}
    typer_help = subprocess.run([sys.executable, "-c", TYPER_HELP, *args], **run)
    return typer_help, run_mechmap(*args, env=env)


@pytest.mark.parametrize("columns", ["60", "120"])
@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_fast_help_is_typers_help(columns: str, colour: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env |= {"COLUMNS": columns, **({"FORCE_COLOR": "1"} if colour else {})}
    for args in (["--help"], []):
        typer_help, fast = _typer_and_fast(*args, env=env)
        assert fast.stdout == typer_help.stdout, args
        assert fast.returncode == typer_help.returncode == (0 if args else 2)
        assert fast.stderr == typer_help.stderr == ""
    shown = re.sub(r"\x1b\[[0-9;]*m", "", fast.stdout)
    for c in COMMANDS:
        assert f" {c.name} " in shown
    assert ("\x1b[" in fast.stdout) is colour


def _imported(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mechmap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    return [line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")]


def test_help_imports_neither_typer_nor_a_command_module() -> None:
    imported = _imported("--help")
    assert "mechmap.cli.overview" in imported
    assert not [m for m in imported if m.startswith(("typer", "click", "pydantic", "yaml"))]
    assert not [
        m
        for m in imported
        if m.startswith("mechmap.cli.")
        and m.count(".") == 2
        and m not in ("mechmap.cli.commands", "mechmap.cli.overview")
    ]


def test_validate_imports_only_its_command_module() -> None:
    imported = _imported("validate", ALLIANCE)
    commands = {m.removeprefix("mechmap.cli.") for m in imported if m.startswith("mechmap.cli.")}
    assert commands == {"app", "commands", "maps"}


def test_a_test_run_on_files_imports_only_what_it_uses() -> None:
    """pandas only for data frames (files are read by DuckDB), matplotlib only for a report's
    figures or a power plot, DoWhy only for --dowhy-check."""
    imported = _imported(
        "test",
        ALLIANCE,
        "--measures",
        f"{GTI}/gti-synthetic-measures.yaml",
        "--data",
        f"{GTI}/gti-synthetic-sites.csv",
        "--data",
        f"{GTI}/gti-synthetic-wai-s.csv",
        "--hypothesis",
        "dose-alliance",
        "--missing",
        "drop",
        "--resamples",
        "200",
        "--json",
    )
    packages = {m.split(".")[0] for m in imported}
    assert {"numpy", "scipy", "duckdb", "mechmap"} <= packages  # what the run does use
    unused = {"pandas", "pyarrow", "matplotlib", "dowhy", "statsmodels", "sklearn", "pgmpy"}
    assert not packages & unused
    assert "mechmap.mechanism.dowhy_adapter" not in imported


def test_a_mistyped_command_is_a_usage_error_naming_the_command_meant() -> None:
    result = run_mechmap("implicatons", ALLIANCE)  # every name is known before any is built
    assert result.returncode == 2
    assert "No such command 'implicatons'" in result.stderr
    assert "Did you mean 'implications'" in result.stderr
    assert result.stdout == ""
