"""``mechmap test`` end to end on the bundled synthetic GTI data, as an analyst runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_mechmap

MAP = "maps/yakovchenko-2025-working-alliance.yaml"
GTI = ROOT / "data" / "gti-synthetic"
SITES = str(GTI / "gti-synthetic-sites.csv")
WAI = str(GTI / "gti-synthetic-wai-s.csv")
MEASURES = str(GTI / "gti-synthetic-measures.yaml")
BASE = ("test", MAP, "--measures", MEASURES, "--data", SITES, "--data", WAI, "--resamples", "500")


def run_json(*args: str) -> dict:
    result = run_mechmap(*BASE, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def sustained() -> dict:
    return run_json("--hypothesis", "alliance-screening-sustained", "--missing", "drop")


def test_json_follows_the_documented_shape(sustained: dict) -> None:
    assert sustained["synthetic"] is True
    assert sustained["data"]["n_sites"] == 11 and sustained["data"]["level"] == "site"
    assert [d["label"] for d in sustained["data"]["dropped"]] == ["site 12"]
    first, second = sustained["links"]
    assert (first["from"], first["to"]) == ("wai", "goal")
    assert {"estimate", "ci", "p_value", "method", "n", "level"} <= set(first)
    assert first["n"] == 11 and first["level"] == "site"
    assert first["ci"][0] < first["estimate"] < first["ci"][1]
    # The latent site context confounds goal -> screening@sust: one line says why.
    assert second["identifiable"] is False and second["estimate"] is None
    assert "site_context" in second["reason"] and "fidelity" in second["reason"]
    for key in ("indirect_effect", "direct_effect", "total_effect"):
        assert {"estimate", "ci"} <= set(sustained["path"][key])
    assert len(sustained["checklist"]) == 7
    assert sustained["falsification"]["tests"]


def test_a_link_that_is_not_identifiable_gets_next_steps(sustained: dict) -> None:
    import mechmap

    found = sustained["identification"]
    assert found["suggestions"] == [
        {
            "variable": "site_context",
            "makes_identifiable": ["goal -> screening@sust", "indirect effect"],
        }
    ]
    assert found["identifiable_subpaths"] == [["wai", "goal"]]
    assert found["identifiable_hypotheses"] == ["dose-alliance", "alliance-subscales-fidelity"]
    (fit,) = found["sensitivity"]
    # The test would adjust for site_context, screening@impl and wai if site_context had data;
    # the alliance raters (precision) would leave fewer than 5 df at 11 sites.
    assert fit["arrow"] == "goal -> screening@sust"
    assert fit["adjusted_for"] == ["screening@impl", "wai"] and fit["df"] == 11 - 4
    assert len(fit["rows"]) == 7 and all(
        r["ci"][0] < r["estimate"] < r["ci"][1] for r in fit["rows"]
    )
    # The hypotheses said to be identifiable are: testing them needs no next steps.
    for hypothesis in found["identifiable_hypotheses"]:
        result = mechmap.test_path(
            ROOT / MAP,
            [SITES, WAI],
            hypothesis=hypothesis,
            measures=MEASURES,
            missing="drop",
            n_resamples=200,
            refutations=False,
            falsification=False,
        )
        assert result.identification is None and result.as_dict()["identification"] is None
        assert all(x["identifiable"] for x in result.as_dict()["links"])


def test_measuring_the_suggested_variable_identifies_the_link(tmp_path: Path) -> None:
    """The suggestion made true: site_context no longer latent, with a column of data."""
    import numpy as np

    text = (ROOT / MAP).read_text(encoding="utf-8")
    assert text.count("    latent: true\n") == 1
    measured_map = tmp_path / "map.yaml"
    measured_map.write_text(text.replace("    latent: true\n", ""), encoding="utf-8")
    (tmp_path / "vignettes").mkdir()
    shutil.copy(ROOT / "vignettes" / "gti.yaml", tmp_path / "vignettes")
    header, *rows = Path(SITES).read_text(encoding="utf-8").splitlines()
    context = np.random.default_rng(0).normal(size=len(rows))
    sites = tmp_path / "sites.csv"
    lines = [f"{header},site_context"] + [
        f"{r},{c:.4f}" for r, c in zip(rows, context, strict=True)
    ]
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ("--measures", MEASURES, "--data", str(sites), "--data", WAI, "--resamples", "200")
    printed = run_mechmap(
        "test",
        str(measured_map),
        *args,
        "--hypothesis",
        "alliance-screening-sustained",
        "--missing",
        "drop",
        "--json",
    )
    assert printed.returncode == 0, printed.stderr
    result = json.loads(printed.stdout)
    link = next(x for x in result["links"] if x["from"] == "goal")
    assert link["identifiable"] and "site_context" in link["adjustment_set"]
    assert result["path"]["indirect_effect"]["identifiable"]
    assert result["identification"] is None


def test_an_identifiable_hypothesis_gets_estimates_and_refutations() -> None:
    result = run_json("--hypothesis", "dose-alliance")
    (link,) = result["links"]
    assert link["identifiable"] and link["adjustment_set"][0] == "site_initiated_share"
    assert result["path"]["indirect_effect"]["estimate"] == pytest.approx(link["estimate"])
    names = {r["name"] for r in result["refutations"]}
    assert names == {
        "placebo treatment",
        "random common cause",
        "leave one site out",
        "unobserved confounder",
    }
    assert result["data"]["n_sites"] == 12  # no screening variable, so no site is dropped


def test_respondent_level_resamples_sites() -> None:
    result = run_json(
        "--path", "facilitation_hours -> wai", "--level", "respondent", "--missing", "drop"
    )
    (link,) = result["links"]
    assert link["level"] == "respondent" and link["n"] == 40  # all 40 surveys of 12 sites
    assert "CR2 cluster-robust" in link["method"] and "Bell-McCaffrey" in link["ci_method"]
    # Few sites and site-level regressors: far fewer degrees of freedom than 40 rows suggest.
    assert 1 < link["df"] < 12 - 3
    assert result["data"]["n_sites"] == 12
    consistency = next(c for c in result["checklist"] if c["criterion"] == "consistency")
    for kind in ("CF ", "EF ", "site "):  # the slope within each respondent type
        assert kind in consistency["reason"].split("within respondent types")[1]


def test_missing_values_stop_with_a_located_error() -> None:
    result = run_mechmap(*BASE, "--hypothesis", "alliance-screening-sustained")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "gti-synthetic-sites.csv:13:" in result.stderr
    assert "site 12" in result.stderr and "--missing drop" in result.stderr


def test_non_numeric_values_name_row_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "sites.csv"
    lines = Path(SITES).read_text().splitlines()
    cells = lines[3].split(",")
    cells[1] = "about 20"
    lines[3] = ",".join(cells)
    broken.write_text("\n".join(lines) + "\n")
    result = run_mechmap(
        "test",
        MAP,
        "--measures",
        MEASURES,
        "--data",
        str(broken),
        "--data",
        WAI,
        "--hypothesis",
        "dose-alliance",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sites.csv:4:" in result.stderr and "facilitation_hours" in result.stderr


def test_report_is_written_once_unless_forced(tmp_path: Path) -> None:
    report = tmp_path / "gti.html"
    args = (*BASE, "--hypothesis", "dose-alliance", "--report", str(report))
    first = run_mechmap(*args)
    assert first.returncode == 0
    # The terminal gets the report's blocks: the summary in words first, what reproduces it last.
    assert first.stdout.index("What was found") < first.stdout.index("WHAT REPRODUCES")
    assert "Total facilitation time (hours)" in first.stdout
    assert "mechmap test maps/yakovchenko-2025-working-alliance.yaml --data" in first.stdout
    html = report.read_text()
    assert "SYNTHETIC" in html and "<svg" in html
    report.write_text("mine")
    again = run_mechmap(*args)
    assert again.returncode == 2 and "--force" in again.stderr
    assert report.read_text() == "mine"
    assert run_mechmap(*args, "--force").returncode == 0
    assert "SYNTHETIC" in report.read_text()
    markdown = tmp_path / "gti.md"
    assert (
        run_mechmap(*BASE, "--hypothesis", "dose-alliance", "--report", str(markdown)).returncode
        == 0
    )
    assert markdown.read_text().count("|") > 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--hypothesis", "no-such"), "unknown hypothesis 'no-such'"),
        (("--path", "goal -> wai"), "not a directed path"),
        (("--hypothesis", "dose-alliance", "--path", "wai -> goal"), "either --hypothesis"),
        (("--path", "leadership_support -> screening@impl"), "no data for leadership_support"),
        (("--hypothesis", "dose-alliance", "--report", "x.pdf"), ".html or .md"),
    ],
)
def test_usage_errors_are_one_line(args: tuple[str, ...], message: str) -> None:
    result = run_mechmap(*BASE, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_sql_over_patient_rows_gives_site_rates(tmp_path: Path) -> None:
    """Patient-level rows aggregated by DuckDB into site rates feed the test directly."""
    shutil.copy(GTI / "gti-synthetic-patients.csv", tmp_path / "patients.csv")
    shutil.copy(SITES, tmp_path / "sites.csv")
    query = (
        "SELECT s.site, s.facilitation_hours, s.site_initiated_share, "
        "avg(p.screened) FILTER (WHERE p.wave = 'base') AS screening_base, "
        "avg(p.screened) FILTER (WHERE p.wave = 'impl') AS screening_impl "
        "FROM sites s JOIN patients p USING (site) GROUP BY ALL ORDER BY s.site"
    )
    result = run_mechmap(
        "test",
        MAP,
        "--data",
        str(tmp_path / "patients.csv"),
        "--data",
        str(tmp_path / "sites.csv"),
        "--query",
        query,
        "--path",
        "screening@base -> screening@impl",
        "--json",
        "--resamples",
        "500",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["data"]["n_sites"] == 11  # site 12 has no patient rows
    assert out["links"][0]["from"] == "screening@base"


def test_too_few_sites_is_a_clear_error(tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("\n".join(Path(SITES).read_text().splitlines()[:5]) + "\n")  # 4 sites
    result = run_mechmap(
        "test",
        MAP,
        "--measures",
        MEASURES,
        "--data",
        str(sites),
        "--data",
        WAI,
        "--hypothesis",
        "dose-alliance",
        "--missing",
        "drop",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "4 sites are too few" in result.stderr


def test_parallel_mediators_give_specific_and_joint_indirect_effects() -> None:
    result = run_json("--hypothesis", "alliance-subscales-fidelity", "--missing", "drop")
    path = result["path"]
    chains = [tuple(e["chain"]) for e in path["specific_indirect_effects"]]
    assert chains == [
        ("wai", "goal", "fidelity"),
        ("wai", "task", "fidelity"),
        ("wai", "bond", "fidelity"),
    ]
    joint = sum(e["estimate"] for e in path["specific_indirect_effects"])
    assert path["indirect_effect"]["estimate"] == pytest.approx(joint)
    # The total score is a linear combination of the subscales: the collinear precision
    # covariates are left out and the run says so.
    assert any("exact linear combination" in w for w in result["warnings"])


def test_dowhy_cross_check_agrees(tmp_path: Path) -> None:
    report = tmp_path / "checked.html"
    result = run_json(
        "--path",
        "screening@base -> goal -> fidelity",
        "--missing",
        "drop",
        "--dowhy-check",
        "--report",
        str(report),
    )
    check = result["dowhy_check"]
    names = [c["estimate"] for c in check["estimates"]]
    assert names[:2] == ["screening@base -> goal", "goal -> fidelity"]
    assert check["agree"] and all(c["difference"] <= 1e-9 for c in check["estimates"])
    assert report.exists()


def test_the_library_pipeline_gives_what_the_command_prints(monkeypatch) -> None:
    import mechmap

    monkeypatch.chdir(ROOT)  # the command names files relative to where it runs

    args = ("--hypothesis", "alliance-screening-sustained", "--missing", "drop")
    printed = run_mechmap(*BASE, *args, "--json")
    assert printed.returncode == 0, printed.stderr
    result = mechmap.test_path(
        ROOT / MAP,
        [SITES, WAI],
        hypothesis="alliance-screening-sustained",
        measures=MEASURES,
        missing="drop",
        n_resamples=500,
    )
    assert json.dumps(result.as_dict(), indent=2) == printed.stdout.strip()


def test_the_library_pipeline_takes_data_frames() -> None:
    import pandas as pd

    import mechmap

    def run(data):
        return mechmap.test_path(
            ROOT / MAP,
            data,
            path="facilitation_hours -> wai",
            measures=MEASURES,
            n_resamples=200,
            refutations=False,
            falsification=False,
        ).as_dict()

    from_files = run([SITES, WAI])
    from_frames = run([pd.read_csv(SITES), pd.read_csv(WAI)])
    assert from_frames["links"] == from_files["links"]
    with pytest.raises(mechmap.TestSetupError, match="either --hypothesis"):
        mechmap.test_path(ROOT / MAP, [SITES], measures=MEASURES)
    with pytest.raises(mechmap.TestSetupError, match="give files, not data frames"):
        mechmap.test_path(
            ROOT / MAP, [pd.read_csv(SITES)], path="facilitation_hours -> wai", query="SELECT 1"
        )


def test_the_result_says_what_reproduces_it(tmp_path: Path) -> None:
    import hashlib
    import shlex

    import pandas as pd

    import mechmap

    odd = tmp_path / "wai; rm -rf ~ $(x).csv"  # quoted, never run
    shutil.copy(WAI, odd)
    args = ("test", MAP, "--measures", MEASURES, "--data", SITES, "--data", str(odd))
    printed = run_mechmap(*args, "--path", "facilitation_hours -> wai", "--seed", "7", "--json")
    assert printed.returncode == 0, printed.stderr
    reproduce = json.loads(printed.stdout)["reproduce"]
    assert reproduce["seed"] == 7 and reproduce["mechmap_version"] == mechmap.__version__
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", reproduce["date"])
    words = shlex.split(reproduce["command"])
    assert words[:3] == ["mechmap", "test", MAP]
    assert words[words.index("--seed") + 1] == "7" and str(odd) in words
    assert [d["path"] for d in reproduce["data"]] == [
        "data/gti-synthetic/gti-synthetic-sites.csv",
        str(odd),
    ]
    for entry in [reproduce["map"], reproduce["measures"], *reproduce["data"]]:
        digest = hashlib.sha256((ROOT / entry["path"]).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
    frame = pd.read_csv(SITES)
    from_frames = mechmap.test_path(
        ROOT / MAP,
        [frame, pd.read_csv(WAI)],
        path="facilitation_hours -> wai",
        measures=MEASURES,
        n_resamples=200,
        refutations=False,
    ).reproduction
    assert from_frames.data[0] == (
        "<data frame 1>",
        hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest(),
    )
    assert "'<data frame 1>'" in from_frames.command
    assert from_frames.command.endswith("# the library ran this without refutations")
