"""The estimate step's intervals for a whole batch of simulated studies at once.

At site level every study's regression has the same number of rows and terms, so the OLS
fits, the t intervals (``n - k`` degrees of freedom) and the per-site score contributions
that :func:`~mechmap.stats.inference.coefficient_inference` computes one study at a time are
computed here for all studies together with ``einsum`` and batched ``solve``; the tests
check them against ``coefficient_inference`` study by study. The Monte Carlo interval of a
product of links is :func:`~mechmap.stats.inference.monte_carlo_draws`' recipe (a Gaussian
copula of the coefficients' t distributions, correlated as their scores are), vectorized the
same way; because the degrees of freedom are the same in every study, the t quantile of a
normal draw is read off a fine table instead of calling ``scipy.stats.t.ppf`` millions of
times (error below 1e-6 of a standard error).

Nested designs (respondents in sites) call ``coefficient_inference`` and
``monte_carlo_draws`` themselves, study by study: the CR2 adjustment and the Bell-McCaffrey
degrees of freedom differ from study to study.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 50  # studies whose Monte Carlo draws are held in memory at once
_SINGULAR = 1e-12  # as in mechmap.stats.inference
_GRID = (-9.0, 9.0, 36_001)  # normal quantiles of the t-quantile table


def site_level_inference(
    y: np.ndarray, regressors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """For studies ``y`` (sims, n) and ``regressors`` (sims, n, r): the first regressor's
    OLS coefficient and classical standard error (sims,), the degrees of freedom ``n - k``
    and the HC2-adjusted score contributions (sims, n), as ``coefficient_inference``
    computes them for one row per site."""
    import numpy as np

    sims, n, _ = regressors.shape
    design = np.concatenate([regressors, np.ones((sims, n, 1))], axis=2)
    k = design.shape[2]
    bread = np.linalg.inv(np.einsum("snj,snk->sjk", design, design))
    beta = np.einsum("sjk,snk,sn->sj", bread, design, y)
    resid = y - np.einsum("snk,sk->sn", design, beta)
    df = float(n - k)
    se = np.sqrt(np.einsum("sn,sn->s", resid, resid) / df * bread[:, 0, 0])
    leverage = np.einsum("snj,sjk,snk->sn", design, bread, design)
    adjusted = np.einsum("snk,sk->sn", design, bread[:, :, 0])
    adjusted /= np.sqrt(1 - np.minimum(leverage, 1 - _SINGULAR))
    return beta[:, 0], se, df, adjusted * resid


def analyse_batch(
    values: np.ndarray,
    clusters: np.ndarray,
    variables: Sequence[str],
    fits: Mapping[str, tuple[str, tuple[str, ...]]],
    chains: Sequence[Sequence[str]],
    alpha: float,
    rng: np.random.Generator,
    n_draws: int,
    nested: bool = False,
) -> dict[str, np.ndarray]:
    """Whether each study's interval excludes 0, for every fit in ``fits`` (by name: links
    ``"a -> b"`` and ``"total_effect"``) and for the indirect and direct effects."""
    import numpy as np

    column = {v: i for i, v in enumerate(variables)}
    names = list(fits)
    if nested:
        estimate, se, df, draws_of = _nested(values, clusters, column, fits, rng, n_draws)
    else:
        parts = [
            site_level_inference(
                values[:, :, column[y]], values[:, :, [column[x] for x in regressors]]
            )
            for y, regressors in fits.values()
        ]
        estimate = np.column_stack([p[0] for p in parts])
        se = np.column_stack([p[1] for p in parts])
        df = np.array([p[2] for p in parts])
        scores = np.stack([p[3] for p in parts], axis=1)  # (sims, fits, n)

        tables = [_t_quantile_table(dof) for dof in df]

        def draws_of(rows: slice) -> np.ndarray:
            return _copula_draws(estimate[rows], se[rows], tables, scores[rows], rng, n_draws)

    from scipy import stats

    # The t interval excludes 0 exactly when |estimate| > t_{1 - alpha/2, df} se.
    critical = np.broadcast_to(stats.t.ppf(1 - alpha / 2, df), estimate.shape)
    detected = {
        name: np.abs(estimate[:, i]) > critical[:, i] * se[:, i] for i, name in enumerate(names)
    }
    sims = len(estimate)
    indirect = np.zeros(sims, dtype=bool)
    direct = np.zeros(sims, dtype=bool)
    for start in range(0, sims, _CHUNK):
        rows = slice(start, start + _CHUNK)
        draws = draws_of(rows)  # (chunk, n_draws, fits)
        product = sum(
            np.prod(
                [draws[:, :, names.index(f"{u} -> {v}")] for u, v in itertools.pairwise(c)],
                axis=0,
            )
            for c in chains
        )
        indirect[rows] = _excludes_zero(product, alpha)
        direct[rows] = _excludes_zero(draws[:, :, names.index("total_effect")] - product, alpha)
    return {**detected, "indirect_effect": indirect, "direct_effect": direct}


def _excludes_zero(draws: np.ndarray, alpha: float) -> np.ndarray:
    import numpy as np

    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=1)
    return (lo > 0) | (hi < 0)


def _t_quantile_table(df: float) -> np.ndarray:
    """``t_df.ppf(Phi(z))`` on the uniform grid :data:`_GRID` of ``z``, from the lower
    tail on both sides (``Phi(z)`` rounds to 1 past z = 8.3)."""
    import numpy as np
    from scipy import stats

    grid = np.linspace(*_GRID)
    lower = stats.t.ppf(stats.norm.cdf(-np.abs(grid)), df)
    return np.where(grid < 0, lower, -lower)


def _lookup(table: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Linear interpolation in a table over the uniform grid :data:`_GRID` (clamped at its
    ends, where a normal draw lands with probability 2e-19)."""
    import numpy as np

    low, high, points = _GRID
    position = np.clip((z - low) * ((points - 1) / (high - low)), 0, points - 1 - 1e-9)
    index = position.astype(np.intp)
    fraction = position - index
    return table[index] + fraction * (table[index + 1] - table[index])


