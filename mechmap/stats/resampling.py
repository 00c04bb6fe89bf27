"""Resampling weights and bootstrap intervals.

The weights feed :meth:`mechmap.stats.moments.Moments.combine`: multinomial site counts for
the cluster bootstrap and ``1 - e_c`` for the leave-one-site-out jackknife. Resampling whole
sites matters when rows are respondents: respondents of one site share its context, and a
bootstrap over rows treats them as independent, so its intervals are too narrow (Field &
Welsh 2007). The percentile interval is reported as a check beside the primary intervals of
:mod:`mechmap.stats.inference`, which keep their coverage at a dozen sites where it does not.
"""

from __future__ import annotations

import numpy as np


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
