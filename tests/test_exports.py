"""Exports: Mermaid structure, hostile labels in every format, pgmpy, and the export command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
import yaml

import mechmap
from mechmap.diagrams.exports import (
    FORMATS,
    export_text,
    mermaid_text,
    to_graphml,
    to_json,
    to_mermaid,
    to_pgmpy,
)
from mechmap.model import Map
from tests.conftest import ROOT, run_mechmap

HOSTILE = ["<script>alert(1)</script>", '"]; evil [', "[bold]", "#quot; & %%{init}%% `x` |y|"]
YAKOVCHENKO = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"


def hostile_map() -> Map:
    """Hostile text in node labels, a wave label and an arrow label."""
    data = {
        "mechmap": 1,
        "id": "hostile",
        "title": "<b>Hostile</b>",
        "waves": {"t0": HOSTILE[0], "t1": "Later"},
        "nodes": {
            "dose": {"label": HOSTILE[0], "role": "strategy"},
            "trust": {
                "label": HOSTILE[1],
                "role": "mechanism",
                "waves": ["t0", "t1"],
                "carry": True,
            },
            "uptake": {"label": HOSTILE[2], "role": "implementation_outcome", "wave": "t1"},
            "site": {"label": HOSTILE[3], "role": "context", "latent": True},
        },
        "edges": [
            {"from": "dose", "to": "trust@t0", "arrow": HOSTILE[1], "sign": "+"},
            {"from": "trust@t1", "to": "uptake", "arrow": 7, "evidence": ["a", "b"]},
            "site -> uptake",
        ],
    }
    return mechmap.loads(yaml.safe_dump(data))


def decoded(text: str) -> str:
    return re.sub(r"#(\d+);", lambda match: chr(int(match.group(1))), text)


# -- Mermaid -----------------------------------------------------------------------------

NODE = re.compile(r'^ {2,4}(n\d+)\["([^"]*)"\]$')
SUBGRAPH = re.compile(r'^  subgraph (w\d+)\["([^"]*)"\]$')
ARROW = re.compile(r'^  (n\d+) (-->|-\.->|--o)(?:\|"([^"]*)"\|)? (n\d+)$')
STYLE = r"[a-z-]+:[#0-9A-Za-z ]+"
CLASSES = re.compile(
    rf"^  (classDef [a-z_]+ {STYLE}(,{STYLE})*|class [n0-9,]+ [a-z_]+"
    rf"|linkStyle [0-9,]+ {STYLE}(,{STYLE})*)$"
)


def mermaid_parts(text: str) -> tuple[dict, list, list]:
    """Nodes (id -> (label, subgraph)), subgraphs in order (id, label) and arrows; fails on
    any line that is not one of the shapes the exporter writes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, tuple[str, str | None]] = {}
    subgraphs: list[tuple[str, str]] = []
    arrows: list[tuple[str, str, str, str | None]] = []
    current = None
    for line in lines[1:]:
        if match := NODE.match(line):
            nodes[match[1]] = (decoded(match[2]), current)
        elif match := SUBGRAPH.match(line):
            current = match[1]
            subgraphs.append((match[1], decoded(match[2])))
        elif line == "  end":
            current = None
        elif match := ARROW.match(line):
            label = decoded(match[3]) if match[3] is not None else None
            arrows.append((match[1], match[2], match[4], label))
        else:
            assert CLASSES.match(line), line
    return nodes, subgraphs, arrows


def test_mermaid_has_a_subgraph_per_wave_in_time_order() -> None:
    m = mechmap.load(YAKOVCHENKO)
    nodes, subgraphs, arrows = mermaid_parts(to_mermaid(m))
    assert [label for _, label in subgraphs] == [w.label for w in m.waves]
    by_label = dict(nodes.values())
    wave_of_subgraph = {sid: w.id for (sid, _), w in zip(subgraphs, m.waves, strict=True)}
    assert len(nodes) == len(m.variables)
    for variable, info in m.variable_info.items():
        label = info.node.label + (f" @{info.wave}" if info.node.waves else "")
        assert wave_of_subgraph.get(by_label[label]) == info.wave, variable
    assert len(arrows) == len(m.links)


