"""Agreement within sites: ICC(1) and ICC(2) from a one-way random-effects ANOVA.

When respondents' answers are averaged into one value per site, ICC(1) says how much of the
variance in single answers lies between sites, and ICC(2) how reliable the site means are
(Bliese 2000, in Klein & Kozlowski (eds.), *Multilevel theory, research, and methods in
organizations*, 349-381). With MSB and MSW the between- and within-site mean squares and
``n0`` the adjusted mean site size for unequal sizes (the usual one-way ANOVA correction,
``(N - sum n_j^2 / N) / (G - 1)``):

- ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW)
- ICC(2) = (MSB - MSW) / MSB

With equal sizes k, ICC(2) = k ICC(1) / (1 + (k - 1) ICC(1)) (Spearman-Brown).

Both need only three numbers per site: its size, its mean and the sum of squared deviations
from that mean (:func:`icc_of_sites`), which is how binding computes them: the database
returns those per site and the answers themselves never leave it. The deviations are summed
around each site's own mean rather than taken from a sum of squares, which would lose the
digits of a small within-site variance next to a large mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class ICC:
    """ICC(1) and ICC(2), ``None`` where undefined: fewer than two sites, no site with two
    respondents, no variance at all, or (ICC(2) only) no variance between site means."""

    icc1: float | None
    icc2: float | None
    n0: float | None


def icc(values: ArrayLike, sites: ArrayLike) -> ICC:
    """ICC(1), ICC(2) and the adjusted site size ``n0`` of ``values`` nested in ``sites``.

    >>> result = icc([1, 2, 3, 4, 5, 6], ["a", "a", "b", "b", "c", "c"])
    >>> round(result.icc1, 4), round(result.icc2, 4), result.n0
    (0.8824, 0.9375, 2.0)
    """
    codes = np.unique(np.asarray(sites), return_inverse=True)[1].ravel()
    return icc_of_sites(*site_moments(values, codes))


def site_moments(values: ArrayLike, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each site's number of values, their mean and their sum of squared deviations from
    it, for ``values`` at sites ``codes`` (0, 1, ... for the sites)."""
    x = np.asarray(values, dtype=float)
    n_sites = int(codes.max()) + 1 if len(codes) else 0
    sizes = np.bincount(codes, minlength=n_sites)
    means = np.bincount(codes, weights=x, minlength=n_sites) / np.maximum(sizes, 1)
    within = np.bincount(codes, weights=(x - means[codes]) ** 2, minlength=n_sites)
    return sizes, means, within


def icc_of_sites(sizes: ArrayLike, means: ArrayLike, within: ArrayLike) -> ICC:
    """:func:`icc` from each site's number of values, their mean, and the sum of their
    squared deviations from that mean.

    >>> result = icc_of_sites([2, 2, 3], [1.5, 3.5, 6.0], [0.5, 0.5, 2.0])  # 1 2 | 3 4 | 5 6 7
    >>> round(result.icc1, 4), round(result.icc2, 4), round(result.n0, 4)
    (0.8727, 0.94, 2.2857)
    """
    sizes = np.asarray(sizes, dtype=float)
    means = np.asarray(means, dtype=float)
    within = np.asarray(within, dtype=float)
    n_sites, n = len(sizes), float(sizes.sum())
    if n_sites < 2 or n <= n_sites:
        return ICC(None, None, None)
    grand = float((sizes * means).sum() / n)
    ss_between = float((sizes * (means - grand) ** 2).sum())
    ss_within = float(within.sum())
    total = ss_between + ss_within
    n0 = float((n - (sizes**2).sum() / n) / (n_sites - 1))
    # Rounding leaves a few ulps of "variance" in constant data; that is no variance.
    tiny = 1e-12 * max(total, grand**2 * n)
    if total <= tiny:
        return ICC(None, None, n0)
    ms_between = ss_between / (n_sites - 1) if ss_between > tiny else 0.0
    ms_within = ss_within / (n - n_sites) if ss_within > tiny else 0.0
    icc1 = (ms_between - ms_within) / (ms_between + (n0 - 1) * ms_within)
    icc2 = (ms_between - ms_within) / ms_between if ms_between > 0 else None
    return ICC(float(icc1), None if icc2 is None else float(icc2), n0)
