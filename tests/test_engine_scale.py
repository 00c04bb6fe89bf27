"""The path-test engine in memory linear in sites: leave-one-site-out from the total moments,
the bootstrap drawn in chunks, placebo and random-common-cause fits from one replaced column,
Bell-McCaffrey df without a rows x sites matrix. Each equals the dense computation it
replaced (on integer moments exactly, on real data to rounding), and the real command at
many sites leaves each site out correctly."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.data import AnalysisData
from mechmap.mechanism import estimate, plan_test, refute
from mechmap.mechanism.estimate import _bootstrap_grams
from mechmap.stats.inference import _satterthwaite_df, coefficient_inference, proportion_weights
from mechmap.stats.moments import Moments, ols
from mechmap.stats.resampling import cluster_bootstrap_chunks, cluster_bootstrap_weights
from tests.conftest import run_mechmap

COLUMNS = ("a", "b", "y")
FAST = settings(max_examples=40, deadline=None)


def integer_moments(per_cluster: np.ndarray) -> Moments:
    """Moments whose cross-products are small integers, so sums are exact in float64."""
    k = per_cluster.shape[1]
    names = tuple(f"v{i}" for i in range(k - 1))
    return Moments(names, np.zeros(k - 1), np.ones(k - 1), per_cluster.astype(float))


integer_blocks = st.integers(2, 30).flatmap(
    lambda c: st.lists(st.integers(-50, 50), min_size=c * 9, max_size=c * 9).map(
        lambda v, c=c: np.array(v).reshape(c, 3, 3)
    )
)


@FAST
@given(integer_blocks)
def test_leave_one_out_is_the_dense_jackknife_exactly(per_cluster):
    m = integer_moments(per_cluster)
    dense = m.combine(1 - np.eye(len(per_cluster), dtype=int))
    assert np.array_equal(m.leave_one_out(), dense)


@FAST
@given(
    st.integers(1, 40),
    st.integers(1, 60),
    st.integers(1, 200),
    st.integers(0, 2**32 - 1),
)
def test_chunked_bootstrap_draws_the_same_weights(clusters, resamples, max_values, seed):
    chunks = list(
        cluster_bootstrap_chunks(clusters, resamples, np.random.default_rng(seed), max_values)
    )
    assert all(len(c) * clusters <= max(max_values, clusters) for c in chunks)
    at_once = cluster_bootstrap_weights(clusters, resamples, np.random.default_rng(seed))
    assert np.array_equal(np.vstack(chunks), at_once)


@FAST
@given(integer_blocks, st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_chunked_bootstrap_grams_are_the_dense_ones_exactly(per_cluster, resamples, seed):
    sites = len(per_cluster)
    first, second = integer_moments(per_cluster), integer_moments(per_cluster[::-1].copy())
    grams = _bootstrap_grams(
        {None: first, ("y", ("x",)): second}, sites, resamples, np.random.default_rng(seed)
    )
    weights = cluster_bootstrap_weights(sites, resamples, np.random.default_rng(seed))
    assert np.array_equal(grams[None], first.combine(weights))
    assert np.array_equal(grams[("y", ("x",))], second.combine(weights))


def dense_gram(m: Moments, copies: np.ndarray) -> np.ndarray:
    """The cross-products of whole altered copies (R, rows, p): what refute built before."""
    z = (copies - m.center) / m.scale
    z = np.concatenate([np.ones((*z.shape[:2], 1)), z], axis=2)
    w = np.ones(copies.shape[1]) if m.row_weights is None else m.row_weights
    return np.einsum("rni,rnj,n->rij", z, z, w)


@FAST
@given(st.integers(6, 40), st.integers(1, 8), st.integers(0, 2), st.booleans(), st.integers(0, 99))
def test_replacing_one_column_matches_fitting_altered_copies(rows, copies, column, weighted, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, 3)) * [1, 10, 0.1] + [0, 100, -5]
    weights = rng.uniform(0.5, 2, rows) if weighted else None
    m = Moments.from_data(values, np.arange(rows), rows, COLUMNS, row_weights=weights)
    batch = rng.normal(size=(copies, rows)) * 3 + 1
    altered = np.broadcast_to(values, (copies, rows, 3)).copy()
    altered[:, :, column] = batch
    gram = m.gram_with_column(values, COLUMNS[column], batch)
    np.testing.assert_allclose(gram, dense_gram(m, altered), rtol=1e-12, atol=1e-9)
    fit = ols(m, gram, "y", ["a", "b"])
    for r in range(copies):
        design = np.column_stack([np.ones(rows), altered[r, :, :2]])
        root = np.sqrt(np.ones(rows) if weights is None else weights)
        reference, *_ = np.linalg.lstsq(design * root[:, None], altered[r, :, 2] * root)
        np.testing.assert_allclose(fit.coef[r], reference[1:], rtol=1e-8, atol=1e-10)


def dense_df(design, bread, clusters, adjusted, groups) -> float:
    """Bell-McCaffrey df from the rows x sites matrix G = (I - H) A, as computed before."""
    spread = np.zeros((len(design), groups))
    spread[np.arange(len(design)), clusters] = adjusted
    spread -= design @ (bread @ (design.T @ spread))
    gram = spread.T @ spread
    return float(np.trace(gram) ** 2 / np.sum(gram * gram))


@FAST
@given(st.integers(3, 25), st.integers(1, 3), st.integers(0, 99))
def test_bell_mccaffrey_df_without_the_rows_by_sites_matrix(groups, regressors, seed):
    rng = np.random.default_rng(seed)
    clusters = np.sort(np.concatenate([np.arange(groups), rng.integers(0, groups, 3 * groups)]))
    rows = len(clusters)
    design = np.column_stack([rng.normal(size=(rows, regressors)), np.ones(rows)])
    bread = np.linalg.pinv(design.T @ design)
    adjusted = rng.normal(size=rows)
    fast = _satterthwaite_df(design, bread, clusters, adjusted, groups)
    assert fast == pytest.approx(dense_df(design, bread, clusters, adjusted, groups), rel=1e-10)


def test_nested_inference_keeps_its_bell_mccaffrey_df():
    """CR2 end to end on nested data: the df equals the dense formula's."""
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(30), rng.integers(2, 9, 30))
    x = rng.normal(size=30)[clusters] + rng.normal(size=len(clusters))
    y = 0.4 * x + rng.normal(size=30)[clusters] + rng.normal(size=len(clusters))
    fit = coefficient_inference(y, x[:, None], clusters, nested=True)
    design = np.column_stack([x, np.ones(len(x))])
    bread = np.linalg.pinv(design.T @ design)
    adjusted = np.zeros(len(x))
    for g in range(30):
        rows = clusters == g
        h = design[rows] @ bread @ design[rows].T
        values, vectors = np.linalg.eigh(np.eye(rows.sum()) - h)
        adjusted[rows] = (vectors / np.sqrt(values)) @ vectors.T @ design[rows] @ bread[:, 0]
    assert fit.df == pytest.approx(dense_df(design, bread, clusters, adjusted, 30), rel=1e-9)


