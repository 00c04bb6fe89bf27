"""How large an effect a study of this size can see, and how strong hidden confounding
would have to be to explain an estimate away.

At 10-12 sites only correlations of about 0.7 are detected reliably, so an interval that
includes zero says little; :func:`minimum_detectable_r` puts a number on that for every
small-n result. :func:`robustness_value` is Cinelli & Hazlett's (2020) sensitivity statistic
for an OLS coefficient.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()


def minimum_detectable_r(
    n: int, n_covariates: int = 0, power: float = 0.8, alpha: float = 0.05
) -> float:
    """Smallest (partial) correlation a two-sided test at ``alpha`` detects with probability
    ``power`` from ``n`` units, by Fisher's z approximation: atanh(r) is about normal with
    standard error ``1 / sqrt(n - 3 - n_covariates)`` (one degree of freedom per variable
    partialled out), so ``r = tanh((z_{1-alpha/2} + z_power) / sqrt(n - 3 - n_covariates))``
    (Cohen 1988, ch. 3).

    >>> round(minimum_detectable_r(12), 3), round(minimum_detectable_r(50), 3)
    (0.732, 0.387)
    """
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must lie strictly between 0 and 1")
    if n_covariates < 0:
        raise ValueError("n_covariates cannot be negative")
    left = n - 3 - n_covariates
    if left < 1:
        raise ValueError(
            f"n = {n} with {n_covariates} covariates is too few for Fisher's z "
            "(needs n - 3 - n_covariates >= 1)"
        )
    z = _NORMAL.inv_cdf(1 - alpha / 2) + _NORMAL.inv_cdf(power)
    return math.tanh(z / math.sqrt(left))


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
