"""Inputs that once crashed the loader, or got a misleading message, on real files.

Most cases are files in tests/data/invalid/ whose expected errors are marked in the file
(checked by tests/test_validate_errors.py). Here: that following each hint makes the map
valid, that item patterns are a template of ``{n}`` only (and a huge padding spec cannot
exhaust memory), and the locations the loader fuzzers once found wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mechmap.instruments.wai import ScoringError, score_wai
from tests.conftest import DATA, ROOT, run_mechmap, validate_json

INVALID = DATA / "invalid"
FIXTURES = DATA / "measures"
HEADER = "mechmap: 1\nid: m\ntitle: M\n"


def errors(path: Path) -> list[tuple[int, int, str]]:
    report = validate_json(path)["files"][0]
    return [(d["line"], d["col"], d["message"]) for d in report["diagnostics"]]


def without_expectations(path: Path, tmp_path: Path, old: str = "", new: str = "") -> Path:
    """A copy of an invalid fixture with its ``# E:`` marks removed and ``old`` made ``new``."""
    text = "\n".join(line.split("  # E:")[0] for line in path.read_text().split("\n"))
    assert old in text
    fixed = tmp_path / path.name
    fixed.write_text(text.replace(old, new))
    return fixed


def test_the_typo_in_the_issue_is_two_located_errors(tmp_path: Path) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(HEADER + "nodes: {3x: {role: bogus}}\n")
    result = run_mechmap("validate", str(typo))
    assert result.returncode == 1
    assert "internal error" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in lines] == [f"{typo}:4:9", f"{typo}:4:20"]
    assert "'3x' is not a valid id" in lines[0] and "'bogus' is not allowed" in lines[1]


@pytest.mark.parametrize(
    ("version", "shown"),
    [("yes", "'yes'"), ("true", "'true'"), ("1.0", "1.0"), ('"1"', '"1"'), ("2", "2")],
)
def test_the_version_is_the_integer_1(tmp_path: Path, version: str, shown: str) -> None:
    path = tmp_path / "version.yaml"
    path.write_text(f"mechmap: {version}\nid: m\ntitle: M\nnodes: {{a: {{}}}}\n")
    assert errors(path) == [
        (
            1,
            10,
            f"unsupported format version {shown}; the version is the integer 1: write 'mechmap: 1'",
        )
    ]


@pytest.mark.parametrize(
    ("fixture", "advice", "old", "new"),
    [
        ("tab.yaml", "replace the tab with spaces", "\tb:", "  b:"),
        ("indentation.yaml", "line it up with the key", "   b:", "  b:"),
        ("version_yes.yaml", "write 'mechmap: 1'", "mechmap: yes", "mechmap: 1"),
        ("waves_not_a_mapping.yaml", "write waves: {q1: a label for q1", "[q1, q2]", "{q1: Q1}"),
        ("cycle_waves.yaml", "'lag: 1'", 'sign: "+"}', 'sign: "+", lag: 1}'),
        ("bad_id_and_field.yaml", "choose one of", "3x:\n    role: bogus", "x3:\n    role: other"),
    ],
)
def test_doing_what_the_message_says_fixes_the_file(
    tmp_path: Path, fixture: str, advice: str, old: str, new: str
) -> None:
    assert advice in " ".join(message for _, _, message in errors(INVALID / fixture))
    result = run_mechmap(
        "validate", str(without_expectations(INVALID / fixture, tmp_path, old, new))
    )
    assert result.returncode == 0, result.stdout


def test_a_loop_repeated_at_each_wave_is_reported_once_with_the_lag_hint() -> None:
    (problem,) = errors(INVALID / "cycle_waves.yaml")
    assert "(and the same loop at q2, q3)" in problem[2]
    assert "{from: behaviour, to: intention, lag: 1}" in problem[2]
    assert "@q1@" not in problem[2] and "give the nodes 'waves'" not in problem[2]


