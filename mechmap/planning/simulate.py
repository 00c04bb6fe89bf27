"""Studies drawn from a :class:`~mechmap.planning.sem.LinearSEM`, many at once.

A batch is one array ``(sims, rows, variables)``: residuals are drawn for every study, row
and variable together and pushed through the model, ``x = e (I - B)^-T``, so a thousand
studies cost one matrix product. With respondents nested in sites, each residual is split
into a site part (share ``icc``) shared by the site's respondents and a respondent part;
variables of a strategy node are properties of the site (``icc`` 1).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from mechmap.mechanism.pipeline import TestSetupError
from mechmap.model import STRATEGY_ROLES, Map
from mechmap.planning.sem import LinearSEM

if TYPE_CHECKING:
    import numpy as np


def simulate_batch(
    sem: LinearSEM,
    sites: int,
    sims: int,
    rng: np.random.Generator,
    respondents: int | None = None,
    icc: tuple[float, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``sims`` studies of ``sites`` sites: values ``(sims, rows, len(sem.variables))`` and
    each row's site number (rows are sites, or ``respondents`` per site). ``icc`` (one per
    variable) is the share of a residual's variance between sites when nested."""
    import numpy as np

    p = len(sem.variables)
    spread = np.sqrt(np.asarray(sem.residual_variance))
    mixing = np.linalg.inv(np.eye(p) - np.asarray(sem.coefficients)).T
    if respondents is None:
        residuals = rng.standard_normal((sims, sites, p)) * spread
        return residuals @ mixing, np.arange(sites)
    share = np.asarray(icc if icc is not None else sem.icc)
    clusters = np.repeat(np.arange(sites), respondents)
    between = rng.standard_normal((sims, sites, p))[:, clusters, :] * np.sqrt(share)
    within = rng.standard_normal((sims, sites * respondents, p)) * np.sqrt(1 - share)
    return (between + within) * spread @ mixing, clusters


def variable_iccs(
    m: Map, sem: LinearSEM, default: float | None, site_level: Collection[str] = ()
) -> tuple[float, ...]:
    """The ICC of each of ``sem``'s variables in a nested design: 1 for strategies and for
    variables measured at the site (``site_level``), else the node's ``icc:``, else
    ``default``; :class:`TestSetupError` when neither is given or ``default`` is out of
    [0, 1)."""
    shares = []
    for variable, own in zip(sem.variables, sem.icc, strict=True):
        node = m.variable_info[variable].node
        if node.role in STRATEGY_ROLES or variable in site_level:
            shares.append(1.0)
        elif node.icc is not None:
            shares.append(own)
        elif default is None:
            raise TestSetupError(
                f"node {node.id} has no icc: give --icc R, or 'icc: 0.1' on the node in the map"
            )
        elif not 0 <= default < 1:
            raise TestSetupError("--icc must lie in [0, 1)")
        else:
            shares.append(default)
    return tuple(shares)
