"""Property tests of the graph analyses on random DAGs (up to 10 nodes, some latent):
every answer is checked against the definitions directly (networkx's d-separation on the
graphs the definitions name) and, for completeness, against brute force over all subsets."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.analysis.adjustment import DIRECT, TOTAL, adjustment_sets, check_adjustment
from mechmap.analysis.dsep import d_separated, open_path
from mechmap.analysis.identify import front_door_set, identify, smallest_adjustment_set
from mechmap.analysis.implications import all_implications, basis_implications
from mechmap.analysis.instrumental import instruments, is_instrument
from mechmap.analysis.paths import (
    all_paths,
    ancestors,
    causal_paths,
    descendants,
    mediators,
    path_status,
)
from mechmap.analysis.separators import minimal_separators, minimum_separator
from tests.conftest import ROOT

NAMES = [f"v{i}" for i in range(10)]
SETTINGS = settings(max_examples=150, deadline=None)


class DAG(nx.DiGraph):
    """A DiGraph that shows its nodes and arrows when hypothesis reports a failing case."""

    def __repr__(self) -> str:
        return f"DAG(nodes={sorted(self)}, edges={sorted(self.edges)})"


@st.composite
def dags(draw, min_nodes: int = 2, max_nodes: int = 10) -> nx.DiGraph:
    """A random DAG: nodes in a random topological order, any forward edges."""
    n = draw(st.integers(min_nodes, max_nodes))
    order = draw(st.permutations(NAMES[:n]))
    forward = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :]]
    graph = DAG()
    graph.add_nodes_from(sorted(order))
    graph.add_edges_from(draw(st.sets(st.sampled_from(forward))) if forward else ())
    return graph


def some(data, nodes, **size) -> set[str]:
    """A drawn subset of ``nodes`` (empty when there are none)."""
    nodes = sorted(nodes)
    return data.draw(st.sets(st.sampled_from(nodes), **size)) if nodes else set()


def two(data, nodes) -> tuple[str, str]:
    """Two different drawn nodes."""
    return tuple(
        data.draw(st.lists(st.sampled_from(sorted(nodes)), min_size=2, max_size=2, unique=True))
    )


def subsets(nodes) -> list[set[str]]:
    nodes = sorted(nodes)
    return [set(c) for k in range(len(nodes) + 1) for c in itertools.combinations(nodes, k)]


def inclusion_minimal(sets: list[set[str]]) -> list[set[str]]:
    return [s for s in sets if not any(t < s for t in sets)]


def as_sorted(sets) -> list[list[str]]:
    return sorted(sorted(s) for s in sets)


# -- the definitions, written out independently of the code under test -----------------------


def causal_nodes(graph: nx.DiGraph, x: str, y: str) -> set[str]:
    """Nodes other than x on a directed path from x to y."""
    if y not in nx.descendants(graph, x):
        return set()
    return (nx.descendants(graph, x) & nx.ancestors(graph, y)) | {y}


def forbidden_total(graph: nx.DiGraph, x: str, y: str) -> set[str]:
    causal = causal_nodes(graph, x, y)
    return causal.union(*(nx.descendants(graph, c) for c in causal))


def backdoor_graph(graph: nx.DiGraph, x: str, y: str) -> nx.DiGraph:
    """The proper back-door graph: without the first arrow of every causal path."""
    result = graph.copy()
    result.remove_edges_from([(x, c) for c in causal_nodes(graph, x, y) if graph.has_edge(x, c)])
    return result


def valid_adjustment(graph, x, y, z: set[str], latent: set[str], effect: str) -> bool:
    if z & latent or z & {x, y}:
        return False
    if effect == TOTAL:
        if z & forbidden_total(graph, x, y):
            return False
        return nx.is_d_separator(backdoor_graph(graph, x, y), {x}, {y}, z)
    # DAGitty's rule: no descendant of the outcome, when the exposure affects the outcome
    if y in nx.descendants(graph, x) and z & nx.descendants(graph, y):
        return False
    direct = graph.copy()
    if direct.has_edge(x, y):
        direct.remove_edge(x, y)
    return nx.is_d_separator(direct, {x}, {y}, z)


def valid_instrument(graph, x, y, i: str, w: set[str], latent: set[str]) -> bool:
    """Henckel, Langer & Maathuis (Bernoulli 2024), Theorem 1, for a single instrument."""
    not_allowed = forbidden_total(graph, x, y) | latent | {x, y}
    if i in not_allowed or i in w or w & not_allowed:
        return False
    return not nx.is_d_separator(graph, {i}, {x}, w) and nx.is_d_separator(
        backdoor_graph(graph, x, y), {i}, {y}, w
    )


def d_connecting_walk(graph: nx.DiGraph, walk: list[str], given: set[str]) -> bool:
    """Every step follows an arrow, every collider is (an ancestor of) a given node, every
    other inner node is not given."""
    if any(not (graph.has_edge(a, b) or graph.has_edge(b, a)) for a, b in itertools.pairwise(walk)):
        return False
    opens = given.union(*(nx.ancestors(graph, z) for z in given))
    for a, v, b in zip(walk, walk[1:], walk[2:], strict=False):
        collider = graph.has_edge(a, v) and graph.has_edge(b, v)
        if (collider and v not in opens) or (not collider and v in given):
            return False
    return walk[0] not in given


# -- adjustment ------------------------------------------------------------------------------


@SETTINGS
@given(dags(), st.data())
def test_adjustment_sets_are_valid_minimal_and_complete(graph, data) -> None:
    x, y = two(data, graph)
    latent = some(data, set(graph) - {x, y})
    effect = data.draw(st.sampled_from([TOTAL, DIRECT]))
    found = adjustment_sets(graph, [x], [y], latent=latent, effect=effect).sets
    for z in found:
        assert valid_adjustment(graph, x, y, set(z), latent, effect), z
        assert not any(valid_adjustment(graph, x, y, s, latent, effect) for s in subsets(z)[:-1])
    allowed = set(graph) - latent - {x, y}
    valid = [s for s in subsets(allowed) if valid_adjustment(graph, x, y, s, latent, effect)]
    assert as_sorted(found) == as_sorted(inclusion_minimal(valid))


@SETTINGS
@given(dags(), st.data())
def test_adjustment_sets_with_forced_nodes_are_the_minimal_ones_holding_them(graph, data) -> None:
    x, y = two(data, graph)
    latent = some(data, set(graph) - {x, y})
    allowed = set(graph) - latent - {x, y}
    forced = some(data, allowed, max_size=2)
    found = adjustment_sets(graph, [x], [y], latent=latent, include=forced).sets
    valid = [
        s
        for s in subsets(allowed)
        if forced <= s and valid_adjustment(graph, x, y, s, latent, TOTAL)
    ]
    assert as_sorted(found) == as_sorted(inclusion_minimal(valid))


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_capped_adjustment_sets_are_some_of_the_sets_and_say_when_there_are_more(graph, data):
    x, y = two(data, graph)
    latent = some(data, set(graph) - {x, y})
    cap = data.draw(st.integers(1, 4))
    every = adjustment_sets(graph, [x], [y], latent=latent)
    capped = adjustment_sets(graph, [x], [y], latent=latent, cap=cap)
    assert not every.truncated and capped.truncated == (len(every.sets) > cap)
    assert len(capped.sets) == min(cap, len(every.sets))
    assert all(s in every.sets for s in capped.sets) and capped.sets == sorted(capped.sets)
    assert capped.as_dict()["truncated"] == capped.truncated


# -- d-separation with the open path ---------------------------------------------------------


@SETTINGS
@given(dags(), st.data())
def test_open_path_is_none_exactly_when_d_separated(graph, data) -> None:
    nodes = sorted(graph)
    x, y = two(data, nodes)
    xs = {x} | some(data, set(nodes) - {x, y}, max_size=1)
    ys = {y} | some(data, set(nodes) - xs - {y}, max_size=1)
    rest = sorted(set(nodes) - xs - ys)
    z = some(data, rest)
    path = open_path(graph, xs, ys, z)
    assert (path is None) == nx.is_d_separator(graph, xs, ys, z)
    if path is not None:
        assert path[0] in xs and path[-1] in ys
        assert d_connecting_walk(graph, path, z), path


# -- testable implications -------------------------------------------------------------------


def measured_separators(graph, a, b, measured) -> list[set[str]]:
    return [s for s in subsets(measured - {a, b}) if nx.is_d_separator(graph, {a}, {b}, s)]


@SETTINGS
@given(dags(max_nodes=9), st.data())
def test_implications_hold_and_cover_every_separable_pair(graph, data) -> None:
    latent = data.draw(st.sets(st.sampled_from(sorted(graph))))
    measured = set(graph) - latent
    basis = basis_implications(graph, latent=latent)
    smallest = basis_implications(graph, latent=latent, smallest=True)
    every = all_implications(graph, latent=latent, cap=10_000)
    assert not every.truncated
    by_pair = {(i.x, i.y): i for i in basis.implications}
    smallest_by_pair = {(i.x, i.y): i for i in smallest.implications}
    assert len(by_pair) == len(basis.implications) == basis.pair_count
    for a, b in itertools.combinations(sorted(measured), 2):
        if graph.has_edge(a, b) or graph.has_edge(b, a):
            assert (a, b) not in by_pair
            continue
        separators = measured_separators(graph, a, b, measured)
        if not separators:
            assert (a, b) in basis.untestable_pairs and (a, b) not in by_pair
            assert (a, b) in smallest.untestable_pairs and (a, b) not in smallest_by_pair
            continue
        for i in (by_pair[(a, b)], smallest_by_pair[(a, b)]):
            assert set(i.given) <= measured and nx.is_d_separator(graph, {a}, {b}, set(i.given))
        # the basis: no common ancestor, nothing; else the parents of an end, when measured
        given = set(by_pair[(a, b)].given)
        ends_parents = [set(graph.predecessors(v)) for v in (a, b)]
        if not nx.ancestors(graph, a) & nx.ancestors(graph, b) - {a, b} and not (
            nx.has_path(graph, a, b) or nx.has_path(graph, b, a)
        ):
            assert given == set()
        elif not any(p <= measured and given == p for p in ends_parents):
            assert len(given) == min(len(s) for s in separators)  # where parents cannot serve
        assert len(smallest_by_pair[(a, b)].given) == min(len(s) for s in separators)
        listed = [set(j.given) for j in every.implications if (j.x, j.y) == (a, b)]
        assert as_sorted(listed) == as_sorted(inclusion_minimal(separators))
    assert len(basis.untestable_pairs) + len(basis.implications) == sum(
        1
        for a, b in itertools.combinations(measured, 2)
        if not (graph.has_edge(a, b) or graph.has_edge(b, a))
    )


@SETTINGS
@given(dags(max_nodes=8), st.data())
def test_implications_with_forced_nodes_condition_on_them(graph, data) -> None:
    latent = data.draw(st.sets(st.sampled_from(sorted(graph)), max_size=2))
    rest = sorted(set(graph) - latent)
    forced = some(data, rest, max_size=2)
    measured = set(graph) - latent - forced
    basis = basis_implications(graph, latent=latent, include=forced)
    covered = {(i.x, i.y) for i in basis.implications}
    for i in basis.implications:
        assert forced <= set(i.given) and nx.is_d_separator(graph, {i.x}, {i.y}, set(i.given))
    for a, b in itertools.combinations(sorted(measured), 2):
        if graph.has_edge(a, b) or graph.has_edge(b, a):
            continue
        separable = any(
            nx.is_d_separator(graph, {a}, {b}, s | forced) for s in subsets(measured - {a, b})
        )
        assert ((a, b) in covered) == separable


@settings(max_examples=50, deadline=None)
@given(dags(max_nodes=9), st.data())
def test_answers_do_not_depend_on_the_order_of_nodes_and_arrows(graph, data) -> None:
    x, y = two(data, graph)
    latent = some(data, set(graph) - {x, y}, max_size=2)
    shuffled = nx.DiGraph()
    shuffled.add_nodes_from(data.draw(st.permutations(sorted(graph))))
    shuffled.add_edges_from(data.draw(st.permutations(sorted(graph.edges))))
    for analysis in (basis_implications, all_implications):
        assert analysis(graph, latent=latent) == analysis(shuffled, latent=latent)
    assert instruments(graph, x, y, latent) == instruments(shuffled, x, y, latent)
    assert all_paths(graph, x, y) == all_paths(shuffled, x, y)


@st.composite
def sparse_dags(draw, max_nodes: int = 40) -> nx.DiGraph:
    """A larger random DAG (up to 40 nodes, about two arrows per node) from a drawn seed."""
    n, seed = draw(st.integers(10, max_nodes)), draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    names = [f"n{i:02d}" for i in range(n)]
    rng.shuffle(names)  # a topological order that is not the name order
    graph = DAG()
    graph.add_nodes_from(sorted(names))
    for i in range(1, n):
        graph.add_edges_from((names[j], names[i]) for j in rng.sample(range(i), min(i, 2)))
    return graph


@settings(max_examples=25, deadline=None)
@given(sparse_dags(), st.data())
def test_the_basis_of_a_larger_map_is_sound_and_covers_every_pair_once(graph, data) -> None:
    nodes = sorted(graph)
    latent = some(data, nodes, max_size=6)
    forced = some(data, set(nodes) - latent, max_size=data.draw(st.sampled_from([0, 2])))
    basis = basis_implications(graph, latent=latent, include=forced)
    smallest = basis_implications(graph, latent=latent, include=forced, smallest=True)
    seen = [(i.x, i.y) for i in basis.implications] + basis.untestable_pairs
    for i in basis.implications:
        assert not set(i.given) & latent and forced <= set(i.given)
        assert nx.is_d_separator(graph, {i.x}, {i.y}, set(i.given)), str(i)
    measured = sorted(set(nodes) - latent - forced)
    unjoined = [
        (a, b)
        for a, b in itertools.combinations(measured, 2)
        if not graph.has_edge(a, b) and not graph.has_edge(b, a)
    ]
    assert sorted(seen) == unjoined  # every unjoined pair, once
    # a pair is untestable exactly when no smallest separating set exists
    assert basis.untestable_pairs == smallest.untestable_pairs


def test_all_implications_stop_at_the_cap_with_whole_pairs() -> None:
    graph = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")])
    full = all_implications(graph).implications
    assert len(full) > 3
    capped = all_implications(graph, cap=3)
    assert capped.truncated and capped.implications == full[: len(capped.implications)]
    pairs = {(i.x, i.y) for i in capped.implications}
    assert all((i.x, i.y) not in pairs for i in full[len(capped.implications) :])


def test_max_given_skips_pairs_that_need_larger_sets() -> None:
    graph = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    found = basis_implications(graph, max_given=1)
    assert [str(i) for i in found.implications] == ["b _||_ c | a"]
    assert found.skipped_pairs == [("a", "d")]
    assert found.as_dict()["implications"] == [{"x": "b", "y": ["c"], "given": ["a"]}]


def test_max_given_takes_a_smallest_set_where_both_parent_sets_are_too_large() -> None:
    graph = nx.DiGraph([("r", "p"), ("r", "q"), ("p", "x"), ("q", "x"), ("r", "y"), ("s", "y")])
    assert "x _||_ y | p, q" in [str(i) for i in basis_implications(graph).implications]
    found = basis_implications(graph, max_given=1)
    assert "x _||_ y | r" in [str(i) for i in found.implications]
    assert all(len(i.given) <= 1 for i in found.implications)
    assert found.skipped_pairs == [("r", "x")]  # only {p, q} separates them


# -- minimal separators ----------------------------------------------------------------------


@st.composite
def undirected(draw) -> dict[str, set[str]]:
    n = draw(st.integers(2, 8))
    nodes = NAMES[:n]
    edges = draw(st.sets(st.sampled_from(list(itertools.combinations(nodes, 2)))))
    graph: dict[str, set[str]] = {v: set() for v in nodes}
    for a, b in edges:
        graph[a].add(b)
        graph[b].add(a)
    return graph


def separates(graph: dict[str, set[str]], source: set[str], target: set[str], s: set[str]) -> bool:
    seen, stack = set(source), list(source)
    while stack:
        for n in graph[stack.pop()]:
            if n in target:
                return False
            if n not in seen and n not in s:
                seen.add(n)
                stack.append(n)
    return True


@SETTINGS
@given(undirected(), st.data())
def test_minimal_separators_agree_with_brute_force(graph, data) -> None:
    nodes = sorted(graph)
    s, t = two(data, nodes)
    source = {s} | some(data, set(nodes) - {s, t}, max_size=1)
    target = {t} | some(data, set(nodes) - source - {t}, max_size=1)
    found = list(minimal_separators(graph, source, target))
    assert len(found) == len(set(found))  # each one once
    valid = [
        s for s in subsets(set(nodes) - source - target) if separates(graph, source, target, s)
    ]
    assert as_sorted(found) == as_sorted(inclusion_minimal(valid))


def component(graph: dict[str, set[str]], start: str, removed: set[str]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for n in graph[stack.pop()]:
            if n not in seen and n not in removed:
                seen.add(n)
                stack.append(n)
    return seen


@SETTINGS
@given(undirected(), st.data())
def test_minimum_separator_is_the_smallest_one_closest_to_the_source(graph, data) -> None:
    s, t = two(data, graph)
    found = minimum_separator(graph, s, t)
    if t in graph[s]:
        assert found is None
        return
    valid = [c for c in subsets(set(graph) - {s, t}) if separates(graph, {s}, {t}, c)]
    smallest = [c for c in valid if len(c) == min(map(len, valid))]
    assert set(found) in smallest
    near = component(graph, s, set(found))
    assert all(near <= component(graph, s, c) for c in smallest)


# -- instruments -----------------------------------------------------------------------------


def ancestral(graph: nx.DiGraph, x: str, y: str, nodes: set[str]) -> set[str]:
    """The nodes with a directed path into ``nodes`` in the proper back-door graph."""
    bd = backdoor_graph(graph, x, y)
    return set(nodes).union(*(nx.ancestors(bd, v) for v in nodes))


@SETTINGS
@given(dags(max_nodes=9), st.data())
def test_instruments_are_valid_and_no_ancestral_one_is_missed(graph, data) -> None:
    """Complete for ancestral instruments (a W among the ancestors of I and Y); whether a
    node is an instrument given some W at all is NP-hard (van der Zander et al. 2015)."""
    x, y = two(data, graph)
    latent = some(data, set(graph) - {x, y})
    found = {
        i.instrument: set(i.given) for i in instruments(graph, x, y, latent=latent).instruments
    }
    for i, w in found.items():
        assert valid_instrument(graph, x, y, i, w, latent), (i, w)
        assert is_instrument(graph, x, y, i, w, latent)
    allowed = set(graph) - latent - {x, y} - forbidden_total(graph, x, y)
    for i in sorted(allowed - set(found)):
        for w in subsets(allowed & ancestral(graph, x, y, {i, y}) - {i}):
            assert not valid_instrument(graph, x, y, i, w, latent), (i, w)


@SETTINGS
@given(dags(max_nodes=8), st.data())
def test_instruments_with_forced_nodes(graph, data) -> None:
    x, y = two(data, graph)
    allowed = set(graph) - {x, y} - forbidden_total(graph, x, y)
    forced = some(data, allowed, max_size=2)
    found = {
        i.instrument: set(i.given) for i in instruments(graph, x, y, include=forced).instruments
    }
    for i, w in found.items():
        assert forced <= w and valid_instrument(graph, x, y, i, w, set()), (i, w)
    for i in sorted(allowed - forced - set(found)):
        for w in subsets(allowed & ancestral(graph, x, y, {i, y} | forced) - forced - {i}):
            assert not valid_instrument(graph, x, y, i, w | forced, set()), (i, w)


def test_a_conditional_instrument_through_a_collider_is_not_ancestral() -> None:
    """z is an instrument given the collider c (a descendant), which the search does not
    try: the listing is complete for ancestral instruments only."""
    graph = nx.DiGraph([("x", "y"), ("x", "c"), ("z", "c")])
    assert is_instrument(graph, "x", "y", "z", ["c"])
    assert "z" not in {i.instrument for i in instruments(graph, "x", "y").instruments}


# -- paths -----------------------------------------------------------------------------------


@SETTINGS
@given(dags(max_nodes=8), st.data())
def test_paths_agree_with_networkx_and_d_separation(graph, data) -> None:
    x, y = two(data, graph)
    rest = sorted(set(graph) - {x, y})
    z = some(data, rest)
    found = all_paths(graph, x, y, given=z, cap=100_000)
    assert not found.truncated
    skeleton = graph.to_undirected()
    nodes = [list(p.nodes) for p in found.paths]
    assert nodes == sorted(nx.all_simple_paths(skeleton, x, y))  # all of them, in order
    for p in found.paths:
        assert p.open == d_connecting_walk(graph, list(p.nodes), z)
        if not p.open:
            assert p.blocked_by in p.nodes[1:-1] and p.reason
        assert p.causal == all(graph.has_edge(a, b) for a, b in itertools.pairwise(p.nodes))
        assert path_status(graph, list(p.nodes), z) == p
    assert bool(found.open_paths) == (not nx.is_d_separator(graph, {x}, {y}, z))
    directed = sorted(nx.all_simple_paths(graph, x, y))
    assert causal_paths(graph, x, y) == directed
    assert [list(p.nodes) for p in found.paths if p.causal] == directed
    assert set(mediators(graph, x, y)) == {v for path in directed for v in path[1:-1]}


def test_all_paths_stop_at_the_cap() -> None:
    graph = nx.DiGraph([("x", "a"), ("a", "y"), ("x", "b"), ("b", "y"), ("c", "x"), ("c", "y")])
    found = all_paths(graph, "x", "y", cap=2)
    assert found.truncated and len(found.paths) == 2
    assert found.as_dict()["paths"][0] == {
        "path": ["x", "a", "y"],
        "text": "x -> a -> y",
        "causal": True,
        "status": "open",
        "blocked_by": None,
        "reason": None,
    }
    assert causal_paths(graph, "x", "y", cap=1) == [["x", "a", "y"]]


# -- questions that make no sense: one clear ValueError, never a networkx error --------------


def _asks(x: str, y: str) -> dict[str, object]:
    """Every public analysis, asked about the effect of x on y (or the pair x, y)."""
    return {
        "adjustment_sets": lambda g: adjustment_sets(g, [x], [y]),
        "adjustment_sets direct": lambda g: adjustment_sets(g, [x], [y], effect=DIRECT),
        "check_adjustment": lambda g: check_adjustment(g, [x], [y], []),
        "instruments": lambda g: instruments(g, x, y),
        "is_instrument": lambda g: is_instrument(g, x, y, x),
        "identify": lambda g: identify(g, x, y),
        "smallest_adjustment_set": lambda g: smallest_adjustment_set(g, [x], [y]),
        "front_door_set": lambda g: front_door_set(g, [x], [y]),
        "open_path": lambda g: open_path(g, [x], [y]),
        "d_separated": lambda g: d_separated(g, [x], [y]),
        "all_paths": lambda g: all_paths(g, x, y),
        "causal_paths": lambda g: causal_paths(g, x, y),
        "mediators": lambda g: mediators(g, x, y),
        "path_status": lambda g: path_status(g, [x, y]),
        "ancestors": lambda g: ancestors(g, [x, y]),
        "descendants": lambda g: descendants(g, [x, y]),
        "basis_implications": lambda g: basis_implications(g, latent=[x]),
        "all_implications": lambda g: all_implications(g, include=[x]),
    }


@SETTINGS
@given(dags(), st.data())
def test_every_analysis_refuses_a_cyclic_graph_and_names_the_cycle(graph, data) -> None:
    x, y = two(data, graph)
    cyclic = graph.copy()
    cyclic.add_edges_from([(x, y), (y, x)])
    for name, ask in _asks(x, y).items():
        with pytest.raises(ValueError, match="the graph has a cycle: ") as refused:
            ask(cyclic)
        named = str(refused.value).removeprefix("the graph has a cycle: ")
        cycle = named.removesuffix("; the analyses need a DAG").split(" -> ")
        assert cycle[0] == cycle[-1] and len(cycle) > 2, name
        assert all(cyclic.has_edge(a, b) for a, b in itertools.pairwise(cycle)), name


@SETTINGS
@given(dags(), st.data())
def test_every_analysis_names_an_unknown_node_with_a_suggestion(graph, data) -> None:
    x, y = two(data, graph)
    typo = x + "_"  # v3 -> v3_: close enough to suggest v3
    for ask in _asks(typo, y).values():
        with pytest.raises(ValueError, match=f"unknown node '{typo}' \\(did you mean 'v"):
            ask(graph)


def test_an_unknown_node_of_a_maps_graph_is_worded_by_the_maps_names() -> None:
    graph = mechmap.load(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml").to_networkx()
    for ask in _asks("screening@sst", "wai").values():
        with pytest.raises(ValueError, match="unknown wave 'sst' of screening"):
            ask(graph)
    with pytest.raises(ValueError, match="'screening' has a copy per wave; name one: "):
        adjustment_sets(graph, ["wai"], ["screening"])


@SETTINGS
@given(dags(), st.data())
def test_an_exposure_that_is_the_outcome_is_refused(graph, data) -> None:
    x = data.draw(st.sampled_from(sorted(graph)))
    for name, ask in _asks(x, x).items():
        if name in ("basis_implications", "all_implications", "ancestors", "descendants"):
            continue  # not about an effect
        expected = {
            "open_path": "is in both sets",
            "d_separated": "is in both sets",
            "all_paths": "the two ends of a path must differ",
        }.get(name, f"exposure and outcome are the same node: {x}")
        if name in ("causal_paths", "mediators", "path_status"):
            ask(graph)  # a path from a node to itself is the node: an answer, not a mistake
            continue
        with pytest.raises(ValueError, match=expected):
            ask(graph)


@SETTINGS
@given(dags(), st.data())
def test_an_end_that_is_also_conditioned_on_is_refused(graph, data) -> None:
    x, y = two(data, graph)
    end = data.draw(st.sampled_from([x, y]))
    role = "exposure" if end == x else "outcome"
    with pytest.raises(ValueError, match=f"{end} is an {role}, so it cannot be in include"):
        adjustment_sets(graph, [x], [y], include=[end])
    with pytest.raises(ValueError, match=f"{end} is an {role}, so it cannot be in include"):
        instruments(graph, x, y, include=[end])
    with pytest.raises(ValueError, match="an adjustment set holds neither"):
        check_adjustment(graph, [x], [y], [end])
    for d_separation in (open_path, d_separated):
        with pytest.raises(ValueError, match="is in a set and also conditioned on"):
            d_separation(graph, [x], [y], [end])
