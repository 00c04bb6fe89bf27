"""Identification with latent nodes: back-door, front-door, the ID algorithm, and hedges.

Every estimand is also checked with numbers: a random binary model with the given latent
nodes gives the true P(y | do(x)) by truncated factorisation, and the estimand, evaluated on
the observed distribution alone, must give the same value.
"""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import pytest

from mechmap.analysis.adjustment import adjustment_sets
from mechmap.analysis.estimands import Product, Ratio, Sum, Term, free
from mechmap.analysis.id_algorithm import ADMG, Hedge
from mechmap.analysis.identify import (
    BACK_DOOR,
    FRONT_DOOR,
    ID_ALGORITHM,
    NO_EFFECT,
    Identification,
    front_door_set,
    identify,
    smallest_adjustment_set,
)


def _graph(*chains: str) -> nx.DiGraph:
    g = nx.DiGraph()
    for chain in chains:
        nx.add_path(g, [v.strip() for v in chain.split("->")])
    return g


# --- a random binary model, and the estimand evaluated on its observed distribution ---------


class Model:
    """Binary variables with random conditional probabilities in (0.1, 0.9)."""

    def __init__(self, graph: nx.DiGraph, seed: int):
        rng = random.Random(seed)
        self.graph = graph
        self.order = list(nx.topological_sort(graph))
        self.p_one = {
            v: {
                values: rng.uniform(0.1, 0.9)
                for values in itertools.product((0, 1), repeat=len(list(graph.predecessors(v))))
            }
            for v in self.order
        }

    def joint(self, do: dict[str, int] | None = None) -> dict[tuple[int, ...], float]:
        do = do or {}
        table = {}
        for values in itertools.product((0, 1), repeat=len(self.order)):
            state = dict(zip(self.order, values, strict=True))
            if any(state[v] != value for v, value in do.items()):
                continue
            p = 1.0
            for v in self.order:
                if v in do:
                    continue
                ps = tuple(state[u] for u in self.graph.predecessors(v))
                p *= self.p_one[v][ps] if state[v] else 1 - self.p_one[v][ps]
            table[values] = p
        return table

    def marginal(self, table, assignment: dict[str, int]) -> float:
        index = {v: i for i, v in enumerate(self.order)}
        return sum(
            p
            for values, p in table.items()
            if all(values[index[v]] == value for v, value in assignment.items())
        )


def evaluate(e, model: Model, observed, at: dict[str, int]) -> float:
    if isinstance(e, Term):
        both = model.marginal(observed, {v: at[v] for v in e.vars | e.given})
        given = model.marginal(observed, {v: at[v] for v in e.given}) if e.given else 1.0
        return both / given
    if isinstance(e, Product):
        return math.prod(evaluate(f, model, observed, at) for f in e.factors)
    if isinstance(e, Sum):
        over = sorted(e.over)
        return sum(
            evaluate(e.body, model, observed, {**at, **dict(zip(over, values, strict=True))})
            for values in itertools.product((0, 1), repeat=len(over))
        )
    assert isinstance(e, Ratio)
    return evaluate(e.numerator, model, observed, at) / evaluate(e.denominator, model, observed, at)


def assert_estimand_correct(graph: nx.DiGraph, x: str, y: str, found: Identification, seed=0):
    """The estimand equals the true P(y | do(x)) for every x and y (and for every value of
    any other variable it leaves free, such as z in the napkin formula)."""
    model = Model(graph, seed)
    observed = model.joint()
    loose = sorted(free(found._expression) - {x, y})
    for vx, vy in itertools.product((0, 1), repeat=2):
        truth = model.marginal(model.joint({x: vx}), {y: vy})
        for values in itertools.product((0, 1), repeat=len(loose)):
            at = {x: vx, y: vy, **dict(zip(loose, values, strict=True))}
            value = evaluate(found._expression, model, observed, at)
            assert value == pytest.approx(truth, abs=1e-9), (found.estimand, at)


# --- the classic cases ------------------------------------------------------------------------


def test_back_door_adjusts_for_the_confounder():
    g = _graph("c -> x -> y", "c -> y", "u -> c")
    found = identify(g, "x", "y", latent=["u"])
    assert (found.identifiable, found.method, found.adjustment_set) == (True, BACK_DOOR, ["c"])
    assert found.estimand == "P(y | do(x)) = Σ_c P(y | x, c) P(c)"
    assert_estimand_correct(g, "x", "y", found)


def test_smallest_adjustment_set_is_a_smallest_minimal_set():
    rng = random.Random(11)
    for _ in range(300):
        drawn = _random_case(rng)
        if drawn is None:
            continue
        g, x, y, latent = drawn
        every = adjustment_sets(g, [x], [y], latent).sets
        found = smallest_adjustment_set(g, [x], [y], latent)
        if not every:
            assert found is None
        else:
            assert found in every
            assert len(found) == min(len(s) for s in every)


def test_no_adjustment_needed():
    found = identify(_graph("x -> m -> y"), "x", "y")
    assert found.adjustment_set == []
    assert found.estimand == "P(y | do(x)) = P(y | x)"