def test_proportion_weights_match_the_hat_matrix():
    rng = np.random.default_rng(3)
    design = rng.normal(size=(40, 2))
    proportions = rng.uniform(0.1, 0.9, 40)
    denominators = rng.integers(20, 400, 40).astype(float)
    weights = proportion_weights(proportions, design, denominators)
    full = np.column_stack([design, np.ones(40)])
    hat = full @ np.linalg.pinv(full.T @ full) @ full.T
    resid = proportions - hat @ proportions
    pooled = proportions @ denominators / denominators.sum()
    sampling = pooled * (1 - pooled) / denominators
    between = max(0.0, float(np.mean(resid**2 / (1 - np.diagonal(hat)) - sampling)))
    assert weights.between == pytest.approx(between, rel=1e-12, abs=1e-15)


@pytest.fixture(scope="module")
def many_sites(tmp_path_factory):
    """A generated 1,500-site CSV for the confounded mediation map, and the real command's
    JSON on it."""
    folder = tmp_path_factory.mktemp("many")
    rng = np.random.default_rng(11)
    n = 1500
    c = rng.normal(size=n)
    a = 0.5 * c + rng.normal(size=n)
    f = 0.6 * a + rng.normal(size=n)
    y = 0.5 * f + 0.2 * a + 0.4 * c + rng.normal(size=n)
    values = np.column_stack([c, a, f, y])
    lines = ["site,c,a,f,y"] + [
        f"s{i}," + ",".join(f"{v:.6f}" for v in row) for i, row in enumerate(values)
    ]
    (folder / "sites.csv").write_text("\n".join(lines) + "\n")
    (folder / "map.yaml").write_text(
        "mechmap: 1\nid: scale\ntitle: Confounded mediation\nnodes:\n"
        "  c: {label: Context, role: context}\n  a: {label: Facilitation, role: strategy}\n"
        "  f: {label: Fidelity, role: proximal_outcome}\n"
        "  y: {label: Screening, role: clinical_outcome}\n"
        "edges:\n  - {from: c, to: a}\n  - {from: a, to: f}\n  - {from: f, to: y}\n"
        "  - {from: a, to: y}\n  - {from: c, to: y}\n"
    )
    result = run_mechmap(
        "test", str(folder / "map.yaml"), "--data", str(folder / "sites.csv"),
        "--path", "a -> f -> y", "--resamples", "300", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return np.round(values, 6), json.loads(result.stdout)


def test_the_command_leaves_each_of_many_sites_out(many_sites):
    values, found = many_sites
    (loo,) = [
        r
        for r in found["refutations"]
        if r["name"] == "leave one site out" and r["target"] == "f -> y"
    ]
    assert len(loo["per_site"]) == 1500
    (link,) = [x for x in found["links"] if (x["from"], x["to"]) == ("f", "y")]
    columns = [2, *(["c", "a", "f", "y"].index(v) for v in link["adjustment_set"])]
    for site in (0, 777, 1499):
        keep = np.arange(1500) != site
        design = np.column_stack([np.ones(1499), values[keep][:, columns]])
        refit, *_ = np.linalg.lstsq(design, values[keep, 3])
        assert loo["per_site"][site]["site"] == f"s{site}"
        assert loo["per_site"][site]["estimate"] == pytest.approx(refit[1], rel=1e-9)


def test_refutations_do_not_depend_on_the_chunk_size(monkeypatch):
    """Placebo and random-common-cause draws come out the same, a copy at a time or all at
    once: the chunks consume the random stream exactly as one draw does."""
    rng = np.random.default_rng(4)
    n = 40
    c = rng.normal(size=n)
    a = 0.5 * c + rng.normal(size=n)
    f = 0.6 * a + rng.normal(size=n)
    y = 0.5 * f + 0.4 * c + rng.normal(size=n)
    data = AnalysisData(
        level="site",
        columns=("c", "a", "f", "y"),
        values=np.column_stack([c, a, f, y]),
        clusters=np.arange(n),
        site_ids=tuple(f"s{i}" for i in range(n)),
        row_labels=tuple(f"s{i}" for i in range(n)),
    )
    m = mechmap.loads(
        "mechmap: 1\nid: t\ntitle: t\nnodes:\n  c: {label: C, role: context}\n"
        "  a: {label: A, role: strategy}\n  f: {label: F, role: mechanism}\n"
        "  y: {label: Y, role: clinical_outcome}\nedges:\n  - {from: c, to: a}\n"
        "  - {from: a, to: f}\n  - {from: f, to: y}\n  - {from: c, to: y}\n"
    )
    plan = plan_test(m, chains=[["a", "f", "y"]], measured=set(data.columns))
    estimates = estimate(plan, data, n_resamples=100, seed=0)
    at_once = [r.as_dict() for r in refute(estimates, n_simulations=30)]
    # The module, not the function of the same name that mechmap.mechanism exports.
    module = importlib.import_module("mechmap.mechanism.refute")
    monkeypatch.setattr(module, "CHUNK_VALUES", 7 * n)  # 7 copies per chunk
    chunked = [r.as_dict() for r in refute(estimates, n_simulations=30)]
    assert [r["name"] for r in chunked] == [r["name"] for r in at_once]
    for mine, theirs in zip(chunked, at_once, strict=True):
        assert mine["share"] == theirs["share"] and mine["passed"] == theirs["passed"]
        for key in ("new", "ci"):
            expected = theirs[key] if theirs[key] is None else pytest.approx(theirs[key], 1e-12)
            assert mine[key] == expected