def test_mermaid_puts_timeless_nodes_first_and_labels_arrows() -> None:
    m = hostile_map()
    text = to_mermaid(m)
    nodes, _, arrows = mermaid_parts(text)
    first_subgraph = text.splitlines().index(f'  subgraph w0["{mermaid_text(HOSTILE[0])}"]')
    timeless = text.splitlines()[1:first_subgraph]
    assert [decoded(NODE.match(line)[2]) for line in timeless] == [HOSTILE[0], HOSTILE[3]]
    labels = {(nodes[a][0], nodes[b][0]): (style, label) for a, style, b, label in arrows}
    assert labels[(HOSTILE[0], HOSTILE[1] + " @t0")] == ("-->", f"#{HOSTILE[1]} +")
    assert labels[(HOSTILE[1] + " @t1", HOSTILE[2])] == ("-->", "#7")
    assert labels[(HOSTILE[1] + " @t0", HOSTILE[1] + " @t1")] == ("-.->", None)
    assert labels[(HOSTILE[3], HOSTILE[2])] == ("-->", None)
    assert "  classDef latent stroke-dasharray:5 3" in text


def test_mermaid_escapes_hostile_labels() -> None:
    text = to_mermaid(hostile_map())
    nodes, subgraphs, _ = mermaid_parts(text)  # every line has its expected shape
    labels = {label for label, _ in nodes.values()}
    assert {HOSTILE[0], HOSTILE[2], HOSTILE[3], HOSTILE[1] + " @t0"} <= labels
    assert subgraphs[0][1] == HOSTILE[0]
    for line in text.splitlines():
        for quoted in re.findall(r'"([^"]*)"', line):
            assert not set(quoted) & set("<>[]{}|`:%&"), line


def test_mermaid_rolled_up_has_one_node_per_concept() -> None:
    m = hostile_map()
    nodes, _, arrows = mermaid_parts(to_mermaid(m, rolled_up=True))
    assert sorted(label for label, _ in nodes.values()) == sorted(
        n.label + (f" ({', '.join(n.waves)})" if n.waves else "") for n in m.nodes
    )
    placed = dict(nodes.values())
    assert placed[HOSTILE[2]] == "w1"  # single-wave node in its wave
    assert placed[HOSTILE[1] + " (t0, t1)"] is None  # a node across waves sits outside
    assert len(arrows) == len(m.rolled_up())
    assert all(style == "-->" for _, style, _, _ in arrows)


# -- GraphML and JSON --------------------------------------------------------------------


def test_mermaid_draws_measurement_arrows_thin_grey_dashed_with_a_circle_end() -> None:
    m = mechmap.load(YAKOVCHENKO)
    for rolled_up in (False, True):
        text = to_mermaid(m, rolled_up)
        nodes, _, arrows = mermaid_parts(text)
        label = {i: node[0] for i, node in nodes.items()}
        measured = [i for i, (_, arrow, _, _) in enumerate(arrows) if arrow == "--o"]
        assert {(label[arrows[i][0]], label[arrows[i][2]].split(" (")[0]) for i in measured} == {
            (m.node_by_id[e.source].label, m.node_by_id[e.target].label)
            for e in m.measurement_edges
        }
        (style,) = [line for line in text.splitlines() if "linkStyle" in line]
        # linkStyle counts the arrows in the order they are written.
        assert style == (
            f"  linkStyle {','.join(map(str, measured))} "
            "stroke:#666666,stroke-width:1px,stroke-dasharray:5 3"
        )
    assert "linkStyle" not in to_mermaid(hostile_map())


