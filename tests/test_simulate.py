"""``mechmap simulate``: a synthetic study written as files that ``mechmap test`` reads, with
every value type recorded as its measure declares, and its bad input refused cleanly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_mechmap

MAP = """\
mechmap: 1
id: sim
title: Simulated study
nodes:
  dose: {role: strategy, label: Facilitation dose}
  alliance: {role: mechanism, label: Working alliance}
  fidelity: {role: mechanism}
  satisfaction: {role: mechanism}
  screening: {role: clinical_outcome}
edges:
  - {from: dose, to: alliance, effect: 0.5}
  - {from: alliance, to: fidelity, effect: 0.5}
  - {from: fidelity, to: screening, effect: 0.5}
  - {from: alliance, to: satisfaction, effect: 0.4}
hypotheses:
  - id: h1
    path: dose -> alliance -> fidelity
"""

TEMPLATE = """\
measures:
  site: site
  nodes:
    dose: {column: hours, level: site, type: continuous}
    alliance:
      score: {instrument: wai-s, subscale: total, items: "wai_{n}", dropped: [3]}
      level: respondent
    fidelity: {column: fidelity, level: site, type: {category: [low, medium, high]}}
    satisfaction: {column: satisfied, level: respondent, type: {likert: [1, 5]}}
    screening: {column: rate, level: site, type: proportion, denominator: eligible}
