"""explain-change, whatif and strength: a map handed to DoWhy's gcm, checked on data simulated
from a linear map where exactly one mechanism changes."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

import mechmap
from mechmap.gcm.change import explain_change
from mechmap.gcm.model import GcmSetupError
from mechmap.gcm.strength import arrow_strengths
from mechmap.gcm.whatif import what_if
from mechmap.planning import linear_sem
from mechmap.planning.simulate import simulate_batch
from tests.conftest import run_mechmap

MAP = """mechmap: 1
id: change
title: A small linear map
nodes:
  x: {label: "Facilitation <b>hours</b>"}
  m: {label: Alliance}
  y: {label: Screening}
  u: {latent: true}
edges:
  - {from: x, to: m, effect: 0.5}
  - {from: m, to: y, effect: 0.5}
  - {from: x, to: y, effect: 0.2}
  - {from: u, to: m, effect: 0.3}
"""
SHIFT = 1.0  # the alliance's intercept rises by this much after; nothing else changes


def study(m, sites: int, shift: float, seed: int) -> pd.DataFrame:
    """Sites simulated from the map's linear SEM, the alliance's own noise shifted by
    ``shift`` (its mechanism's intercept), which flows on to its effects."""
    sem = linear_sem(m)
    values, _ = simulate_batch(sem, sites, 1, np.random.default_rng(seed))
    mixing = np.linalg.inv(np.eye(len(sem.variables)) - np.asarray(sem.coefficients)).T
    shifted = values[0] + shift * mixing[sem.variables.index("m")]
    frame = pd.DataFrame(shifted, columns=sem.variables).drop(columns="u")
    return frame.assign(site=[f"s{i}" for i in range(sites)])


@pytest.fixture(scope="module")
def m():
    return mechmap.loads(MAP)


def linear_shapley(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, float]:
    """The exact Shapley decomposition of the change in y's mean, by hand: each node's
    mechanism an OLS line (roots: their mean); the mean of y for every mix of before and
    after mechanisms follows from the lines; Shapley weights over the 2^3 mixes."""
    parents = {"x": [], "m": ["x"], "y": ["m", "x"]}

    def line(frame, node):
        if not parents[node]:
            return float(frame[node].mean()), np.zeros(0)
        design = np.column_stack([np.ones(len(frame)), frame[parents[node]].to_numpy()])
        coef = np.linalg.lstsq(design, frame[node].to_numpy(), rcond=None)[0]
        return coef[0], coef[1:]

    fits = {d: {v: line(f, v) for v in parents} for d, f in (("b", before), ("a", after))}

    def mean_y(new: set[str]) -> float:
        mu = {}
        for v in ("x", "m", "y"):
            a, b = fits["a" if v in new else "b"][v]
            mu[v] = a + float(b @ np.array([mu[p] for p in parents[v]]))
        return mu["y"]

    nodes, k = list(parents), len(parents)
    shapley = {}
    for v in nodes:
        others = [w for w in nodes if w != v]
        total = 0.0
        for size in range(k):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                total += weight * (mean_y(set(subset) | {v}) - mean_y(set(subset)))
        shapley[v] = total
    return shapley


def in_process(*args: str):
    """The CLI run in this process (typer's CliRunner): for bad input, where a subprocess
    would only add DoWhy's start-up; every command also has a true subprocess run below."""
    from typer.testing import CliRunner

    import mechmap.cli  # noqa: F401  (registers the commands)
    from mechmap.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_explain_change_finds_the_changed_mechanism_and_agrees_with_the_linear_shapley(m):
    before, after = study(m, 300, 0.0, 1), study(m, 300, SHIFT, 2)
    # Ten resamples suffice for the interval's logic; the point values are what is checked.
    result = explain_change(m, before, after, "y", n_resamples=10, samples=4000, fit_checks=False)
    found = {c.node: c for c in result.contributions}
    # The alliance's mechanism changed: the change of y flows through it (0.5 * SHIFT).
    assert max(found, key=lambda v: abs(found[v].estimate)) == "m"
    assert found["m"].estimate == pytest.approx(0.5 * SHIFT, abs=0.15)
    assert found["m"].ci[0] > 0
    # Shapley efficiency: the contributions add up to the change reported.
    assert sum(c.estimate for c in result.contributions) == pytest.approx(result.change.estimate)
    observed = result.observed[1] - result.observed[0]
    assert result.change.estimate == pytest.approx(observed, abs=0.08)
    by_hand = linear_shapley(before, after)
    # OLS lines reproduce the means exactly, so the hand computation adds up to the data.
    assert sum(by_hand.values()) == pytest.approx(observed, abs=1e-9)
    for node, value in by_hand.items():
        assert found[node].estimate == pytest.approx(value, abs=0.08), node
    assert result.n_before == result.n_after == 300
    assert not any("uncertain" in n for n in result.notes)


def test_what_if_matches_the_linear_sem_and_strength_orders_the_arrows(m):
    data = study(m, 300, 0.0, 3)
    # y = 0.5 m + 0.2 x + e with E[x] = 0: holding m at 1 gives a mean of 0.5.
    result = what_if(m, data, {"m": 1.0}, "y", n_resamples=10)
    assert result.mean.estimate == pytest.approx(0.5, abs=0.12)
    assert result.mean.ci[0] < result.mean.estimate < result.mean.ci[1]
    assert {c.node for c in result.fit_checks} == {"x", "m", "y"}
    assert next(c for c in result.fit_checks if c.node == "m").r2 > 0.1
    strengths = arrow_strengths(m, data, outcome="y", n_resamples=5, samples=200)
    into_y = {s.cause: s for s in strengths.arrows if s.effect == "y"}
    assert into_y["m"].strength > into_y["x"].strength > 0
    # The strong arrow's interval stays above the weak one's estimate at 300 sites.
    assert into_y["m"].ci[0] > into_y["x"].strength
    assert all(s.ci[0] <= s.ci[1] for s in strengths.arrows)
    assert {v for v, _, _ in strengths.influence} == {"x", "m", "y"}


def test_a_latent_common_cause_of_the_question_is_named(m):
    confounded = mechmap.loads(
        MAP.replace("- {from: u, to: m, effect: 0.3}", "- u -> m\n  - u -> y")
    )
    with pytest.raises(GcmSetupError, match="u is latent and a common cause of m and y"):
        explain_change(confounded, study(m, 12, 0, 1), study(m, 12, 0, 2), "y", n_resamples=1)


def test_map_methods_give_dowhy_models(m):
    from dowhy import CausalModel, gcm

    data = study(m, 30, 0.0, 4)
    scm = m.to_gcm(data, mechanisms="linear")
    assert isinstance(scm, gcm.InvertibleStructuralCausalModel)
    assert set(scm.graph.edges) == {("x", "m"), ("m", "y"), ("x", "y")}
    assert isinstance(m.to_dowhy(data, "x", "y"), CausalModel)


CHANGE_SCHEMA = {
    "type": "object",
    "required": ["outcome", "n_before", "n_after", "change", "contributions"],
    "properties": {
        "outcome": {"type": "string"},
        "n_before": {"type": "integer"},
        "n_after": {"type": "integer"},
        "change": {"$ref": "#/$defs/estimate"},
        "contributions": {
            "type": "array",
            "items": {
                "allOf": [
                    {"$ref": "#/$defs/estimate"},
                    {"required": ["node"], "properties": {"node": {"type": "string"}}},
                ]
            },
        },
    },
    "$defs": {
        "estimate": {
            "type": "object",
            "required": ["estimate", "ci"],
            "properties": {
                "estimate": {"type": "number"},
                "ci": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            },
        }
    },
}


@pytest.fixture(scope="module")
def files(tmp_path_factory, m) -> Path:
    folder = tmp_path_factory.mktemp("gcm")
    (folder / "map.yaml").write_text(MAP)
    study(m, 12, 0.0, 1).to_csv(folder / "before.csv", index=False)
    study(m, 12, SHIFT, 2).to_csv(folder / "after.csv", index=False)
    study(m, 4, 0.0, 5).to_csv(folder / "few.csv", index=False)
    study(m, 12, 0.0, 6).drop(columns="x").to_csv(folder / "no-x.csv", index=False)
    return folder


def test_explain_change_cli_json_and_report(files, tmp_path):
    from playwright.sync_api import sync_playwright

    report = tmp_path / "change.html"
    done = run_mechmap(
        "explain-change", str(files / "map.yaml"), "--before", str(files / "before.csv"),
        "--after", str(files / "after.csv"), "-y", "y", "--resamples", "10", "--json",
        "--report", str(report),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    jsonschema.validate(result, CHANGE_SCHEMA)
    total = sum(c["estimate"] for c in result["contributions"])
    assert total == pytest.approx(result["change"]["estimate"])
    assert any(
        "at 12 sites per data set this attribution is uncertain" in n for n in result["notes"]
    )
    html = report.read_text()
    assert "&lt;b&gt;hours" in html and "<b>hours" not in html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(report.as_uri())
        assert page.locator("svg").count() >= 1
        assert "n = 12 before, 12 after" in page.inner_text("body")
        browser.close()
    # The node whose mechanism changed is filled full vermillion; the key says what fill means.
    assert "fill: contribution to the change" in html
    assert 'fill="#d55e00"' in html.lower()
    assert "<title>SYNTHETIC" not in html and ": what changed (mechmap)</title>" in html
    again = in_process(
        "explain-change", str(files / "map.yaml"), "--before", str(files / "before.csv"),
        "--after", str(files / "after.csv"), "-y", "y", "--report", str(report),
    )  # fmt: skip
    assert again.exit_code == 2 and "--force" in again.stderr


def test_whatif_and_strength_cli_json(files, tmp_path):
    done = run_mechmap(
        "whatif", str(files / "map.yaml"), "-d", str(files / "before.csv"), "--set", "m=1",
        "-y", "y", "--resamples", "10", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["set"] == {"m": 1.0} and result["n"] == 12 and len(result["mean"]["ci"]) == 2
    drawing = tmp_path / "strength.svg"
    done = run_mechmap(
        "strength", str(files / "map.yaml"), "-d", str(files / "before.csv"), "--json",
        "--draw", str(drawing), "--resamples", "10",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    arrows = {(a["cause"], a["effect"]) for a in json.loads(done.stdout)["arrows"]}
    assert arrows == {("x", "m"), ("m", "y"), ("x", "y")}
    svg = drawing.read_text()
    assert svg.lstrip().startswith("<svg")
    # Line widths come from the strengths, and the key says what width means.
    assert "line width: arrow strength" in svg
    assert len(set(re.findall(r'stroke-width="([0-9.]+)"', svg))) >= 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "before.csv", "--after", "no-x.csv", "-y", "y"],
         "before and after must measure the same nodes: only the before data have x"),
        (["--before", "before.csv", "--after", "after.csv", "-y", "u"],
         "--outcome u is latent"),
        (["--before", "before.csv", "--after", "after.csv", "-y", "yy"],
         "did you mean"),
        (["--before", "few.csv", "--after", "after.csv", "-y", "y"],
         "the before data has 4 complete site(s); fitting this map's mechanisms needs at least 5"),
        (["--data", "before.csv", "--wave-before", "impl", "--wave-after", "sust", "-y", "y"],
         "add 'wave: COLUMN' to the measures"),
    ],
)  # fmt: skip
def test_explain_change_bad_input(files, args, message):
    args = [str(files / a) if a.endswith(".csv") else a for a in args]
    done = in_process("explain-change", str(files / "map.yaml"), *args, "--resamples", "10")
    assert done.exit_code == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_whatif_on_a_node_that_is_not_a_cause(files):
    done = in_process(
        "whatif", str(files / "map.yaml"), "-d", str(files / "before.csv"), "--set", "y=1",
        "-y", "m",
    )  # fmt: skip
    assert done.exit_code == 2
    assert "y is not a cause of m" in done.stderr and "Traceback" not in done.stderr


