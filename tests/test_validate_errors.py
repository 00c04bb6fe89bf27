"""Every error and warning class of ``mechmap validate``, on real files.

Each test file marks what it expects at the end of the offending line:
``# E:COL text`` for an error at that line and column whose message contains ``text``,
``# W:COL text`` for a warning. Files that cannot hold comments are listed below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, run_mechmap, validate_json

EXPECT = re.compile(r"#\s*([EW]):(\d+)\s+(.*)$")
CHECKED_FILES = sorted(
    [
        *DATA.glob("invalid/*.yaml"),
        *DATA.glob("maps/*.yaml"),
        *DATA.glob("vignettes/*.yaml"),
        *DATA.glob("crossref/*/*.yaml"),
    ]
)
NO_COMMENTS = {
    "empty.yaml": [("error", 1, 1, "file is empty")],
    "comments_only.yaml": [("error", 1, 1, "file is empty")],
    "non_utf8.yaml": [("error", 3, 11, "not UTF-8 text (byte 0xe9")],
}


def expectations(path: Path) -> list[tuple[str, int, int, str]]:
    if path.name in NO_COMMENTS:
        return NO_COMMENTS[path.name]
    found = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            kind, col, message = match.groups()
            found.append(("error" if kind == "E" else "warning", number, int(col), message))
    return found


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    payload = validate_json(*(p.relative_to(ROOT) for p in CHECKED_FILES))
    return {entry["file"]: entry for entry in payload["files"]}


@pytest.mark.parametrize("path", CHECKED_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_reports_exactly_the_expected_problems(path: Path, reports: dict[str, dict]) -> None:
    report = reports[str(path.relative_to(ROOT))]
    expected = expectations(path)
    # Problems located in other files (a cited vignette) are checked with those files.
    got = [
        (d["severity"], d["line"], d["col"], d["message"])
        for d in report["diagnostics"]
        if d["file"] == report["file"]
    ]
    for severity, line, col, text in expected:
        matches = [g for g in got if g[:3] == (severity, line, col) and text in g[3]]
        assert matches, f"expected {severity} at {line}:{col} containing {text!r}; got {got}"
    expected_errors = {(line, col) for severity, line, col, _ in expected if severity == "error"}
    unexpected = [g for g in got if g[0] == "error" and (g[1], g[2]) not in expected_errors]
    assert not unexpected, f"errors nobody expected: {unexpected}"
    if path.parent.name == "maps":
        expected_warnings = {(line, col) for s, line, col, _ in expected if s == "warning"}
        assert {(g[1], g[2]) for g in got if g[0] == "warning"} == expected_warnings
    if not any(d["file"] != report["file"] for d in report["diagnostics"]):
        assert report["valid"] == (not expected_errors)


def test_every_error_class_has_a_file() -> None:
    names = {p.stem for p in DATA.glob("invalid/*.yaml")}
    assert {
        "syntax",
        "unsafe_tag",
        "alias_bomb",
        "empty",
        "non_utf8",
        "unknown_keys",
        "duplicates",
        "unknown_refs",
        "self_loop",
        "cycle",
        "back_in_time",
        "moderator",
        "hypothesis",
        "evidence",
        "measures",
        "design",
        "edge_kind",
        "bad_id_and_field",
        "scalar_tags",
        "version_yes",
        "tab",
        "indentation",
        "waves_not_a_list",
        "waves_not_a_mapping",
        "cycle_waves",
    } <= names


def test_text_output_is_file_line_col_message(root: Path) -> None:
    result = run_mechmap("validate", "tests/data/invalid/cycle.yaml")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("tests/data/invalid/cycle.yaml:12:5: error: cycle ")
    assert "leadership -> facilitator -> traction -> leadership" in first.replace(
        "facilitator -> traction -> leadership -> facilitator",
        "leadership -> facilitator -> traction -> leadership",
    )
    assert "waves" in first and "@t1" in first


def test_cycle_is_printed_as_the_cycle() -> None:
    report = validate_json("tests/data/invalid/cycle.yaml")["files"][0]
    message = report["diagnostics"][0]["message"]
    cycle = re.search(r"cycle ([\w@ >-]+):", message).group(1).split(" -> ")
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"facilitator", "traction", "leadership"}


def test_unsafe_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        "mechmap: 1\nid: evil\ntitle: x\nnodes: {a: {}}\n"
        f"description: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    result = run_mechmap("validate", str(evil))
    assert result.returncode == 1
    assert "refused" in result.stdout
    assert not marker.exists()


@pytest.mark.parametrize("path", sorted(DATA.glob("invalid/*.yaml")), ids=lambda p: p.name)
def test_never_a_traceback(path: Path) -> None:
    for command in (["validate"], ["show"], ["evidence"]):
        result = run_mechmap(*command, str(path))
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr


def test_exit_codes(tmp_path: Path) -> None:
    assert run_mechmap("validate", "tests/data/maps/warnings.yaml").returncode == 0
    assert run_mechmap("validate", "tests/data/invalid/cycle.yaml").returncode == 1
    missing = run_mechmap("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert run_mechmap("validate", "--format", "xml", "x.yaml").returncode == 2
    assert run_mechmap("validate").returncode == 2
    mixed = run_mechmap(
        "validate", "tests/data/maps/warnings.yaml", "tests/data/invalid/cycle.yaml"
    )
    assert mixed.returncode == 1


def test_all_files_reported_in_one_run() -> None:
    result = run_mechmap(
        "validate", "tests/data/invalid/duplicates.yaml", "tests/data/invalid/unknown_keys.yaml"
    )
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 10


def test_warnings_do_not_fail_validation() -> None:
    result = run_mechmap("validate", "tests/data/maps/warnings.yaml")
    assert result.returncode == 0
    assert result.stdout.count(": warning: ") == 4
    assert "valid map 'warnings'" in result.stdout


def test_an_invalid_required_value_is_reported_once(tmp_path: Path) -> None:
    """Dropping the bad value to go on checking must not add a 'missing key' error."""
    bad = tmp_path / "bad-id.yaml"
    bad.write_text(
        "mechmap: 1\nid: m\ntitle: M\nnodes: {a: {}, b: {}}\nedges: [a -> b]\n"
        "hypotheses:\n  - {id: 'bad id!', path: a -> b}\n"
    )
    result = run_mechmap("validate", str(bad))
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1 and ":7:10: " in errors[0], result.stdout


def test_an_unknown_edge_kind_is_a_located_error_that_says_the_fix() -> None:
    result = run_mechmap("validate", "tests/data/invalid/edge_kind.yaml")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "tests/data/invalid/edge_kind.yaml:10:38: error: edge 1: kind: 'measurment' is not allowed"
    )
    assert "(did you mean 'measurement'?)" in first
    assert "choose one of: causal, measurement" in first
    assert "leave kind out for a causal step" in first


def test_a_hypothesis_through_a_measurement_arrow_warns_at_the_hypothesis() -> None:
    result = run_mechmap("validate", "tests/data/maps/measurement.yaml")
    assert result.returncode == 0, result.stdout
    warned = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert [line.split(": warning: ")[0] for line in warned] == [
        "tests/data/maps/measurement.yaml:17:9",  # through-goal
        "tests/data/maps/measurement.yaml:19:9",  # facets, through its parallel path too
        "tests/data/maps/measurement.yaml:22:9",  # the measurement arrow alone
    ]
    assert all("not a causal step" in line for line in warned)
    assert "alliance -> goal, alliance -> bond" in warned[1]
    assert "causal-only" not in result.stdout
    assert "(3 warnings)" in result.stdout
