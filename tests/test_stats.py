"""mechmap.stats against independent references: statsmodels and numpy least squares for the
moment engine, SciPy for intervals and rank tests, brute-force enumeration for permutation
p-values and Holm, simulation for power, and the defining equations for the robustness value.
The coverage simulation is in test_stats_coverage.py."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.stats as st
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as hs

from mechmap.stats.moments import Moments, ols
from mechmap.stats.power import minimum_detectable_r, robustness_value
from mechmap.stats.resampling import (
    cluster_bootstrap_weights,
    percentile_interval,
)
from mechmap.stats.significance import (
    coefficient_permutation_p,
    holm,
    kendall_tau,
    partial_correlation_test,
    spearman_rho,
)

COLUMNS = ["a", "b", "c", "y"]


def nested_data(rng: np.random.Generator, n_sites: int = 15):
    """Respondents (1-7 per site, unequal) with regressors on very different scales."""
    sizes = rng.integers(1, 8, size=n_sites)
    clusters = np.repeat(np.arange(n_sites), sizes)
    n = len(clusters)
    site = rng.normal(size=(n_sites, 3))[clusters]
    x = (site + rng.normal(size=(n, 3))) * [1.0, 250.0, 0.01] + [4.0, 3000.0, 0.5]
    y = x @ [0.7, -0.002, 40.0] + rng.normal(size=n) + rng.normal(size=n_sites)[clusters]
    return np.column_stack([x, y]), clusters


def expand(values: np.ndarray, clusters: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The data set a weight row stands for: each cluster's rows repeated weight times."""
    return np.concatenate(
        [np.repeat(values[clusters == c], w, axis=0) for c, w in enumerate(weights)]
    )


def lstsq_fit(data: np.ndarray, regressors: list[int], outcome: int):
    return sm.OLS(data[:, outcome], sm.add_constant(data[:, regressors], has_constant="add")).fit()


# --- moments -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["site", "respondent"])
def test_point_estimate_matches_statsmodels(level):
    rng = np.random.default_rng(1)
    values, clusters = nested_data(rng)
    if level == "site":
        clusters = np.arange(len(values))
    n_clusters = clusters.max() + 1
    m = Moments.from_data(values, clusters, n_clusters, COLUMNS)
    fit = ols(m, m.combine(np.ones((1, n_clusters))), "y", ["a", "b", "c"])
    ref = lstsq_fit(values, [0, 1, 2], 3)
    np.testing.assert_allclose(fit.coef[0], ref.params[1:], rtol=1e-9)
    np.testing.assert_allclose(fit.se[0], ref.bse[1:], rtol=1e-9)
    np.testing.assert_allclose(fit.t[0], ref.tvalues[1:], rtol=1e-9)
    np.testing.assert_allclose(fit.residual_sd[0], math.sqrt(ref.scale), rtol=1e-9)
    assert fit.df[0] == ref.df_resid and fit.n[0] == len(values) and fit.full_rank[0]
    std = ref.params[1:] * values[:, :3].std(axis=0, ddof=1) / values[:, 3].std(ddof=1)
    np.testing.assert_allclose(fit.std_coef[0], std, rtol=1e-9)
    # A sub-model picks its own block out of the same moments.
    sub = ols(m, m.combine(np.ones((1, n_clusters))), "c", ["b"])
    np.testing.assert_allclose(sub.coef[0], lstsq_fit(values, [1], 2).params[1:], rtol=1e-9)