PANEL = """mechmap: 1
id: panel
title: Fidelity and screening measured at both waves
waves: {impl: Implementation year, sust: Sustainment year}
nodes:
  support: {label: Leadership support}
  fidelity: {label: Fidelity, waves: [impl, sust]}
  screening: {label: Screening, waves: [impl, sust]}
edges: [support -> fidelity, fidelity -> screening, support -> screening]
measures:
  wave: wave
"""


def test_the_waves_of_a_long_table_are_compared_on_one_graph(tmp_path):
    """A map measured at both waves with the same arrows: one row per site and wave, the
    impl rows before, the sust rows after; fidelity's mechanism alone shifts by 1 (so the
    year-end mean of screening by 0.8 through it)."""
    rng = np.random.default_rng(0)
    rows = []
    for site in range(60):
        support = rng.normal()
        for wave, shift in (("impl", 0.0), ("sust", 1.0)):
            fidelity = 0.5 * support + shift + rng.normal()
            screening = 0.8 * fidelity + 0.3 * support + rng.normal()
            rows.append((f"s{site}", wave, support, fidelity, screening))
    long = pd.DataFrame(rows, columns=["site", "wave", "support", "fidelity", "screening"])
    (tmp_path / "panel.yaml").write_text(PANEL)
    long.to_csv(tmp_path / "long.csv", index=False)
    done = in_process(
        "explain-change", str(tmp_path / "panel.yaml"), "--data", str(tmp_path / "long.csv"),
        "--wave-before", "impl", "--wave-after", "sust", "-y", "screening",
        "--resamples", "10", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    result = json.loads(done.stdout)
    found = {c["node"]: c for c in result["contributions"]}
    assert set(found) == {"support", "fidelity", "screening"}
    assert result["n_before"] == result["n_after"] == 60
    assert found["fidelity"]["estimate"] == pytest.approx(0.8, abs=0.25)
    assert found["fidelity"]["ci"][0] > 0
    assert found["support"]["ci"][0] <= 0 <= found["support"]["ci"][1]  # timeless: same data
    observed = result["observed"]["after"] - result["observed"]["before"]
    assert result["change"]["estimate"] == pytest.approx(observed, abs=0.1)
    wrong = in_process(
        "explain-change", str(tmp_path / "panel.yaml"), "--data", str(tmp_path / "long.csv"),
        "--wave-before", "impl", "--wave-after", "sust", "-y", "screening@sust",
    )  # fmt: skip
    assert wrong.exit_code == 2 and "named without its wave ('screening')" in wrong.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("  extra: {wave: impl}\nedges: [extra -> screening, ",
         "drawn at one of the two waves only (extra)"),
        ("edges: [fidelity@impl -> screening@sust, ",
         "fidelity@impl -> screening@sust reaches the sust wave from another wave"),
        ("  late: {waves: [impl, sust]}\nedges: [late@sust -> screening@sust, ",
         "screening has causes fidelity, support at impl but fidelity, late, support at sust"),
    ],
)  # fmt: skip
def test_waves_whose_slices_differ_are_refused_with_the_reason(change, message):
    from mechmap.gcm.waves import common_graph

    panel = mechmap.loads(PANEL.replace("edges: [", change))
    with pytest.raises(GcmSetupError) as refused:
        common_graph(panel, "impl", "sust")
    assert message in str(refused.value)


def test_the_gti_map_is_refused_wave_against_wave_before_any_fit():
    from tests.conftest import ROOT

    gti = mechmap.load(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml")
    with pytest.raises(GcmSetupError, match=r"13 node\(s\) are drawn at one of the two waves only"):
        explain_change(gti, [], [], "screening", wave_before="impl", wave_after="sust")
