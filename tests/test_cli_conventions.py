"""What every command shares: ``--json`` where it reports, honest ``--help``, shell
completion, progress on stderr only in a terminal, and no control character from a file
reaching the terminal. Each checked on the real command, in a pseudo-terminal where it
matters."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mechmap.cli.commands import COMMANDS
from mechmap.terminal import printable
from tests.conftest import ROOT, run_mechmap

ALLIANCE = "maps/yakovchenko-2025-working-alliance.yaml"
KILBOURNE = "maps/kilbourne-2023-facilitation.yaml"
LESSON = ROOT / "tests" / "data" / "teaching" / "maps" / "lesson.yaml"


def _in_terminal(*args: str, stdout_too: bool = True) -> tuple[int, str, str]:
    """Run the command with stderr (and ``stdout_too``, stdout) on a pseudo-terminal, as in
    an interactive shell: the exit status, what stdout got, what the terminal got."""
    main, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "mechmap", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=terminal if stdout_too else subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    stdout = b"" if stdout_too else process.stdout.read()
    status = process.wait(timeout=120)
    reader.join(timeout=30)
    os.close(main)
    return status, stdout.decode(), shown.decode(errors="replace")


# -- --json ------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "source"), [("validate", ALLIANCE), ("evidence", KILBOURNE)])
def test_json_is_the_same_as_format_json(command: str, source: str) -> None:
    by_flag = run_mechmap(command, "--json", source)
    by_format = run_mechmap(command, "--format", "json", source)
    assert by_flag.returncode == by_format.returncode == 0, by_flag.stderr
    assert json.loads(by_flag.stdout) == json.loads(by_format.stdout)
    assert by_flag.stdout == by_format.stdout


def test_show_json_holds_what_show_prints() -> None:
    import mechmap

    m = mechmap.load(ROOT / ALLIANCE)
    result = run_mechmap("show", "--json", ALLIANCE)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["map"] == m.id and shown["title"] == m.title
    assert [n["id"] for n in shown["nodes"]] == [n.id for n in m.nodes]
    assert {v for n in shown["nodes"] for v in n["variables"]} == set(m.variables)
    assert [(a["from"], a["to"]) for a in shown["arrows"]] == [
        (e.source, e.target) for e in m.edges
    ]
    links = [tuple(x) for a in shown["arrows"] for x in a["links"]] + [
        tuple(x) for x in shown["carried"]
    ]
    assert sorted(links) == sorted((x.source, x.target) for x in m.links)
    assert [h["id"] for h in shown["hypotheses"]] == [h.id for h in m.hypotheses]
    assert result.stderr == ""  # warnings go into the JSON, not around it
    assert all({"severity", "message"} <= set(w) for w in shown["warnings"])


def test_show_json_carries_the_warnings() -> None:
    source = ROOT / "tests" / "data" / "maps" / "warnings.yaml"
    text = run_mechmap("show", str(source))
    shown = json.loads(run_mechmap("show", "--json", str(source)).stdout)
    printed = [line for line in text.stderr.splitlines() if ": warning: " in line]
    assert printed and len(shown["warnings"]) == len(printed)


# -- --help -------------------------------------------------------------------------------


def _command_names() -> list[str]:
    return [c.name for c in COMMANDS]


@pytest.mark.parametrize("command", ["", *_command_names()])
def test_help_shows_no_bool_or_list_metavars(command: str) -> None:
    result = run_mechmap(
        *([command] if command else []), "--help", env={**os.environ, "COLUMNS": "200"}
    )
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout
    assert "<list[" not in result.stdout
    flags = [line for line in result.stdout.splitlines() if re.search(r"--help\b", line)]
    assert flags and all("<" not in line for line in flags)


def test_a_repeated_option_shows_the_one_value_it_takes() -> None:
    result = run_mechmap("test", "--help", env={**os.environ, "COLUMNS": "200"})
    [data] = [line for line in result.stdout.splitlines() if "--data" in line]
    assert re.search(r"--data\s+-d\s+<path>\s", data)


# -- shell completion ---------------------------------------------------------------------


def test_shell_completion_installs_for_the_mechmap_command() -> None:
    script = run_mechmap("--show-completion", "bash")
    assert script.returncode == 0, script.stderr
    assert "_MECHMAP_COMPLETE=complete_bash" in script.stdout
    assert script.stdout.rstrip().endswith("mechmap")  # complete ... mechmap


@pytest.mark.parametrize(
    ("words", "expected"),
    [("mechmap ren", ["render"]), ("mechmap render m.yaml --theme s", ["slides"])],
)
def test_the_shell_completes_commands_and_choices(words: str, expected: list[str]) -> None:
    env = {
        **os.environ,
        "_MECHMAP_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = run_mechmap(env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


# -- progress -----------------------------------------------------------------------------


def test_teach_shows_progress_in_a_terminal_and_not_on_stdout(tmp_path: Path) -> None:
    folder = tmp_path / "slides"
    status, stdout, shown = _in_terminal("teach", str(LESSON), "-o", str(folder), stdout_too=False)
    assert status == 0, shown
    assert stdout == f"wrote 3 steps (8 files) to {folder}\n"
    assert "drawing slides" in shown


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = run_mechmap("teach", str(LESSON), "-o", str(tmp_path / "slides"))
    assert result.returncode == 0 and result.stderr == ""
    drawn = run_mechmap("render", ALLIANCE, "-o", str(tmp_path / "map.svg"))
    assert drawn.returncode == 0 and drawn.stderr == ""


def test_render_shows_what_it_is_doing_in_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    status, stdout, shown = _in_terminal("render", ALLIANCE, "-o", str(out), stdout_too=False)
    assert status == 0, shown
    assert stdout == f"wrote {out}\n"
    assert "yakovchenko-2025-working-alliance.yaml" in shown or "map.svg" in shown


# -- control characters -------------------------------------------------------------------

# What a terminal would act on: clear the screen, retitle the window, plant a link, ring,
# a one-byte CSI, a right-to-left override.
CONTROLS = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b]8;;http://x.invalid\x1b\\", "\x9b31m", "\u202e"]
HOSTILE_MAP = """\
mechmap: 1
id: controls
title: "Title \\e[2J cleared"
description: "Retitled \\e]0;pwned\\a here"
nodes:
  a: {{label: "Link \\e]8;;http://x.invalid\\e\\\\ planted", role: strategy}}
  b: {{label: "Csi \\x9b31m and \\u202e reversed", role: mechanism, description: "x"}}
  c: {{label: C, role: implementation_outcome}}