def test_no_causal_path_means_no_effect():
    g = _graph("y -> x", "c -> x", "c -> y")
    found = identify(g, "x", "y")
    assert (found.identifiable, found.method) == (True, NO_EFFECT)
    assert found.estimand == "P(y | do(x)) = P(y)"
    assert_estimand_correct(g, "x", "y", found)


def test_front_door_smoking_tar_cancer():
    g = _graph("genotype -> smoking -> tar -> cancer", "genotype -> cancer")
    found = identify(g, "smoking", "cancer", latent=["genotype"])
    assert (found.identifiable, found.method) == (True, FRONT_DOOR)
    assert found.front_door_set == ["tar"]
    assert found.adjustment_set is None
    assert found.estimand == (
        "P(cancer | do(smoking)) = "
        "Σ_tar P(tar | smoking) Σ_smoking' P(cancer | smoking', tar) P(smoking')"
    )
    assert_estimand_correct(g, "smoking", "cancer", found)
    assert found.as_dict()["method"] == "front-door"


def test_front_door_fails_when_the_mediator_is_confounded_with_the_outcome():
    g = _graph("u -> x -> m -> y", "u -> y", "v -> m", "v -> y")
    assert front_door_set(g, ["x"], ["y"], ["u", "v"]) is None
    assert identify(g, "x", "y", ["u", "v"]).identifiable is False


def _is_front_door(g: nx.DiGraph, x: str, y: str, ms: set[str]) -> bool:
    """Pearl's three conditions, checked literally with networkx."""
    rest = g.subgraph(set(g) - ms)
    if nx.has_path(rest, x, y):
        return False
    no_x_out = g.copy()
    no_x_out.remove_edges_from(list(g.out_edges(x)))
    if not nx.is_d_separator(no_x_out, {x}, ms, set()):
        return False
    no_m_out = g.copy()
    no_m_out.remove_edges_from(list(g.out_edges(ms)))
    return nx.is_d_separator(no_m_out, ms, {y}, {x})


def test_front_door_search_finds_a_set_whenever_one_exists():
    rng = random.Random(3)
    exists = 0
    for _ in range(300):
        drawn = _random_case(rng)
        if drawn is None:
            continue
        g, x, y, latent = drawn
        candidates = sorted(set(g) - latent - {x, y})
        brute = any(
            _is_front_door(g, x, y, set(ms))
            for k in range(1, len(candidates) + 1)
            for ms in itertools.combinations(candidates, k)
        )
        found = front_door_set(g, [x], [y], latent)
        assert (found is not None) == brute, (sorted(g.edges()), x, y, latent)
        if found is not None:
            exists += 1
            assert _is_front_door(g, x, y, found)
    assert exists > 10


def test_bow_is_not_identifiable():
    g = _graph("x -> y", "u -> x", "u -> y")
    found = identify(g, "x", "y", latent=["u"])
    assert found.identifiable is False
    assert found.method == ID_ALGORITHM
    assert found.estimand is None
    assert "hedge" in found.note
    assert "not identifiable" in found.summary
    assert found.as_dict()["identifiable"] is False


def test_napkin_needs_the_id_algorithm():
    """No adjustment set and no front-door set (x -> y is direct), yet identifiable
    (Pearl & Mackenzie, The Book of Why, 2018: the napkin problem)."""
    g = _graph("w -> z -> x -> y", "u1 -> w", "u1 -> x", "u2 -> w", "u2 -> y")
    found = identify(g, "x", "y", latent=["u1", "u2"])
    assert (found.identifiable, found.method) == (True, ID_ALGORITHM)
    assert found.estimand == (
        "P(y | do(x)) = [Σ_w P(w) P(x | w, z) P(y | x, w, z)] / [Σ_w P(w) P(x | w, z)]"
    )
    assert_estimand_correct(g, "x", "y", found)


# Found by a random search: cases that only the ID algorithm solves, with ratios of sums
# (line 7 of the algorithm) and a variable the formula leaves free.
ID_ONLY = [
    (
        "u0 -> v0, u0 -> v5, u1 -> v0, u1 -> v4, u2 -> v2, u2 -> v5, v0 -> v3, v1 -> v4, "
        "v1 -> v5, v2 -> v3, v2 -> v4, v3 -> v4, v4 -> v5",
        "v4",
        "v5",
    ),
    (
        "u0 -> v0, u0 -> v1, u1 -> v1, u1 -> v4, u2 -> v3, u2 -> v4, v0 -> v2, v0 -> v3, "
        "v0 -> v4, v1 -> v2, v1 -> v5, v2 -> v4, v3 -> v4, v3 -> v5, v4 -> v5",
        "v1",
        "v5",
    ),
    (
        "u0 -> v0, u0 -> v3, u1 -> v0, u1 -> v3, u2 -> v0, u2 -> v1, v0 -> v2, v1 -> v2, "
        "v1 -> v3, v2 -> v3",
        "v0",
        "v3",
    ),
]


