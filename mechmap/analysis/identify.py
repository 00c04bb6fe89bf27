"""Identification of a causal effect when some nodes are latent, with the estimand as a formula.

Three steps; the first that succeeds gives the answer:

1. **back-door**: covariate adjustment (the adjustment criterion of
   :mod:`~mechmap.analysis.adjustment`, which contains Pearl's back-door criterion); a
   smallest sufficient set is reported, ``P(y | do(x)) = Σ_z P(y | x, z) P(z)``;
2. **front-door** (Pearl, Causality, 2nd ed. 2009, Definition 3.3.3): a set ``M`` of measured
   nodes that intercepts every directed path from X to Y, with no open back-door path from
   X to ``M`` and every back-door path from ``M`` to Y blocked by X. The search removes
   nodes that break a condition until nothing changes; it finds a front-door set whenever one
   exists (no valid set ever loses a member);
3. the **ID algorithm** (:mod:`~mechmap.analysis.id_algorithm`) on the latent projection of
   the DAG. ID is complete: when it fails (a *hedge*), the effect is not identifiable from
   the observed distribution by any method.

The estimand is an expression of :mod:`~mechmap.analysis.estimands`, printed as a formula.

Why not DoWhy's ``IDIdentifier``: in DoWhy 0.14 it takes ``observed_nodes`` but never reads
it, so latent nodes are treated as measured (for x -> y with a latent common cause u it
returns ``Σ_u P(u) P(y | u, x)`` instead of failing; dowhy#824), and it refuses a
bidirected arc written as a 2-cycle ("must be a directed acyclic graph"). Its line 7 also
tests ``C.is_empty() is None``, which is never true. This module needs no DoWhy at all, so it
costs no import time and cannot hang.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import networkx as nx

from mechmap.analysis.adjustment import adjustment_problem, separation_graph
from mechmap.analysis.dsep import find_open_path
from mechmap.analysis.estimands import (
    Term,
    adjustment_formula,
    estimand_text,
    free,
    front_door_formula,
)
from mechmap.analysis.id_algorithm import ADMG, Hedge
from mechmap.analysis.inputs import check_effect, check_nodes
from mechmap.analysis.separators import SOURCE, TARGET, contract, minimum_separator

BACK_DOOR, FRONT_DOOR, ID_ALGORITHM, NO_EFFECT = (
    "back-door",
    "front-door",
    "ID algorithm",
    "no causal path",
)


@dataclass(frozen=True)
class Identification:
    """Whether the effect of the exposures on the outcomes can be computed from the observed
    distribution, how, and the formula. ``identifiable`` is ``None`` only when the question
    could not be decided (``note`` says why)."""

    exposures: tuple[str, ...]
    outcomes: tuple[str, ...]
    identifiable: bool | None
    method: str | None
    adjustment_set: list[str] | None = None  # back-door: the set adjusted for
    front_door_set: list[str] | None = None  # front-door: the mediators M
    estimand: str | None = None
    note: str = ""
    _expression: object = field(default=None, repr=False, compare=False)  # for tests

    @property
    def summary(self) -> str:
        what = f"the effect of {', '.join(self.exposures)} on {', '.join(self.outcomes)}"
        if self.identifiable is None:
            return f"Could not decide whether {what} is identifiable: {self.note}"
        if not self.identifiable:
            return f"{what[0].upper()}{what[1:]} is not identifiable. {self.note}".strip()
        return f"{what[0].upper()}{what[1:]} is identifiable ({self.method}): {self.estimand}"

    def as_dict(self) -> dict[str, object]:
        return {
            "exposures": list(self.exposures),
            "outcomes": list(self.outcomes),
            "identifiable": self.identifiable,
            "method": self.method,
            "adjustment_set": self.adjustment_set,
            "front_door_set": self.front_door_set,
            "estimand": self.estimand,
            "note": self.note,
            "summary": self.summary,
        }


def identify(
    graph: nx.DiGraph,
    exposure: str | Iterable[str],
    outcome: str | Iterable[str],
    latent: Collection[str] = (),
) -> Identification:
    """Whether ``P(outcome | do(exposure))`` is identifiable when ``latent`` nodes are not
    measured: back-door, else front-door, else the ID algorithm (see the module docstring).

    Raises ``ValueError`` only for a question that makes no sense (unknown, latent or
    overlapping nodes, a cyclic graph: :mod:`~mechmap.analysis.inputs`); every DAG gets an
    answer.

    >>> g = nx.DiGraph([("u", "x"), ("u", "y"), ("x", "m"), ("m", "y")])
    >>> r = identify(g, "x", "y", latent=["u"])
    >>> r.method, r.front_door_set
    ('front-door', ['m'])
    >>> r.estimand
    "P(y | do(x)) = Σ_m P(m | x) Σ_x' P(y | x', m) P(x')"
    >>> identify(nx.DiGraph([("u", "x"), ("u", "y"), ("x", "y")]), "x", "y", ["u"]).identifiable
    False
    """
    xs, ys = (set(v) for v in check_effect(graph, exposure, outcome, latent))
    latent = check_nodes(graph, "latent", latent)

    def answer(method: str, expression, note: str, **found) -> Identification:
        return Identification(
            tuple(sorted(xs)),
            tuple(sorted(ys)),
            True,
            method,
            estimand=estimand_text(expression, xs, ys),
            note=note,
            _expression=expression,
            **found,
        )

    if not set().union(*(nx.descendants(graph, x) for x in xs)) & ys:
        return answer(
            NO_EFFECT,
            Term(frozenset(ys)),
            "No directed path leads from the exposure to the outcome, so intervening on the "
            "exposure leaves the outcome's distribution as it is.",
        )

    best = smallest_adjustment_set(graph, xs, ys, latent)
    if best is not None:
        return answer(
            BACK_DOOR,
            adjustment_formula(xs, ys, set(best)),
            f"Adjust for {', '.join(best)}: a smallest sufficient set (adjustment_sets lists "
            "every minimal one)."
            if best
            else "No adjustment is needed: no back-door path is open.",
            adjustment_set=best,
        )

    mediators = front_door_set(graph, xs, ys, latent)
    if mediators is not None:
        return answer(
            FRONT_DOOR,
            front_door_formula(xs, ys, mediators),
            "No adjustment set exists (a latent confounder), but "
            f"{', '.join(sorted(mediators))} carries the whole effect and is itself "
            "unconfounded: the front-door formula.",
            front_door_set=sorted(mediators),
        )

    try:
        expression = ADMG(graph, latent).identify(frozenset(ys), frozenset(xs))
    except Hedge as hedge:
        return Identification(
            tuple(sorted(xs)),
            tuple(sorted(ys)),
            False,
            ID_ALGORITHM,
            note="No adjustment set and no front-door set exist, and the ID algorithm (which "
            f"is complete) fails on a hedge: {', '.join(sorted(hedge.whole))} form one "
            "confounded component (linked through latent common causes), and so "
            f"{'does' if len(hedge.part) == 1 else 'do'} {', '.join(sorted(hedge.part))} once the "
            "exposure is set. No method can compute the effect from the measured variables: "
            "measure a latent node, or bound the effect instead.",
        )
    loose = sorted(free(expression) - xs - ys)
    return answer(
        ID_ALGORITHM,
        expression,
        "Neither adjustment nor the front-door formula applies; the ID algorithm expresses "
        "the effect in terms of the observed distribution."
        + (
            f" It holds for any value of {', '.join(loose)}, which it conditions on "
            "without summing over."
            if loose
            else ""
        ),
    )


def smallest_adjustment_set(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
) -> list[str] | None:
    """A smallest sufficient adjustment set for the total effect (sorted), or ``None`` if
    there is none: a minimum vertex cut of the graph whose minimal separators are the
    minimal adjustment sets, so one maximum-flow computation instead of listing them all.

    >>> g = nx.DiGraph([("a", "x"), ("a", "b"), ("c", "x"), ("c", "b"), ("b", "y"), ("x", "y")])
    >>> smallest_adjustment_set(g, ["x"], ["y"])  # {a, c} is minimal too, but larger
    ['b']
    """
    problem = adjustment_problem(graph, exposures, outcomes, latent)
    separation = separation_graph(problem)
    separation = contract(
        contract(separation, set(problem.exposures), SOURCE), set(problem.outcomes), TARGET
    )
    found = minimum_separator(separation, SOURCE, TARGET)
    return None if found is None else sorted(found)


def front_door_set(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
) -> set[str] | None:
    """A set satisfying the front-door criterion for the effect of ``exposures`` on
    ``outcomes``, or ``None`` if there is none. Among the mediators when some of them form
    one; then only the members that come first on a directed path, when those suffice.

    >>> g = nx.DiGraph([("u", "x"), ("u", "y"), ("x", "m"), ("m", "y")])
    >>> front_door_set(g, ["x"], ["y"], ["u"])
    {'m'}
    """
    xs, ys = (set(v) for v in check_effect(graph, exposures, outcomes, latent))
    if any(graph.has_edge(x, y) for x in xs for y in ys):
        return None  # a direct arrow cannot be intercepted
    # (ii) no open back-door path from X to a member: given nothing, two nodes are
    # d-connected iff they have a common ancestor, here in the graph without X's out-arrows
    without_x_out = graph.copy()
    without_x_out.remove_edges_from(list(graph.out_edges(xs)))
    above_x = xs.union(*(nx.ancestors(without_x_out, x) for x in xs))
    tied = above_x.union(*(nx.descendants(without_x_out, v) for v in above_x))
    candidates = set(graph) - tied - ys - check_nodes(graph, "latent", latent)
    on_paths = set().union(*(nx.descendants(graph, x) for x in xs)) & set().union(
        *(nx.ancestors(graph, y) for y in ys)
    )
    for pool in (candidates & on_paths, candidates):
        members = _largest_front_door(graph, xs, ys, pool)
        if members:
            return _first_members(graph, xs, ys, members, on_paths)
    return None


def _largest_front_door(graph: nx.DiGraph, xs: set[str], ys: set[str], pool: set[str]):
    """The largest subset of ``pool`` (whose members meet condition ii) that also meets
    (iii), if it meets (i); else ``None``. No front-door set within ``pool`` ever loses a
    member here, so this finds one whenever ``pool`` holds one."""
    members = set(pool)
    # (iii) every back-door path from a member to Y blocked by X; dropping a member puts its
    # outgoing arrows back, so repeat until nothing changes
    while True:
        cut = graph.copy()
        cut.remove_edges_from(list(graph.out_edges(members)))
        leaving = {m for m in members if find_open_path(cut, [m], ys, xs) is not None}
        if not leaving:
            break
        members -= leaving
    # (i) the members intercept every directed path from X to Y
    rest = graph.subgraph(set(graph) - members)
    if set().union(*(nx.descendants(rest, x) for x in xs)) & ys:
        return None
    return members


def _first_members(
    graph: nx.DiGraph, xs: set[str], ys: set[str], members: set[str], on_paths: set[str]
) -> set[str]:
    """The members that come first on some directed path from X to Y: they still intercept
    every such path and make a shorter formula. ``members`` if they break (iii)."""
    first = set()
    for m in members & on_paths:
        avoiding = graph.subgraph((set(graph) - members) | {m})
        if any(nx.has_path(avoiding, x, m) for x in xs):
            first.add(m)
    cut = graph.copy()
    cut.remove_edges_from(list(graph.out_edges(first)))
    if any(find_open_path(cut, [m], ys, xs) is not None for m in first):
        return members
    return first
