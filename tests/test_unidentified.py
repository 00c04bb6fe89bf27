"""Next steps for links that cannot be identified: the sensitivity formula against a confounder
we can see, and the suggestions against the single-door criterion written out by brute force."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.mechanism import plan_test
from mechmap.mechanism.unidentified import (
    bias_adjusted,
    identifiable_subpaths,
    sensitivity,
    suggestions,
)
from mechmap.stats.power import robustness_value


def fit(y: np.ndarray, *regressors: np.ndarray) -> tuple[float, float, int, np.ndarray]:
    """OLS of y on an intercept and regressors: first coefficient, its se, df, residuals."""
    design = np.column_stack([np.ones(len(y)), *regressors])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coef
    df = len(y) - design.shape[1]
    cov = residuals @ residuals / df * np.linalg.inv(design.T @ design)
    return float(coef[1]), float(np.sqrt(cov[1, 1])), df, residuals


def partial_r2(y: np.ndarray, z: np.ndarray, *given: np.ndarray) -> float:
    """Share of the variance of y left after ``given`` that z explains."""
    ry, rz = fit(y, *given)[3], fit(z, *given)[3]
    return float(np.corrcoef(ry, rz)[0, 1] ** 2)


@pytest.mark.parametrize("sign", [1, -1])
def test_bias_adjusted_estimate_is_the_fit_with_the_confounder(sign: int) -> None:
    """With a confounder we can see, its true partial R²s turn the fit without it into the
    fit with it, estimate and standard error exactly (the formula is an in-sample identity)."""
    rng = np.random.default_rng(7)
    n = 200
    x, z = rng.normal(size=n), rng.normal(size=n)
    d = 0.5 * x + 0.8 * z + rng.normal(size=n)
    # The confounder pushes the estimate away from 0, the direction the grid assumes.
    y = sign * (0.4 * d + 0.6 * z) + 0.3 * x + rng.normal(size=n)
    naive, naive_se, df, _ = fit(y, d, x)
    full, full_se, full_df, _ = fit(y, d, x, z)
    assert abs(naive) > abs(full) > 0 and np.sign(full) == sign
    row = bias_adjusted(naive, naive_se, df, partial_r2(d, z, x), partial_r2(y, z, d, x))
    assert row.estimate == pytest.approx(full, rel=1e-10)
    from scipy import stats

    half = stats.t.ppf(0.975, full_df) * full_se
    assert row.ci == pytest.approx((full - half, full + half), rel=1e-10)


@pytest.mark.parametrize(("t", "df"), [(4.18445, 783), (-2.5, 9), (10.94, 8)])
def test_the_estimate_reaches_zero_at_the_robustness_value(t: float, df: int) -> None:
    se = 0.3
    rv = robustness_value(t, df)
    assert bias_adjusted(t * se, se, df, rv, rv).estimate == pytest.approx(0, abs=1e-12)
    # Weaker confounding keeps the sign, stronger flips it.
    assert np.sign(bias_adjusted(t * se, se, df, 0.9 * rv, 0.9 * rv).estimate) == np.sign(t)
    stronger = (rv + 1) / 2
    assert np.sign(bias_adjusted(t * se, se, df, stronger, stronger).estimate) == -np.sign(t)


def test_bias_adjusted_refuses_impossible_strengths() -> None:
    with pytest.raises(ValueError, match="partial R"):
        bias_adjusted(1.0, 0.1, 10, 1.0, 0.5)
    with pytest.raises(ValueError, match="too small"):
        bias_adjusted(1.0, 0.1, 1, 0.1, 0.1)


CONFOUNDED = """
mechmap: 1
id: confounded
title: Confounded
nodes: {u: {latent: true}, c: {}, a: {}, f: {}, y: {}}
edges: [a -> f -> y, c -> f, c -> y, u -> f, u -> y]
"""


def test_sensitivity_fits_the_measured_part_of_a_valid_set(tmp_path) -> None:
    from mechmap.data import bind, read_tables

    m = mechmap.loads(CONFOUNDED)
    rng = np.random.default_rng(3)
    n = 30
    c, u, a = rng.normal(size=(3, n))
    f = a + c + u + rng.normal(size=n)
    y = 0.5 * f + c + u + rng.normal(size=n)
    columns = {"a": a, "c": c, "f": f, "y": y}
    path = tmp_path / "sites.csv"
    lines = ["site," + ",".join(columns)]
    lines += [f"s{i}," + ",".join(repr(float(columns[k][i])) for k in columns) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    data = bind(m, None, read_tables([path]), ["a", "c", "f", "y"])
    plan = plan_test(m, [["a", "f", "y"]], set(data.columns))
    assert identifiable_subpaths(plan) == (("a", "f"),)
    (result,) = sensitivity(plan, data)
    # With u measured the test would adjust f -> y for {c, u}; the fit keeps the measured c.
    assert result.arrow == "f -> y" and result.adjusted_for == ("c",)
    estimate, se, df, _ = fit(y, f, c)
    assert (result.estimate, result.se, result.df) == (
        pytest.approx(estimate),
        pytest.approx(se),
        df,
    )
    assert result.rows[0].r2_cause == result.rows[0].r2_effect == 0.01
    # Equal strengths in growing steps pull the estimate monotonically toward 0 and past it.
    equal = [r.estimate for r in result.rows if r.r2_cause == r.r2_effect]
    assert equal == sorted(equal, reverse=True) and equal[0] < estimate


# -- suggestions against the definition, on random maps ------------------------------------

NAMES = [f"v{i}" for i in range(7)]


def single_door_set_exists(graph: nx.DiGraph, u: str, v: str, measured: set[str]) -> bool:
    """Pearl's single-door criterion by brute force: some measured Z without descendants of v
    d-separates u and v once the arrow u -> v is removed."""
    cut = nx.DiGraph(graph)
    cut.remove_edge(u, v)
    usable = sorted(measured - {u, v} - nx.descendants(graph, v))
    return any(
        nx.is_d_separator(cut, {u}, {v}, set(z))
        for k in range(len(usable) + 1)
        for z in itertools.combinations(usable, k)
    )


@st.composite
def maps_with_a_chain(draw):
    """A random DAG as a map, some nodes latent and some without data, and a directed path of
    measured nodes to test."""
    n = draw(st.integers(3, len(NAMES)))
    order = draw(st.permutations(NAMES[:n]))
    chain_length = draw(st.integers(2, n))
    chain = sorted(draw(st.sets(st.sampled_from(order), min_size=2, max_size=chain_length)))
    chain.sort(key=order.index)
    forward = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :]]
    edges = set(itertools.pairwise(chain)) | draw(st.sets(st.sampled_from(forward)))
    others = [v for v in order if v not in chain]
    hidden = draw(st.sets(st.sampled_from(others), min_size=1)) if others else set()
    latent = draw(st.sets(st.sampled_from(sorted(hidden)))) if hidden else set()
    nodes = ", ".join(f"{v}: {{latent: true}}" if v in latent else f"{v}: {{}}" for v in order)
    text = "mechmap: 1\nid: r\ntitle: R\nnodes: {" + nodes + "}\n"
    text += "edges: [" + ", ".join(f"{a} -> {b}" for a, b in sorted(edges)) + "]\n"
    return mechmap.loads(text), chain, set(order) - hidden


@given(maps_with_a_chain())
@settings(max_examples=300, deadline=None)
def test_a_suggested_variable_really_identifies_what_it_claims(case) -> None:
    m, chain, measured = case
    graph = m.to_networkx()
    plan = plan_test(m, [chain], measured)
    missing = [(p.cause, p.effect) for p in plan.links if not p.identifiable]
    claimed = {s.variable: s.makes_identifiable for s in suggestions(plan)}
    for variable in sorted(set(m.variables) - measured):
        fixes = [
            f"{u} -> {v}"
            for u, v in missing
            if single_door_set_exists(graph, u, v, measured | {variable})
        ]
        if not fixes:
            assert variable not in claimed
            continue
        whole = len(chain) > 2 and len(fixes) == len(missing)
        assert claimed[variable] == (*fixes, *(["indirect effect"] if whole else [])), variable
    counts = [len(set(fixed) - {"indirect effect"}) for fixed in claimed.values()]
    assert counts == sorted(counts, reverse=True)
