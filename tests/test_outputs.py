"""Every file a command writes: never over an existing one without ``--force``, never
half-written, no temporary file left behind, and a drawing past its time limit is one
clear line. Real commands on real files, a full disk simulated by a file-size limit."""

from __future__ import annotations

import errno
import importlib.util
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mechmap import files
from tests.conftest import ROOT, run_mechmap

ALLIANCE = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"
LESSON = ROOT / "tests" / "data" / "teaching" / "maps" / "lesson.yaml"
DAGITTY = ROOT / "tests" / "data" / "dagitty"
TIME_LIMIT = "MECHMAP_DRAW_TIME_LIMIT"


def _generated_map(n: int) -> str:
    path = ROOT / "benchmarks" / "generated_maps.py"
    spec = importlib.util.spec_from_file_location("generated_maps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generated_map(n, numbered=True)


# Each command that writes one file, as (arguments before the output, the output's name).
WRITERS = {
    "render svg": (["render", str(ALLIANCE), "-o"], "map.svg"),
    "render dot": (["render", str(ALLIANCE), "-o"], "map.dot"),
    "view": (["view", str(ALLIANCE), "-o"], "map.html"),
    "export": (["export", str(ALLIANCE), "--to", "mermaid", "-o"], "map.mmd"),
    "import": (["import", str(sorted(DAGITTY.glob("*.dagitty"))[0]), "-o"], "map.yaml"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_output_is_kept_without_force_and_replaced_with_it(
    writer: str, tmp_path: Path
) -> None:
    args, name = WRITERS[writer]
    out = tmp_path / name
    out.write_text("mine")
    kept = run_mechmap(*args, str(out))
    assert kept.returncode == 2 and kept.stdout == ""
    assert kept.stderr == f"mechmap: {out} exists; add --force to overwrite it\n"
    assert out.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == [name]
    replaced = run_mechmap(*args, str(out), "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert out.read_text() != "mine"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_render_keeps_an_existing_legend_file_and_writes_neither(tmp_path: Path) -> None:
    out, legend = tmp_path / "fig.svg", tmp_path / "fig-legend.svg"
    legend.write_text("my legend")
    kept = run_mechmap("render", str(ALLIANCE), "-o", str(out), "--legend", "separate")
    assert kept.returncode == 2
    assert kept.stderr == f"mechmap: {legend} exists; add --force to overwrite it\n"
    assert legend.read_text() == "my legend" and not out.exists()
    forced = run_mechmap("render", str(ALLIANCE), "-o", str(out), "--legend", "separate", "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == f"wrote {out}\nwrote {legend}\n"
    assert legend.read_bytes().startswith(b"<?xml") and out.read_bytes().startswith(b"<?xml")


# -- a write that fails ----------------------------------------------------------------


def test_a_failed_write_leaves_no_temporary_file_and_the_old_file(tmp_path, monkeypatch) -> None:
    out = tmp_path / "map.svg"
    out.write_text("old")

    class FullDisk:
        def __init__(self, descriptor, mode):
            self.handle = open(descriptor, mode)  # noqa: SIM115 (closed in __exit__)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "open", FullDisk, raising=False)
    with pytest.raises(OSError, match="No space left"):
        files.write_all_atomically({tmp_path / "new.svg": "x" * 1000, out: "new"})
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]
    assert out.read_text() == "old"


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch) -> None:
    out = tmp_path / "map.svg"
    out.write_text("old")

    def failing_replace(source, target):
        raise OSError(errno.EIO, "Input/output error", str(source), None, str(target))

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="Input/output"):
        files.write_atomically(out, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]
    assert out.read_text() == "old"


def test_files_written_all_or_none_take_back_the_new_ones(tmp_path, monkeypatch) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "a-legend.svg"
    links = []

    def second_link_fails(source, target):
        if links:
            raise FileExistsError(errno.EEXIST, "File exists", source, None, target)
        links.append(target)
        os.link(source, target)

    monkeypatch.setattr(files.os, "link", second_link_fails)
    with pytest.raises(FileExistsError):
        files.write_all_atomically({first: "map", second: "key"}, overwrite=False)
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_a_new_file_is_still_written_and_an_old_one_kept(
    tmp_path, monkeypatch
) -> None:
    def no_hard_links(source, target):  # as on FAT or some network shares
        raise OSError(errno.EPERM, "Operation not permitted", source, None, target)

    monkeypatch.setattr(files.os, "link", no_hard_links)
    new = tmp_path / "new.svg"
    files.write_atomically(new, "drawn", overwrite=False)
    assert new.read_text() == "drawn"
    with pytest.raises(FileExistsError):
        files.write_atomically(new, "again", overwrite=False)
    assert new.read_text() == "drawn"
    assert [p.name for p in tmp_path.iterdir()] == ["new.svg"]


def _run_with_file_size_limit(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The command with writes past ``limit`` bytes failing (EFBIG), as on a full disk."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "mechmap", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limited,
    )


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    out.write_bytes(b"an older picture")
    result = _run_with_file_size_limit(4096, "render", str(ALLIANCE), "-o", str(out), "--force")
    assert result.returncode == 1
    assert result.stderr == f"mechmap: cannot write {out}: File too large\n"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
    assert out.read_bytes() == b"an older picture"


def test_teach_on_a_full_disk_writes_no_slide_and_no_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "slides"
    result = _run_with_file_size_limit(60_000, "teach", str(LESSON), "-o", str(folder))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"mechmap: cannot write into {folder}: File too large")
    assert list(tmp_path.iterdir()) == []


# -- a drawing that takes too long -------------------------------------------------------


def test_a_render_past_the_time_limit_says_what_to_do(tmp_path: Path) -> None:
    source = tmp_path / "big.yaml"
    source.write_text(_generated_map(120), encoding="utf-8")
    out = tmp_path / "big.png"
    env = {**os.environ, TIME_LIMIT: "0.001"}
    result = run_mechmap("render", str(source), "-o", str(out), env=env)
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line == (
        "mechmap: drawing the map as PNG took longer than 0.001 s, the time limit "
        "(graphviz-pure): split the map into smaller maps, draw it as SVG (several times "
        f"faster than PNG), or allow more time: {TIME_LIMIT}=600 (or draw part of it: "
        "--focus NODE --depth 2)"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["big.yaml"]


@pytest.mark.parametrize("command", ["view", "teach"])
def test_view_and_teach_past_the_time_limit_are_one_line(command: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, TIME_LIMIT: "0.001"}
    result = run_mechmap(command, str(LESSON), "-o", str(out), env=env)
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "took longer than 0.001 s, the time limit" in line and f"{TIME_LIMIT}=600" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf", "nan"])
def test_a_time_limit_that_is_not_seconds_is_named(value: str, tmp_path: Path) -> None:
    env = {**os.environ, TIME_LIMIT: value}
    result = run_mechmap("render", str(LESSON), "-o", str(tmp_path / "m.svg"), env=env)
    assert result.returncode == 1
    assert result.stderr == (
        f"mechmap: {TIME_LIMIT}={value!r} is not a number of seconds: set it to e.g. 600, "
        "or unset it for the default of 120 s\n"
    )
