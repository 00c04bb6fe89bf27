"""Resampling weights and bootstrap intervals.

The weights feed :meth:`mechmap.stats.moments.Moments.combine`: multinomial site counts for
the cluster bootstrap, drawn in chunks so that memory does not grow with resamples x sites.
The leave-one-site-out jackknife needs no weights at all
(:meth:`~mechmap.stats.moments.Moments.leave_one_out`). Resampling whole sites matters when
rows are respondents: respondents of one site share its context, and a bootstrap over rows
treats them as independent, so its intervals are too narrow (Field & Welsh 2007). The
percentile interval is reported as a check beside the primary intervals of
:mod:`mechmap.stats.inference`, which keep their coverage at a dozen sites where it does not.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Largest number of values one chunk of resampling weights or resampled columns may hold
# (8 MB of float64): all 2,000 bootstrap resamples of 10,000 sites at once would take 160 MB
# per copy, and drawing, counting and combining them makes several copies.
CHUNK_VALUES = 1_000_000


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


def cluster_bootstrap_chunks(
    n_clusters: int,
    n_resamples: int,
    rng: np.random.Generator,
    max_values: int = CHUNK_VALUES,
) -> Iterator[np.ndarray]:
    """:func:`cluster_bootstrap_weights` a few resamples at a time, each chunk holding at most
    ``max_values`` counts (at least one resample): stacked, the chunks are the very array one
    call would draw, but memory stays at one chunk however many sites there are.

    >>> chunks = list(cluster_bootstrap_chunks(12, 10, np.random.default_rng(0), max_values=48))
    >>> [len(c) for c in chunks]
    [4, 4, 2]
    >>> at_once = cluster_bootstrap_weights(12, 10, np.random.default_rng(0))
    >>> bool((np.vstack(chunks) == at_once).all())
    True
    """
    if n_clusters < 1 or n_resamples < 1:
        raise ValueError("need at least one cluster and one resample")
    # Generator.integers draws its values one after another in C order, so drawing the rows
    # in pieces consumes the stream exactly as one draw of all of them does.
    rows = max(1, max_values // n_clusters)
    for start in range(0, n_resamples, rows):
        yield cluster_bootstrap_weights(n_clusters, min(rows, n_resamples - start), rng)


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