def test_every_weighting_matches_a_refit_of_the_expanded_data():
    """Bootstrap and jackknife rows equal OLS on the data set they stand for, respondent level
    with unequal cluster sizes; products of coefficients give the resample's indirect effect."""
    rng = np.random.default_rng(2)
    values, clusters = nested_data(rng)
    m = Moments.from_data(values, clusters, 15, COLUMNS)
    weights = np.vstack([cluster_bootstrap_weights(15, 20, rng), 1 - np.eye(15, dtype=int)])
    gram = np.concatenate([m.combine(weights[:20]), m.leave_one_out()])
    outcome_fit = ols(m, gram, "y", ["b", "a"])
    mediator_fit = ols(m, gram, "b", ["a"])
    assert outcome_fit.full_rank.all()
    for row, w in enumerate(weights):
        data = expand(values, clusters, w)
        ref = lstsq_fit(data, [1, 0], 3)
        np.testing.assert_allclose(outcome_fit.coef[row], ref.params[1:], rtol=1e-9)
        np.testing.assert_allclose(outcome_fit.se[row], ref.bse[1:], rtol=1e-9)
        assert outcome_fit.n[row] == len(data) and outcome_fit.df[row] == ref.df_resid
        sd = data.std(axis=0, ddof=1)
        np.testing.assert_allclose(
            outcome_fit.std_coef[row], ref.params[1:] * sd[[1, 0]] / sd[3], rtol=1e-9
        )
        indirect = lstsq_fit(data, [0], 1).params[1] * ref.params[1]
        product = mediator_fit.coef[row, 0] * outcome_fit.coef[row, 0]
        assert product == pytest.approx(indirect, rel=1e-9)


def test_large_offsets_do_not_cost_digits():
    """Columns around 1e8 with unit spread: the reference is fitted on the data shifted back
    (an exact subtraction), so it is the correct fit of the raw data."""
    rng = np.random.default_rng(3)
    small, clusters = nested_data(rng)
    small = small[:, [0, 3]] - small[:, [0, 3]].mean(axis=0)
    raw = small + 1e8
    m = Moments.from_data(raw, clusters, 15, ["x", "y"])
    fit = ols(m, m.combine(np.ones((1, 15))), "y", ["x"])
    ref = lstsq_fit(raw - 1e8, [0], 1)
    assert fit.coef[0, 0] == pytest.approx(ref.params[1], rel=1e-9)
    assert fit.se[0, 0] == pytest.approx(ref.bse[1], rel=1e-9)


def test_singular_resamples_are_flagged_row_by_row():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(8, 3))
    m = Moments.from_data(values, np.arange(8), 8, ["a", "b", "y"])
    weights = np.array(
        [
            np.ones(8),  # the data: fine
            [8, 0, 0, 0, 0, 0, 0, 0],  # one site: regressors constant
            [4, 4, 0, 0, 0, 0, 0, 0],  # two sites, two regressors: collinear
            [1, 1, 1, 0, 0, 0, 0, 0],  # three rows, three parameters: no residual df
            [2, 2, 2, 2, 0, 0, 0, 0],  # four sites: fine
        ]
    )
    fit = ols(m, m.combine(weights), "y", ["a", "b"])
    assert fit.full_rank.tolist() == [True, False, False, False, True]
    for name in ("coef", "std_coef", "se", "t", "residual_sd"):
        a = getattr(fit, name)
        assert np.isnan(a[~fit.full_rank]).all() and np.isfinite(a[fit.full_rank]).all()
    # The single-regressor model is fine on two sites and on three.
    assert ols(m, m.combine(weights), "y", ["a"]).full_rank.tolist() == [1, 0, 1, 1, 1]


def test_collinear_regressors_are_singular():
    rng = np.random.default_rng(5)
    x = rng.normal(size=20)
    values = np.column_stack([x, 3 - 2 * x, rng.normal(size=20)])
    m = Moments.from_data(values, np.arange(20), 20, ["a", "b", "y"])
    fit = ols(m, m.combine(np.ones((1, 20))), "y", ["a", "b"])
    assert not fit.full_rank[0] and np.isnan(fit.coef).all()


