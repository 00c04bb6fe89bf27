"""The path test on data simulated from known linear models: estimates recover the truth,
intervals cover it at the nominal rate, refutations do what they claim, and effects the map
cannot identify are reported as such with the open path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mechmap
from mechmap.data import bind, read_tables
from mechmap.mechanism import plan_test, run_test
from mechmap.mechanism.estimate import Engine
from mechmap.stats.power import minimum_detectable_r

MEDIATION_MAP = """
mechmap: 1
id: mediation
title: Confounded mediation
nodes:
  c: {role: context}
  a: {role: strategy}
  f: {role: mechanism}
  g: {role: mechanism}
  y: {role: clinical_outcome}
  u: {role: context, latent: true}
edges: [c -> a, a -> f -> y, a -> y, c -> y, a -> g -> y]
"""
# True coefficients of the linear model the data come from.
A_F, F_Y, A_Y, C_A, C_Y, A_G, G_Y = 0.6, 0.5, 0.2, 0.5, 0.4, 0.4, 0.3


def simulate(
    n_sites: int, rng: np.random.Generator, per_site: tuple[int, int] | None = None
) -> dict[str, np.ndarray]:
    """Site-level data, or respondent rows nested in sites (with a site effect on f and y,
    so rows of one site are not independent) when ``per_site`` gives the size range."""
    c = rng.standard_normal(n_sites)
    a = C_A * c + rng.standard_normal(n_sites)
    sites = np.arange(n_sites)
    if per_site is not None:
        sizes = rng.integers(per_site[0], per_site[1] + 1, n_sites)
        sites = np.repeat(sites, sizes)
    rows = len(sites)
    site_f, site_y = rng.standard_normal(n_sites), rng.standard_normal(n_sites)
    clustered = per_site is not None
    f = A_F * a[sites] + rng.standard_normal(rows) + (site_f[sites] if clustered else 0)
    g = A_G * a[sites] + rng.standard_normal(rows)
    y = (
        F_Y * f
        + A_Y * a[sites]
        + C_Y * c[sites]
        + G_Y * g
        + rng.standard_normal(rows)
        + (site_y[sites] if clustered else 0)
    )
    return {"site": sites, "c": c[sites], "a": a[sites], "f": f, "g": g, "y": y}


def write_csv(columns: dict[str, np.ndarray], path: Path) -> Path:
    names = list(columns)
    lines = [",".join(names)]
    for row in zip(*(columns[k] for k in names), strict=True):
        lines.append(
            ",".join(
                f"s{int(v)}" if k == "site" else repr(float(v))
                for k, v in zip(names, row, strict=True)
            )
        )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def mediation_map() -> mechmap.Map:
    return mechmap.loads(MEDIATION_MAP)


def analysis_data(m, columns, tmp_path, level="site"):
    tables = read_tables([write_csv(columns, tmp_path / "data.csv")])
    names = [v for v in ("c", "a", "f", "g", "y") if v in columns]
    return bind(m, m.measures, tables, names, level=level)


def test_large_n_recovers_every_true_effect(mediation_map, tmp_path):
    data = analysis_data(mediation_map, simulate(3000, np.random.default_rng(1)), tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"], ["a", "g", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=500, refutations=False, falsification=False)
    out = result.as_dict()
    truth = {("a", "f"): A_F, ("f", "y"): F_Y, ("a", "g"): A_G, ("g", "y"): G_Y}
    for link in out["links"]:
        lo, hi = link["ci"]
        assert lo < truth[(link["from"], link["to"])] < hi, link
        assert link["n"] == 3000 and link["level"] == "site"
    path = out["path"]
    expected = {
        "indirect_effect": A_F * F_Y + A_G * G_Y,
        "total_effect": A_F * F_Y + A_G * G_Y + A_Y,
        "direct_effect": A_Y,
    }
    for key, value in expected.items():
        lo, hi = path[key]["ci"]
        assert lo < value < hi, (key, path[key])
    specific = {tuple(e["chain"]): e for e in path["specific_indirect_effects"]}
    assert specific[("a", "f", "y")]["ci"][0] < A_F * F_Y < specific[("a", "f", "y")]["ci"][1]
    assert specific[("a", "g", "y")]["ci"][0] < A_G * G_Y < specific[("a", "g", "y")]["ci"][1]
    # The outcome's measured confounder c is kept for precision in the f -> y regression.
    f_y = next(x for x in out["links"] if (x["from"], x["to"]) == ("f", "y"))
    assert "c" in f_y["adjustment_set"] and "a" in f_y["adjustment_set"]


def test_point_estimates_equal_ordinary_least_squares(mediation_map, tmp_path):
    columns = simulate(40, np.random.default_rng(2))
    data = analysis_data(mediation_map, columns, tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=200, refutations=False, falsification=False)
    for link in result.as_dict()["links"]:
        regressors = [link["from"], *link["adjustment_set"]]
        design = np.column_stack([np.ones(40)] + [columns[r] for r in regressors])
        coef, *_ = np.linalg.lstsq(design, columns[link["to"]], rcond=None)
        assert link["estimate"] == pytest.approx(coef[1], abs=1e-9)


@pytest.mark.parametrize(
    ("n_sites", "per_site"),
    [(50, None), (50, (2, 6))],
    ids=["site level", "respondents in sites"],
)
def test_indirect_effect_interval_covers_at_the_nominal_rate(
    mediation_map, tmp_path, n_sites, per_site
):
    """Over repeated studies the estimate step's own 95% interval of the indirect effect
    a -> f -> y (Monte Carlo draws of its links, the engine's primary interval) contains the
    true 0.30 in 93-97% of them (600 studies: Monte Carlo standard error 0.009)."""
    rng = np.random.default_rng(3)
    plan = plan_test(mediation_map, [["a", "f", "y"]], {"a", "c", "f", "g", "y"})
    fits = [(p.effect, (p.cause, *p.covariates)) for p in plan.links]
    level = "site" if per_site is None else "respondent"
    template = analysis_data(mediation_map, simulate(n_sites, rng, per_site), tmp_path, level)
    replications, covered = 600, 0
    for _ in range(replications):
        columns = simulate(n_sites, rng, per_site)
        values = np.column_stack([columns[v] for v in template.columns])
        data = template.__class__(
            **{**template.__dict__, "values": values, "clusters": columns["site"].astype(int)}
        )
        engine = Engine(data, fits, 20, rng)
        first, _ = engine.coefficient(*fits[0])
        second, _ = engine.coefficient(*fits[1])
        lo, hi = np.quantile(first.monte_carlo * second.monte_carlo, [0.025, 0.975])
        covered += lo < A_F * F_Y < hi
    assert 0.93 - 0.02 <= covered / replications <= 0.97 + 0.02


def test_placebo_drives_estimates_to_zero_and_a_random_cause_changes_nothing(
    mediation_map, tmp_path
):
    data = analysis_data(mediation_map, simulate(200, np.random.default_rng(4)), tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=300, falsification=False)
    by = {(r.name, r.target): r for r in result.refutations}
    for target in ("a -> f", "f -> y", "indirect effect"):
        placebo = by[("placebo treatment", target)]
        assert abs(placebo.new) < 0.1 * abs(placebo.original), placebo
        assert placebo.passed
        common = by[("random common cause", target)]
        assert common.new == pytest.approx(common.original, abs=0.02), common
        assert common.passed
        loo = by[("leave one site out", target)]
        assert len(loo.per_site) == 200 and loo.passed


def test_refutations_fail_when_the_estimate_does_not_hold(mediation_map, tmp_path):
    """The placebo fails when shuffled causes give estimates as large as the real one (a link
    with no effect), and the random common cause fails when one irrelevant covariate can
    overturn the verdict (a link at the edge of significance)."""
    columns = simulate(12, np.random.default_rng(8))
    rng = np.random.default_rng(9)
    columns["f"] = rng.standard_normal(12)  # a -> f has no effect at all
    data = analysis_data(mediation_map, columns, tmp_path)
    plan = plan_test(mediation_map, [["a", "f"]], set(data.columns))
    result = run_test(plan, data, n_resamples=200, falsification=False)
    placebo = next(r for r in result.refutations if r.name == "placebo treatment")
    assert placebo.share > 0.05 and placebo.passed is False
    assert f"{placebo.share:.0%}" in placebo.detail
    # Make the link borderline: add k * a to f, k found by bisection so that p = 0.05.
    from mechmap.stats.inference import coefficient_inference

    covariates = [columns[c] for c in plan.links[0].covariates]
    null_f = columns["f"]

    def p_at(k: float) -> float:
        design = np.column_stack([columns["a"], *covariates])
        return coefficient_inference(null_f + k * columns["a"], design, np.arange(12)).p_value()

    low, high = 0.0, 5.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if p_at(middle) > 0.05 else (low, middle)
    data = analysis_data(mediation_map, dict(columns, f=null_f + high * columns["a"]), tmp_path)
    result = run_test(plan, data, n_resamples=200, falsification=False)
    assert 0.045 < result.estimates.links[0].p_value <= 0.05
    common = next(r for r in result.refutations if r.name == "random common cause")
    assert common.share > 0.05 and common.passed is False


def test_latent_confounder_makes_the_link_unidentifiable_and_names_the_path(tmp_path):
    m = mechmap.loads(MEDIATION_MAP.replace("edges: [", "edges: [u -> g, u -> y, "))
    data = analysis_data(m, simulate(30, np.random.default_rng(5)), tmp_path)
    plan = plan_test(m, [["a", "g", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=200, falsification=False).as_dict()
    g_y = next(x for x in result["links"] if x["from"] == "g")
    assert not g_y["identifiable"] and g_y["estimate"] is None
    assert "g <- u -> y" in g_y["reason"]
    assert result["path"]["verdict"] == "not identifiable"
    # Rank associations are still reported: they are descriptive, not causal.
    assert 0 <= g_y["kendall_tau"]["p_value"] <= 1


def test_small_n_says_inconclusive_not_no_effect(mediation_map, tmp_path):
    data = analysis_data(mediation_map, simulate(12, np.random.default_rng(6)), tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=500).as_dict()
    assert result["power"]["n"] == 12
    # One exact minimum detectable r: the weakest link's, as its row in the link table says.
    weakest = max(x["minimum_detectable_r"] for x in result["links"])
    assert result["power"]["minimum_detectable_r"] == weakest
    covariates = max(len(x["adjustment_set"]) for x in result["links"])
    assert weakest == pytest.approx(minimum_detectable_r(12, covariates), rel=1e-12)
    if result["path"]["verdict"] == "inconclusive":
        assert "not evidence of no effect" in result["path"]["note"]
    statuses = {c["criterion"]: c["status"] for c in result["checklist"]}
    assert set(statuses) == {
        "strong association",
        "specificity",
        "consistency",
        "experimental manipulation",
        "timeline",
        "gradient",
        "plausibility",
    }
    assert statuses["experimental manipulation"] == "not met"
    assert statuses["timeline"] == "not assessable"  # the map has no waves


def test_point_estimates_equal_dowhys_with_the_same_adjustment_sets(mediation_map, tmp_path):
    """DoWhy's linear regression and two-stage mediation, given mechmap's sets, agree to 1e-9."""
    import pandas as pd

    from mechmap.mechanism.dowhy_adapter import estimate_link, estimate_mediation

    columns = simulate(30, np.random.default_rng(7))
    data = analysis_data(mediation_map, columns, tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"]], set(data.columns))
    result = run_test(plan, data, n_resamples=200, refutations=False, falsification=False)
    frame = pd.DataFrame({k: v for k, v in columns.items() if k != "site"})
    for link in result.estimates.links:
        p = link.plan
        theirs = estimate_link(mediation_map, frame, p.cause, p.effect, p.covariates)
        assert link.effect.estimate == pytest.approx(theirs, abs=1e-9)
    first, second = (x.plan for x in result.estimates.links)
    theirs = estimate_mediation(
        mediation_map,
        frame,
        "a",
        "f",
        "y",
        first.covariates,
        second.covariates,
        plan.total.covariates,
    )
    path = result.estimates.path
    assert path.indirect.estimate == pytest.approx(theirs["natural_indirect_effect"], abs=1e-9)
    assert path.direct.estimate == pytest.approx(theirs["natural_direct_effect"], abs=1e-9)


def test_a_variable_without_variation_is_a_clear_error(mediation_map, tmp_path):
    from mechmap.mechanism.estimate import NotEstimable

    columns = simulate(20, np.random.default_rng(8))
    columns["c"] = np.full(20, 3.0)
    data = analysis_data(mediation_map, columns, tmp_path)
    plan = plan_test(mediation_map, [["a", "f", "y"]], set(data.columns))
    with pytest.raises(NotEstimable, match="c has the same value"):
        run_test(plan, data, n_resamples=200)


def test_an_implication_fixed_by_its_conditioning_set_is_reported_not_tested(tmp_path):
    """A total computed from its parts leaves nothing to test given the parts."""
    from mechmap.mechanism.falsify import falsify

    m = mechmap.loads(
        "mechmap: 1\nid: s\ntitle: S\nnodes: {a: {}, b: {}, s: {}, y: {}}\n"
        "edges: [a -> s, b -> s, s -> y]\n"
    )
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal(30), rng.standard_normal(30)
    columns = {"site": np.arange(30), "a": a, "b": b, "s": a + b, "y": a + b}
    tables = read_tables([write_csv(columns, tmp_path / "data.csv")])
    data = bind(m, None, tables, ["a", "b", "s", "y"])
    result = falsify(m, data)
    assert {("a", "y"), ("b", "y")} <= set(result.determined)
    assert "fixed by the conditioning set" in result.summary
    assert [(t.implication.x, t.implication.y) for t in result.tests] == [("a", "b")]