@pytest.mark.parametrize(("edges", "x", "y"), ID_ONLY, ids=["ratio", "free-v3", "small"])
def test_cases_only_the_id_algorithm_solves(edges, x, y):
    g = _graph(*edges.split(", "))
    latent = {v for v in g if v.startswith("u")}
    found = identify(g, x, y, latent)
    assert (found.identifiable, found.method) == (True, ID_ALGORITHM)
    assert_estimand_correct(g, x, y, found)


def test_id_says_which_variable_it_leaves_free():
    g = _graph(*ID_ONLY[0][0].split(", "))
    found = identify(g, "v4", "v5", {"u0", "u1", "u2"})
    assert "any value of v3" in found.note


def test_id_through_a_latent_mediator_chain():
    """A latent on the mediator path (DoWhy 0.14 raises a TypeError here)."""
    g = _graph("x -> l -> m -> y", "u -> x", "u -> y")
    found = identify(g, "x", "y", latent=["u", "l"])
    assert found.method == FRONT_DOOR
    assert found.front_door_set == ["m"]
    assert_estimand_correct(g, "x", "y", found)


def test_a_latent_mediator_alone_is_harmless():
    g = _graph("c -> x -> l -> y", "c -> y")
    found = identify(g, "x", "y", latent=["l"])
    assert found.adjustment_set == ["c"]


def test_several_exposures_and_outcomes():
    g = _graph("c -> x1 -> y1", "c -> x2 -> y2", "c -> y1", "x1 -> y2")
    found = identify(g, ["x1", "x2"], ["y1", "y2"])
    assert found.adjustment_set == ["c"]
    assert found.estimand == "P(y1, y2 | do(x1, x2)) = Σ_c P(y1, y2 | x1, x2, c) P(c)"


@pytest.mark.parametrize(
    ("exposure", "outcome", "latent", "message"),
    [
        ("nope", "y", (), "exposure: unknown node 'nope'"),
        ("x", "x", (), "exposure and outcome are the same node: x"),
        ("x", "y", ("y",), "latent"),
        ([], "y", (), "at least one"),
    ],
)
def test_questions_that_make_no_sense(exposure, outcome, latent, message):
    with pytest.raises(ValueError, match=message):
        identify(_graph("x -> y"), exposure, outcome, latent)


def test_cyclic_graph_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        identify(_graph("x -> y -> x"), "x", "y")


# --- random graphs: nothing raises, and every estimand gives the right number ----------------


def _random_case(rng: random.Random):
    """A random DAG over measured nodes, a few latent common causes of two or three of them,
    and now and then a latent node in the middle; the exposure is usually an ancestor of
    the outcome."""
    n = rng.randint(3, 6)
    names = [f"v{i}" for i in range(n)]
    g = nx.DiGraph()
    g.add_nodes_from(names)
    for i, j in itertools.combinations(range(n), 2):
        if rng.random() < 0.4:
            g.add_edge(names[i], names[j])
    latent = set()
    for k in range(rng.randint(0, 3)):
        u = f"u{k}"
        latent.add(u)
        g.add_edges_from((u, v) for v in rng.sample(names, rng.choice((2, 2, 3))))
    if rng.random() < 0.3:
        latent.add(rng.choice(names))
    observed = [v for v in names if v not in latent]
    if len(observed) < 2:
        return None
    pairs = list(itertools.permutations(observed, 2))
    causal = [(x, y) for x, y in pairs if nx.has_path(g, x, y)]
    x, y = rng.choice(causal if causal and rng.random() < 0.85 else pairs)
    return g, x, y, latent


def test_random_graphs_never_raise_and_estimands_are_right():
    rng = random.Random(20261122)
    counts = {BACK_DOOR: 0, FRONT_DOOR: 0, ID_ALGORITHM: 0, NO_EFFECT: 0, "no": 0}
    for case in range(400):
        drawn = _random_case(rng)
        if drawn is None:
            continue
        g, x, y, latent = drawn
        found = identify(g, x, y, latent)
        assert found.identifiable in (True, False)
        found.as_dict()
        if not found.identifiable:
            counts["no"] += 1
            continue
        counts[found.method] += 1
        assert_estimand_correct(g, x, y, found, seed=case)
    # the sample reaches every branch
    assert all(count > 0 for count in counts.values()), counts


def test_id_algorithm_alone_on_random_graphs():
    """The ID algorithm run on every case, even where adjustment would do: its estimand is
    right whenever it succeeds, and (it is complete) it fails only where neither adjustment
    nor the front-door formula works."""
    rng = random.Random(7)
    solved = 0
    for case in range(300):
        drawn = _random_case(rng)
        if drawn is None:
            continue
        g, x, y, latent = drawn
        try:
            expression = ADMG(g, latent).identify(frozenset([y]), frozenset([x]))
        except Hedge:
            assert identify(g, x, y, latent).identifiable is False
            continue
        solved += 1
        found = Identification((x,), (y,), True, ID_ALGORITHM, _expression=expression)
        assert_estimand_correct(g, x, y, found, seed=case)
    assert solved > 100
