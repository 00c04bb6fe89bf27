"""The graph analyses against DAGitty 3.1's answers on the 12 conformance models
(tests/data/dagitty/README.md): adjustment sets, testable implications, instruments and
causal paths, each model imported through ``mechmap.diagrams.dagitty.import_dagitty``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

import mechmap
from mechmap.analysis.adjustment import adjustment_sets
from mechmap.analysis.implications import all_implications, basis_implications
from mechmap.analysis.instrumental import instruments, is_instrument
from mechmap.analysis.paths import causal_paths
from mechmap.diagrams.dagitty import import_dagitty
from tests.conftest import DATA

MODELS = sorted((DATA / "dagitty").glob("*.dagitty"))


@dataclass(frozen=True)
class Model:
    graph: nx.DiGraph
    want: dict
    label: dict[str, str]  # node id -> DAGitty name
    node: dict[str, str]  # DAGitty name -> node id
    latent: list[str]
    include: list[str]  # adjusted and selected nodes
    exposure: str
    outcome: str

    def names(self, nodes) -> list[str]:
        return sorted(self.label[v] for v in nodes)

    def ids(self, names) -> set[str]:
        return {self.node[n] for n in names}


def load(model: Path) -> Model:
    text, problems = import_dagitty(model.read_text(), str(model))
    assert text is not None, [str(p) for p in problems]
    graph = mechmap.loads(text).to_networkx()
    want = json.loads(model.with_suffix("").with_suffix(".expected.json").read_text())
    label = {v: data["label"] for v, data in graph.nodes(data=True)}
    node = {name: v for v, name in label.items()}
    (exposure,), (outcome,) = want["exposure"], want["outcome"]
    return Model(
        graph,
        want,
        label,
        node,
        latent=sorted(v for v, data in graph.nodes(data=True) if data["latent"]),
        include=sorted(node[n] for n in want["adjusted"] + want["selected"]),
        exposure=node[exposure],
        outcome=node[outcome],
    )


@pytest.fixture(params=MODELS, ids=lambda p: p.stem)
def model(request) -> Model:
    return load(request.param)


def test_every_model_is_here() -> None:
    assert len(MODELS) == 12


def test_minimal_adjustment_sets_are_dagittys(model: Model) -> None:
    found = adjustment_sets(
        model.graph,
        [model.exposure],
        [model.outcome],
        latent=model.latent,
        include=model.include,
    )
    want = sorted(sorted(s) for s in model.want["minimal_adjustment_sets_total_effect"])
    assert sorted(model.names(s) for s in found.sets) == want


def _pairs(implications) -> set[frozenset[str]]:
    return {frozenset((i.x, i.y)) for i in implications}


def test_implications_are_equivalent_to_dagittys_basis(model: Model) -> None:
    if model.want["basis_implications"] is None:
        pytest.skip("DAGitty's basis ignores latent, adjusted and selected nodes here")
    graph = model.graph
    theirs: set[frozenset[str]] = set()
    for item in model.want["basis_implications"]:
        x, given = model.node[item["X"]], model.ids(item["Z"])
        for name in item["Y"]:
            y = model.node[name]
            assert nx.is_d_separator(graph, {x}, {y}, given), (item["X"], name, item["Z"])
            theirs.add(frozenset((x, y)))
    ours = basis_implications(graph, latent=model.latent)
    assert _pairs(ours.implications) == theirs
    assert not ours.untestable_pairs and not ours.skipped_pairs
    for i in ours.implications:
        assert nx.is_d_separator(graph, {i.x}, {i.y}, set(i.given)), str(i)


def test_every_reported_implication_holds(model: Model) -> None:
    """Also where DAGitty gives no reference: latent nodes, adjusted and selected nodes."""
    graph = model.graph
    for found in (
        basis_implications(graph, latent=model.latent, include=model.include),
        basis_implications(graph, latent=model.latent, include=model.include, smallest=True),
        all_implications(graph, latent=model.latent, include=model.include, cap=300),
    ):
        for i in found.implications:
            assert not ({i.x, i.y} | set(i.given)) & set(model.latent)
            assert set(model.include) <= set(i.given)
            assert nx.is_d_separator(graph, {i.x}, {i.y}, set(i.given)), str(i)
        for x, y in found.untestable_pairs:
            assert not graph.has_edge(x, y) and not graph.has_edge(y, x)


def test_all_implications_cover_the_basis_pairs(model: Model) -> None:
    graph = model.graph
    basis = basis_implications(graph, latent=model.latent)
    smallest = basis_implications(graph, latent=model.latent, smallest=True)
    every = all_implications(graph, latent=model.latent, cap=100_000)
    assert not every.truncated
    assert _pairs(every.implications) == _pairs(basis.implications)
    assert _pairs(smallest.implications) == _pairs(basis.implications)
    assert every.untestable_pairs == basis.untestable_pairs == smallest.untestable_pairs
    minimal: dict[frozenset[str], list[set[str]]] = {}
    for i in every.implications:
        minimal.setdefault(frozenset((i.x, i.y)), []).append(set(i.given))
    # the default basis holds a minimal set for each pair (it may hold more: the parents of
    # one end); with smallest=True it chose a smallest minimal set
    for i in basis.implications:
        assert any(s <= set(i.given) for s in minimal[frozenset((i.x, i.y))])
    for i in smallest.implications:
        assert len(i.given) == min(map(len, minimal[frozenset((i.x, i.y))]))
        assert set(i.given) in minimal[frozenset((i.x, i.y))]


def test_dagittys_instruments_are_found(model: Model) -> None:
    found = instruments(
        model.graph, model.exposure, model.outcome, latent=model.latent, include=model.include
    )
    ours = {i.instrument: i.given for i in found.instruments}
    for item in model.want["instrumental_variables"]:
        assert model.node[item["I"]] in ours, item
    for i in found.instruments:
        assert is_instrument(
            model.graph, model.exposure, model.outcome, i.instrument, i.given, model.latent
        ), i


def test_dagittys_instrument_sets_are_instruments_by_our_definition(model: Model) -> None:
    for item in model.want["instrumental_variables"]:
        given = model.ids(item["Z"])
        assert is_instrument(
            model.graph,
            model.exposure,
            model.outcome,
            model.node[item["I"]],
            given,
            model.latent,
        ), item


def test_causal_paths_are_dagittys(model: Model) -> None:
    paths = causal_paths(model.graph, model.exposure, model.outcome)
    found = [" -> ".join(model.label[v] for v in path) for path in paths]
    assert sorted(found) == sorted(model.want["causal_paths"])
    assert paths == sorted(paths)


# -- DAGitty's own adjustment tests (test/test/adjustment-dags.js) that our API can ask ------


def _chains(*chains: str) -> nx.DiGraph:
    graph = nx.DiGraph()
    for chain in chains:
        nx.add_path(graph, [v.strip() for v in chain.split("->")])
    return graph


# "our non-X-ancestor MSAS example from the UAI paper": Y is no descendant of X1 or X2, so
# adjusting for M2 (a descendant of Y) is allowed, and M1 must close X1 -> M1 -> M2 <- Y
UAI = _chains("X1 -> M1 -> M2 -> X2", "Y -> M2")
UAI_WITH_CAUSAL_ARROW = _chains("X1 -> M1 -> M2 -> X2", "Y -> M2", "X1 -> Y")


@pytest.mark.parametrize(
    ("graph", "effect", "dagitty"),
    [
        (UAI, "direct", [["M1", "M2"]]),
        (UAI, "total", [["M1", "M2"]]),
        (UAI_WITH_CAUSAL_ARROW, "direct", []),
        (UAI_WITH_CAUSAL_ARROW, "total", []),
    ],
    ids=["uai-direct", "uai-total", "uai-causal-direct", "uai-causal-total"],
)
def test_dagittys_non_x_ancestor_example(graph: nx.DiGraph, effect: str, dagitty) -> None:
    found = adjustment_sets(graph, ["X1", "X2"], ["Y"], effect=effect)
    assert found.sets == dagitty


@pytest.mark.parametrize(
    ("name", "effect", "adjusted", "dagitty"),
    [
        ("Thoemmes", "direct", True, [["e2", "s2"], ["s1", "s2"]]),
        ("Thoemmes", "total", True, []),
        ("Thoemmes", "total", False, [[]]),  # g.removeAdjustedNode("s2")
        ("mediator", "direct", True, [["I"]]),
    ],
)
def test_dagittys_adjustment_tests_on_the_examples(name, effect, adjusted, dagitty) -> None:
    model = load(DATA / "dagitty" / f"{name}.dagitty")
    found = adjustment_sets(
        model.graph,
        [model.exposure],
        [model.outcome],
        latent=model.latent,
        effect=effect,
        include=model.include if adjusted else (),
    )
    assert sorted(model.names(s) for s in found.sets) == dagitty


def test_the_uai_example_agrees_with_the_smallest_set_identify_uses() -> None:
    from mechmap.analysis.identify import smallest_adjustment_set

    assert smallest_adjustment_set(UAI, ["X1", "X2"], ["Y"]) == ["M1", "M2"]


@pytest.mark.parametrize("forced", ["exposure", "outcome"])
def test_a_forced_exposure_or_outcome_is_a_clear_error(model: Model, forced: str) -> None:
    """DAGitty lets a node be both exposure and adjusted; conditioning on what the
    intervention sets (or on the outcome) asks nothing, so we refuse it in words."""
    node = model.exposure if forced == "exposure" else model.outcome
    for ask in (
        lambda: adjustment_sets(
            model.graph, [model.exposure], [model.outcome], model.latent, include=[node]
        ),
        lambda: instruments(model.graph, model.exposure, model.outcome, include=[node]),
    ):
        with pytest.raises(ValueError, match=f"{node} is an {forced}, so it cannot be in include"):
            ask()