edges:
  - {{from: a, to: b, note: "Note \\e[2J too"}}
  - b -> c
hypotheses:
  - {{id: h, path: a -> b -> c, description: "Described \\e[2J"}}
{extra}"""


def _hostile(tmp_path: Path, extra: str = "") -> Path:
    source = tmp_path / "controls.yaml"
    source.write_text(HOSTILE_MAP.format(extra=extra), encoding="utf-8")
    return source


def test_printable_removes_what_a_terminal_acts_on_and_keeps_the_text() -> None:
    for control in CONTROLS:
        assert printable(f"a{control}b").startswith("a") and not any(
            c in printable(f"a{control}b") for c in "\x1b\x07\x9b\u202e"
        )
    assert printable("tab\tand\nline") == "tab\tand\nline"
    assert printable("Größe → 🙂") == "Größe → 🙂"


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "piped"])
def test_show_prints_no_control_character_from_the_file(tmp_path: Path, terminal: bool) -> None:
    source = _hostile(tmp_path)
    if terminal:
        status, _, shown = _in_terminal("show", str(source))
    else:
        result = run_mechmap("show", str(source))
        status, shown = result.returncode, result.stdout + result.stderr
    assert status == 0, shown
    for control in CONTROLS:
        assert control not in shown
    assert "\x07" not in shown and "\x9b" not in shown and "\u202e" not in shown
    # What is left of each sequence shows, so the reader sees something was there.
    for visible in ("Title [2J cleared", "Retitled ]0;pwned here", "Csi 31m and  reversed"):
        assert visible in shown
    # In a terminal the only escape sequences are rich's own colours and bold.
    assert set(re.findall(r"\x1b[^m]*m", shown)) <= {"\x1b[0m", "\x1b[1m", "\x1b[33m", "\x1b[2m"}
    assert not re.sub(r"\x1b\[[0-9;]*m", "", shown).count("\x1b")


def test_errors_quoting_the_file_print_no_control_character(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(
        'mechmap: 1\nid: bad\ntitle: T\nnodes:\n  a: {role: "bo\\e[2Jgus"}\n', encoding="utf-8"
    )
    status, _, shown = _in_terminal("validate", str(source))
    assert status == 1
    assert "bo[2Jgus" in shown and "\x1b[2J" not in shown
