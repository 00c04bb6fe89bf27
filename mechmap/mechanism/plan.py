"""Identify step: what each link and the whole hypothesised path need from the data.

For every arrow ``u -> v`` of the path the estimate is the arrow's own coefficient in a linear
model, identified by the single-door criterion (Pearl 2009, *Causality*, Thm 5.3.1): a set
``Z`` with no descendant of ``v`` that d-separates ``u`` and ``v`` once the arrow is removed.
The path's indirect effect is the product of its arrows' coefficients (summed over parallel
chains), its total effect comes from back-door adjustment, and the direct effect is the rest.

Among valid sets we take a smallest one and then add the measured parents of the effect that
keep it valid: they explain outcome variance and shrink the standard error (Henckel,
Perković & Maathuis, JRSS-B 2022;84:579). At a dozen sites dropping an outcome confounder
that a minimal set does not need can flip the sign of an estimate, so precision matters more
than parsimony until the degrees of freedom run out (the estimate step checks those).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from mechmap.analysis.adjustment import (
    DIRECT,
    TOTAL,
    adjustment_problem,
    adjustment_sets,
    check_adjustment,
)
from mechmap.analysis.paths import path_text
from mechmap.model import Map


@dataclass(frozen=True)
class EffectPlan:
    """How one effect is identified: the adjustment set (``None``: not identifiable)."""

    cause: str
    effect: str
    kind: str  # "direct" (the arrow's coefficient) or "total"
    adjustment_set: tuple[str, ...] | None
    precision: tuple[str, ...] = ()  # extra measured parents of the effect, also valid
    reason: str | None = None  # why it is not identifiable

    @property
    def identifiable(self) -> bool:
        return self.adjustment_set is not None

    @property
    def covariates(self) -> tuple[str, ...]:
        return (self.adjustment_set or ()) + self.precision

    @property
    def estimand(self) -> str:
        if not self.identifiable:
            return "not identifiable"
        given = f", {', '.join(self.covariates)}" if self.covariates else ""
        criterion = "single-door criterion" if self.kind == DIRECT else "back-door adjustment"
        return f"slope of E[{self.effect} | {self.cause}{given}] in {self.cause} ({criterion})"


@dataclass(frozen=True)
class PathPlan:
    """Everything about a path test that follows from the map alone."""

    map: Map
    chains: tuple[tuple[str, ...], ...]
    measured: frozenset[str]
    links: tuple[EffectPlan, ...]
    total: EffectPlan
    hypothesis: str | None = None
    expect: str | None = None

    @property
    def exposure(self) -> str:
        return self.chains[0][0]

    @property
    def outcome(self) -> str:
        return self.chains[0][-1]

    @property
    def link_of(self) -> dict[tuple[str, str], EffectPlan]:
        return {(p.cause, p.effect): p for p in self.links}

    @property
    def variables(self) -> tuple[str, ...]:
        """Every measured variable an estimate needs, in map order."""
        wanted = {v for chain in self.chains for v in chain}
        for p in (*self.links, self.total):
            wanted.update(p.covariates)
        return tuple(v for v in self.map.variables if v in wanted)


def plan_test(
    m: Map,
    chains: Sequence[Sequence[str]],
    measured: Collection[str],
    hypothesis: str | None = None,
    expect: str | None = None,
) -> PathPlan:
    """Identify every link of ``chains`` (directed paths of ``m`` sharing their ends) and the
    path's total effect, treating variables outside ``measured`` as latent.

    >>> import mechmap
    >>> m = mechmap.loads('''
    ... mechmap: 1
    ... id: m
    ... title: M
    ... nodes: {c: {}, a: {}, f: {}, y: {}}
    ... edges: [c -> a, a -> f -> y, a -> y, c -> y]
    ... ''')
    >>> plan = plan_test(m, [["a", "f", "y"]], measured={"a", "f", "y", "c"})
    >>> [(p.cause, p.effect, p.adjustment_set, p.precision) for p in plan.links]
    [('a', 'f', (), ()), ('f', 'y', ('a',), ('c',))]
    >>> plan.total.adjustment_set
    ('c',)
    """
    chains = tuple(tuple(c) for c in chains)
    if not chains:
        raise ValueError("give at least one chain")
    ends = {(c[0], c[-1]) for c in chains}
    if len(ends) > 1 or any(len(c) < 2 for c in chains):
        raise ValueError("parallel chains must share their first and last variable")
    graph = m.to_networkx()
    arrows = set(graph.edges)
    for chain in chains:
        for u, v in pairwise(chain):
            if (u, v) not in arrows:
                raise ValueError(f"the map has no arrow {u} -> {v}")
    measured = frozenset(measured)
    latent = {v for v in m.variables if v not in measured or m.variable_info[v].node.latent}
    links, seen = [], set()
    for chain in chains:
        for u, v in pairwise(chain):
            if (u, v) not in seen:
                seen.add((u, v))
                links.append(_identify(graph, u, v, latent, DIRECT))
    total = _identify(graph, chains[0][0], chains[0][-1], latent, TOTAL)
    return PathPlan(m, chains, measured - latent, tuple(links), total, hypothesis, expect)


def _identify(
    graph: nx.DiGraph, cause: str, effect: str, latent: set[str], kind: str
) -> EffectPlan:
    if cause in latent or effect in latent:
        which = cause if cause in latent else effect
        return EffectPlan(
            cause, effect, kind, None, reason=f"{which} is not measured (no data bound to it)"
        )
    found = adjustment_sets(graph, [cause], [effect], latent, kind).sets
    if not found:
        return EffectPlan(
            cause, effect, kind, None, reason=_why_not(graph, cause, effect, latent, kind)
        )
    chosen = min(found, key=lambda s: (len(s), s))
    extra: list[str] = []
    for parent in sorted(graph.predecessors(effect)):
        if parent in latent or parent == cause or parent in chosen:
            continue
        trial = [*chosen, *extra, parent]
        if check_adjustment(graph, [cause], [effect], trial, latent, kind).valid:
            extra.append(parent)
    return EffectPlan(cause, effect, kind, tuple(chosen), tuple(extra))


def _why_not(graph: nx.DiGraph, cause: str, effect: str, latent: set[str], kind: str) -> str:
    """Name a biasing path that stays open: the one left by the measured ancestors, which are
    a valid set whenever any set is (van der Zander, Liśkiewicz & Textor 2019)."""
    problem = adjustment_problem(graph, [cause], [effect], latent, kind)
    ancestral = set(nx.ancestors(graph, cause) | nx.ancestors(graph, effect)) - {cause, effect}
    usable = [v for v in ancestral if v not in problem.forbidden]
    check = check_adjustment(graph, [cause], [effect], usable, latent, kind)
    what = "its arrow's coefficient" if kind == DIRECT else "the total effect"
    if check.open_path is None:  # pragma: no cover - adjustment_sets found none, so one is open
        return f"no measured set identifies {what}"
    hidden = [v for v in check.open_path if v in latent]
    through = f" through unmeasured {', '.join(hidden)}" if hidden else ""
    return (
        f"{what} is not identifiable: the path {path_text(graph, check.open_path)} stays "
        f"open{through} whatever measured variables are adjusted for"
    )


def parse_chains(m: Map, texts: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Resolve chains typed by people (``"wai -> goal -> screening@sust"``) to variables."""
    from mechmap.mapfile.loader import resolve_path

    return tuple(resolve_path(m, text, "--path") for text in texts)