def test_constant_outcome_gives_zero_association():
    values = np.column_stack([np.arange(6.0), np.full(6, 3.0)])
    m = Moments.from_data(values, np.arange(6), 6, ["x", "y"])
    fit = ols(m, m.combine(np.ones((1, 6))), "y", ["x"])
    assert fit.full_rank[0]
    assert [fit.coef[0, 0], fit.std_coef[0, 0], fit.t[0, 0], fit.residual_sd[0]] == [0, 0, 0, 0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Moments.from_data([[1.0, np.nan]], [0], 1, "xy"), "non-finite value in row 0"),
        (lambda: Moments.from_data([[1.0], [2.0]], [0, 2], 3, "x"), "cluster 1 has no rows"),
        (lambda: Moments.from_data([[1.0], [2.0]], [0, 1], 2, "xy"), "2 column names"),
        (lambda: Moments.from_data([[1.0], [2.0]], [0.0, 1.0], 2, "x"), "integers"),
    ],
)
def test_moments_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_ols_rejects_bad_requests():
    m = Moments.from_data(np.eye(3), np.arange(3), 3, ["a", "b", "y"])
    gram = m.combine(np.ones((1, 3)))
    with pytest.raises(ValueError, match="unknown column 'z'"):
        ols(m, gram, "z", ["a"])
    with pytest.raises(ValueError, match="also a regressor"):
        ols(m, gram, "y", ["a", "y"])
    with pytest.raises(ValueError, match="shape"):
        m.combine(np.ones((1, 4)))


# --- resampling ----------------------------------------------------------------------------


def test_bootstrap_weights():
    w = cluster_bootstrap_weights(12, 4000, np.random.default_rng(0))
    assert w.shape == (4000, 12) and np.issubdtype(w.dtype, np.integer)
    assert (w.sum(axis=1) == 12).all()
    # Multinomial(12, 1/12 each): a site's count is Binomial(12, 1/12), two sites' counts
    # have covariance -12 / 12^2.
    frequencies = np.bincount(w.ravel(), minlength=13)[:13] / w.size
    np.testing.assert_allclose(frequencies, st.binom.pmf(np.arange(13), 12, 1 / 12), atol=0.006)
    assert np.cov(w[:, 0], w[:, 1])[0, 1] == pytest.approx(-1 / 12, abs=0.03)
    same = cluster_bootstrap_weights(12, 4000, np.random.default_rng(0))
    assert (w == same).all()


def test_percentile_interval_is_numpy_quantiles():
    boot = np.random.default_rng(1).gamma(2.0, size=999)
    got = percentile_interval(boot, 0.9)
    np.testing.assert_allclose(got, np.quantile(boot, [0.05, 0.95]), rtol=1e-12)


def test_kendall_without_ties_is_scipy_exact():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=12), rng.normal(size=12)
    y += x
    got = kendall_tau(x, y, rng)
    ref = st.kendalltau(x, y, method="exact")
    assert (got.statistic, got.p_value, got.n) == (ref.statistic, ref.pvalue, 12)
    assert got.method == "Kendall tau-b, exact"


def test_kendall_with_ties_is_scipy_permutation_test():
    x = np.array([1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 9.0])
    y = np.array([2, 1, 3, 3, 5, 4, 4, 7, 6, 9, 8, 8.0])
    got = kendall_tau(x, y, np.random.default_rng(8))
    ref = st.permutation_test(
        (x,),
        lambda xs: st.kendalltau(xs, y).statistic,
        permutation_type="pairings",
        vectorized=False,
        rng=np.random.default_rng(8),
    )
    assert got.statistic == pytest.approx(st.kendalltau(x, y).statistic, rel=1e-12)
    assert got.p_value == ref.pvalue
    assert got.method == "Kendall tau-b, permutation (9,999 resamples)"


def test_kendall_with_ties_enumerates_small_samples():
    x = np.array([1, 2, 2, 3, 4, 5.0])
    y = np.array([1, 3, 2, 2, 6, 5.0])
    taus = np.array([st.kendalltau(p, y).statistic for p in itertools.permutations(x)])
    tau = st.kendalltau(x, y).statistic
    eps = 1e-12
    exact = min(1.0, 2 * min(np.mean(taus >= tau - eps), np.mean(taus <= tau + eps)))
    got = kendall_tau(x, y, np.random.default_rng(0))
    assert got.p_value == pytest.approx(exact, abs=1e-12)
    assert got.method == "Kendall tau-b, exact permutation (all 720 orderings)"


def test_spearman_exact_at_n7_equals_brute_force():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=7), rng.normal(size=7)
    y += 0.8 * x
    rho = st.spearmanr(x, y).statistic
    rhos = np.array([st.spearmanr(p, y).statistic for p in itertools.permutations(x)])
    exact = np.mean(np.abs(rhos) >= abs(rho) - 1e-12)
    got = spearman_rho(x, y, rng)
    assert got.statistic == pytest.approx(rho, rel=1e-12)
    assert got.p_value == pytest.approx(exact, abs=1e-12)
    assert got.method == "Spearman rho, exact permutation (all 5,040 orderings)"