def test_a_loop_between_named_copies_is_pointed_at_a_later_copy(tmp_path: Path) -> None:
    path = tmp_path / "copies.yaml"
    path.write_text(
        HEADER + "waves: {t0: A, t1: B}\nnodes: {a: {waves: [t0, t1]}, b: {waves: [t0, t1]}}\n"
        "edges: [a@t0 -> b@t0, b@t0 -> a@t0]\n"
    )
    ((line, col, message),) = errors(path)
    assert (line, col) == (6, 23)
    assert "point the arrow b@t0 -> a@t0 at a later copy (b@t0 -> a@t1)" in message
    path.write_text(path.read_text().replace("b@t0 -> a@t0]", "b@t0 -> a@t1]"))
    assert run_mechmap("validate", str(path)).returncode == 0


def test_a_recursive_alias_is_located_at_the_alias(tmp_path: Path) -> None:
    path = tmp_path / "recursive.yaml"
    path.write_text(HEADER + "nodes: {a: {}}\ndescription: &d [text, *d]\n")
    assert errors(path) == [(5, 24, "this alias refers to itself (recursive)")]


def test_items_after_a_dropped_item_keep_their_own_lines(tmp_path: Path) -> None:
    """A list item that fails the schema is dropped to go on checking; the items after it
    must still be located (and numbered) where the file has them."""
    path = tmp_path / "dropped.yaml"
    path.write_text(
        HEADER + "nodes: {a: {}, b: {}}\nedges: [a -> b]\nhypotheses:\n"
        "  - {idon: x, path: a -> b}\n"
        "  - {id: h2, path: a -> c}\n"
        "  - {id: 'bad id', path: a -> b}\n"
        "  - {id: h4, path: b -> a}\n"
        "teaching:\n  sequence:\n    - {arrow: 9, note: x}\n    - {arrow: 8}\n"
    )
    got = {(line, col): message for line, col, message in errors(path)}
    assert "unknown node 'c'" in got[(8, 25)]
    assert got[(9, 10)].startswith("hypothesis 3: id: 'bad id' is not a valid id")
    assert "no arrow b -> a" in got[(10, 25)]
    assert got[(14, 7)] == "teaching step 2: the map has no arrow #8"


def test_a_control_character_is_located_in_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "control.yaml"
    path.write_bytes((HEADER + "description: éé\x07\nnodes: {a: {}}\n").encode())
    ((line, col, message),) = errors(path)
    assert (line, col) == (4, 16)
    assert message.startswith("character U+0007 is not allowed in YAML")


def test_a_scalar_over_several_lines_is_located_at_its_start(tmp_path: Path) -> None:
    path = tmp_path / "folded.yaml"
    # The first item is one space short, so the lines below it continue its text.
    path.write_text(HEADER + "nodes: {a: {}, b: {}}\nedges:\n - a -> b\n  - b <- a\n")
    ((line, col, message),) = errors(path)
    assert (line, col) == (6, 4)
    assert message == "'<-' is not an arrow mechmap reads: write 'a -> b'"


# -- item patterns ------------------------------------------------------------------------------
BAD_PATTERNS = [
    ("wai_{n:>300000000}{n}", 5, "'{n:>300000000}': only {n}, the item number, may stand"),
    ("wai_{n.__class__.__name__}{n}", 5, "'{n.__class__.__nam...': only {n}"),
    ("wai_{x}", 5, "'{x}': only {n}, the item number, may stand in braces"),
    ("wai_{0}", 5, "'{0}': only {n}"),
    ("wai_}{n}", 5, "a '}' without its '{'"),
    ("wai_{n}{", 8, "an unclosed '{'"),
]


def measures_with_items(tmp_path: Path, pattern: str) -> Path:
    """The fixture measures file with the alliance score read from ``pattern``."""
    text = (FIXTURES / "measures.yaml").read_text()
    old = "wai: {score: {instrument: wai-s, subscale: total, dropped: [5]}}"
    assert old in text
    path = tmp_path / "measures.yaml"
    path.write_text(text.replace(old, old[:-2] + f', items: "{pattern}"}}}}'))
    return path


