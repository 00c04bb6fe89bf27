"""Expert panels (modified Delphi, RAND/UCLA): rating forms, consensus, report, the map's field.

Forms are written by the real ``mechmap rate``, filled here as a panelist would (a CSV
editor, openpyxl for Excel), and read back by the real ``mechmap consensus``. The numbers are
checked against numpy's percentiles and a worked example, never against the code's own
output.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.consensus.ram import appraise, percentile, verdict_of
from mechmap.diagrams.render import draw
from mechmap.mapfile.validation import check_file
from tests.conftest import ROOT, run_mechmap
from tests.test_viewer import Viewer, browser, expect  # noqa: F401 (browser: a fixture)

KILBOURNE = ROOT / "maps" / "kilbourne-2023-facilitation.yaml"
SYNTHETIC = ROOT / "data" / "delphi-synthetic" / "delphi-synthetic-ratings.csv"
# A small map of its own (vignettes need not exist), with a label a spreadsheet would run.
SMALL_MAP = """\
mechmap: 1
id: small
title: Small
nodes:
  dose: {label: "=HYPERLINK(\\"http://x\\")", role: strategy}
  trust: {label: "Trust <b>", role: mechanism}
  uptake: {label: Uptake, role: implementation_outcome}
edges:
  # the dose builds trust
  - {from: dose, to: trust, arrow: 1, note: "-1 if reversed", provenance: inferred}
  - trust -> uptake   # trust leads to uptake
  - {from: dose, to: uptake, arrow: 3}
"""
ARROWS = ["#1", "#3", "trust -> uptake"]  # the form's order: numbered arrows first
ROW_SCHEMA = {
    "type": "object",
    "required": ["arrow", "round", "n", "median", "ipr", "ipras", "disagreement_index", "verdict"],
    "properties": {
        "arrow": {"type": "string"},
        "round": {"type": "integer", "minimum": 1},
        "n": {"type": "integer", "minimum": 0},
        "median": {"type": ["number", "null"]},
        "ipr": {"type": ["number", "null"]},
        "ipras": {"type": ["number", "null"]},
        "disagreement_index": {"type": ["number", "null"]},
        "verdict": {"enum": ["include", "uncertain", "exclude", None]},
    },
}
JSON_SCHEMA = {
    "type": "object",
    "required": ["arrows", "rounds", "proposals", "unrated"],
    "properties": {"arrows": {"type": "array", "items": ROW_SCHEMA}},
}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_MAP, encoding="utf-8")
    return path


def _ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = run_mechmap(*args)
    assert result.returncode == 0, result.stderr
    return result


def _fill_csv(form: Path, rater: str, ratings: dict[str, object], proposal=()) -> None:
    rows = list(csv.reader(io.StringIO(form.read_text(encoding="utf-8"))))
    rating_col = None
    for row in rows:
        if row[:1] == ["rater"]:
            row[1] = rater
        elif "rating" in row:
            rating_col = row.index("rating")
        elif rating_col is not None and row and row[0] in ratings:
            row[rating_col] = str(ratings[row[0]])
    if proposal:
        blank = next(i for i, row in enumerate(rows) if row == ["", "", ""])
        rows[blank] = list(proposal)
    with form.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _fill_xlsx(form: Path, rater: str, ratings: dict[str, object]) -> None:
    book = openpyxl.load_workbook(form)
    sheet = book["Ratings"]
    sheet["B1"] = rater
    for row in sheet.iter_rows(min_row=6):
        if row[0].value in ratings:
            row[5].value = ratings[row[0].value]
    book.save(form)


def test_rate_writes_csv_and_xlsx_forms_that_run_no_formula(small: Path, tmp_path: Path) -> None:
    form = tmp_path / "form.csv"
    _ok("rate", str(small), "-o", str(form), "--round", "2")
    rows = list(csv.reader(io.StringIO(form.read_text(encoding="utf-8"))))
    assert rows[0][0] == "mechmap rating form"
    assert ["round", "2"] in rows and ["rater", ""] in rows
    header = rows.index(
        ["arrow", "description", "provenance", "evidence", "note", "rating", "comment"]
    )
    arrows = rows[header + 1 : header + 4]
    assert [r[0] for r in arrows] == ARROWS
    # The label and the note would start a formula: they start with an apostrophe instead.
    assert arrows[0][1] == """'=HYPERLINK("http://x") → Trust <b>"""
    assert arrows[0][4] == "'-1 if reversed"
    assert ["from", "to", "rationale"] in rows[header + 4 :]
    # Never overwritten without --force; an unknown format is a usage error.
    again = run_mechmap("rate", str(small), "-o", str(form))
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_mechmap("rate", str(small), "-o", str(tmp_path / "form.ods")).returncode == 2

    book_path = tmp_path / "form.xlsx"
    _ok("rate", str(small), "-o", str(book_path), "--rater", "P9")
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames == ["Instructions", "Ratings", "Proposed arrows"]
    sheet = book["Ratings"]
    assert (sheet["A1"].value, sheet["B1"].value, sheet["A2"].value, sheet["B2"].value) == (
        "rater",
        "P9",
        "round",
        1,
    )
    assert [c.value for c in sheet[5]] == [
        "arrow",
        "description",
        "provenance",
        "evidence",
        "note",
        "rating",
        "comment",
    ]
    assert [sheet.cell(row=r, column=1).value for r in (6, 7, 8)] == ARROWS
    # Text that looks like a formula is stored as text, not as a formula.
    assert sheet["B6"].data_type == "s" and sheet["B6"].value.startswith("=HYPERLINK")
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["F6:F8"]
    assert [c.value for c in book["Proposed arrows"][1]] == ["from", "to", "rationale"]


def test_three_raters_forms_to_consensus_map_and_drawing(small: Path, tmp_path: Path) -> None:
    given_ratings = {
        "P1": {"#1": 8, "#3": 2, "trust -> uptake": 5},
        "P2": {"#1": 9, "#3": 3, "trust -> uptake": ""},  # abstains on one arrow
        "P3": {"#1": 7, "#3": 1, "trust -> uptake": 6},
    }
    blank_csv, blank_xlsx = tmp_path / "blank.csv", tmp_path / "blank.xlsx"
    _ok("rate", str(small), "-o", str(blank_csv))
    _ok("rate", str(small), "-o", str(blank_xlsx))
    forms = []
    for rater, ratings in given_ratings.items():
        blank = blank_xlsx if rater == "P3" else blank_csv
        form = tmp_path / f"{rater}{blank.suffix}"
        form.write_bytes(blank.read_bytes())
        if form.suffix == ".xlsx":
            _fill_xlsx(form, rater, {k: v for k, v in ratings.items() if v != ""})
        else:
            proposal = ("capacity", "uptake", "resources matter") if rater == "P1" else ()
            _fill_csv(form, rater, ratings, proposal)
        forms.append(str(form))
    ratings_args = [a for f in forms for a in ("--ratings", f)]

    result = _ok("consensus", str(small), *ratings_args, "--json")
    payload = json.loads(result.stdout)
    jsonschema.validate(payload, JSON_SCHEMA)
    rows = {r["arrow"]: r for r in payload["arrows"]}
    assert set(rows) == set(ARROWS)
    assert (rows["#1"]["n"], rows["#1"]["median"], rows["#1"]["verdict"]) == (3, 8.0, "include")
    assert (rows["#3"]["median"], rows["#3"]["verdict"]) == (2.0, "exclude")
    assert (rows["trust -> uptake"]["n"], rows["trust -> uptake"]["abstained"]) == (2, 1)
    assert rows["trust -> uptake"]["verdict"] == "uncertain"
    p30, p70 = np.percentile([7, 8, 9], [30, 70])
    assert rows["#1"]["ipr"] == pytest.approx(p70 - p30)
    assert payload["rounds"] == [{"round": 1, "raters": 3}]
    assert payload["proposals"] == [
        {
            "rater": "P1",
            "round": 1,
            "from": "capacity",
            "to": "uptake",
            "rationale": "resources matter",
        }
    ]

    annotated, report = tmp_path / "small-consensus.yaml", tmp_path / "panel.html"
    text = _ok(
        "consensus", str(small), *ratings_args, "-o", str(annotated), "--report", str(report)
    )
    assert "exclude" in text.stdout and "capacity -> uptake" in text.stdout
    assert "(+1 abstained)" in text.stdout
    assert check_file(annotated).valid
    page = report.read_text(encoding="utf-8")
    assert "Trust &lt;b&gt;" in page and "<b>" not in page.replace("<b style", "")
    written = annotated.read_text(encoding="utf-8")
    assert "# the dose builds trust" in written and "# trust leads to uptake" in written
    m = mechmap.load(annotated)
    verdicts = {e.name: e.consensus.verdict for e in m.edges}
    assert verdicts == {"#1": "include", "trust -> uptake": "uncertain", "#3": "exclude"}
    assert m.edge_named(arrow="3").consensus.n == 3
    shown = _ok("show", str(annotated)).stdout
    assert "exclude (round 1: median" in shown and "uncertain (round 1" in shown
    arrows = json.loads(_ok("show", str(annotated), "--json").stdout)["arrows"]
    assert [a["consensus"]["verdict"] for a in arrows] == ["include", "uncertain", "exclude"]
    assert "panel" not in _ok("show", str(small)).stdout  # a column only once a panel rated
    links = json.loads(_ok("export", str(annotated), "--to", "json").stdout)["links"]
    assert sorted(link["consensus"] for link in links) == ["exclude", "include", "uncertain"]
    assert 'attr.name="consensus"' in _ok("export", str(annotated), "--to", "graphml").stdout
    _ok("render", str(annotated), "-o", str(tmp_path / "small.svg"))
    dot = draw(m).dot
    assert '"#3 \u00d7"' in dot and '"≈"' in dot and "panel excludes it" in dot
    assert "panel" not in draw(mechmap.load(small)).dot  # the key says it only when used


def test_the_synthetic_panel_converges_and_reaches_each_verdict(tmp_path: Path) -> None:
    # The generator is seeded: it writes the bundled file again, byte for byte.
    script = SYNTHETIC.parent / "generate.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / SYNTHETIC.name).read_bytes() == SYNTHETIC.read_bytes()

    payload = json.loads(
        _ok("consensus", str(KILBOURNE), "--ratings", str(SYNTHETIC), "--json").stdout
    )
    jsonschema.validate(payload, JSON_SCHEMA)
    assert payload["rounds"] == [{"round": 1, "raters": 9}, {"round": 2, "raters": 9}]
    latest = {r["arrow"]: r for r in payload["arrows"] if r["round"] == 2}
    assert {r["verdict"] for r in latest.values()} == {"include", "uncertain", "exclude"}
    assert [a for a, r in latest.items() if r["verdict"] == "exclude"] == [
        "policy_payment -> implementation"
    ]
    first = [r["ipr"] for r in payload["arrows"] if r["round"] == 1]
    assert np.mean(list(r["ipr"] for r in latest.values())) < np.mean(first)  # converging
    nine = latest["#9"]
    assert nine["verdict_changed"] is True and nine["previous_round"] == 1


def test_bad_ratings_are_located_errors_and_write_nothing(small: Path, tmp_path: Path) -> None:
    table = tmp_path / "panel.csv"
    table.write_text(
        "rater,round,arrow,rating\n"
        "P1,1,#1,8\n"
        "P1,1,#4,7\n"  # line 3: no arrow #4
        "P2,1,#1,10\n"  # line 4: outside 1-9
        "P3,1,trust -> uptak,7.5\n"  # line 5: a typo, and not a whole number
        "P1,1,1,6\n"  # line 6: P1 rated #1 already (written 1 here)
        "P4,one,#1,6\n",  # line 7: round is no number
        encoding="utf-8",
    )
    empty, headless = tmp_path / "empty.csv", tmp_path / "headless.csv"
    empty.write_text("\n\n", encoding="utf-8")
    headless.write_text("rater,round,arrow\nP1,1,#1\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = run_mechmap(
        "consensus", str(small), "--ratings", str(table), "--ratings", str(empty),
        "--ratings", str(headless), "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = [
        f"{table}:3:3: error: map 'small' has no arrow '#4' (its arrows: #1, trust -> uptake, #3)",
        f"{table}:4:4: error: rating '10' is outside 1-9",
        f"{table}:5:3: error: map 'small' has no arrow 'trust -> uptak' (did you mean "
        "'trust -> uptake'?)",
        f"{table}:6:3: error: rater 'P1' rated #1 twice in round 1 (first at {table}:2:3)",
        f"{table}:7:2: error: round 'one' is not a round number",
        f"{empty}:1:1: error: the file is empty",
        f"{headless}:1:1: error: missing column 'rating'",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert not out.exists()
    half = tmp_path / "half.csv"
    half.write_text("rater,round,arrow,rating\nP1,1,#3,7.5\n", encoding="utf-8")
    result = run_mechmap("consensus", str(small), "--ratings", str(half))
    assert f"{half}:2:4: error: rating '7.5' is not a whole number" in result.stderr


def test_a_bad_cell_of_an_xlsx_form_is_named_by_sheet_and_cell(small: Path, tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    _ok("rate", str(small), "-o", str(form))
    _fill_xlsx(form, "P1", {"#1": 8, "#3": "high"})
    book = openpyxl.load_workbook(form)
    book["Ratings"]["A8"] = "#7"
    book.save(form)
    result = run_mechmap("consensus", str(small), "--ratings", str(form))
    assert result.returncode == 1
    assert f"{form}:Ratings!F7: error: rating 'high' is not a whole number" in result.stderr
    assert f"{form}:Ratings!A8: error: map 'small' has no arrow '#7'" in result.stderr
    # One long table as a workbook: the same columns as in CSV, rounds as numbers.
    table = tmp_path / "panel.xlsx"
    book = openpyxl.Workbook()
    for row in [
        ("rater", "round", "arrow", "rating"),
        ("P1", 1, "#1", 8),
        ("P2", 1, "dose -> trust", 6),
    ]:
        book.active.append(row)
    book.save(table)
    payload = json.loads(_ok("consensus", str(small), "--ratings", str(table), "--json").stdout)
    assert [(r["arrow"], r["n"], r["median"]) for r in payload["arrows"]] == [("#1", 2, 7.0)]
    unnamed = tmp_path / "unnamed.csv"
    _ok("rate", str(small), "-o", str(unnamed))
    result = run_mechmap("consensus", str(small), "--ratings", str(unnamed))
    assert f"{unnamed}:9:2: error: the form names no rater" in result.stderr


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=40))
def test_statistics_agree_with_numpy_and_the_verdict_rules(ratings: list[int]) -> None:
    a = appraise(ratings)
    p30, p50, p70 = np.percentile(ratings, [30, 50, 70])
    assert (a.p30, a.median, a.p70) == pytest.approx((p30, p50, p70))
    assert a.ipras == pytest.approx(2.35 + 1.5 * abs(5 - (p30 + p70) / 2))
    assert a.disagreement_index == pytest.approx((p70 - p30) / a.ipras)
    assert sum(a.counts) == a.n == len(ratings)
    if a.disagreement_index > 1 or 3.5 < p50 < 6.5:
        assert a.verdict == "uncertain"
    else:
        assert a.verdict == ("include" if p50 >= 6.5 else "exclude")
    assert percentile(sorted(ratings), 30) == pytest.approx(p30)


def test_the_worked_example_and_the_edges_of_the_bands() -> None:
    a = appraise([7, 8, 8, 8, 9, 9, 9, 9, 9])
    # By hand: P30 at position 2.4 of the sorted ratings = 8, P70 at 5.6 = 9, so IPR 1;
    # IPRAS = 2.35 + 1.5 * |5 - 8.5| = 7.6; DI = 1 / 7.6.
    assert (a.median, a.p30, a.p70, a.ipr, a.ipras) == (9.0, 8.0, 9.0, 1.0, 7.6)
    assert a.disagreement_index == pytest.approx(0.1316, abs=1e-4)
    assert a.verdict == "include"
    assert [verdict_of(m, 0.5) for m in (3.5, 4.0, 6.0, 6.5)] == [
        "exclude",
        "uncertain",
        "uncertain",
        "include",
    ]
    assert verdict_of(8.0, 1.01) == "uncertain" and verdict_of(8.0, 1.0) == "include"
    nobody = appraise([None, None])
    assert (nobody.n, nobody.abstained, nobody.median, nobody.verdict) == (0, 2, None, None)


def test_the_report_and_the_viewer_show_the_panel_in_chromium(
    tmp_path: Path,
    browser,  # noqa: F811 (the viewer tests' Chromium fixture)
) -> None:
    """The report page loads nothing from anywhere and shows every arrow's charts; the viewer
    of the annotated map names the panel's numbers when an arrow is hovered."""
    report, annotated = tmp_path / "panel.html", tmp_path / "kilbourne-consensus.yaml"
    args = ("--ratings", str(SYNTHETIC), "--report", str(report), "-o", str(annotated))
    _ok("consensus", str(KILBOURNE), *args)
    page_html = tmp_path / "kilbourne.html"
    _ok("view", str(annotated), "--vignettes", str(ROOT / "vignettes"), "-o", str(page_html))

    viewer = Viewer(browser, report, width=1200, height=900)
    page = viewer.page
    assert page.locator("section").count() == 18  # one per rated arrow
    assert page.locator("svg.chart").count() == 36  # two rounds each
    expect(page.locator("body")).to_contain_text("Fitch")
    expect(page.locator("body")).to_contain_text("round 1: 9 panelists, round 2: 9 panelists")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert viewer.requests == [report.as_uri()] and viewer.errors == []
    viewer.context.close()

    m = mechmap.load(annotated)
    excluded = m.edge_named(written="policy_payment -> implementation")
    edge_ids = dict(draw(m).edge_ids)
    viewer = Viewer(browser, page_html)
    viewer.hover_arrow(edge_ids[excluded.links[0]])
    expect(viewer.page.locator("#mm-tooltip")).to_contain_text(
        "Panel: exclude (round 2: n = 9, median 2, IPR 1.60, disagreement index 0.24)"
    )
    assert viewer.errors == []
    viewer.context.close()