def test_measurement_arrows_keep_their_kind_in_dot_graphml_and_json_and_stay_in_dagitty() -> None:
    m = mechmap.load(YAKOVCHENKO)
    measured = {link for e in m.measurement_edges for link in e.links}
    dot = export_text(m, "dot")
    marked = {
        tuple(found)
        for found in re.findall(r'^  "([^"]+)" -> "([^"]+)" \[.*class="measurement"', dot, re.M)
    }
    assert marked == measured
    assert dot.count('style="dashed", arrowhead="empty"') == len(measured)
    graph = nx.parse_graphml(to_graphml(m))
    kinds = {(a, b): data.get("kind") for a, b, data in graph.edges(data=True)}
    assert {pair for pair, kind in kinds.items() if kind == "measurement"} == measured
    assert kinds[("wai", "fidelity")] == "causal"
    links = json.loads(to_json(m))["links"]
    assert {(x["source"], x["target"]) for x in links if x.get("kind") == "measurement"} == measured
    # DAGitty has no kind of arrow: the arrow stays, as an ordinary one.
    dagitty = export_text(m, "dagitty").splitlines()
    assert all(f"{a} -> {b}" in dagitty for a, b in measured)


def test_graphml_parses_back_with_hostile_labels_intact() -> None:
    m = hostile_map()
    graph = nx.parse_graphml(to_graphml(m))
    assert set(graph.nodes) == set(m.variables)
    assert {(a, b) for a, b in graph.edges} == {(x.source, x.target) for x in m.links}
    assert graph.nodes["dose"]["label"] == HOSTILE[0]
    assert graph.nodes["trust@t0"]["label"] == HOSTILE[1]
    assert graph.nodes["site"]["latent"] is True
    assert graph.edges["dose", "trust@t0"]["arrow"] == HOSTILE[1]
    assert graph.edges["trust@t1", "uptake"]["evidence"] == "a,b"
    assert graph.graph["title"] == "<b>Hostile</b>"


def test_json_is_node_link_data_with_the_map_metadata() -> None:
    m = hostile_map()
    data = json.loads(to_json(m))
    assert (data["id"], data["title"], data["mechmap"]) == ("hostile", "<b>Hostile</b>", 1)
    assert data["waves"] == [{"id": "t0", "label": HOSTILE[0]}, {"id": "t1", "label": "Later"}]
    graph = nx.node_link_graph(data, edges="links")
    assert {n: graph.nodes[n]["label"] for n in graph} == {
        v: info.node.label for v, info in m.variable_info.items()
    }
    assert graph.edges["trust@t1", "uptake"]["evidence"] == ["a", "b"]
    assert graph.edges["trust@t0", "trust@t1"]["carry"] is True


def test_dot_export_keeps_hostile_labels_as_text() -> None:
    from mechmap.diagrams.render import draw, run_engine

    drawing = draw(hostile_map())
    exported = export_text(hostile_map(), "dot")
    for dot in (drawing.dot, exported):
        laid_out = json.loads(run_engine(dot, "json"))
        labels = {
            " ".join(o["label"].replace("\\n", " ").split())
            for o in laid_out["objects"]
            if o["name"] in drawing.node_ids
        }
        assert {HOSTILE[0], HOSTILE[2], HOSTILE[3], HOSTILE[1] + " @t0"} <= labels


def test_dot_export_is_the_graph_without_drawing_helpers() -> None:
    m = mechmap.load(ROOT / "maps" / "kilbourne-2023-facilitation.yaml")
    exported = export_text(m, "dot")
    laid_out = json.loads(run_engine_json(exported))
    names = {o["name"] for o in laid_out["objects"] if "nodes" not in o}
    assert names == set(m.variables)  # no corner, legend, caption or gate nodes
    assert len(laid_out["edges"]) == len(m.links)
    assert "pos=" not in exported and "invis" not in exported
    assert {o["label"] for o in laid_out["edges"] if "label" in o} >= {"#7 +", "#15 +"}


