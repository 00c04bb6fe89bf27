"""Property tests: graph checks agree with networkx, and maps survive a dump round trip."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.mapfile.dump import dumps
from mechmap.mapfile.graphs import find_cycles, path_from_source, reachable, reaching_sources
from mechmap.mapfile.loader import parse_map
from mechmap.model import (
    EDGE_KINDS,
    PROVENANCES,
    ROLES,
    SIGNS,
    SOURCE_TYPES,
    STRATEGY_ROLES,
    VERDICTS,
)
from mechmap.vocabularies import cfir_entries, eric_strategies
from tests.conftest import ROOT

NAMES = [f"n{i}" for i in range(10)]


@st.composite
def digraphs(draw, max_nodes: int = 10) -> dict[str, list[str]]:
    n = draw(st.integers(1, max_nodes))
    nodes = NAMES[:n]
    pairs = [(a, b) for a in nodes for b in nodes if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    successors = {v: [] for v in nodes}
    for a, b in chosen:
        successors[a].append(b)
    return successors


def _nx(successors: dict[str, list[str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(successors)
    graph.add_edges_from((a, b) for a, bs in successors.items() for b in bs)
    return graph


@given(digraphs())
def test_cycle_detection_agrees_with_networkx(successors) -> None:
    graph = _nx(successors)
    cycles = find_cycles(successors)
    assert (not cycles) == nx.is_directed_acyclic_graph(graph)
    for cycle in cycles:
        assert cycle[0] == cycle[-1]
        assert len(set(cycle[:-1])) == len(cycle) - 1  # a simple cycle
        assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(cycle))


@given(digraphs(), st.data())
def test_reachability_agrees_with_networkx(successors, data) -> None:
    start = data.draw(st.sampled_from(sorted(successors)))
    assert reachable(successors, [start]) == nx.descendants(_nx(successors), start) | {start}


@given(digraphs())
def test_validate_reports_a_cycle_exactly_when_networkx_finds_one(successors) -> None:
    edges = [f"{a} -> {b}" for a, bs in successors.items() for b in bs]
    text = (
        "mechmap: 1\nid: g\ntitle: G\nnodes:\n"
        + "".join(f"  {v}: {{role: mechanism}}\n" for v in successors)
        + "edges:\n"
        + "".join(f"  - {e}\n" for e in edges)
    )
    acyclic = nx.is_directed_acyclic_graph(_nx(successors))
    try:
        m = mechmap.loads(text)
    except mechmap.MapError as exc:
        assert not acyclic
        assert all("cycle " in d.message for d in exc.diagnostics if d.severity == "error")
    else:
        assert acyclic
        assert nx.is_directed_acyclic_graph(m.to_networkx())


WAVES = ["w0", "w1", "w2"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
# Tags written as the canonical name, in capitals, or as a list; stored canonically.
ERIC_TAGS = st.sampled_from([s.name for s in eric_strategies()[:8]]).map(str.upper) | st.lists(
    st.sampled_from([s.name for s in eric_strategies()]), min_size=1, max_size=3, unique=True
)
CFIR_TAGS = st.lists(
    st.sampled_from([e.name for e in cfir_entries()]), min_size=1, max_size=3, unique=True
) | st.sampled_from(
    ["Relative Priority", "inner setting: culture", "implementation process: doing"]
)
FILLED = TEXT.filter(str.strip)
SOURCES = st.lists(
    st.fixed_dictionaries(
        {"citation": FILLED},
        optional={
            "doi": FILLED,
            "authors": st.lists(FILLED, min_size=1, max_size=3),
            "title": FILLED,
            "journal": FILLED,
            "year": st.integers(1900, 2030),
            "volume": st.integers(1, 40),
            "pages": FILLED,
            "type": st.sampled_from(SOURCE_TYPES),
        },
    ),
    max_size=2,
)
COORDINATES = st.floats(-2000, 2000).map(lambda v: round(v, 2))  # JSON writes these as YAML floats
PLACEMENTS = st.fixed_dictionaries(
    {},
    optional={
        "order": st.integers(-3, 12),
        "band": st.sampled_from(["top", "bottom"]),
        "pos": st.tuples(COORDINATES, COORDINATES).map(list),
    },
).filter(bool)


# A panel's verdict on an arrow (mechmap consensus -o); halves, as medians of whole ratings are.
CONSENSUS = st.fixed_dictionaries(
    {
        "round": st.integers(1, 5),
        "n": st.integers(1, 30),
        "median": st.integers(2, 18).map(lambda h: h / 2),
        "ipr": st.floats(0, 8, allow_nan=False),
        "disagreement_index": st.floats(0, 4, allow_nan=False),
        "verdict": st.sampled_from(VERDICTS),
    }
)


@st.composite
def maps(draw) -> mechmap.Map:
    """Random valid maps: time-indexed nodes, attributes, carry, moderators, hypotheses,
    layout hints for nodes and for single copies."""
    n = draw(st.integers(1, 7))
    ids = NAMES[:n]
    order = draw(st.permutations(ids))  # arrows follow this order, so no cycles
    nodes = {}
    for node_id in ids:
        kind = draw(st.sampled_from(["timeless", "wave", "waves"]))
        fields: dict[str, object] = {"role": draw(st.sampled_from(ROLES))}
        if draw(st.booleans()):
            fields["label"] = draw(TEXT.filter(str.strip))
        if draw(st.booleans()):
            fields["description"] = draw(TEXT)
        if kind == "wave":
            fields["wave"] = draw(st.sampled_from(WAVES))
        elif kind == "waves":
            fields["waves"] = sorted(draw(st.sets(st.sampled_from(WAVES), min_size=1)))
            fields["carry"] = len(fields["waves"]) > 1 and draw(st.booleans())
        fields["latent"] = draw(st.booleans())
        if fields["role"] in STRATEGY_ROLES and draw(st.booleans()):
            fields["eric"] = draw(ERIC_TAGS)
        if draw(st.booleans()):
            fields["cfir"] = draw(CFIR_TAGS)
        nodes[node_id] = fields
    lines = [
        "mechmap: 1",
        "id: random",
        "title: Random map",
        "waves: {w0: A, w1: B, w2: C}",
    ]
    sources = draw(SOURCES)
    if sources:
        lines.append("sources:")
        lines += [f"  - {_flow({'id': f's{i}', **s})}" for i, s in enumerate(sources)]
    lines.append("nodes:")
    lines += [f"  {k}: {_flow(v)}" for k, v in nodes.items()]
    edges = []
    for a, b in itertools.combinations(order, 2):
        if not draw(st.booleans()):
            continue
        wa, wb = _waves(nodes[a]), _waves(nodes[b])
        pairs = [(x, y) for x in wa for y in wb if x is None or y is None or x <= y]
        if not pairs:
            continue
        x, y = draw(st.sampled_from(pairs))
        source = a if x is None or "waves" not in nodes[a] else f"{a}@{x}"
        target = b if y is None or "waves" not in nodes[b] else f"{b}@{y}"
        attributes = {}
        if draw(st.booleans()):
            attributes = {
                "arrow": len(edges) + 1,
                "sign": draw(st.sampled_from(SIGNS)),
                "provenance": draw(st.sampled_from(PROVENANCES)),
                "note": draw(TEXT),
                "kind": draw(st.sampled_from(EDGE_KINDS)),
            }
            if draw(st.booleans()):
                attributes["consensus"] = draw(CONSENSUS)
        edges.append((source, target, attributes))
    if edges:
        lines.append("edges:")
        for source, target, attributes in edges:
            if attributes:
                lines.append(f"  - {_flow({'from': source, 'to': target, **attributes})}")
            else:
                lines.append(f"  - {source} -> {target}")
        lines.append("hypotheses:")
        lines.append(f"  - {{id: h, path: {edges[0][0]} -> {edges[0][1]}, expect: '+'}}")
    layout = []
    for node_id, fields in nodes.items():
        targets = [node_id, *(f"{node_id}@{w}" for w in fields.get("waves", ()))]
        for target in draw(st.lists(st.sampled_from(targets), unique=True, max_size=2)):
            layout.append(f"  {target}: {_flow(draw(PLACEMENTS))}")
    if layout:
        lines += ["layout:", *layout]
    return mechmap.loads("\n".join(lines) + "\n")


def _waves(fields: dict) -> list[str | None]:
    if "waves" in fields:
        return list(fields["waves"])
    return [fields.get("wave")]


def _flow(fields: dict) -> str:
    import json

    return json.dumps(fields, ensure_ascii=False)  # JSON is YAML flow syntax


@settings(max_examples=150, deadline=None)
@given(maps())
def test_load_dump_load_round_trip(m: mechmap.Map) -> None:
    again = mechmap.loads(dumps(m))
    assert again == m
    assert again.variables == m.variables
    assert [(x.source, x.target) for x in again.links] == [(x.source, x.target) for x in m.links]


@settings(max_examples=100, deadline=None)
@given(maps())
def test_unrolled_arrows_never_go_back_in_time(m: mechmap.Map) -> None:
    for link in m.links:
        a, b = m.variable_info[link.source], m.variable_info[link.target]
        if a.wave is not None and b.wave is not None:
            assert m.wave_index[a.wave] <= m.wave_index[b.wave]
    assert nx.is_directed_acyclic_graph(m.to_networkx())


@given(digraphs(), st.data())
def test_reaching_sources_agrees_with_networkx_ancestors(successors, data) -> None:
    graph = _nx(successors)
    if not nx.is_directed_acyclic_graph(graph):
        graph = nx.DiGraph((a, b) for a, b in graph.edges if a < b)  # keep a DAG
        graph.add_nodes_from(successors)
    predecessors = {v: list(graph.predecessors(v)) for v in graph}
    sources = data.draw(st.lists(st.sampled_from(sorted(graph)), unique=True))
    masks = reaching_sources(predecessors, sources)
    for vertex in graph:
        reached_by = {s for i, s in enumerate(sources) if masks[vertex] >> i & 1}
        assert reached_by == (nx.ancestors(graph, vertex) | {vertex}) & set(sources)
        for i, source in enumerate(sources):
            if masks[vertex] >> i & 1:
                path = path_from_source(predecessors, masks, 1 << i, vertex)
                assert path[0] == source and path[-1] == vertex
                assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(path))


VALID = (ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml").read_text()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_diagnostics_never_an_exception(raw: bytes) -> None:
    m, problems = parse_map(raw, "fuzz.yaml")
    assert m is not None or any(p.severity == "error" for p in problems)
    assert all("\n" not in str(p) and p.location.line >= 1 for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_real_maps_give_diagnostics_never_an_exception(data) -> None:
    lines = VALID.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "duplicate", "indent", "cut", "garble"]))
        if action == "drop":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " + lines[i]
        elif action == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = lines[i].replace(
                data.draw(st.sampled_from(["->", ":", "-", "@", "{"])),
                data.draw(st.sampled_from(["", "<-", "@@", "}", ": "])),
            )
        if not lines:
            break
    parse_map("\n".join(lines).encode(), "damaged.yaml")
