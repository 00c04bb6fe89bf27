"""Planning a study: effect sizes in the map, the implied SEM, power by number of sites.

The accuracy checks compare simulated power with exact results (the noncentral t power of
one link) and with Fritz & MacKinnon (2007, Psychol Sci 18:233-239, Table 3), whose sample
sizes for 80% power of the single-mediator indirect effect are 75 (joint significance) to 78
(percentile bootstrap) at a = b = 0.39 and 35-36 at a = b = 0.59, with X standard normal and
unit residual variances (c' = 0).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.diagnostics import MapError
from mechmap.mapfile.dump import dumps
from mechmap.mechanism.pipeline import TestSetupError
from mechmap.planning import linear_sem, power
from mechmap.planning.batched import analyse_batch, nested_inference, site_level_inference
from mechmap.planning.power import _fits
from mechmap.planning.simulate import simulate_batch, variable_iccs
from mechmap.stats.inference import coefficient_inference, monte_carlo_draws
from mechmap.stats.power import correlation_power
from mechmap.stats.student import t_quantiles
from tests.conftest import run_mechmap

MEDIATION = """\
mechmap: 1
id: plan
title: Plan
nodes:
  x: {{role: strategy}}
  m: {{role: mechanism{icc}}}
  y: {{role: clinical_outcome}}
edges:
  - {{from: x, to: m, effect: {a}}}
  - {{from: m, to: y, effect: {b}}}
  - {{from: x, to: y{direct}}}
hypotheses:
  - id: h
    path: x -> m -> y