def test_spearman_at_n12_is_a_permutation_p_not_scipys_asymptotic_one():
    """At 12 sites SciPy's t approximation understates this p by about 30%."""
    x = np.arange(12.0)
    y = np.array([2, 0, 5, 1, 8, 3, 4, 11, 6, 7, 10, 9.0])
    got = spearman_rho(x, y, np.random.default_rng(10), n_resamples=99_999)
    asymptotic = st.spearmanr(x, y).pvalue
    # The permutation p from 400,000 independent random orderings (Monte Carlo sd 0.00013).
    ry = st.rankdata(y) - 6.5
    orders = np.random.default_rng(11).permuted(np.broadcast_to(x - 5.5, (400_000, 12)), axis=1)
    null = orders @ ry / (ry @ ry)
    reference = np.mean(np.abs(null) >= abs(got.statistic) - 1e-12)
    assert got.method == "Spearman rho, permutation (99,999 resamples)"
    assert got.p_value == pytest.approx(reference, abs=0.0008)  # 3 sd of the two estimates
    assert got.p_value - asymptotic > 0.0015


def _freedman_lane_loop(y, x, z, orders):
    """Freedman & Lane (1983) written out: refit the full model on each permuted outcome."""
    reduced = np.column_stack([np.ones(len(y)), z])
    full = np.column_stack([x, reduced])

    def t_x(outcome):
        fit = sm.OLS(outcome, full).fit()
        return fit.tvalues[0]

    gamma, *_ = np.linalg.lstsq(reduced, y, rcond=None)
    fitted = reduced @ gamma
    resid = y - fitted
    observed = abs(t_x(y))
    stats = np.array([abs(t_x(fitted + resid[list(o)])) for o in orders])
    return np.mean(stats >= observed - 1e-9)


def test_freedman_lane_matches_exhaustive_enumeration():
    rng = np.random.default_rng(12)
    z = rng.normal(size=(7, 1))
    x = z[:, 0] + rng.normal(size=7)
    y = 0.6 * x + z[:, 0] + rng.normal(size=7)
    exact = _freedman_lane_loop(y, x, z, itertools.permutations(range(7)))
    got = coefficient_permutation_p(y, x, z, np.random.default_rng(13))
    assert 0.05 < exact < 0.6  # a p-value in the interesting range
    assert got == pytest.approx(exact, abs=0.02)  # Monte Carlo sd at 9,999 permutations <= 0.005


def test_freedman_lane_size_and_power():
    """Under the null (x's coefficient 0, x and y confounded by z, skewed errors) the test
    rejects at 0.05 in a binomial range around 5% of 400 data sets; under a strong effect it
    nearly always rejects."""
    rng = np.random.default_rng(14)

    def p_value(effect):
        z = rng.normal(size=(20, 2))
        x = z @ [1.0, -0.5] + rng.normal(size=20)
        y = effect * x + z @ [1.0, 1.0] + rng.exponential(size=20)
        return coefficient_permutation_p(y, x, z, rng, n_permutations=199)

    null = np.array([p_value(0.0) for _ in range(400)])
    lo, hi = st.binom.ppf([0.0005, 0.9995], 400, 0.05) / 400
    assert lo <= np.mean(null <= 0.05) <= hi
    assert 0.42 <= np.mean(null <= 0.5) <= 0.58  # the middle of the distribution too
    strong = np.array([p_value(2.0) for _ in range(40)])
    assert np.mean(strong <= 0.05) >= 0.95


def test_freedman_lane_p_formula():
    x = np.arange(10.0)
    y = 3 * x + np.array([0.3, -0.2, 0.1, 0.0, -0.3, 0.2, -0.1, 0.3, -0.2, 0.1])
    # No permutation is as extreme as the data, so p is the smallest possible, 1 / (1 + B).
    assert coefficient_permutation_p(y, x, np.empty((10, 0)), np.random.default_rng(0), 99) == 0.01
    with pytest.raises(ValueError, match="collinear"):
        coefficient_permutation_p(y, x, x[:, None] * 2, np.random.default_rng(0))


