"""Covariate adjustment: every minimal sufficient adjustment set, and checks of a given set.

Total effect: the adjustment criterion of Shpitser, VanderWeele & Robins (UAI 2010) in the
form of van der Zander, Liśkiewicz & Textor (Artif Intell 2019;270:1): ``Z`` is valid iff it
holds no descendant of a node on a proper causal path from X to Y and d-separates X and Y
in the proper back-door graph (the DAG without the first arrow of every proper causal
path). Direct effect (as DAGitty's ``listMsasDirectEffect``): ``Z`` d-separates X and Y
once the arrows X -> Y are removed, and holds no descendant of an outcome that an exposure
affects. An outcome no exposure reaches puts no such limit: its distribution is the same
whatever X is set to, and any ``Z`` that d-separates it from X gives
``Σ_z P(y | x, z) P(z) = Σ_z P(y | z) P(z) = P(y)``, the right answer (DAGitty's "UAI
non-X-ancestor" example, ``X1 -> M1 -> M2 -> X2 <- ... Y -> M2``, has the set {M1, M2}).
Latent nodes are never chosen.

Minimal sets are the minimal X-Y separators in the moral graph of the ancestors of X and Y,
with forbidden nodes eliminated; :mod:`mechmap.analysis.separators` lists them with
polynomial delay. Nodes that are conditioned on whatever one does (DAGitty's "adjusted" and
"selected" nodes) go in as ``include``: every set then contains them, and is minimal among
the sets that do. Every function checks its question first (a DAG, known nodes, exposures
that are not outcomes, latent or in ``include``) and raises ``ValueError`` if it makes no
sense (:mod:`mechmap.analysis.inputs`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import networkx as nx

from mechmap.analysis.dsep import find_open_path
from mechmap.analysis.inputs import check_effect, check_include, check_nodes, listed
from mechmap.analysis.separators import Graph, eliminate, minimal_separators, moral_graph

TOTAL, DIRECT = "total", "direct"


@dataclass(frozen=True)
class AdjustmentProblem:
    """The graph in which a valid adjustment set must separate X from Y, and the nodes it
    may not contain (with the reason for each)."""

    graph: nx.DiGraph
    exposures: frozenset[str]
    outcomes: frozenset[str]
    forbidden: dict[str, str] = field(default_factory=dict)  # node -> why it is excluded


@dataclass(frozen=True)
class AdjustmentSets:
    """Every minimal sufficient adjustment set (the first ``cap`` found, sorted, when
    ``truncated``); ``sets == []`` means none exists and ``sets == [[]]`` means the empty
    set suffices."""

    exposures: tuple[str, ...]
    outcomes: tuple[str, ...]
    effect: str
    sets: list[list[str]]
    truncated: bool = False

    @property
    def summary(self) -> str:
        what = (
            f"the {self.effect} effect of {', '.join(self.exposures)} on {', '.join(self.outcomes)}"
        )
        if not self.sets:
            return f"No adjustment set exists for {what}: it is not identifiable by adjustment."
        if self.sets == [[]]:
            return f"The empty set suffices for {what}: no adjustment is needed."
        if self.truncated:
            return f"The first {len(self.sets)} minimal sufficient adjustment sets for {what}."
        return f"{len(self.sets)} minimal sufficient adjustment set(s) for {what}."

    def as_dict(self) -> dict[str, object]:
        return {
            "exposures": list(self.exposures),
            "outcomes": list(self.outcomes),
            "effect": self.effect,
            "adjustment_sets": self.sets,
            "truncated": self.truncated,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class AdjustmentCheck:
    """Whether a given set is a valid adjustment set, and if not, why."""

    given: tuple[str, ...]
    valid: bool
    forbidden: dict[str, str]  # members that may not be adjusted for, with the reason
    open_path: list[str] | None  # a biasing path the set leaves open

    def as_dict(self) -> dict[str, object]:
        return {
            "given": list(self.given),
            "valid": self.valid,
            "forbidden": self.forbidden,
            "open_path": self.open_path,
        }


def proper_causal_nodes(graph: nx.DiGraph, xs: set[str], ys: set[str]) -> set[str]:
    """Nodes other than X on directed paths from X to Y that do not return to X."""
    cut_into_x = graph.copy()
    cut_into_x.remove_edges_from(list(graph.in_edges(xs)))
    cut_out_of_x = graph.copy()
    cut_out_of_x.remove_edges_from(list(graph.out_edges(xs)))
    below_x = set().union(*(nx.descendants(cut_into_x, x) for x in xs)) - xs
    above_y = set(ys).union(*(nx.ancestors(cut_out_of_x, y) for y in ys))
    return below_x & above_y


def adjustment_problem(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
    effect: str = TOTAL,
) -> AdjustmentProblem:
    """The separation problem that valid adjustment sets solve (see the module docstring)."""
    if effect not in (TOTAL, DIRECT):
        raise ValueError(f"effect must be '{TOTAL}' or '{DIRECT}', not '{effect}'")
    xs, ys = check_effect(graph, exposures, outcomes, latent)
    forbidden = dict.fromkeys(check_nodes(graph, "latent", latent), "latent (not measured)")
    if effect == TOTAL:
        causal = proper_causal_nodes(graph, set(xs), set(ys))
        for v in set().union(*(nx.descendants(graph, c) | {c} for c in causal)):
            forbidden.setdefault(v, "on or below a causal path from exposure to outcome")
        backdoor = graph.copy()
        backdoor.remove_edges_from([(x, c) for x in xs for c in graph.successors(x) if c in causal])
    else:  # DIRECT
        below_x = set().union(*(nx.descendants(graph, x) for x in xs))
        for v in set().union(*(nx.descendants(graph, y) for y in ys & below_x)):
            forbidden.setdefault(v, "a descendant of the outcome")
        backdoor = graph.copy()
        backdoor.remove_edges_from([(x, y) for x in xs for y in ys if graph.has_edge(x, y)])
    for v in xs | ys:
        forbidden.pop(v, None)
    return AdjustmentProblem(backdoor, xs, ys, forbidden)


def adjustment_sets(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
    effect: str = TOTAL,
    include: Collection[str] = (),
    cap: int | None = None,
) -> AdjustmentSets:
    """Every minimal sufficient adjustment set for the effect of exposures on outcomes
    (each containing ``include``); with ``cap``, the first ``cap`` the listing finds (the
    listing has polynomial delay, so the work grows with ``cap``, not with the number of
    sets), and ``truncated`` says whether there are more.

    >>> g = nx.DiGraph([("c", "x"), ("c", "y"), ("x", "m"), ("m", "y")])
    >>> adjustment_sets(g, ["x"], ["y"]).sets
    [['c']]
    >>> adjustment_sets(g, ["x"], ["y"], latent=["c"]).sets
    []
    """
    problem = adjustment_problem(graph, exposures, outcomes, latent, effect)
    xs, ys = problem.exposures, problem.outcomes
    forced = check_include(graph, xs, ys, include)
    result = AdjustmentSets(tuple(sorted(xs)), tuple(sorted(ys)), effect, [])
    if forced & set(problem.forbidden):
        return result
    if cap is not None and cap < 1:
        raise ValueError("cap must be at least 1")
    listing = minimal_separators(separation_graph(problem, forced), set(xs), set(ys))
    found = list(listing if cap is None else itertools.islice(listing, cap + 1))
    truncated = cap is not None and len(found) > cap
    return AdjustmentSets(
        result.exposures,
        result.outcomes,
        effect,
        sorted(sorted(s | forced) for s in found[:cap]),
        truncated,
    )


def separation_graph(problem: AdjustmentProblem, include: Collection[str] = ()) -> Graph:
    """The undirected graph whose minimal X-Y vertex separators, with ``include`` added,
    are the minimal adjustment sets that contain ``include``: the moral graph of the
    ancestors of X, Y and ``include`` in the back-door graph, ``include`` removed and the
    forbidden nodes eliminated. ``include`` must hold no forbidden node."""
    xs, ys, forced = problem.exposures, problem.outcomes, set(include)
    anchors = xs | ys | forced
    relevant = set(anchors).union(*(nx.ancestors(problem.graph, v) for v in anchors))
    moral = moral_graph({v: list(problem.graph.predecessors(v)) for v in relevant}, relevant)
    for v in forced:  # conditioned on: paths through it are blocked
        for n in moral.pop(v):
            moral[n].discard(v)
    blocked = [v for v in moral if v in problem.forbidden]
    return eliminate(moral, blocked)


def check_adjustment(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    given: Iterable[str],
    latent: Collection[str] = (),
    effect: str = TOTAL,
) -> AdjustmentCheck:
    """Whether ``given`` is a valid adjustment set; if not, which members may not be used
    and which biasing path stays open.

    >>> g = nx.DiGraph([("c", "x"), ("c", "y"), ("x", "y")])
    >>> check_adjustment(g, ["x"], ["y"], []).open_path
    ['x', 'c', 'y']
    """
    problem = adjustment_problem(graph, exposures, outcomes, latent, effect)
    given = (given,) if isinstance(given, str) else tuple(given)
    ends = (problem.exposures | problem.outcomes) & check_nodes(graph, "given", given)
    if ends:
        raise ValueError(
            f"{listed(ends)} is an exposure or outcome: an adjustment set holds neither"
        )
    bad = {v: problem.forbidden[v] for v in given if v in problem.forbidden}
    path = find_open_path(problem.graph, problem.exposures, problem.outcomes, set(given))
    return AdjustmentCheck(given, not bad and path is None, bad, path)
