"""Graph-level checks of a built map: errors that make it no DAG, and warnings about gaps.

Each check is a function of the map alone and returns diagnostics; :func:`check_map`
runs them all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mechmap.diagnostics import Diagnostic, error, warning
from mechmap.mapfile.graphs import find_cycles, path_from_source, reachable, reaching_sources
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Edge, Map


def check_map(m: Map, warnings: bool = True) -> list[Diagnostic]:
    """Cycles (errors) and, if ``warnings`` and there are none, every warning check."""
    problems = check_acyclic(m)
    if problems or not warnings:
        return problems
    return (
        check_reached_by_strategy(m)
        + check_mechanisms_reach_outcome(m)
        + check_isolated(m)
        + check_time_varying_confounding(m)
        + check_hypotheses_through_measurement(m)
    )


def check_acyclic(m: Map) -> list[Diagnostic]:
    """Each cycle, printed as the cycle, once however many waves repeat it, with the fix
    that applies: ``lag: 1`` on an arrow between time-indexed nodes, else drawing the
    feedback over waves."""
    loops: dict[frozenset[Edge], list[list[str]]] = {}
    for cycle in find_cycles(m.children):
        edges = frozenset(
            e for e in (m.edge_of[pair] for pair in itertools.pairwise(cycle)) if e is not None
        )
        loops.setdefault(edges, []).append(cycle)
    problems = []
    for edges, cycles in loops.items():
        cycle = cycles[0]
        lagged = [e for e in edges if _spans_every_copy(m, e)]
        at = max(lagged or edges, key=lambda e: e.location)
        repeated = [m.variable_info[c[0]].wave for c in cycles[1:]]
        where = f" (and the same loop at {', '.join(w for w in repeated if w)})" if repeated else ""
        if lagged:
            fix = (
                f"give the arrow {at.written} 'lag: 1' ({{from: {at.source}, to: {at.target}, "
                "lag: 1}) so that it acts on the next wave"
            )
        else:
            fix = _later_copy(m, at, cycle) or _over_waves(m, cycle)
        problems.append(
            error(at.location, f"cycle {' -> '.join(cycle)}{where}: a DAG cannot loop back; {fix}")
        )
    return problems


def _later_copy(m: Map, edge: Edge, cycle: list[str]) -> str | None:
    """Between copies named with @wave: point the arrow at the next wave's copy."""
    info = m.variable_info
    cause, effect = next(pair for pair in itertools.pairwise(cycle) if pair in edge.links)
    wave, node = info[effect].wave, info[effect].node
    if wave is None or not node.waves:
        return None
    later = node.waves[node.waves.index(wave) + 1 :]
    if not later:
        return None
    return (
        f"point the arrow {cause} -> {effect} at a later copy ({cause} -> {node.id}@{later[0]}) "
        "so that the feedback acts on the next wave"
    )


def _over_waves(m: Map, cycle: list[str]) -> str:
    """For nodes without waves: draw the loop as a chain through time."""
    a, b = (m.variable_info[v].node.id for v in cycle[:2])
    waves = [w.id for w in m.waves] if len(m.waves) >= 3 else ["t0", "t1", "t2"]
    return (
        f"draw the feedback over time instead (give the nodes 'waves' and write e.g. "
        f"{a}@{waves[0]} -> {b}@{waves[1]} -> {a}@{waves[2]})"
    )


def _spans_every_copy(m: Map, edge: Edge) -> bool:
    """An edge written between two nodes with waves, no copy named: ``lag`` can shift it."""
    nodes = m.node_by_id
    return all(
        "@" not in end and end in nodes and nodes[end].waves for end in (edge.source, edge.target)
    )


def _variables_with_role(m: Map, roles: frozenset[str]) -> list[str]:
    return [v for v, info in m.variable_info.items() if info.node.role in roles]


def check_reached_by_strategy(m: Map) -> list[Diagnostic]:
    """Mechanisms and outcomes that no strategy (or strategy component) reaches."""
    strategies = _variables_with_role(m, STRATEGY_ROLES)
    downstream_roles = OUTCOME_ROLES | {"mechanism"}
    if not strategies:
        first = m.nodes[0].location
        return [
            warning(
                first,
                "the map has no node with role 'strategy' or 'component', so "
                "nothing says what sets the mechanisms going",
            )
        ]
    reached = reachable(m.children, strategies)
    problems = []
    for node in m.nodes:
        if node.role in downstream_roles and not reached.intersection(node.variables):
            problems.append(
                warning(
                    node.location,
                    f"{node.role} '{node.id}' is not reached by any strategy or component",
                )
            )
    return problems


