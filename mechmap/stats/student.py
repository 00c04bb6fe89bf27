"""Quantiles of Student's t for many normal draws at once, read off one table.

The Monte Carlo interval of a product of links draws each coefficient as ``estimate + se *
t_df`` through a Gaussian copula: a normal draw ``z`` becomes ``t_df^-1(Phi(z))``. Calling
``scipy.stats.t.ppf`` for that costs about 1.3 us a value (80 ms for one test's 20,000 joint
draws of three links; millions of values when power simulates a thousand studies), so the
quantile is interpolated instead: ``log(t / z)``, which is even in ``z`` and smooth in both
arguments, on a grid of ``|z|`` and ``v = df^(-1/2)`` (``v = 0`` is the normal, ``v = 1`` the
Cauchy; ``v`` rather than ``1/df`` because the expansion of ``t`` in ``1/df`` has terms in
``z^(2j)/df^j``), by the cubic through the 4 nearest grid points in both (stored as each cell's
polynomial). The error is below 2e-7 of ``max(1, |t|)`` for ``df >= 1`` (Bell-McCaffrey
degrees of freedom are at least 1) and ``|z| <= 9``, checked against scipy in the tests.

>>> import numpy as np
>>> from scipy import stats
>>> z = np.array([[[-1.96, 0.5, 3.0]]])
>>> t = t_quantiles(z, np.array([[10.0, 4.5, 1.0]]))
>>> exact = stats.t.ppf(stats.norm.cdf(z), [10.0, 4.5, 1.0])
>>> bool(np.allclose(t, exact, rtol=1e-6))
True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_Z_GRID = (9.0, 301)  # |z| from 0 to 9 (a normal draw passes 9 with probability 2e-19)
_V_GRID = 161  # v = df^(-1/2) from 0 to 1


@functools.cache
def _log_ratio_table() -> np.ndarray:
    """``log(t_df^-1(Phi(-|z|)) / -|z|)`` on the grids :data:`_V_GRID` of ``v`` and
    :data:`_Z_GRID` of ``|z|``, as cubic pieces: ``table[p, q, i, j]`` multiplies
    ``s^p r^q`` in cell ``i`` of ``v`` and cell ``j`` of ``|z|`` (``s``, ``r`` the positions
    within them, in grid steps). From the lower tail (``Phi(z)`` rounds to 1 past z = 8.3);
    at z = 0 its limit, the log of the ratio of the densities at 0."""
    import numpy as np
    from scipy import special

    z = np.linspace(0.0, _Z_GRID[0], _Z_GRID[1])[1:]
    df = np.linspace(0.0, 1.0, _V_GRID)[1:, None] ** -2
    values = np.zeros((_V_GRID, _Z_GRID[1]))  # v = 0: the normal itself
    # One call of the t quantile's ufunc for the whole grid (scipy.stats.t.ppf per row adds
    # its argument checks 160 times over).
    values[1:, 1:] = np.log(special.stdtrit(df, special.ndtr(-z)) / -z)
    # At z = 0, log(phi(0) / f_df(0)), with f_df(0) = Gamma((df+1)/2) / (sqrt(df pi) Gamma(df/2)).
    log_t_density = special.gammaln((df + 1) / 2) - special.gammaln(df / 2) - np.log(df * np.pi) / 2
    values[1:, :1] = -np.log(2 * np.pi) / 2 - log_t_density
    return _cubic_pieces(_cubic_pieces(values, 1), 1)


def _cubic_pieces(values: np.ndarray, axis: int) -> np.ndarray:
    """The cubic through the 4 grid points around each cell of ``values`` along ``axis``
    (the 4 nearest at the ends), as its monomial coefficients in the position within the
    cell: that axis of ``points`` becomes ``points - 1`` cells, and a new first axis of 4
    coefficients is added (first, so that each coefficient's table is contiguous)."""
    import numpy as np

    values = np.moveaxis(values, axis, 0)
    cells = np.arange(len(values) - 1)
    first = np.clip(cells, 1, len(values) - 3) - 1
    nodes = (first - cells)[:, None] + np.arange(4)  # the 4 points, from each cell's start
    to_monomials = np.linalg.inv(nodes[:, :, None] ** np.arange(4))
    pieces = np.einsum("cqn,cn...->qc...", to_monomials, values[first[:, None] + np.arange(4)])
    return np.ascontiguousarray(np.moveaxis(pieces, 1, axis + 1))


def _locate(x: np.ndarray, top: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The cell of a uniform grid of ``points`` over [0, ``top``] holding each ``x`` (clamped
    to ``top``) and the position within it, in grid steps."""
    import numpy as np

    position = np.minimum(x, top)
    position *= (points - 1) / top
    cell = position.astype(np.intp)
    np.minimum(cell, points - 2, out=cell)
    position -= cell
    return cell, position


def _horner(coefficients: Sequence[np.ndarray], x: np.ndarray) -> np.ndarray:
    """The cubic ``c0 + c1 x + c2 x^2 + c3 x^3``, in place on one new array."""
    result = coefficients[3] * x
    for c in coefficients[2:0:-1]:
        result += c
        result *= x
    result += coefficients[0]
    return result


def t_quantiles(z: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``t_df^-1(Phi(z))`` for normal draws ``z`` (studies, draws, fits) and degrees of
    freedom ``df >= 1`` (studies, fits), from the table of the module docstring."""
    import numpy as np

    table = _log_ratio_table()
    # First each (study, fit)'s cubic pieces along |z| at its own v, then each draw's.
    cell, position = _locate(df**-0.5, 1.0, _V_GRID)
    pieces = table[:, :, cell]  # (4, 4, studies, fits, |z| cells)
    rows = _horner(pieces, position[:, :, None]).reshape(4, -1)
    top, points = _Z_GRID
    cell, position = _locate(np.abs(z), top, points)
    cell += (np.arange(df.size) * (points - 1)).reshape(len(df), 1, -1)
    log_ratio = _horner([np.take(coefficient, cell) for coefficient in rows], position)
    return z * np.exp(log_ratio, out=log_ratio)