def _correlated(rng, n, q, effect=0.25):
    z = rng.normal(size=(n, q))
    x = z.sum(axis=1) + rng.normal(size=n)
    y = effect * x + z @ np.linspace(1, -1, q) + rng.normal(size=n)
    return x, y, z


def test_partial_correlation_r_is_from_the_inverse_correlation_matrix():
    x, y, z = _correlated(np.random.default_rng(15), 30, 3)
    precision = np.linalg.inv(np.corrcoef(np.column_stack([x, y, z]), rowvar=False))
    expected = -precision[0, 1] / math.sqrt(precision[0, 0] * precision[1, 1])
    got = partial_correlation_test(x, y, z, np.random.default_rng(0), 999)
    assert got.r == pytest.approx(expected, rel=1e-10)
    assert (got.n, got.df) == (30, 25)


def test_partial_correlation_t_branch_is_exact():
    x, y, z = _correlated(np.random.default_rng(16), 200, 2)
    got = partial_correlation_test(x, y, z, np.random.default_rng(0))
    design = np.column_stack([np.ones(200), z])
    ex = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
    ey = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r = st.pearsonr(ex, ey).statistic  # its own p would use df = n - 2, not n - 2 - q
    t = r * math.sqrt(196 / (1 - r * r))
    assert got.p_value == pytest.approx(2 * st.t.sf(abs(t), 196), rel=1e-9)
    # The same test as x's coefficient in the regression of y on x and z.
    ols_p = sm.OLS(y, np.column_stack([x, design])).fit().pvalues[0]
    assert got.p_value == pytest.approx(ols_p, rel=1e-9)
    assert got.method == "partial correlation, t test (df = 196)"


def test_partial_correlation_permutation_branch_is_close_to_the_t_test():
    rng = np.random.default_rng(17)
    x, y, z = _correlated(rng, 80, 1, effect=0.1)
    got = partial_correlation_test(x, y, z, rng)
    t = got.r * math.sqrt(got.df / (1 - got.r**2))
    assert 0.01 < got.p_value < 0.5
    assert got.p_value == pytest.approx(2 * st.t.sf(abs(t), got.df), abs=0.02)
    assert got.method.startswith("partial correlation, Freedman-Lane permutation p")
    plain = partial_correlation_test(x, y, np.empty((80, 0)), rng, 999)
    assert plain.r == pytest.approx(st.pearsonr(x, y).statistic, rel=1e-12)
    assert plain.method.startswith("Pearson correlation")