"""


def write_map(tmp_path: Path, a="0.4", b="0.4", direct="", icc="") -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(MEDIATION.format(a=a, b=b, direct=direct, icc=icc))
    return path


def standardized(a: float, b: float) -> tuple[float, float]:
    """Fritz & MacKinnon's unstandardized a, b (unit residual variances, var X = 1) as the
    standardized coefficients a map holds."""
    var_m = 1 + a * a
    var_y = b * b * var_m + 1
    return a / math.sqrt(var_m), b * math.sqrt(var_m) / math.sqrt(var_y)


def test_effects_and_iccs_round_trip(tmp_path: Path) -> None:
    m = mechmap.load(write_map(tmp_path, direct=", effect: -0.1", icc=", icc: 0.15"))
    again = mechmap.loads(dumps(m))
    assert [e.effect for e in again.edges] == [0.4, 0.4, -0.1]
    assert again.node_by_id["m"].icc == 0.15


def test_residual_variances_keep_unit_variance(tmp_path: Path) -> None:
    sem = linear_sem(mechmap.load(write_map(tmp_path, direct=", effect: 0.3")))
    # y = 0.4 m + 0.3 x with corr(m, x) = 0.4: R² = 0.16 + 0.09 + 2 * 0.4 * 0.3 * 0.4
    assert sem.residual_variance == pytest.approx((1.0, 0.84, 1 - 0.346))


def test_batched_fits_equal_coefficient_inference() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 15, 2))
    y = 0.5 * x[:, :, 0] + rng.standard_normal((4, 15))
    estimate, se, df, scores = site_level_inference(y, x)
    for s in range(4):
        one = coefficient_inference(y[s], x[s], np.arange(15))
        assert (estimate[s], se[s], df) == pytest.approx((one.estimate, one.se, one.df))
        assert scores[s] == pytest.approx(one.scores)


@pytest.mark.parametrize(
    ("sites", "respondents", "regressors", "icc"),
    [(12, 10, 1, 0.0), (20, 10, 3, 0.3), (8, 2, 4, 0.3), (30, 5, 2, 0.1)],
)
def test_nested_batched_fits_equal_coefficient_inference(sites, respondents, regressors, icc):
    rng = np.random.default_rng(sites)
    sims = 5
    clusters = np.repeat(np.arange(sites), respondents)
    # Site effects of unequal size (sd 0.2 to 2 by site), shared by regressors and outcome.
    spread = rng.uniform(0.2, 2.0, sites)[None, :, None]
    site = rng.standard_normal((sims, sites, regressors + 1)) * spread * math.sqrt(icc)
    x = site[:, clusters, :regressors] + rng.standard_normal((sims, len(clusters), regressors))
    y = 0.4 * x[:, :, 0] + site[:, clusters, regressors] + rng.standard_normal(x.shape[:2])
    estimate, se, df, scores = nested_inference(y, x, respondents)
    for s in range(sims):
        one = coefficient_inference(y[s], x[s], clusters, nested=True)
        assert (estimate[s], se[s], df[s]) == pytest.approx((one.estimate, one.se, one.df), 1e-10)
        assert scores[s] == pytest.approx(one.scores, rel=1e-10, abs=1e-12)


def test_t_quantiles_match_scipy() -> None:
    from scipy import stats

    rng = np.random.default_rng(0)
    # Degrees of freedom per study and fit, from the Cauchy (1) past the largest tabulated.
    df = np.concatenate([[1.0, 1.04, 2.5, 4.0, 58.0, 400.0, 1e5], rng.uniform(1, 60, 13)])
    df = df.reshape(5, 4)
    z = np.clip(rng.standard_normal((5, 2000, 4)) * 3, -9, 9)
    lower = stats.t.ppf(stats.norm.cdf(-np.abs(z)), df[:, None, :])  # accurate in both tails
    exact = np.where(z < 0, lower, -lower)
    error = np.abs(t_quantiles(z, df) - exact) / np.maximum(1, np.abs(exact))
    assert np.max(error) < 1e-6  # relative, in the far tails where t quantiles are large


def test_nested_batch_detects_the_indirect_effect_as_the_estimate_step_does(tmp_path: Path):
    """The batch draws the same normals from the same generator as ``monte_carlo_draws``
    called study by study, so its verdicts can differ only through the t-quantile table
    (error 2e-7 of a quantile): only where an interval end lies within 1e-5 of its width
    of 0. A wrong standard error, df or copula moves the ends by far more than that, and
    at about 50% power many ends lie near 0."""
    m = mechmap.load(write_map(tmp_path, "0.5", "0.5", direct=", effect: 0.2", icc=", icc: 0.2"))
    sem = linear_sem(m)
    chains = [("x", "m", "y")]
    plan = mechmap.mechanism.plan_test(m, chains, set(sem.variables), "h")
    sites, respondents, sims, n_draws = 12, 5, 120, 2000
    shares = variable_iccs(m, sem, 0.3)  # x a property of the site (icc 1), m 0.2, y 0.3
    values, clusters = simulate_batch(
        sem, sites, sims, np.random.default_rng(4), respondents, shares
    )
    fits = _fits(plan, sites * respondents)
    assert fits["m -> y"] == ("y", ("m", "x"))  # a fit with a covariate
    batch = analyse_batch(
        values, clusters, sem.variables, fits, chains, 0.05, np.random.default_rng(5), n_draws,
        nested=True,
    )  # fmt: skip
    rng = np.random.default_rng(5)
    column = {v: i for i, v in enumerate(sem.variables)}
    boundary = np.zeros(sims, dtype=bool)
    reference = np.zeros(sims, dtype=bool)
    for s, study in enumerate(values):
        one = [
            coefficient_inference(study[:, column[y]], study[:, [column[x] for x in xs]],
                                  clusters, nested=True)
            for y, xs in fits.values()
        ]  # fmt: skip
        draws = monte_carlo_draws(one, rng, n_draws)
        product = draws[:, list(fits).index("x -> m")] * draws[:, list(fits).index("m -> y")]
        lo, hi = np.quantile(product, [0.025, 0.975])
        reference[s] = lo > 0 or hi < 0
        boundary[s] = min(abs(lo), abs(hi)) < 1e-5 * (hi - lo)
    assert 0.2 < reference.mean() < 0.8, reference.mean()
    assert np.all(((batch["indirect_effect"] != 0) == reference) | boundary)


@pytest.mark.parametrize(("r", "n"), [(0.4, 20), (0.4, 40), (-0.4, 20), (0.0, 15)])
def test_single_link_power_is_the_exact_power(tmp_path: Path, r: float, n: int) -> None:
    path = tmp_path / "link.yaml"
    path.write_text(
        f"mechmap: 1\nid: l\ntitle: L\nnodes: {{x: {{}}, y: {{}}}}\n"
        f"edges: [{{from: x, to: y, effect: {r}}}]\n"
    )
    sims = 4000
    result = power(mechmap.load(path), [n], path="x -> y", sims=sims, seed=1)
    (link,) = [row for row in result.rows if row.target == "x -> y"]
    exact = correlation_power(r, n)
    # Four binomial standard errors: a false alarm about once in 16,000 runs.
    assert abs(link.power - exact) < 4 * math.sqrt(exact * (1 - exact) / sims)


@pytest.mark.parametrize(("a", "n_low", "n_high"), [(0.39, 75, 78), (0.59, 35, 36)])
def test_indirect_power_matches_fritz_and_mackinnon(tmp_path: Path, a, n_low, n_high) -> None:
    a_s, b_s = standardized(a, a)
    m = mechmap.load(write_map(tmp_path, f"{a_s:.6f}", f"{b_s:.6f}"))
    sims = 2000
    result = power(m, [n_low, n_high], hypothesis="h", sims=sims, seed=2)
    indirect = [row.power for row in result.rows if row.target == "indirect_effect"]
    # Their N is the smallest reaching .80 in their own simulations, so the power there is
    # .80 to about .83 (power rises about .006 per site here); our Monte Carlo SE is .009.
    # Allow 3 of our SEs either side of [.78, .84]: [.75, .87].
    assert all(0.75 <= p <= 0.87 for p in indirect), indirect


def test_json_shape_and_sites_needed(tmp_path: Path) -> None:
    result = run_mechmap(
        "power", str(write_map(tmp_path, "0.6", "0.6")), "--hypothesis", "h",
        "--sites", "10,20,40", "--sims", "300", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["hypothesis"] == "h" and data["sims"] == 300
    targets = {"x -> m", "m -> y", "indirect_effect", "direct_effect", "total_effect"}
    assert {r["target"] for r in data["rows"]} == targets
    assert {r["sites"] for r in data["rows"]} == {10, 20, 40}
    for row in data["rows"]:
        assert row["ci"][0] <= row["power"] <= row["ci"][1]
    assert data["sites_needed"]["0.8"]["x -> m"] == 20  # power .85 at 20 (r = .6)
    assert data["sites_needed"]["0.8"]["direct_effect"] == "more than 40"  # it is 0
    assert set(data["minimum_detectable_r"]) == {"10", "20", "40"}


def test_impossible_effects_are_located(tmp_path: Path) -> None:
    path = write_map(tmp_path, "0.9", "0.7", direct=", effect: 0.5")
    result = run_mechmap("power", str(path), "--hypothesis", "h", "--sims", "20")
    assert result.returncode == 1
    assert f"{path}:10:" in result.stderr and "effects into y imply R² = 1.3" in result.stderr


def test_effect_override_can_make_them_possible(tmp_path: Path) -> None:
    path = write_map(tmp_path, "0.9", "0.7", direct=", effect: 0.5")
    result = run_mechmap(
        "power", str(path), "--hypothesis", "h", "--sims", "20", "--sites", "12",
        "--effect", "x -> y = 0", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_an_impossible_override_is_located_at_the_option(tmp_path: Path) -> None:
    path = write_map(tmp_path, "0.5", "0.5")
    args = ("power", str(path), "--hypothesis", "h", "--effect", "x -> y = 0.95")
    result = run_mechmap(*args)
    assert result.returncode == 2
    assert "--effect:1:1: error: the effects into y imply R² = 1.63" in result.stderr
    assert f"{path}:10:" in result.stderr  # the map's own arrow into y, m -> y


@pytest.mark.parametrize(
    ("text", "message"),
    [("x -> m 0.3", "write it as 'cause -> effect = 0.3'"), ("x -> q = 0.3", "unknown node 'q'")],
)
def test_bad_effect_text_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    result = run_mechmap("power", str(write_map(tmp_path)), "--hypothesis", "h", "--effect", text)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_icc_out_of_range_is_located(tmp_path: Path) -> None:
    path = write_map(tmp_path, icc=", icc: 1.2")
    result = run_mechmap("power", str(path), "--hypothesis", "h")
    assert result.returncode == 1
    assert f"{path}:6:" in result.stderr and "icc" in result.stderr


def test_a_path_arrow_without_effect_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(MEDIATION.format(a="0.3", b="0.3", direct="", icc="").replace(
        "{from: m, to: y, effect: 0.3}", "m -> y"))  # fmt: skip
    result = run_mechmap("power", str(path), "--hypothesis", "h")
    assert result.returncode == 1 and f"{path}:10:" in result.stderr
    assert "--effect 'm -> y = 0.3'" in result.stderr


def test_too_few_sites_for_the_regressions(tmp_path: Path) -> None:
    result = run_mechmap("power", str(write_map(tmp_path)), "--hypothesis", "h", "--sites", "5")
    assert result.returncode == 2
    assert "5 sites are too few: the regression of y on m and 1 covariate(s)" in result.stderr


def test_a_hypothesis_that_is_not_identifiable_names_the_links_left(tmp_path: Path) -> None:
    path = tmp_path / "hidden.yaml"
    path.write_text(
        "mechmap: 1\nid: h\ntitle: H\n"
        "nodes: {x: {}, m: {}, y: {}, u: {latent: true}}\n"
        "edges:\n"
        "  - {from: x, to: m, effect: 0.3}\n"
        "  - {from: m, to: y, effect: 0.3}\n"
        "  - {from: u, to: m, effect: 0.2}\n"
        "  - {from: u, to: y, effect: 0.2}\n"
        "hypotheses: [{id: h, path: x -> m -> y}]\n"
    )
    result = run_mechmap("power", str(path), "--hypothesis", "h", "--sims", "20")
    assert result.returncode == 2, result.stderr
    assert "m -> y: its arrow's coefficient is not identifiable" in result.stderr
    assert "the links that can still be planned: x -> m" in result.stderr


def test_plot_is_written_and_not_overwritten(tmp_path: Path) -> None:
    figure = tmp_path / "power.png"
    args = ("power", str(write_map(tmp_path)), "--hypothesis", "h", "--sims", "20",
            "--sites", "12,20", "--plot", str(figure))  # fmt: skip
    assert run_mechmap(*args).returncode == 0
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run_mechmap(*args)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_mechmap(*args, "--force").returncode == 0


def test_a_latent_mediator_is_named(tmp_path: Path) -> None:
    path = (
        write_map(tmp_path).read_text().replace("role: mechanism", "role: mechanism, latent: true")
    )
    (tmp_path / "latent.yaml").write_text(path)
    result = run_mechmap("power", str(tmp_path / "latent.yaml"), "--hypothesis", "h")
    assert result.returncode == 2
    assert "m is latent (never observed)" in result.stderr
    assert "no link of it can be planned" in result.stderr


def test_nested_design_uses_node_iccs_and_asks_for_the_rest(tmp_path: Path) -> None:
    m = mechmap.load(write_map(tmp_path, "0.5", "0.5", icc=", icc: 0.2"))
    with pytest.raises(TestSetupError, match="node y has no icc: give --icc R"):
        power(m, [12], hypothesis="h", sims=20, respondents=4)
    result = power(m, [12, 30], hypothesis="h", sims=60, respondents=4, icc=0.1, seed=3)
    assert result.respondents == 4 and "CR2" in result.method
    links = {(r.sites, r.target): r.power for r in result.rows}
    # m -> y is fitted over 48 respondents, not 12 sites: far more power than one row per
    # site gives (exactly 0.39 at r = .5 and 12 sites; about 0.8 here, SE 0.05 at 60 studies).
    assert links[(12, "m -> y")] > correlation_power(0.5, 12) + 0.2
    assert links[(30, "m -> y")] >= links[(12, "m -> y")]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-0.45, 0.45), min_size=6, max_size=6),
)
def test_implied_variances_are_one(effects: list[float]) -> None:
    """Whatever effects are accepted, the model they imply gives every variable variance 1."""
    arrows = [("a", "b"), ("a", "c"), ("b", "c"), ("a", "d"), ("b", "d"), ("c", "d")]
    edges = ", ".join(
        f"{{from: {u}, to: {v}, effect: {e!r}}}" for (u, v), e in zip(arrows, effects, strict=True)
    )
    m = mechmap.loads(
        f"mechmap: 1\nid: p\ntitle: P\nnodes: {{a: {{}}, b: {{}}, c: {{}}, d: {{}}}}\n"
        f"edges: [{edges}]\n"
    )
    try:
        sem = linear_sem(m)
    except MapError as exc:  # an impossible set is refused at an arrow into a node
        assert all("imply R²" in d.message for d in exc.diagnostics)
        return
    inverse = np.linalg.inv(np.eye(4) - np.asarray(sem.coefficients))
    covariance = inverse @ np.diag(sem.residual_variance) @ inverse.T
    assert np.diag(covariance) == pytest.approx(np.ones(4))


def test_power_counts_the_planned_direction_only(tmp_path: Path) -> None:
    """A negative b makes the indirect effect negative: it is found below 0, and an interval
    above 0 (a contradicted verdict) is no detection."""
    path = write_map(tmp_path, a="0.5", b="-0.5")
    m = mechmap.load(path)
    result = power(m, [40], hypothesis="h", sims=400, seed=3)
    found = {r.target: r.power for r in result.rows}
    assert found["indirect_effect"] > 0.5 and found["m -> y"] > 0.8
    from mechmap.planning.power import design

    signs = design(m, [40], hypothesis="h", sims=400).signs
    assert signs == {
        "x -> m": 1,
        "m -> y": -1,
        "total_effect": -1,
        "indirect_effect": -1,
        "direct_effect": 0,
    }