def _copula_draws(estimate, se, tables, scores, rng, n_draws):
    """``monte_carlo_draws`` for many studies with the same degrees of freedom per fit
    (``tables``: :func:`_t_quantile_table` of each fit's)."""
    import numpy as np

    norms = np.sqrt(np.sum(scores**2, axis=2, keepdims=True))
    unit = scores / np.where(norms > 0, norms, 1.0)
    correlation = np.einsum("sfn,sgn->sfg", unit, unit)
    fits = correlation.shape[1]
    correlation[:, np.arange(fits), np.arange(fits)] = 1.0
    eigenvalues, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))[:, None, :]
    normal = rng.standard_normal((len(estimate), n_draws, fits)) @ np.swapaxes(root, 1, 2)
    quantiles = np.empty_like(normal)
    for f, table in enumerate(tables):
        quantiles[:, :, f] = _lookup(table, normal[:, :, f])
    return estimate[:, None, :] + se[:, None, :] * quantiles


def _nested(values, clusters, column, fits, rng, n_draws):
    """Per-study CR2 inference and Monte Carlo draws, exactly as the estimate step."""
    import numpy as np

    from mechmap.stats.inference import coefficient_inference, monte_carlo_draws

    studies = []
    for study in values:
        studies.append(
            [
                coefficient_inference(
                    study[:, column[y]],
                    study[:, [column[x] for x in regressors]],
                    clusters,
                    nested=True,
                )
                for y, regressors in fits.values()
            ]
        )
    estimate = np.array([[f.estimate for f in s] for s in studies])
    se = np.array([[f.se for f in s] for s in studies])
    df = np.array([[f.df for f in s] for s in studies])

    def draws_of(rows: slice) -> np.ndarray:
        return np.stack([monte_carlo_draws(s, rng, n_draws) for s in studies[rows]])

    return estimate, se, df, draws_of