def _holm_rejects(p: list[float], alpha: float) -> set[int]:
    """Holm's procedure at level alpha, straight from the definition."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    rejected = set()
    for step, i in enumerate(order):
        if p[i] > alpha / (len(p) - step):
            break
        rejected.add(i)
    return rejected


@settings(max_examples=200, deadline=None)
@given(hs.lists(hs.floats(0, 1) | hs.sampled_from([0.0, 0.01, 0.02, 0.05, 1.0]), max_size=12))
def test_holm_adjusted_p_is_the_smallest_level_that_rejects(p):
    """A hypothesis's adjusted p is at most alpha exactly when Holm's procedure at alpha
    rejects it; checked at levels between consecutive adjusted values."""
    adjusted = holm(p)
    assert len(adjusted) == len(p)
    assert all(b <= a <= 1 for a, b in zip(adjusted, p, strict=True))
    levels = sorted({0.0, *adjusted, 1.0})
    for lo, hi in itertools.pairwise(levels):
        if hi - lo > 1e-9:
            alpha = (lo + hi) / 2
            expected = _holm_rejects(p, alpha)
            assert {i for i, a in enumerate(adjusted) if a <= alpha} == expected


# --- power ---------------------------------------------------------------------------------


def test_minimum_detectable_r_is_exact():
    """0.712 at 12 sites: the exact power of Pearson's r test under bivariate normality (Fisher's
    z gave 0.732, a fixed-regressor noncentral t 0.701); each covariate partialled out costs a
    degree of freedom."""
    assert minimum_detectable_r(12) == pytest.approx(0.7118, abs=5e-4)
    assert minimum_detectable_r(12, 2) > minimum_detectable_r(12, 1) > minimum_detectable_r(12)
    assert minimum_detectable_r(20000) == pytest.approx(
        math.tanh((st.norm.ppf(0.975) + st.norm.ppf(0.8)) / math.sqrt(19997)), rel=1e-3
    )
    with pytest.raises(ValueError, match="too few"):
        minimum_detectable_r(4, 2)


@pytest.mark.parametrize("n, q", [(12, 0), (12, 2), (60, 1)])
def test_minimum_detectable_r_has_about_80_percent_power(n, q):
    """Simulated power of the t test at the returned r, with the cause sampled as sites are:
    80% (40,000 studies, standard error 0.002)."""
    r = minimum_detectable_r(n, q)
    rng = np.random.default_rng(n + q)
    reps = 40_000
    z = rng.normal(size=(reps, n, q))
    x = z.sum(axis=2) + rng.normal(size=(reps, n))
    # Given z, x's residual and y's residual have correlation r.
    y = (
        z.sum(axis=2) * 0.5
        + r * (x - z.sum(axis=2))
        + math.sqrt(1 - r * r) * rng.normal(size=(reps, n))
    )
    design = np.concatenate([np.ones((reps, n, 1)), z], axis=2)
    gram = np.einsum("bij,bik->bjk", design, design)

    def residual(v):
        coef = np.linalg.solve(gram, np.einsum("bij,bi->bj", design, v)[..., None])
        return v - (design @ coef)[..., 0]

    ex, ey = residual(x), residual(y)
    partial = (ex * ey).sum(1) / np.sqrt((ex * ex).sum(1) * (ey * ey).sum(1))
    df = n - 2 - q
    p = 2 * st.t.sf(np.abs(partial) * np.sqrt(df / (1 - partial**2)), df)
    assert 0.792 <= np.mean(p < 0.05) <= 0.808


def test_robustness_value_formula_and_published_example():
    for t, df in [(4.18445, 783), (2.5, 10), (0.3, 40), (-6.0, 9)]:
        f = abs(t) / math.sqrt(df)
        rv = robustness_value(t, df)
        assert rv == pytest.approx(0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2), rel=1e-12)
        # Definition: a confounder explaining RV of both residual variances has bias bound
        # |t| / sqrt(df) * se * sqrt(df), i.e. RV^2 / (1 - RV) = f^2.
        assert rv**2 / (1 - rv) == pytest.approx(f**2, rel=1e-9)
        with_alpha = robustness_value(t, df, alpha=0.05)
        assert 0 <= with_alpha < rv
    # Cinelli & Hazlett (2020), Darfur example: RV = 13.9%, RV at alpha 0.05 = 7.6%.
    assert robustness_value(4.18445, 783) == pytest.approx(0.139, abs=5e-4)
    assert robustness_value(4.18445, 783, alpha=0.05) == pytest.approx(0.076, abs=5e-4)


def test_robustness_value_with_alpha():
    df = 10
    f_crit = st.t.ppf(0.975, df - 1) / math.sqrt(df - 1)
    assert robustness_value(f_crit * math.sqrt(df) * 0.99, df, alpha=0.05) == 0.0
    # Where the bound on the outcome side binds: the confounder leaves the estimate exactly at
    # the critical t, so RV^2 / (1 - RV) = (f - f*)^2.
    t = 1.5 * f_crit * math.sqrt(df)
    fa = t / math.sqrt(df) - f_crit
    assert t / math.sqrt(df) < 1 / f_crit
    rv = robustness_value(t, df, alpha=0.05)
    assert rv**2 / (1 - rv) == pytest.approx(fa**2, rel=1e-9)
    # The two cases meet at f = 1 / f*.
    edge = math.sqrt(df) / f_crit
    assert robustness_value(edge * (1 - 1e-9), df, 0.05) == pytest.approx(
        robustness_value(edge * (1 + 1e-9), df, 0.05), abs=1e-7
    )
