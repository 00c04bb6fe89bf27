"""Weighted cross-product moments: one OLS engine for the point estimate, every bootstrap
resample and every leave-one-site-out fit.

Each cluster (site) ``c`` contributes ``M_c``, the sum over its rows of ``z z^T`` with
``z = (1, (x - center) / scale)``. A row of site weights ``w`` gives the cross-products of a
re-weighted data set, ``G = sum_c w_c M_c``: multinomial site counts give a cluster bootstrap
resample (a site drawn twice contributes all its rows twice), ``1 - e_c`` leaves site ``c``
out and ones give the data themselves. An OLS fit needs nothing but ``G``, so ``B`` fits cost
one ``(B, C) @ (C, K*K)`` product and a batched solve of small systems (and the ``C``
leave-one-out fits only the total minus each ``M_c``), and the product of two
coefficients taken from the same weight row is that resample's indirect effect (the
product-of-coefficients bootstrap of MacKinnon, Lockwood & Williams 2004). One row per site
and respondents nested in sites go through the same code; only the weights decide whether
rows or whole sites are resampled (Field & Welsh 2007).

Rows may carry weights (a proportion's denominator): each row's ``z z^T`` is then multiplied
by its weight, scaled so that the weights average 1, which makes every fit weighted least
squares while ``n`` stays the number of rows.

Columns are centred and scaled before the cross-products are formed: subtracting a
resample's means from raw sums of squares loses digits when a column's mean is large
against its spread (years, counts, Likert means near 6), and the solve is done on the
correlation scale so that regressors in different units do not spoil its conditioning.
Coefficients are converted back to raw units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Relative tolerance for degeneracy. In the scaled units every column has variance 1 over the
# full data, so a resample whose regressor varies by less than 1e-10 of that, or whose
# regressors' correlation matrix has an eigenvalue below 1e-10 of its largest, has no usable
# information; rounding error in these units is near 1e-15, far below the threshold.
_TOLERANCE = 1e-10


# eq=False: the fields are arrays, which have no single truth value to compare by.
@dataclass(frozen=True, eq=False)
class Moments:
    """Per-cluster cross-product matrices of centred and scaled columns.

    ``per_cluster[c]`` is the sum over cluster ``c``'s rows of ``z z^T`` where
    ``z = (1, (x - center) / scale)``, each term times the row's weight when
    ``row_weights`` is set (``None``: every row weighs 1); index 0 is the intercept, column
    ``j`` of ``columns`` is index ``j + 1``.

    >>> import numpy as np
    >>> m = Moments.from_data(np.array([[1.0], [3.0], [5.0]]), np.array([0, 0, 1]), 2, ["x"])
    >>> m.per_cluster[:, 0, 0]  # rows per cluster
    array([2., 1.])
    >>> m.combine(np.array([[2, 0], [1, 1]]))[:, 0, 0]  # rows in each re-weighted data set
    array([4., 3.])
    """

    columns: tuple[str, ...]
    center: np.ndarray
    scale: np.ndarray
    per_cluster: np.ndarray
    row_weights: np.ndarray | None = None

    @classmethod
    def from_data(
        cls,
        values: np.ndarray,
        clusters: np.ndarray,
        n_clusters: int,
        columns: Sequence[str],
        row_weights: np.ndarray | None = None,
    ) -> Moments:
        """Moments of ``values`` (rows, p) whose rows belong to ``clusters`` (0..n_clusters-1).

        At site level pass ``clusters = arange(n_sites)``: each site is its own cluster.
        Every cluster must have at least one row, and every value must be finite;
        ``row_weights``, if given, must be positive (they are rescaled to average 1).
        """
        values = np.asarray(values, dtype=float)
        clusters = np.asarray(clusters)
        columns = tuple(columns)
        if values.ndim != 2:
            raise ValueError(f"values must be a 2-D array (rows, columns), not {values.ndim}-D")
        rows, p = values.shape
        if len(columns) != p:
            raise ValueError(f"{len(columns)} column names for {p} columns of values")
        if len(set(columns)) != p:
            raise ValueError(f"duplicate column names in {columns}")
        if rows == 0:
            raise ValueError("values has no rows")
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            row, col = bad[0]
            raise ValueError(
                f"non-finite value in row {row}, column '{columns[col]}' "
                "(drop or fill missing values before fitting)"
            )
        if clusters.shape != (rows,) or not np.issubdtype(clusters.dtype, np.integer):
            raise ValueError(f"clusters must be {rows} integers, one per row")
        if n_clusters < 1 or clusters.min() < 0 or clusters.max() >= n_clusters:
            raise ValueError(f"cluster numbers must lie in 0..{n_clusters - 1}")
        sizes = np.bincount(clusters, minlength=n_clusters)
        empty = np.flatnonzero(sizes == 0)
        if empty.size:
            raise ValueError(
                f"cluster {empty[0]} has no rows (number the clusters 0..{n_clusters - 1} "
                "without gaps)"
            )
        if row_weights is not None:
            row_weights = np.asarray(row_weights, dtype=float)
            if row_weights.shape != (rows,) or not (
                np.isfinite(row_weights).all() and (row_weights > 0).all()
            ):
                raise ValueError(f"row_weights must be {rows} positive finite numbers")
            row_weights = row_weights / row_weights.mean()
        center = values.mean(axis=0)
        scale = values.std(axis=0)
        # A constant column keeps scale 1 so that it stays constant (and any fit using it is
        # flagged singular) instead of turning into 0/0.
        scale = np.where(scale > 0, scale, 1.0)
        z = np.column_stack([np.ones(rows), (values - center) / scale])
        k = p + 1
        outer = (z[:, :, None] * z[:, None, :]).reshape(rows, k * k)
        if row_weights is not None:
            outer *= row_weights[:, None]
        order = np.argsort(clusters, kind="stable")
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        per_cluster = np.add.reduceat(outer[order], starts, axis=0).reshape(n_clusters, k, k)
        return cls(columns, center, scale, per_cluster, row_weights)

    def combine(self, weights: np.ndarray) -> np.ndarray:
        """Cross-products of each weighted data set: ``weights`` (B, C) -> (B, p+1, p+1)."""
        weights = np.asarray(weights, dtype=float)
        c, k = self.per_cluster.shape[:2]
        if weights.ndim != 2 or weights.shape[1] != c:
            raise ValueError(f"weights must have shape (B, {c}), not {weights.shape}")
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("weights must be finite and non-negative")
        return (weights @ self.per_cluster.reshape(c, k * k)).reshape(len(weights), k, k)

    def leave_one_out(self) -> np.ndarray:
        """Cross-products without each cluster in turn, (C, p+1, p+1): the total minus the
        cluster's own, which is ``combine(1 - eye(C))`` without its C x C weights.

        >>> import numpy as np
        >>> m = Moments.from_data(np.array([[1.0], [3.0], [5.0]]), np.array([0, 0, 1]), 2, ["x"])
        >>> m.leave_one_out()[:, 0, 0]  # rows left when each cluster is out
        array([1., 2.])
        """
        return self.per_cluster.sum(axis=0) - self.per_cluster

    def gram_with_column(self, values: np.ndarray, column: str, batch: np.ndarray) -> np.ndarray:
        """Cross-products of R altered copies of ``values`` (rows, p): copy ``r`` has column
        ``column`` replaced by ``batch[r]``; ``batch`` (R, rows) -> (R, p+1, p+1).

        For fits on altered copies of the data (a permuted cause, an added random covariate)
        in one batch. Only the replaced column's cross-products differ between copies, so a
        copy costs one product of that column with the others, and no (R, rows, p) array is
        built. OLS with an intercept does not depend on where each column is centred or how it
        is scaled, so ``batch`` may have another mean or spread than ``center``/``scale``.

        >>> import numpy as np
        >>> values = np.array([[1.0, 2.0], [3.0, 1.0], [5.0, 7.0]])
        >>> m = Moments.from_data(values, np.arange(3), 3, ["x", "y"])
        >>> same = m.gram_with_column(values, "x", values[None, :, 0])
        >>> bool(np.allclose(same, m.combine(np.ones((1, 3)))))
        True
        """
        values = np.asarray(values, dtype=float)
        batch = np.asarray(batch, dtype=float)
        rows = len(values)
        if values.ndim != 2 or values.shape[1] != len(self.columns):
            raise ValueError(f"values must have shape (rows, {len(self.columns)})")
        if batch.ndim != 2 or batch.shape[1] != rows:
            raise ValueError(f"batch must have shape (R, {rows})")
        j = self.index(column)
        z = np.column_stack([np.ones(rows), (values - self.center) / self.scale])
        weighted = z if self.row_weights is None else z * self.row_weights[:, None]
        replaced = (batch - self.center[j]) / self.scale[j]
        cross = replaced @ weighted  # (R, p+1): the new column against every column
        cross[:, j + 1] = np.einsum("rn,rn,n->r", replaced, replaced, weighted[:, 0])
        gram = np.repeat((z.T @ weighted)[None], len(batch), axis=0)
        gram[:, j + 1, :] = cross
        gram[:, :, j + 1] = cross
        return gram

    def index(self, name: str) -> int:
        """Position of column ``name`` in ``columns``."""
        try:
            return self.columns.index(name)
        except ValueError:
            known = ", ".join(self.columns)
            raise ValueError(f"unknown column '{name}' (known: {known})") from None


@dataclass(frozen=True, eq=False)
class OLSFit:
    """OLS fits of one model under B weightings; arrays have one row per weighting.

    ``coef``, ``std_coef``, ``se`` and ``t`` are (B, r) in the order the regressors were
    given (the intercept is fitted but not reported). ``full_rank`` is False where the
    regressors are constant or collinear in that weighting, or leave no residual degree of
    freedom; those rows hold NaN and the caller redraws or excludes them. Where the outcome is
    constant, ``coef``, ``std_coef``, ``se``, ``t`` and ``residual_sd`` are 0: there is no
    variation to associate with anything.
    """

    coef: np.ndarray
    std_coef: np.ndarray
    se: np.ndarray
    t: np.ndarray
    df: np.ndarray
    n: np.ndarray
    full_rank: np.ndarray
    residual_sd: np.ndarray


def ols(moments: Moments, gram: np.ndarray, outcome: str, regressors: Sequence[str]) -> OLSFit:
    """Regress ``outcome`` on an intercept and ``regressors`` under every weighting in ``gram``.

    ``gram`` is ``moments.combine(weights)``. Coefficients are in raw units; ``std_coef``
    multiplies each by sd(regressor) / sd(outcome), both sample SDs (N - 1) of that weighted
    data set; ``se`` is the classical homoscedastic standard error with ``df = n - r - 1``.

    >>> import numpy as np
    >>> x = np.arange(6.0)
    >>> y = 1 + 2 * x + np.array([0.1, -0.1, 0.0, 0.1, -0.1, 0.0])
    >>> m = Moments.from_data(np.column_stack([x, y]), np.arange(6), 6, ["x", "y"])
    >>> fit = ols(m, m.combine(np.ones((1, 6))), "y", ["x"])
    >>> round(float(fit.coef[0, 0]), 6), float(fit.df[0]), bool(fit.full_rank[0])
    (1.988571, 4.0, True)
    """
    regressors = tuple(regressors)
    if not regressors:
        raise ValueError("ols needs at least one regressor")
    if len(set(regressors)) != len(regressors):
        raise ValueError(f"a regressor is listed twice in {regressors}")
    if outcome in regressors:
        raise ValueError(f"the outcome '{outcome}' is also a regressor")
    gram = np.asarray(gram, dtype=float)
    k = len(moments.columns) + 1
    if gram.ndim != 3 or gram.shape[1:] != (k, k):
        raise ValueError(f"gram must have shape (B, {k}, {k}), not {gram.shape}")
    x = [1 + moments.index(name) for name in regressors]
    y = 1 + moments.index(outcome)
    r = len(x)
    cols = [*x, y]

    n = gram[:, 0, 0]
    safe_n = np.where(n > 0, n, 1.0)
    mean = gram[:, 0, cols] / safe_n[:, None]
    # Sums of squares and cross-products about this weighting's own means; the intercept
    # drops out of the system.
    centred = gram[:, cols][:, :, cols] - safe_n[:, None, None] * (
        mean[:, :, None] * mean[:, None, :]
    )
    sxx, sxy, syy = centred[:, :r, :r], centred[:, :r, r], centred[:, r, r]
    ssx = np.diagonal(sxx, axis1=1, axis2=2)
    varying = (ssx > _TOLERANCE * safe_n[:, None]).all(axis=1)
    d = np.sqrt(np.where(varying[:, None], ssx, 1.0))
    corr = sxx / (d[:, :, None] * d[:, None, :])
    eye = np.eye(r)
    corr[~varying] = eye
    eig = np.linalg.eigvalsh(corr)
    df = n - r - 1
    full_rank = varying & (eig[:, 0] > _TOLERANCE * eig[:, -1]) & (df > 0)
    corr[~full_rank] = eye
    inv = np.linalg.inv(corr)

    # Solve D R D b = sxy as R g = sxy / d with g = D b: the correlation scale keeps the
    # system's conditioning independent of the regressors' units.
    g = np.einsum("bij,bj->bi", inv, sxy / d)
    beta = g / d
    rss = np.maximum(syy - np.einsum("bi,bi->b", sxy / d, g), 0.0)
    safe_df = np.where(df > 0, df, 1.0)
    sigma2 = rss / safe_df
    se = np.sqrt(sigma2[:, None] * np.diagonal(inv, axis1=1, axis2=2)) / d
    constant_y = syy <= _TOLERANCE * safe_n
    sd_y = np.sqrt(np.where(constant_y, 1.0, syy))
    std_coef = g / sd_y[:, None]

    to_raw = moments.scale[y - 1] / moments.scale[np.array(x) - 1]
    coef = beta * to_raw
    se = se * to_raw
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    residual_sd = np.sqrt(sigma2) * moments.scale[y - 1]
    for a in (coef, std_coef, se, t):
        a[constant_y] = 0.0
        a[~full_rank] = np.nan
    residual_sd[constant_y] = 0.0
    residual_sd[~full_rank] = np.nan
    return OLSFit(coef, std_coef, se, t, df, n, full_rank, residual_sd)
