"""Significance tests that stay valid at 10-60 sites, and Holm's correction.

Asymptotic p-values are poor at a dozen sites: SciPy's ``spearmanr`` p comes from a t
approximation, so rank associations here get exact or permutation p-values instead (Kendall's
exact null distribution without ties, permutations otherwise). A regression coefficient is
tested by permuting the residuals of the model without it (Freedman & Lane 1983), which keeps
the covariates' part of the outcome in place and is the permutation scheme with the most
accurate size among those compared by Anderson & Legendre (1999). Partial correlations use the
same permutation test below 100 rows and the t test above. Families of tests are corrected
with Holm's (1979) step-down method.

This module imports SciPy; it is imported only by the commands that test a map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

# A permuted statistic within this relative distance of the observed one counts as equal:
# permutations that reproduce the data (the identity, or swaps of tied values) give the same
# statistic up to rounding in the last few digits, and must count as "at least as extreme".
_TIE = 1e-10
# Largest number of float64 values one batch of permuted statistics may hold (16 MB).
_BATCH_VALUES = 2_000_000
# Below this many rows partial correlations get a permutation p, from here on the t test.
_PERMUTATION_BELOW = 100


@dataclass(frozen=True)
class RankTest:
    """A rank association, its two-sided p-value and how the p-value was obtained."""

    statistic: float
    p_value: float
    method: str
    n: int


@dataclass(frozen=True)
class PartialCorrelationTest:
    """The partial correlation of x and y given z, with its two-sided p-value;
    ``df = n - 2 - q``."""

    r: float
    p_value: float
    method: str
    n: int
    df: int


# Above these sizes p-values come from large-sample approximations: Kendall's permutation
# costs O(n^2) per ordering, and SciPy's documentation advises permutations for Spearman
# below about 500 pairs.
KENDALL_NORMAL_ABOVE = 100
PERMUTATION_MAX_N = 500


def kendall_tau(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> RankTest:
    """Kendall's tau-b with an exact p-value when neither variable has ties (SciPy's
    ``kendalltau(method="exact")``), else a permutation p-value from
    ``scipy.stats.permutation_test`` over 9,999 random orderings (all orderings when there
    are at most 9,999); above ``KENDALL_NORMAL_ABOVE`` pairs, the normal approximation.

    >>> t = kendall_tau([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], np.random.default_rng(0))
    >>> round(t.statistic, 3), round(t.p_value, 3), t.method
    (0.6, 0.136, 'Kendall tau-b, exact')
    """
    x, y = _pair(x, y)
    n = len(x)
    if n > KENDALL_NORMAL_ABOVE:
        # Exact and permutation p cost O(n^2) per ordering; the normal approximation with
        # the tie-corrected variance is accurate long before this size.
        res = stats.kendalltau(x, y, method="asymptotic")
        return RankTest(float(res.statistic), float(res.pvalue), "Kendall tau-b, normal", n)
    if len(np.unique(x)) == n and len(np.unique(y)) == n:
        res = stats.kendalltau(x, y, method="exact")
        return RankTest(float(res.statistic), float(res.pvalue), "Kendall tau-b, exact", n)
    sy = np.sign(y[:, None] - y[None, :])
    sx = np.sign(x[:, None] - x[None, :])
    # Permuting x keeps the number of tied pairs in each variable, so tau-b's denominator is
    # the same for every ordering.
    norm = math.sqrt(np.count_nonzero(sx) * np.count_nonzero(sy))

    def tau_b(xs: np.ndarray, axis: int = -1) -> np.ndarray:
        signs = np.sign(xs[..., :, None] - xs[..., None, :])
        return np.einsum("...ij,ij->...", signs, sy) / norm

    return _permutation_rank_test("Kendall tau-b", x, tau_b, 9999, n * n, rng)


def spearman_rho(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, n_resamples: int = 9999
) -> RankTest:
    """Spearman's rho (average ranks for ties) with a permutation p-value: every ordering of
    x when there are at most ``n_resamples`` of them, ``n_resamples`` random ones otherwise;
    above ``PERMUTATION_MAX_N`` pairs, SciPy's t approximation.

    >>> t = spearman_rho([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], np.random.default_rng(0))
    >>> round(t.statistic, 3), round(t.p_value, 3), t.method
    (0.829, 0.058, 'Spearman rho, exact permutation (all 720 orderings)')
    """
    x, y = _pair(x, y)
    if len(x) > PERMUTATION_MAX_N:
        res = stats.spearmanr(x, y)
        return RankTest(
            float(res.statistic), float(res.pvalue), "Spearman rho, t approximation", len(x)
        )
    rx = stats.rankdata(x)
    ry = stats.rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    norm = math.sqrt(np.dot(rx, rx) * np.dot(ry, ry))

    def rho(ranks: np.ndarray, axis: int = -1) -> np.ndarray:
        return ranks @ ry / norm

    return _permutation_rank_test("Spearman rho", rx, rho, n_resamples, len(x), rng)


def coefficient_permutation_p(
    y: np.ndarray,
    x: np.ndarray,
    covariates: np.ndarray,
    rng: np.random.Generator,
    n_permutations: int = 9999,
    weights: np.ndarray | None = None,
) -> float:
    """Freedman & Lane (1983) permutation p-value for the coefficient of ``x`` in the OLS
    regression of ``y`` on ``x``, ``covariates`` (rows, q; q may be 0) and an intercept.
    With ``weights`` (positive) the regression is weighted least squares: every column,
    the intercept's included, is multiplied by the weights' square roots, and the residuals
    permuted are those of the transformed rows, which the weights make exchangeable.

    The residuals ``e`` of ``y`` on the covariates are permuted and added back to the fitted
    values; each permuted outcome is refitted on the full model and its t statistic for ``x``
    compared with the observed one, two-sided:
    ``p = (1 + #{|t*| >= |t|}) / (1 + n_permutations)``. Since the fitted values lie in the
    span of the covariates, the full-model x coefficient and residuals of ``fitted + e[pi]``
    are those of ``e[pi]``, so all permutations are fitted by a few matrix products.

    >>> x = np.arange(10.0)
    >>> y = x + np.array([0.3, -0.2, 0.1, 0.0, -0.3, 0.2, -0.1, 0.3, -0.2, 0.1])
    >>> coefficient_permutation_p(y, x, np.empty((10, 0)), np.random.default_rng(0), 999)
    0.001
    """
    y, x, covariates = _regression_inputs(y, x, covariates, ("y", "x", "covariates"))
    n = len(y)
    if n_permutations < 1:
        raise ValueError("n_permutations must be at least 1")
    q = covariates.shape[1]
    df = n - q - 2
    if df < 1:
        raise ValueError(f"{n} rows leave no residual degree of freedom for x and {q} covariates")
    reduced = np.column_stack([np.ones(n), covariates])
    full = np.column_stack([x, reduced])
    if weights is not None:
        root = np.sqrt(np.asarray(weights, dtype=float))
        y, reduced, full = y * root, reduced * root[:, None], full * root[:, None]
    q_full, r_full = np.linalg.qr(full)
    diag = np.abs(np.diagonal(r_full))
    if diag.min() <= 1e-10 * diag.max():
        raise ValueError("x is constant or collinear with the covariates")
    q_reduced, _ = np.linalg.qr(reduced)
    e = y - q_reduced @ (q_reduced.T @ y)
    if np.dot(e, e) <= 1e-20 * max(np.dot(y - y.mean(), y - y.mean()), 1e-300):
        return 1.0  # the covariates explain y exactly: nothing is left for x to explain
    # beta_x = a @ y* and var(beta_x) = sigma^2 * c, from the full design's pseudo-inverse.
    a = np.linalg.pinv(full)[0]
    c = float(a @ a)

    def t_stat(outcomes: np.ndarray) -> np.ndarray:
        resid = outcomes - (outcomes @ q_full) @ q_full.T
        rss = np.einsum("bi,bi->b", resid, resid)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (outcomes @ a) / np.sqrt(rss / df * c)

    observed = abs(t_stat(e[None, :])[0])
    extreme = 0
    batch = max(1, _BATCH_VALUES // n)
    for start in range(0, n_permutations, batch):
        size = min(batch, n_permutations - start)
        order = rng.permuted(np.broadcast_to(np.arange(n), (size, n)), axis=1)
        extreme += int(np.count_nonzero(np.abs(t_stat(e[order])) >= observed * (1 - _TIE)))
    return (1 + extreme) / (1 + n_permutations)


def partial_correlation_test(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    rng: np.random.Generator,
    n_permutations: int = 9999,
) -> PartialCorrelationTest:
    """Partial correlation of ``x`` and ``y`` given ``z`` (rows, q; q may be 0): the
    correlation of their residuals after OLS on ``z`` and an intercept.

    Its two-sided p-value is the Freedman-Lane permutation p of x's coefficient in the
    regression of y on x and z (:func:`coefficient_permutation_p`; that coefficient is zero
    exactly when the partial correlation is) below 100 rows, and the t test with
    ``t = r sqrt(df / (1 - r^2))``, ``df = n - 2 - q`` from 100 rows on.

    >>> x = np.arange(8.0)
    >>> y = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 7.0, 6.0, 8.0])
    >>> test = partial_correlation_test(x, y, np.empty((8, 0)), np.random.default_rng(0), 999)
    >>> round(test.r, 3), test.df, test.p_value < 0.01
    (0.929, 6, True)
    """
    x, y, z = _regression_inputs(x, y, z, ("x", "y", "z"))
    n = len(x)
    q = z.shape[1]
    df = n - 2 - q
    if df < 1:
        raise ValueError(f"{n} rows leave no degree of freedom for a partial correlation given {q}")
    basis, _ = np.linalg.qr(np.column_stack([np.ones(n), z]))
    residuals = []
    for name, v in (("x", x), ("y", y)):
        e = v - basis @ (basis.T @ v)
        spread = np.dot(v - v.mean(), v - v.mean())
        if spread == 0 or np.dot(e, e) <= 1e-20 * spread:
            raise ValueError(f"{name} is constant or determined exactly by the conditioning set")
        residuals.append(e)
    ex, ey = residuals
    r = float(np.clip(np.dot(ex, ey) / math.sqrt(np.dot(ex, ex) * np.dot(ey, ey)), -1.0, 1.0))
    what = "partial correlation" if q else "Pearson correlation"
    if n < _PERMUTATION_BELOW:
        p = coefficient_permutation_p(y, x, z, rng, n_permutations)
        method = f"{what}, Freedman-Lane permutation p ({n_permutations:,} permutations)"
    else:
        t = abs(r) * math.sqrt(df / (1 - r * r)) if abs(r) < 1 else math.inf
        p = float(2 * stats.t.sf(t, df))
        method = f"{what}, t test (df = {df})"
    return PartialCorrelationTest(r, p, method, n, df)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm (1979) step-down adjusted p-values, in the order given: the i-th smallest p is
    multiplied by ``m - i + 1``, then a running maximum keeps them monotone, capped at 1.

    >>> holm([0.01, 0.04, 0.03, 0.5])
    [0.04, 0.09, 0.09, 0.5]
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p_values must be a flat sequence")
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p-values must lie in [0, 1]")
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return [float(v) for v in out]


def _permutation_rank_test(
    name: str,
    x: np.ndarray,
    statistic: Callable[..., np.ndarray],
    n_resamples: int,
    values_per_ordering: int,
    rng: np.random.Generator,
) -> RankTest:
    """Permute ``x`` against a fixed partner held by ``statistic`` (one sample with
    'pairings', so SciPy enumerates the n! orderings instead of (n!)^2 when it can)."""
    n = len(x)
    res = stats.permutation_test(
        (x,),
        statistic,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=n_resamples,
        batch=max(1, _BATCH_VALUES // values_per_ordering),
        rng=rng,
    )
    orderings = math.factorial(n)
    if orderings <= n_resamples:
        method = f"{name}, exact permutation (all {orderings:,} orderings)"
    else:
        method = f"{name}, permutation ({n_resamples:,} resamples)"
    return RankTest(float(res.statistic), float(res.pvalue), method, n)


def _pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _vector(x, "x")
    y = _vector(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length ({len(x)} and {len(y)})")
    if len(x) < 3:
        raise ValueError(f"a rank association needs at least 3 pairs, not {len(x)}")
    for name, v in (("x", x), ("y", y)):
        if np.ptp(v) == 0:
            raise ValueError(f"{name} is constant, so it has no ranks to associate")
    return x, y


def _regression_inputs(
    first: np.ndarray, second: np.ndarray, matrix: np.ndarray, names: tuple[str, str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two vectors and a (rows, q) matrix of the same number of rows, all finite."""
    first, second = _vector(first, names[0]), _vector(second, names[1])
    n = len(first)
    matrix = np.asarray(matrix, dtype=float)
    if len(second) != n or matrix.ndim != 2 or matrix.shape[0] != n:
        raise ValueError(f"{names[0]}, {names[1]} and {names[2]} (rows, q) must have {n} rows each")
    if not np.isfinite(matrix).all():
        raise ValueError(f"{names[2]} has non-finite values")
    return first, second, matrix


def _vector(v: np.ndarray, name: str) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D")
    if not np.isfinite(v).all():
        raise ValueError(f"{name} has non-finite values")
    return v