def check_mechanisms_reach_outcome(m: Map) -> list[Diagnostic]:
    reaching_an_outcome = reachable(m.parents, _variables_with_role(m, OUTCOME_ROLES))
    problems = []
    for node in m.nodes:
        if node.role == "mechanism" and not reaching_an_outcome.intersection(node.variables):
            problems.append(
                warning(
                    node.location,
                    f"mechanism '{node.id}' leads to no outcome "
                    "(no path to a node with an *_outcome role)",
                )
            )
    return problems


def check_hypotheses_through_measurement(m: Map) -> list[Diagnostic]:
    """Hypotheses whose path, or one of its parallel paths, runs along a measurement arrow.

    A subscale or an item does not carry an effect on from the total it belongs to: the
    "indirect effect" through such an arrow restates how the score is made up, so it is
    not a mechanism, however strong the association.
    """
    problems = []
    for hypothesis in m.hypotheses:
        steps = {step for chain in hypothesis.chains for step in itertools.pairwise(chain)}
        crossed = [e for e in m.measurement_edges if steps.intersection(e.links)]
        if crossed:
            noun = "measurement arrows" if len(crossed) > 1 else "the measurement arrow"
            effect = (
                f"the indirect effect through {'them' if len(crossed) > 1 else 'it'} is not a "
                "mechanism"
                if len(hypothesis.path) > 2
                else "the association it tests is not a causal effect"
            )
            problems.append(
                warning(
                    hypothesis.location,
                    f"hypothesis '{hypothesis.id}' runs through {noun} "
                    f"{', '.join(e.written for e in crossed)}: a part-whole or indicator link is "
                    f"not a causal step, so {effect}; test that association on its own, or draw "
                    "the path through causal arrows",
                )
            )
    return problems


def check_isolated(m: Map) -> list[Diagnostic]:
    """Nodes with no arrow in or out, not counting the carry arrows between their copies."""
    touched = {end for pair in m.rolled_up() for end in pair}
    return [
        warning(node.location, f"node '{node.id}' is isolated: no arrow goes in or out")
        for node in m.nodes
        if node.id not in touched
    ]


@dataclass(frozen=True)
class TimeVaryingFeed:
    """A strategy (or component) at a wave fed by mechanisms at earlier waves."""

    strategy: str
    mechanisms: tuple[str, ...]  # the earlier mechanisms that reach it, in declaration order
    example: tuple[str, ...]  # a directed path from the last of them to the strategy


def time_varying_feeds(m: Map) -> list[TimeVaryingFeed]:
    """Every strategy variable at a later wave that mechanisms at earlier waves reach (one
    pass over the DAG with bitsets, see :func:`mechmap.mapfile.graphs.reaching_sources`)."""
    index = m.wave_index
    info = m.variable_info
    mechanisms = [v for v, i in info.items() if i.node.role == "mechanism" and i.wave is not None]
    if not mechanisms:
        return []
    masks = reaching_sources(m.parents, mechanisms)
    earlier_than = [
        sum(1 << i for i, v in enumerate(mechanisms) if index[info[v].wave] < k)
        for k in range(len(m.waves))
    ]
    feeds = []
    for var, var_info in info.items():
        if var_info.node.role not in STRATEGY_ROLES or var_info.wave is None:
            continue
        hits = masks[var] & earlier_than[index[var_info.wave]]
        if not hits:
            continue
        feeding = [mechanisms[i] for i in range(hits.bit_length()) if hits >> i & 1]
        example = path_from_source(m.parents, masks, 1 << mechanisms.index(feeding[-1]), var)
        feeds.append(TimeVaryingFeed(var, tuple(feeding), tuple(example)))
    return feeds


def check_time_varying_confounding(m: Map) -> list[Diagnostic]:
    """Strategies at a later wave fed by mechanisms at an earlier wave.

    Such a mechanism is both an effect of earlier dose and a cause of later dose (and of
    the outcome): adjusting for it blocks part of the effect, not adjusting leaves
    confounding, so standard adjustment is biased and g-methods are needed
    (Robins, Hernán & Brumback, Epidemiology 2000;11:550).
    """
    return [
        warning(
            m.variable_info[feed.strategy].node.location,
            f"time-varying confounding: strategy {feed.strategy} is fed by earlier mechanisms "
            f"({', '.join(feed.mechanisms)}; e.g. {' -> '.join(feed.example)}); adjusting for "
            f"them when estimating the effect of {feed.strategy} is biased (use g-methods, or "
            "analyse each wave's dose separately)",
        )
        for feed in time_varying_feeds(m)
    ]
