"""Resampling weights and bootstrap intervals.

The weights feed :meth:`mechmap.stats.moments.Moments.combine`: multinomial site counts for
the cluster bootstrap and ``1 - e_c`` for the leave-one-site-out jackknife. Resampling whole
sites matters when rows are respondents: respondents of one site share its context, and a
bootstrap over rows treats them as independent, so its intervals are too narrow (Field &
Welsh 2007). Intervals are the percentile interval and Efron's (1987) bias-corrected and
accelerated (BCa) interval.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()


def cluster_bootstrap_weights(
    n_clusters: int, n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """How often each of ``n_clusters`` clusters is drawn in each of ``n_resamples`` resamples
    of ``n_clusters`` clusters with replacement: an int array (B, C) whose rows sum to C.

    >>> w = cluster_bootstrap_weights(12, 3, np.random.default_rng(0))
    >>> w.shape, w.sum(axis=1).tolist()
    ((3, 12), [12, 12, 12])
    """
    if n_clusters < 1 or n_resamples < 1:
        raise ValueError("need at least one cluster and one resample")
    # Draw the sites and count them: the same multinomial distribution as
    # rng.multinomial, about four times faster.
    drawn = rng.integers(0, n_clusters, (n_resamples, n_clusters))
    drawn += n_clusters * np.arange(n_resamples)[:, None]
    counts = np.bincount(drawn.ravel(), minlength=n_resamples * n_clusters)
    return counts.reshape(n_resamples, n_clusters)


def leave_one_out_weights(n_clusters: int) -> np.ndarray:
    """Jackknife weights (C, C): row ``c`` keeps every cluster but ``c``.

    >>> leave_one_out_weights(3).tolist()
    [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    """
    if n_clusters < 2:
        raise ValueError("leaving one cluster out needs at least two clusters")
    return 1 - np.eye(n_clusters, dtype=int)


def percentile_interval(boot: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of the bootstrap values (linear interpolation between
    order statistics, numpy's default quantile).

    >>> [round(v, 2) for v in percentile_interval(np.arange(1.0, 100.0))]
    [3.45, 96.55]
    """
    boot = _check_boot(boot, level)
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def bca_interval(
    boot: np.ndarray, estimate: float, jackknife: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """Efron's (1987) bias-corrected and accelerated bootstrap interval.

    The bias correction ``z0`` is the normal quantile of the share of ``boot`` below
    ``estimate``, ties counting half. The acceleration comes from the leave-one-cluster-out
    estimates ``jackknife``: with ``u = mean(jackknife) - jackknife``,
    ``a = sum(u**3) / (6 * sum(u**2) ** 1.5)``. The interval's ends are the bootstrap
    quantiles at ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))`` for ``z`` the normal quantiles of
    the percentile interval; with ``z0 = a = 0`` it is the percentile interval.

    Fallbacks, so that the result is always a finite interval:

    - when every bootstrap value lies on one side of ``estimate``, ``z0`` is infinite and BCa
      is undefined; the percentile interval is returned;
    - when the acceleration is so large that ``1 - a (z0 + z) <= 0``, the quantile mapping is
      no longer monotone; the percentile interval is returned;
    - non-finite jackknife values (a leave-one-out fit that was singular) are left out of the
      acceleration; with fewer than two left, or no spread among them, ``a = 0``.

    >>> boot = np.arange(1.0, 100.0)
    >>> [round(v, 2) for v in bca_interval(boot, 50.0, np.zeros(5))]  # z0 = a = 0
    [3.45, 96.55]
    >>> [round(v, 2) for v in bca_interval(boot, 40.0, np.zeros(5))]  # 40% of boot below
    [1.66, 91.77]
    """
    boot = _check_boot(boot, level)
    if not np.isfinite(estimate):
        raise ValueError("the estimate must be finite")
    below = np.count_nonzero(boot < estimate) + 0.5 * np.count_nonzero(boot == estimate)
    share = below / len(boot)
    if share <= 0.0 or share >= 1.0:
        return percentile_interval(boot, level)
    z0 = _NORMAL.inv_cdf(share)
    jack = np.asarray(jackknife, dtype=float).ravel()
    jack = jack[np.isfinite(jack)]
    a = 0.0
    if len(jack) >= 2:
        u = jack.mean() - jack
        spread = np.sum(u**2)
        if spread > 0:
            a = float(np.sum(u**3) / (6.0 * spread**1.5))
    levels = []
    for z in (_NORMAL.inv_cdf((1 - level) / 2), _NORMAL.inv_cdf((1 + level) / 2)):
        shrink = 1.0 - a * (z0 + z)
        if shrink <= 0:
            return percentile_interval(boot, level)
        levels.append(_NORMAL.cdf(z0 + (z0 + z) / shrink))
    lo, hi = np.quantile(boot, levels)
    return float(lo), float(hi)


def _check_boot(boot: np.ndarray, level: float) -> np.ndarray:
    boot = np.asarray(boot, dtype=float)
    if boot.ndim != 1 or boot.size == 0:
        raise ValueError("boot must be a non-empty 1-D array of bootstrap values")
    if not np.isfinite(boot).all():
        raise ValueError(
            "boot has non-finite values (redraw or drop the resamples whose fit was singular)"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, not {level}")
    return boot