"""


@pytest.fixture
def study_map(tmp_path: Path) -> Path:
    path = tmp_path / "sim.yaml"
    path.write_text(MAP)
    return path


def simulate(*args: str) -> None:
    result = run_mechmap("simulate", *args)
    assert result.returncode == 0, result.stderr
    assert "SYNTHETIC" in result.stdout


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_site_study_recovers_the_map_effect(study_map: Path, tmp_path: Path) -> None:
    out = tmp_path / "study"
    simulate(str(study_map), "--sites", "400", "-o", str(out), "--seed", "3")
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "synthetic-measures.yaml",
        "synthetic-sites.csv",
    ]
    result = run_mechmap(
        "test",
        str(study_map),
        "--path",
        "dose -> alliance",
        "--measures",
        str(out / "synthetic-measures.yaml"),
        "--data",
        str(out / "synthetic-sites.csv"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    link = json.loads(result.stdout)["links"][0]
    # 400 sites: the standardized 0.5 is estimated with an SE near 0.043.
    assert abs(link["estimate"] - 0.5) < 4 * 0.045
    assert link["n"] == 400


def test_same_seed_same_files_other_seed_other_files(study_map: Path, tmp_path: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        simulate(str(study_map), "--sites", "12", "-o", str(tmp_path / name), "--seed", seed)
    first, second, other = ((tmp_path / name / "synthetic-sites.csv").read_text() for name in "abc")
    assert first == second
    assert first != other


def test_template_types_are_written_as_declared(study_map: Path, tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    out = tmp_path / "nested"
    simulate(
        str(study_map),
        "--sites",
        "60",
        "--respondents",
        "8",
        "--icc",
        "0.3",
        "--measures",
        str(template),
        "-o",
        str(out),
    )
    sites, people = read(out / "synthetic-sites.csv"), read(out / "synthetic-respondents.csv")
    assert len(sites) == 60 and len(people) == 480
    assert {r["fidelity"] for r in sites} == {"low", "medium", "high"}
    eligible = np.array([int(r["eligible"]) for r in sites])
    assert eligible.min() >= 50 and eligible.max() <= 200
    rates = np.array([float(r["rate"]) for r in sites])
    assert ((rates >= 0) & (rates <= 1)).all()
    # Each rate is a count of the site's eligible patients.
    assert np.allclose(np.rint(rates * eligible) / eligible, rates, atol=5e-5)
    assert {int(r["satisfied"]) for r in people} <= {1, 2, 3, 4, 5}
    items = np.array([[int(r[f"wai_{n}"]) for n in (1, 2, 4, 5, 10)] for r in people])
    assert "wai_3" not in people[0]  # dropped: never asked
    assert items.min() >= 1 and items.max() <= 7
    # Items 4 and 10 are negatively worded: their raw answers run against the others.
    r = np.corrcoef(items.T)
    assert r[0, 1] > 0.3 and r[0, 2] < -0.3 and r[0, 4] < -0.3 and r[2, 4] > 0.3
    measures = (out / "synthetic-measures.yaml").read_text()
    assert measures.startswith("# SYNTHETIC") and "synthetic: true" in measures
    result = run_mechmap(
        "test",
        str(study_map),
        "--hypothesis",
        "h1",
        "--measures",
        str(out / "synthetic-measures.yaml"),
        "--data",
        str(out / "synthetic-sites.csv"),
        "--data",
        str(out / "synthetic-respondents.csv"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["links"][0]["n"] == 60


def test_missing_cells_are_blank_at_the_asked_share(study_map: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps"
    simulate(str(study_map), "--sites", "500", "--missing", "0.1", "-o", str(out))
    rows = read(out / "synthetic-sites.csv")
    cells = [r[c] for r in rows for c in r if c != "site"]
    share = sum(c == "" for c in cells) / len(cells)
    assert abs(share - 0.1) < 4 * (0.1 * 0.9 / len(cells)) ** 0.5
    assert all(r["site"] for r in rows)  # keys are never blank


def test_existing_files_are_kept_without_force(study_map: Path, tmp_path: Path) -> None:
    out = tmp_path / "kept"
    simulate(str(study_map), "--sites", "10", "-o", str(out), "--seed", "1")
    before = (out / "synthetic-sites.csv").read_text()
    again = run_mechmap("simulate", str(study_map), "--sites", "10", "-o", str(out), "--seed", "2")
    assert again.returncode == 2 and "--force" in again.stderr
    assert (out / "synthetic-sites.csv").read_text() == before
    simulate(str(study_map), "--sites", "10", "-o", str(out), "--seed", "2", "--force")
    assert (out / "synthetic-sites.csv").read_text() != before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sites", "2"), "at least 3 sites"),
        (("--sites", "10", "--missing", "1.5"), "[0, 1)"),
        (("--sites", "10", "--respondents", "5", "--icc", "1.2"), "--icc must lie in [0, 1)"),
        (("--sites", "10", "--respondents", "5"), "has no icc"),
        (("--sites", "10", "--effect", "dose -> nowhere = 0.2"), "nowhere"),
    ],
)
def test_bad_designs_are_clear_errors(
    study_map: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "never"
    result = run_mechmap("simulate", str(study_map), *args, "-o", str(out))
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_template_problems_are_located(study_map: Path, tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.replace("level: respondent\n", "where: {role: CF}\n", 1))
    result = run_mechmap(
        "simulate",
        str(study_map),
        "--sites",
        "10",
        "--measures",
        str(template),
        "-o",
        str(tmp_path / "x"),
    )
    assert result.returncode == 1
    assert f"{template}:5:5: error: alliance keeps rows by 'where:'" in result.stderr


def test_respondent_measures_need_respondents(study_map: Path, tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE)
    out = tmp_path / "o"
    result = run_mechmap(
        "simulate", str(study_map), "--sites", "10", "--measures", str(template), "-o", str(out)
    )
    assert result.returncode == 1
    assert "give --respondents K" in result.stderr and "t.yaml:5:" in result.stderr
    assert not out.exists()


def test_an_output_folder_is_required(study_map: Path) -> None:
    result = run_mechmap("simulate", str(study_map), "--sites", "10")
    assert result.returncode == 2 and "--output" in result.stderr


def test_names_from_files_cannot_break_the_files_written(tmp_path: Path) -> None:
    folder = tmp_path / "odd\nname: injected"
    folder.mkdir()
    path = folder / "sim.yaml"
    path.write_text(MAP)
    template = folder / "t.yaml"
    template.write_text(TEMPLATE.replace("column: hours", 'column: "a|b <i>"'))
    out = tmp_path / "odd-out"
    simulate(
        str(path),
        "--sites",
        "5",
        "--respondents",
        "2",
        "--icc",
        "0.1",
        "--measures",
        str(template),
        "-o",
        str(out),
    )
    measures = (out / "synthetic-measures.yaml").read_text()
    assert "\nname: injected" not in measures  # the folder's line break stays in the comment
    readme = (out / "README.md").read_text()
    assert "a\\|b &lt;i&gt;" in readme
    assert "a|b <i>" in read(out / "synthetic-sites.csv")[0]