def pattern_column(path: Path, pattern: str, offset: int) -> tuple[int, int]:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if f'"{pattern}"' in line:
            return number, line.index(f'"{pattern}"') + 2 + offset
    raise AssertionError(pattern)


def test_item_patterns_and_measures_test_command_agree_on_a_valid_pattern(tmp_path) -> None:
    """A pattern with {n} more than once, bound end to end by `mechmap test`."""
    hours = [2, 4, 6, 8, 10, 12, 14, 16]
    rows = ["site,facilitation_hours," + ",".join(f"t{n}_item{n}" for n in range(1, 13))]
    for i, h in enumerate(hours):
        answers = [min(7, 1 + h // 3 + (i + n) % 2) for n in range(1, 13)]
        rows.append(f"S{i},{h}," + ",".join(map(str, answers)))
    data = tmp_path / "sites.csv"
    data.write_text("\n".join(rows) + "\n")
    measures = tmp_path / "custom.yaml"
    measures.write_text(
        "measures:\n  nodes:\n    hours: {column: facilitation_hours, type: count}\n"
        '    wai: {score: {instrument: wai-s, subscale: total, items: "t{n}_item{n}"}}\n'
    )
    result = run_mechmap(
        "test", str(FIXTURES / "map.yaml"), "--data", str(data), "--measures", str(measures),
        "--path", "hours -> wai", "--resamples", "200", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


@pytest.mark.parametrize(("pattern", "offset", "message"), BAD_PATTERNS)
def test_a_bad_item_pattern_is_a_located_error_in_test_and_validate(
    tmp_path: Path, pattern: str, offset: int, message: str
) -> None:
    measures = measures_with_items(tmp_path, pattern)
    line, col = pattern_column(measures, pattern, offset - 1)
    result = run_mechmap(
        "test", str(FIXTURES / "map.yaml"), "-d", str(FIXTURES / "sites.csv"),
        "-d", str(FIXTURES / "wai.csv"), "--measures", str(measures), "--path", "hours -> wai",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert f"{measures}:{line}:{col}: error: {message}" in result.stderr
    inline = tmp_path / "map.yaml"
    inline.write_text((FIXTURES / "map.yaml").read_text() + measures.read_text())
    shift = len((FIXTURES / "map.yaml").read_text().splitlines())
    assert any(
        (found_line, found_col) == (line + shift, col) and message in text
        for found_line, found_col, text in errors(inline)
    )


def test_a_huge_padding_spec_fails_fast_within_a_memory_cap(tmp_path: Path) -> None:
    """`{n:>300000000}` once padded each of 12 item names to 300 MB (12.7 GB in all): under
    a 2 GB address-space cap that ended in an internal error; now it is refused at load."""
    resource = pytest.importorskip("resource")
    measures = measures_with_items(tmp_path, BAD_PATTERNS[0][0])
    cap = 2 * 1024**3
    result = subprocess.run(
        [sys.executable, "-m", "mechmap", "test", str(FIXTURES / "map.yaml"),
         "-d", str(FIXTURES / "sites.csv"), "-d", str(FIXTURES / "wai.csv"),
         "--measures", str(measures), "--path", "hours -> wai"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "only {n}, the item number" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("pattern", [p for p, _, _ in BAD_PATTERNS])
def test_score_wai_refuses_the_same_patterns(pattern: str) -> None:
    answers = {f"wai_{n}": 4 for n in range(1, 13)}
    with pytest.raises(ScoringError, match="braces"):
        score_wai(answers, items=pattern)
    assert score_wai({f"q{n}x{n}": 4 for n in range(1, 13)}, items="q{n}x{n}")["total"] == 4


def test_validate_json_keeps_its_shape() -> None:
    payload = validate_json(INVALID / "tab.yaml")
    assert set(payload) == {"valid", "files"}
    (entry,) = payload["files"]
    assert set(entry) == {"file", "kind", "valid", "errors", "warnings", "diagnostics"}
    assert set(entry["diagnostics"][0]) == {"file", "line", "col", "severity", "message"}
