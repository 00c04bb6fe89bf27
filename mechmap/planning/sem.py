"""The linear structural equation model a map implies once its arrows carry effect sizes.

Planning a study needs numbers the DAG alone does not give: how strong each arrow is. A map
gives them as ``effect:`` on an arrow, a *standardized* path coefficient, so that every
variable has unit variance. For a variable ``v`` with parents ``P`` and coefficients ``b``,

    v = b' P + e_v,   Var(e_v) = 1 - b' R_PP b,

where ``R_PP`` is the correlation matrix the model implies among the parents (``b' R_PP b``
is ``v``'s R²). Effects that would make that residual variance zero or negative cannot hold
together, and :func:`linear_sem` says so at the arrows into ``v``.

Arrows without an effect are 0, except on the path being planned, where an effect is
required: a power analysis of an effect nobody sized is no plan. Latent nodes are
simulated like the rest and never observed. A node measured on respondents may carry an
``icc:`` (the share of its variance between sites); the simulation uses it for the nested
design.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: m
... title: M
... nodes: {x: {}, m: {}, y: {}}
... edges: [{from: x, to: m, effect: 0.5}, {from: m, to: y, effect: 0.5}]
... ''')
>>> sem = linear_sem(m)
>>> sem.variables, [round(v, 2) for v in sem.residual_variance]
(('x', 'm', 'y'), [1.0, 0.75, 0.75])
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from mechmap.diagnostics import Location, MapError, error
from mechmap.model import Map

_OVERRIDE = re.compile(r"^\s*(?P<path>.+?)\s*=\s*(?P<value>[-+]?[0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class LinearSEM:
    """A standardized linear SEM over a map's variables in topological order.

    ``coefficients[i][j]`` is the effect of ``variables[j]`` on ``variables[i]`` (nonzero
    only for arrows, ``j`` before ``i``); ``residual_variance[i]`` keeps each variable at
    unit variance; ``observed[i]`` is False for latent variables; ``icc[i]`` is the
    intraclass correlation used when respondents are nested in sites (0 if not given).
    """

    variables: tuple[str, ...]
    coefficients: tuple[tuple[float, ...], ...]
    residual_variance: tuple[float, ...]
    observed: tuple[bool, ...]
    icc: tuple[float, ...]

    def effect(self, cause: str, target: str) -> float:
        """The standardized coefficient of the arrow ``cause -> target`` (0: none)."""
        index = {v: i for i, v in enumerate(self.variables)}
        return self.coefficients[index[target]][index[cause]]


def parse_effect(m: Map, text: str) -> tuple[tuple[str, str], float]:
    """``"a -> b = 0.3"`` (from ``--effect``) as the arrow's variables and the effect;
    :class:`ValueError` with the expected form for text that is not one."""
    from mechmap.mapfile.loader import resolve_path

    match = _OVERRIDE.match(text)
    if match is None:
        raise ValueError(f"--effect '{text}': write it as 'cause -> effect = 0.3'")
    try:
        value = float(match["value"])
    except ValueError:
        raise ValueError(f"--effect '{text}': '{match['value']}' is not a number") from None
    chain = resolve_path(m, match["path"], "--effect")
    if len(chain) != 2:
        raise ValueError(f"--effect '{text}': give one arrow 'cause -> effect', not a chain")
    return (chain[0], chain[1]), value


def linear_sem(
    m: Map,
    overrides: Mapping[tuple[str, str], float] | None = None,
    required: Collection[tuple[str, str]] = (),
) -> LinearSEM:
    """The :class:`LinearSEM` of ``m``'s ``effect:`` values, with ``overrides`` (arrow ->
    effect, e.g. from ``--effect``) taking precedence. Every arrow in ``required`` (the
    planned path's) must have an effect. Raises :class:`~mechmap.diagnostics.MapError`,
    located at the arrows, for a missing required effect or effects that imply a residual
    variance of zero or less."""
    import networkx as nx
    import numpy as np

    overrides = dict(overrides or {})
    graph = m.to_networkx()
    for arrow in overrides:
        if arrow not in m.edge_of:
            raise ValueError(f"--effect: the map has no arrow {arrow[0]} -> {arrow[1]}")
    order = tuple(nx.lexicographical_topological_sort(graph, key=m.variables.index))
    index = {v: i for i, v in enumerate(order)}
    p = len(order)
    coefficients = np.zeros((p, p))
    problems = []
    for (cause, target), edge in m.edge_of.items():
        value = overrides.get((cause, target), None if edge is None else edge.effect)
        if value is None and (cause, target) in required:
            problems.append(
                error(
                    _where(edge),
                    f"the planned path's arrow {cause} -> {target} has no effect size: add "
                    f"'effect: 0.3' (a standardized coefficient) to it, or give --effect "
                    f"'{cause} -> {target} = 0.3'",
                )
            )
        coefficients[index[target], index[cause]] = value or 0.0
    if problems:
        raise MapError(problems)
    correlation = np.zeros((p, p))
    residual = np.ones(p)
    for i in range(p):
        b = coefficients[i, :i]
        explained = float(b @ correlation[:i, :i] @ b)
        residual[i] = 1.0 - explained
        if residual[i] <= 1e-9:
            into = [(order[j], order[i]) for j in np.flatnonzero(b)]
            problems += [
                error(
                    Location("--effect") if arrow in overrides else _where(m.edge_of[arrow]),
                    f"the effects into {order[i]} imply R² = {explained:.3g}, leaving it a "
                    "residual variance of zero or less: standardized effects into one node "
                    "must explain less than all of its variance; make them smaller",
                )
                for arrow in into
            ]
            continue
        correlation[i, :i] = b @ correlation[:i, :i]
        correlation[:i, i] = correlation[i, :i]
        correlation[i, i] = 1.0
    if problems:
        raise MapError(problems)
    info = m.variable_info
    return LinearSEM(
        order,
        tuple(tuple(float(x) for x in row) for row in coefficients),
        tuple(float(x) for x in residual),
        tuple(not info[v].node.latent for v in order),
        tuple(info[v].node.icc or 0.0 for v in order),
    )


def _where(edge) -> Location:
    return edge.location if edge is not None else Location("--effect")
