"""How large an effect a study of this size can see, and how strong hidden confounding
would have to be to explain an estimate away.

At 10-12 sites only correlations of about 0.7 are detected reliably, so an interval that
includes zero says little; :func:`minimum_detectable_r` puts an exact number on that for every
small-n result (noncentral t, covariates counted). :func:`robustness_value` is Cinelli &
Hazlett's (2020) sensitivity statistic for an OLS coefficient and :func:`e_value` VanderWeele
& Ding's (2017).
"""

from __future__ import annotations

import functools
import math

import numpy as np

_QUADRATURE = 80  # nodes for the average over the cause's sum of squares
_LARGEST_R = 0.9999


def correlation_power(r: float, n: int, n_covariates: int = 0, alpha: float = 0.05) -> float:
    """Power of the two-sided t test of a (partial) correlation ``r`` at ``alpha`` from
    ``n`` units with ``n_covariates`` partialled out, exactly, for normal variables.

    Given the cause's residual sum of squares ``W`` (in units of its variance), the t
    statistic of the slope is noncentral t with ``df = n - 2 - q`` and noncentrality
    ``sqrt(W r^2 / (1 - r^2))``; for a cause that is itself sampled (sites are not chosen
    by their alliance score), ``W`` is chi-square with ``n - 1 - q`` degrees of freedom,
    and the power is the noncentral-t power averaged over it (generalized Gauss-Laguerre
    quadrature). With ``q = 0`` this is the exact power of Pearson's r test under
    bivariate normality.

    >>> round(correlation_power(0.0, 12), 3), round(correlation_power(0.7118, 12), 3)
    (0.05, 0.8)
    """
    from scipy import stats  # only the commands that test a map need SciPy

    df, chi_df = n - 2 - n_covariates, n - 1 - n_covariates
    if df < 1:
        raise ValueError(
            f"n = {n} with {n_covariates} covariates leaves no residual degree of freedom"
        )
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1")
    if not -1 < r < 1:
        raise ValueError("r must lie strictly between -1 and 1")
    # E f(W) = integral over u in (0, 1) of f(F^-1(u)): Gauss-Legendre on the quantile
    # scale stays accurate for any degrees of freedom (Laguerre weights overflow past ~300).
    nodes, weights = _legendre_rule()
    sums_of_squares = stats.chi2.ppf((nodes + 1) / 2, chi_df)
    noncentrality = np.sqrt(sums_of_squares * r * r / (1 - r * r))
    critical = stats.t.ppf(1 - alpha / 2, df)
    upper = stats.nct.sf(critical, df, noncentrality)
    # The lower tail is negligible once noncentrality is large, where SciPy returns NaN.
    lower = np.nan_to_num(stats.nct.cdf(-critical, df, noncentrality))
    return float(np.clip(weights @ (upper + lower) / 2, 0.0, 1.0))


@functools.cache
def _legendre_rule() -> tuple[np.ndarray, np.ndarray]:
    """The Gauss-Legendre nodes and weights, computed once: each costs an 80 x 80
    eigenproblem, and a root search evaluates the power some 15 times."""
    rule = np.polynomial.legendre.leggauss(_QUADRATURE)
    for array in rule:
        array.flags.writeable = False  # shared by every call
    return rule


def minimum_detectable_r(
    n: int, n_covariates: int = 0, power: float = 0.8, alpha: float = 0.05
) -> float:
    """Smallest (partial) correlation that a two-sided test at ``alpha`` detects with
    probability ``power`` from ``n`` units, ``n_covariates`` partialled out: the root of
    :func:`correlation_power`.

    >>> round(minimum_detectable_r(12), 3), round(minimum_detectable_r(12, 2), 3)
    (0.712, 0.761)
    """
    from scipy.optimize import brentq

    if not 0 < power < 1:
        raise ValueError("power must lie strictly between 0 and 1")
    if n_covariates < 0:
        raise ValueError("n_covariates cannot be negative")
    if n - 2 - n_covariates < 1:
        raise ValueError(
            f"n = {n} with {n_covariates} covariates is too few (needs n - 2 - q >= 1)"
        )
    if correlation_power(_LARGEST_R, n, n_covariates, alpha) < power:
        return 1.0  # no correlation short of 1 reaches that power at this size
    return float(
        brentq(lambda r: correlation_power(r, n, n_covariates, alpha) - power, 0.0, _LARGEST_R)
    )


def robustness_value(t: float, df: int, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's (2020) robustness value of an OLS coefficient with t statistic
    ``t`` and ``df`` residual degrees of freedom: the share of the residual variance of both
    the treatment and the outcome that an unobserved confounder would have to explain to
    bring the estimate to zero (``alpha`` None), or to make it not significant at ``alpha``.

    With ``f = |t| / sqrt(df)`` (the partial Cohen's f), ``RV = (sqrt(f^4 + 4 f^2) - f^2) / 2``.
    With ``alpha``, ``f`` is first reduced by the critical ``f* = t_{1-alpha/2, df-1} /
    sqrt(df - 1)`` (the confounder costs one degree of freedom): RV is 0 when ``f <= f*``, and
    when ``f > 1 / f*`` the bound on the outcome side does not bind and RV is
    ``(f^2 - f*^2) / (1 + f^2)`` (the case added to the paper's formula in the authors' sensemakr
    package).

    >>> round(robustness_value(4.18445, 783), 4), round(robustness_value(4.18445, 783, 0.05), 4)
    (0.1388, 0.0763)
    """
    if not math.isfinite(t):
        raise ValueError("t must be finite")
    if df < 1 or (alpha is not None and df < 2):
        raise ValueError(f"df = {df} is too small for a robustness value")
    f = abs(t) / math.sqrt(df)
    if alpha is None:
        return _rv(f)
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1")
    from scipy import stats  # only this branch needs the t distribution

    f_crit = float(stats.t.ppf(1 - alpha / 2, df - 1)) / math.sqrt(df - 1)
    if f <= f_crit:
        return 0.0
    if f > 1 / f_crit:
        return (f * f - f_crit * f_crit) / (1 + f * f)
    return _rv(f - f_crit)


def _rv(f: float) -> float:
    return 0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2)


def e_value(standardized: float) -> float:
    """VanderWeele & Ding's (2017) E-value of a linear effect given as a standardized
    coefficient ``d`` (SDs of the effect per SD of the cause): the risk ratio a hidden
    confounder would need with both cause and effect to explain the estimate away.

    A standardized difference is first turned into an approximate risk ratio,
    ``RR = exp(0.91 |d|)`` (VanderWeele 2017, after Chinn 2000), then
    ``E = RR + sqrt(RR (RR - 1))``; 1 means no confounding is needed.

    >>> round(e_value(0.0), 3), round(e_value(0.5), 2)
    (1.0, 2.53)
    """
    if not math.isfinite(standardized):
        raise ValueError("the standardized effect must be finite")
    ratio = math.exp(0.91 * abs(standardized))
    return ratio + math.sqrt(ratio * (ratio - 1))
