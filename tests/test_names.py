"""Node names as people type them: one resolver (``mechmap.names``) for the map, its graph
and every command, with one message per mistake. Random maps check the rules; the command
line is checked on the bundled maps in tests/test_analysis_cli.py."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.analysis.inputs import check_nodes
from mechmap.model import Map
from mechmap.names import NodeNames
from tests.conftest import ROOT, run_mechmap

WAVES = ["base", "impl", "sust"]


@st.composite
def maps(draw) -> Map:
    """A map whose nodes are timeless, at one wave, or have a copy at some waves."""
    n = draw(st.integers(1, 6))
    lines = ["mechmap: 1", "id: names", "title: Names", "waves: {base: B, impl: I, sust: S}"]
    lines.append("nodes:")
    for i in range(n):
        kind = draw(st.sampled_from(["timeless", "wave", "waves"]))
        if kind == "timeless":
            lines.append(f"  node{i}: {{}}")
        elif kind == "wave":
            lines.append(f"  node{i}: {{wave: {draw(st.sampled_from(WAVES))}}}")
        else:
            waves = draw(st.lists(st.sampled_from(WAVES), min_size=1, max_size=3, unique=True))
            waves.sort(key=WAVES.index)
            lines.append(f"  node{i}: {{waves: [{', '.join(waves)}]}}")
    return mechmap.loads("\n".join(lines) + "\n")


def refusal(names: NodeNames, name: str) -> str:
    with pytest.raises(ValueError) as refused:
        names.resolve(name)
    return str(refused.value)


@settings(max_examples=100, deadline=None)
@given(maps(), st.sampled_from([*WAVES, "sst", "t1"]))
def test_every_name_resolves_or_gets_the_message_for_its_mistake(m: Map, wave: str) -> None:
    names = m.names
    for variable in m.variables:
        assert names.resolve(variable) == variable
        assert names.resolve(f"  {variable} ") == variable
    for node in m.nodes:
        copies = node.variables
        if len(copies) == 1:
            assert names.resolve(node.id) == copies[0]
        else:
            assert refusal(names, node.id) == (
                f"'{node.id}' has a copy per wave; name one: {', '.join(copies)}"
            )
        written = f"{node.id}@{wave}"
        if written in copies or node.wave == wave:
            assert names.resolve(written) == (node.id if node.wave else written)
            continue
        said = refusal(names, written)
        if node.waves and wave in WAVES:
            assert said == f"{node.id} has no copy at wave '{wave}'; its copies: " + ", ".join(
                copies
            )
        elif node.waves:
            assert said.startswith(f"unknown wave '{wave}' of {node.id}")
            assert said.endswith(f"; its copies: {', '.join(copies)}")
        elif node.wave:
            assert said == f"'{node.id}' exists only at wave '{node.wave}'; name it '{node.id}'"
        else:
            assert said == f"'{node.id}' has no waves; name it '{node.id}'"
    assert refusal(names, "nod0").startswith("unknown node 'nod0' (did you mean 'node")


@settings(max_examples=50, deadline=None)
@given(maps(), st.sampled_from(["node0", "node0@sst", "node0@base", "nod0", "node0@"]))
def test_the_map_and_its_graph_word_a_wrong_name_alike(m: Map, name: str) -> None:
    """The analyses take a graph (``Map.to_networkx``), the commands a map: one wording."""
    graph = m.to_networkx()
    if name in graph:
        return
    try:
        resolved = m.names.resolve(name)
    except ValueError as exc:
        expected = f"exposure: {exc}"
    else:
        expected = f"exposure: '{name}' is not a variable; write '{resolved}'"
    with pytest.raises(ValueError) as refused:
        check_nodes(graph, "exposure", [name])
    said = str(refused.value)
    if said != expected:  # a graph knows only the waves its vertices are at
        node, _, wave = name.partition("@")
        assert all(info.wave != wave for info in m.variable_info.values())
        unknown = f"unknown wave '{wave}' of {node}"
        assert said == expected.replace(f"{node} has no copy at wave '{wave}'", unknown)


def test_a_graph_without_map_attributes_takes_names_as_they_are() -> None:
    """A plain networkx graph: no waves, an '@' is part of a name."""
    names = NodeNames.of_graph(nx.DiGraph([("a@b", "c")]))
    assert names.resolve("a@b") == "a@b"
    assert refusal(names, "a@c") == "unknown node 'a@c' (did you mean 'a@b'?)"
    assert refusal(names, "d") == "unknown node 'd'"


def test_render_focus_words_a_wrong_copy_as_the_analyses_do(tmp_path) -> None:
    alliance = str(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml")
    target = tmp_path / "focus.svg"
    wrong = run_mechmap("render", alliance, "--focus", "screening@sst", "-o", str(target))
    assert wrong.returncode == 2 and not target.exists()
    assert wrong.stderr == (
        "mechmap: --focus: unknown wave 'sst' of screening (did you mean 'sust'?); its "
        "copies: screening@base, screening@impl, screening@sust\n"
    )
    # a node at one wave, named with it, is that node
    assert (
        run_mechmap("render", alliance, "--focus", "fidelity@impl", "-o", str(target)).returncode
        == 0
    )