def run_engine_json(dot: str) -> bytes:
    from mechmap.diagrams.render import run_engine

    return run_engine(dot, "json")


def test_every_bundled_map_exports_in_every_format() -> None:
    for path in sorted((ROOT / "maps").glob("*.yaml")):
        m = mechmap.load(path)
        for fmt in FORMATS:
            assert export_text(m, fmt).strip(), (path, fmt)


def test_rolled_up_only_for_mermaid_and_dot() -> None:
    with pytest.raises(ValueError, match="mermaid and dot only"):
        export_text(hostile_map(), "json", rolled_up=True)


# -- pgmpy -------------------------------------------------------------------------------


def test_to_pgmpy_has_the_same_arrows_and_roles() -> None:
    for path in [YAKOVCHENKO, ROOT / "maps" / "kilbourne-2023-facilitation.yaml"]:
        m = mechmap.load(path)
        dag = to_pgmpy(m)
        assert list(dag.nodes) == list(m.variables)
        assert set(dag.edges) == {(x.source, x.target) for x in m.links}
        assert dag.latents == {v for v, i in m.variable_info.items() if i.node.latent}
    assert to_pgmpy(m).exposures and to_pgmpy(m).outcomes


def test_to_pgmpy_keeps_isolated_latent_variables() -> None:
    m = mechmap.loads(
        "mechmap: 1\nid: i\ntitle: I\nnodes: {a: {}, b: {}, c: {latent: true}}\nedges: [a -> b]"
    )
    dag = to_pgmpy(m)
    assert set(dag.nodes) == {"a", "b", "c"} and dag.latents == {"c"}


# -- the command -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_command_writes_each_format(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"map.{fmt}"
    out.write_text("old")
    kept = run_mechmap("export", str(YAKOVCHENKO), "--to", fmt, "-o", str(out))
    assert kept.returncode == 2 and kept.stdout == ""
    assert kept.stderr == f"mechmap: {out} exists; add --force to overwrite it\n"
    assert out.read_text() == "old"
    result = run_mechmap("export", str(YAKOVCHENKO), "--to", fmt, "-o", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}\n"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # replaced, no temporary left
    text = out.read_text()
    if fmt == "json":
        assert json.loads(text)["id"] == "yakovchenko-2025-working-alliance"
    elif fmt == "graphml":
        assert nx.parse_graphml(text).number_of_nodes() == 17
    elif fmt == "dot":
        assert text.startswith('digraph "yakovchenko-2025-working-alliance" {')
    elif fmt == "mermaid":
        mermaid_parts(text)
    else:
        assert text.startswith("dag {") and '"screening@impl" [outcome' in text


def test_export_command_prints_to_standard_output() -> None:
    result = run_mechmap("export", str(YAKOVCHENKO), "--to", "mermaid", "--rolled-up")
    assert result.returncode == 0, result.stderr
    nodes, _, _ = mermaid_parts(result.stdout)
    assert len(nodes) == len(mechmap.load(YAKOVCHENKO).nodes)


def test_export_command_usage_errors(tmp_path: Path) -> None:
    rolled = run_mechmap("export", str(YAKOVCHENKO), "--to", "json", "--rolled-up")
    assert rolled.returncode == 2 and "mermaid and dot only" in rolled.stderr
    unknown = run_mechmap("export", str(YAKOVCHENKO), "--to", "png")
    assert unknown.returncode == 2
    folder = run_mechmap("export", str(YAKOVCHENKO), "--to", "json", "-o", str(tmp_path / "no/x"))
    assert folder.returncode == 2 and "no such folder" in folder.stderr


def test_export_command_refuses_an_invalid_map(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("mechmap: 1\nid: b\ntitle: B\nnodes: {a: {}}\nedges: [a -> nowhere]\n")
    result = run_mechmap("export", str(bad), "--to", "mermaid")
    assert result.returncode == 1
    assert f"{bad}:5:" in result.stderr and "Traceback" not in result.stderr
