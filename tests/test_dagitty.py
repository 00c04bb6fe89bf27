"""DAGitty import and export: the conformance models, round trips, hostile names, bad input."""

from __future__ import annotations

import dataclasses
import json
import re
import string
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.diagrams.dagitty import (
    POINTS_PER_UNIT,
    import_dagitty,
    parse_dagitty,
    slug,
    tags,
    to_dagitty,
)
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Map
from tests.conftest import DATA, ROOT, run_mechmap, validate_json

MODELS = sorted((DATA / "dagitty").glob("*.dagitty"))
HOSTILE = ["<script>alert(1)</script>", '"]; evil [', "[bold]", "a \\ b", "my var", "my_var"]


def imported(text: str, file: str = "<string>") -> Map:
    result, problems = import_dagitty(text, file)
    assert result is not None, [str(p) for p in problems]
    return mechmap.loads(result)


def expected(model: Path) -> dict:
    return json.loads(model.with_suffix("").with_suffix(".expected.json").read_text())


def is_bidirected(node) -> bool:
    return "bidirected" in tags(node.description)


def dagitty_view(m: Map) -> dict[str, set]:
    """What DAGitty sees: roles by original name (the label), latent confounders from '<->'
    as unordered pairs, directed arrows between the other nodes."""
    named = {n.id: n.label for n in m.nodes if not is_bidirected(n)}
    roles: dict[str, set] = {key: set() for key in ("exposure", "outcome", "latent")}
    roles |= {"adjusted": set(), "selected": set()}
    for n in m.nodes:
        if n.id not in named:
            continue
        if n.role in STRATEGY_ROLES:
            roles["exposure"].add(n.label)
        if n.role in OUTCOME_ROLES:
            roles["outcome"].add(n.label)
        if n.latent:
            roles["latent"].add(n.label)
        for flag in tags(n.description) & {"adjusted", "selected"}:
            roles[flag].add(n.label)
    arrows = {(named[x.source], named[x.target]) for x in m.links if x.source in named}
    spouses = {frozenset(named[c] for c in m.children[n.id]) for n in m.nodes if n.id not in named}
    return {**roles, "arrows": arrows, "spouses": spouses}


def graph_of(m: Map) -> tuple:
    """Nodes with roles, latent flags, labels and descriptions, and the arrows."""
    nodes = [(n.id, n.label, n.role, n.latent, n.description) for n in m.nodes]
    return nodes, sorted((x.source, x.target) for x in m.links)


# -- the conformance set -----------------------------------------------------------------


def test_the_conformance_set_is_complete() -> None:
    assert len(MODELS) == 12
    assert (DATA / "dagitty" / "README.md").exists()
    assert all(m.with_suffix(".expected.json").exists() for m in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_conformance_model_imports_with_dagitty_roles(model: Path) -> None:
    m = imported(model.read_text(), str(model))
    want = expected(model)
    seen = dagitty_view(m)
    for role in ("exposure", "outcome", "latent", "adjusted", "selected"):
        assert seen[role] == set(want[role]), role


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_conformance_model_has_dagittys_causal_paths(model: Path) -> None:
    m = imported(model.read_text(), str(model))
    want = expected(model)
    graph = m.to_networkx()
    by_label = {n.label: n.id for n in m.nodes}
    label = {n.id: n.label for n in m.nodes}
    (exposure,), (outcome,) = want["exposure"], want["outcome"]
    paths = nx.all_simple_paths(graph, by_label[exposure], by_label[outcome])
    found = {" -> ".join(label[v] for v in path) for path in paths}
    assert found == set(want["causal_paths"])


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_import_export_import_gives_the_same_graph(model: Path) -> None:
    first = imported(model.read_text(), str(model))
    second = imported(to_dagitty(first, positions=False), str(model))
    assert graph_of(second) == graph_of(first)
    assert dagitty_view(second) == dagitty_view(first)


_POS = re.compile(r'^(\S+) \[[^\]]*?pos="([^"]+)"', re.MULTILINE)


def in_units(pos: tuple[float, float]) -> str:
    """A pinned position as DAGitty writes it: units, three decimals."""
    return "{:.3f},{:.3f}".format(*(c / POINTS_PER_UNIT for c in pos))


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_import_export_import_keeps_dagittys_positions(model: Path) -> None:
    text = model.read_text()
    original = dict(_POS.findall(text))  # DAGitty name -> "x,y"
    assert original
    first = imported(text, str(model))
    by_label = {n.label: n.id for n in first.nodes}
    assert {name: in_units(first.placement(by_label[name]).pos) for name in original} == original
    exported = to_dagitty(first)
    assert dict(_POS.findall(exported)) == {by_label[k]: v for k, v in original.items()}
    second = imported(exported, str(model))
    assert second.layout == first.layout
    assert [p.pos for p in second.layout] == [p.pos for p in first.layout]


def test_positions_import_as_points_and_go_back_in_units() -> None:
    m = imported('dag { a [pos="-10.173,2.5"] b [pos="0,-0.001"] c a -> b }')
    assert [(p.target, p.pos) for p in m.layout] == [
        ("a", (-732.456, 180.0)),
        ("b", (0.0, -0.072)),
    ]
    assert m.placement("c") is None
    text = to_dagitty(m, positions=False)
    assert "pos=" not in text
    text = to_dagitty(m)
    assert 'a [pos="-10.173,2.500"]' in text and 'b [pos="0.000,-0.001"]' in text


def test_malformed_positions_are_warnings_and_dropped() -> None:
    data, problems = parse_dagitty('dag {\n a [pos="1"]\n b [pos="x,2"] c [pos="nan,1"] d [pos]\n}')
    assert "layout" not in data
    assert [str(p) for p in problems] == [
        '<string>:2:5: warning: pos="1" is ignored: write pos="x,y"',
        '<string>:3:5: warning: pos="x,2" is ignored: write pos="x,y"',
        '<string>:3:19: warning: pos="nan,1" is ignored: write pos="x,y"',
        '<string>:3:35: warning: pos is ignored: write pos="x,y"',
    ]


def test_export_uses_pins_and_runs_no_layout_when_every_variable_has_one(monkeypatch) -> None:
    import mechmap.diagrams.render as render

    def no_layout(m):
        raise AssertionError("the layout ran although every variable is pinned")

    monkeypatch.setattr(render, "layout_positions", no_layout)
    m = mechmap.loads(
        "mechmap: 1\nid: p\ntitle: P\nwaves: {t1: One, t2: Two}\n"
        "nodes: {a: {}, b: {waves: [t1, t2]}}\nedges: [a -> b]\n"
        "layout: {a: {pos: [72, 144]}, b: {pos: [0, 0]}, b@t2: {pos: [36, -36], order: 1}}\n"
    )
    lines = to_dagitty(m).splitlines()
    assert 'a [pos="1.000,2.000"]' in lines
    assert '"b@t1" [pos="0.000,0.000"]' in lines  # the node's pin
    assert '"b@t2" [pos="0.500,-0.500"]' in lines  # the copy's own pin wins


def test_export_lays_out_the_variables_without_a_pin() -> None:
    m = mechmap.loads(
        "mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}, b: {}, c: {}}\n"
        "edges: [a -> b -> c]\nlayout: {b: {pos: [720, 72]}, c: {order: 1}}\n"
    )
    positions = dict(_POS.findall(to_dagitty(m)))
    assert positions["b"] == "10.000,1.000"
    assert set(positions) == {"a", "b", "c"}
    xs = {name: float(pos.split(",")[0]) for name, pos in positions.items()}
    assert xs["a"] < xs["c"]  # the layout's own positions, left to right


def test_bidirected_edges_become_latent_confounders_and_go_back_as_bidirected() -> None:
    m = imported((DATA / "dagitty" / "M-bias.dagitty").read_text())
    u = m.node_by_id["U_D_Z"]
    assert (u.role, u.latent, u.label) == ("confounder", True, "Unobserved common cause of D and Z")
    assert m.children["U_D_Z"] == ("D", "Z")
    assert not m.parents["U_D_Z"]
    text = to_dagitty(m, positions=False)
    assert "D <-> Z" in text.splitlines() and "E <-> Z" in text.splitlines()
    assert "U_D_Z" not in text


def test_export_without_pins_writes_the_diagrams_layout() -> None:
    m = imported((DATA / "dagitty" / "confounding.dagitty").read_text())
    m = dataclasses.replace(m, layout=())
    text = to_dagitty(m)
    positions = re.findall(r'pos="(-?[0-9.]+),(-?[0-9.]+)"', text)
    assert len(positions) == len(m.nodes)
    assert graph_of(imported(text)) == graph_of(m)


@pytest.mark.parametrize("name", ["M-bias", "Thoemmes", "Didelez", "paths"])
def test_import_command_writes_a_valid_map(tmp_path: Path, name: str) -> None:
    model = DATA / "dagitty" / f"{name}.dagitty"
    out = tmp_path / "map.yaml"
    result = run_mechmap("import", str(model), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert validate_json(out)["valid"]
    m = mechmap.load(out)
    want = expected(model)
    assert dagitty_view(m)["exposure"] == set(want["exposure"])
    assert dagitty_view(m)["latent"] == set(want["latent"])


def test_import_then_export_through_the_command(tmp_path: Path) -> None:
    model = DATA / "dagitty" / "Didelez.dagitty"
    first, back, second = tmp_path / "a.yaml", tmp_path / "b.dagitty", tmp_path / "b.yaml"
    assert run_mechmap("import", str(model), "-o", str(first)).returncode == 0
    exported = run_mechmap("export", str(first), "--to", "dagitty", "-o", str(back))
    assert exported.returncode == 0, exported.stderr
    assert run_mechmap("import", str(back), "-o", str(second)).returncode == 0
    assert graph_of(mechmap.load(second)) == graph_of(mechmap.load(first))


def test_import_to_standard_output() -> None:
    result = run_mechmap("import", str(DATA / "dagitty" / "mediator.dagitty"))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["nodes"]["X"] == {"role": "strategy"}


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    model = str(DATA / "dagitty" / "mediator.dagitty")
    out = tmp_path / "map.yaml"
    out.write_text("keep me")
    refused = run_mechmap("import", model, "-o", str(out))
    assert refused.returncode == 2
    assert "exists" in refused.stderr and "--force" in refused.stderr
    assert out.read_text() == "keep me"
    forced = run_mechmap("import", model, "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert mechmap.load(out).node_by_id["X"].role == "strategy"
    assert [p.name for p in tmp_path.iterdir()] == ["map.yaml"]  # no temporary left


def test_import_command_reports_located_errors(tmp_path: Path) -> None:
    model = tmp_path / "bad.dagitty"
    model.write_text("dag {\n  a -> b\n  b -> c -> a\n  d -- a\n}\n")
    out = tmp_path / "map.yaml"
    result = run_mechmap("import", str(model), "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert f"{model}:2:5: error: cycle a -> b -> c -> a" in lines[0]
    assert lines[1].startswith(f"{model}:4:5: error: '--' is an undirected edge")
    assert not out.exists()


def test_import_command_reports_non_utf8(tmp_path: Path) -> None:
    model = tmp_path / "latin1.dagitty"
    model.write_bytes(b"dag { caf\xe9 -> b }")
    result = run_mechmap("import", str(model))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{model}:1:10: error: file is not UTF-8 text")


# -- syntax ------------------------------------------------------------------------------


def test_dagitty_syntax_variants() -> None:
    text = """strict DAG "my model" {
      bb="0,0,1,1"
      graph [bb="0,0,1,1"]
      X [e, pos="0.1,0.2"]; Y [o]
      L [l] A [a] S [s,adjusted]
      X -> M -> Y [pos="1,1"]
      Y <- C -> X
      C -> {A S}
      {L -5} -> X
      { P -> Q } -> R
      "split " + "name" -> "line\\
cont" -> Y
      X -> Y
      X -> Y
    }"""
    m = imported(text)
    assert (m.id, m.title) == ("my_model", "my model")
    arrows = {(x.source, x.target) for x in m.links}
    assert arrows == {
        ("X", "M"),
        ("M", "Y"),
        ("C", "Y"),
        ("C", "X"),
        ("C", "A"),
        ("C", "S"),
        ("L", "X"),
        ("_-5", "X"),
        ("P", "Q"),
        ("P", "R"),
        ("Q", "R"),
        ("split_name", "linecont"),
        ("linecont", "Y"),
        ("X", "Y"),
    }
    roles = {n.id: (n.role, n.latent, n.description) for n in m.nodes}
    assert roles["X"] == ("strategy", False, None)
    assert roles["Y"] == ("implementation_outcome", False, None)
    assert roles["L"] == ("other", True, None)
    assert roles["A"] == ("other", False, "dagitty: adjusted")
    assert roles["S"] == ("other", False, "dagitty: adjusted, selected")
    assert m.node_by_id["split_name"].label == "split name"


def test_bidirected_pairs_are_one_confounder_whatever_the_order() -> None:
    m = imported("dag { a <-> b  b <-> a  a -> b  U_a_b }")
    assert [n.id for n in m.nodes] == ["a", "b", "U_a_b", "U_a_b_2"]
    assert m.children["U_a_b_2"] == ("a", "b")
    assert m.node_by_id["U_a_b"].role == "other"  # the model's own node keeps its name


def test_header_without_graph_name_uses_the_file_name() -> None:
    data, _ = parse_dagitty("dag { a }", "some/dir/My Model.dagitty")
    assert (data["id"], data["title"]) == ("My_Model", "My Model")
    assert data["description"] == "Imported from the DAGitty model My Model.dagitty."
    data, _ = parse_dagitty("dag { a }")
    assert (data["id"], data["title"]) == ("dagitty-model", "DAGitty model")


def test_unknown_attributes_are_warnings() -> None:
    data, problems = parse_dagitty('dag {\n x [Exposure, color="red"]\n x -> y [label="b1"]\n}')
    assert data is not None
    assert [str(p) for p in problems] == [
        "<string>:2:5: warning: node attribute 'Exposure' is ignored (did you mean 'exposure'?)",
        "<string>:2:15: warning: node attribute 'color' is ignored",
        "<string>:3:10: warning: edge attribute 'label' is ignored",
    ]


BAD = [
    ("", 1, 1, "a DAGitty model starts with 'dag {'"),
    ("hello", 1, 1, "a DAGitty model starts with 'dag {' (found 'hello')"),
    ("digraph { a -> b }", 1, 1, "this is a DAGitty 'digraph' model; mechmap imports 'dag'"),
    ("pdag { a -- b }", 1, 1, "this is a DAGitty 'pdag' model"),
    ("dag a -> b", 1, 7, "expected '{' after 'dag', found '->'"),
    ("dag { a -> }", 1, 12, "expected a variable name or a '{' group, found '}'"),
    ("dag {\n a -> b\n", 3, 1, "expected a statement or the closing '}', found the end"),
    ("dag { a -> b } c", 1, 16, "expected nothing after the closing '}', found 'c'"),
    ("dag { a [pos=] }", 1, 14, "expected a value for 'pos', found ']'"),
    ("dag { a [exposure,outcome] }", 1, 19, "'a' is both exposure and outcome"),
    ("dag { a -> a }", 1, 9, "self-loop a -> a"),
    ("dag { a <-> a }", 1, 9, "self-loop a <-> a"),
    ("dag {\n a -> b\n b -> c\n c -> a\n}", 2, 4, "cycle a -> b -> c -> a"),
    ("dag { a -- b }", 1, 9, "'--' is an undirected edge"),
    ("dag { a @-> b }", 1, 9, "'@->' is a PAG/MAG edge mark"),
    ("dag { // note\n a -> b }", 1, 7, "unexpected character '/'; DAGitty models have no comments"),
    ("dag { a -> b # note\n }", 1, 14, "DAGitty models have no comments"),
    ('dag { "abc -> b }', 1, 7, "string not closed on its line"),
    ('dag { "a\tb" }', 1, 9, "control character U+0009 in a string"),
    ("dag { graph -> a }", 1, 7, "DAGitty does not allow a variable named 'graph'"),
    ("dag { node }", 1, 7, "DAGitty does not allow a variable named 'node'"),
    ("dag { {a b} [exposure] }", 1, 14, "a group takes no attributes"),
    ("dag { a [x=1 }", 1, 14, "expected an attribute name or ']', found '}'"),
    ("dag { }", 1, 1, "the model has no variables"),
    ("dag { a ! b }", 1, 9, "unexpected character '!'"),
    ("dag { " + "{" * 60 + "a" + "}" * 60 + " }", 1, 57, "groups nested too deeply"),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), BAD, ids=[b[3][:40] for b in BAD])
def test_malformed_models_give_located_errors(text: str, line: int, col: int, message: str):
    data, problems = parse_dagitty(text, "model.dagitty")
    assert data is None
    first = problems[0]
    assert (first.location.line, first.location.col) == (line, col), str(first)
    assert first.severity == "error"
    assert message in first.message
    assert first.location.file == "model.dagitty"


def test_every_meaning_error_is_reported_at_once() -> None:
    _, problems = parse_dagitty("dag {\n a -> a\n b -- c\n d [e, o]\n}")
    assert [(p.location.line, p.location.col) for p in problems] == [(2, 4), (3, 4), (4, 8)]


# -- hostile names and labels -----------------------------------------------------------


def test_hostile_names_become_identifiers_and_keep_their_text() -> None:
    quoted = " ".join('"' + name.replace('"', '\\"') + '"' for name in HOSTILE)
    m = imported(f'dag {{ {quoted} "<script>alert(1)</script>" -> "[bold]" }}')
    assert [n.label for n in m.nodes] == HOSTILE
    ids = [n.id for n in m.nodes]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", i) for i in ids)
    assert ids[-1] == "my_var" and ids[-2] == "my_var_2"  # a valid name keeps itself
    again = imported(to_dagitty(m, positions=False))
    assert graph_of(again) == graph_of(m)


def test_map_labels_survive_export_as_dagitty_labels() -> None:
    nodes = {f"n{i}": {"label": label} for i, label in enumerate(HOSTILE)}
    nodes["n9"] = {"label": "two\nlines", "role": "strategy"}
    nodes["n8"] = {"label": "ends in \\"}
    text = yaml.safe_dump({"mechmap": 1, "id": "h", "title": "H", "nodes": nodes})
    m = mechmap.loads(text)
    exported = to_dagitty(m, positions=False)
    assert exported.count("\n") == len(nodes) + 2  # no label breaks a line
    back = {n.id: n.label for n in imported(exported).nodes}
    assert [back[f"n{i}"] for i in range(len(HOSTILE))] == HOSTILE
    assert back["n9"] == "two lines"
    assert back["n8"] == "ends in \\ "


def test_time_indexed_variables_are_quoted_and_come_back_slugged() -> None:
    m = mechmap.load(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml")
    text = to_dagitty(m, positions=False)
    assert '"screening@impl" [outcome,label="HCC screening rate among patients' in text
    back = imported(text)
    renamed = {v: slug(v) for v in m.variables}
    assert [n.id for n in back.nodes] == [renamed[v] for v in m.variables]
    assert {(x.source, x.target) for x in back.links} == {
        (renamed[x.source], renamed[x.target]) for x in m.links
    }
    latent = {renamed[v] for v, info in m.variable_info.items() if info.node.latent}
    assert {n.id for n in back.nodes if n.latent} == latent


def test_reserved_dagitty_names_are_renamed_on_export() -> None:
    m = mechmap.loads(
        "mechmap: 1\nid: r\ntitle: R\nnodes: {graph: {}, node: {}}\nedges: [graph -> node]"
    )
    text = to_dagitty(m, positions=False)
    assert "graph_ -> node_" in text
    assert [n.id for n in imported(text).nodes] == ["graph_", "node_"]


# -- property: random DAGs survive export -> import --------------------------------------

IDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,6}", fullmatch=True).filter(
    lambda s: s not in ("graph", "node")
)
LABELS = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\\"),
        min_size=1,
        max_size=12,
    ),
)
ROLE_CHOICES = ["strategy", "component", "mechanism", "implementation_outcome", "clinical_outcome"]


@st.composite
def random_maps(draw) -> Map:
    ids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    nodes = {}
    for node_id in ids:
        fields = {"role": draw(st.sampled_from(ROLE_CHOICES))}
        if draw(st.booleans()):
            fields["label"] = draw(LABELS)
        if draw(st.booleans()):
            fields["latent"] = True
        nodes[node_id] = fields
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    edges = [f"{a} -> {b}" for a, b in chosen]
    data = {"mechmap": 1, "id": "random", "title": "Random", "nodes": nodes, "edges": edges}
    return mechmap.loads(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=150, deadline=None)
@given(random_maps())
def test_random_dags_survive_dagitty_export_and_import(m: Map) -> None:
    back = imported(to_dagitty(m, positions=False))
    assert [n.id for n in back.nodes] == [n.id for n in m.nodes]
    assert [n.label for n in back.nodes] == [n.label for n in m.nodes]
    assert {(x.source, x.target) for x in back.links} == {(x.source, x.target) for x in m.links}
    for before, after in zip(m.nodes, back.nodes, strict=True):
        assert (before.role in STRATEGY_ROLES) == (after.role == "strategy")
        assert (before.role in OUTCOME_ROLES) == (after.role == "implementation_outcome")
        assert before.latent == after.latent


def test_slug_keeps_only_identifier_characters() -> None:
    for name in [*HOSTILE, "1", "-5", "名前", "", "@", "a b c", string.punctuation]:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", slug(name)), name


PIECES = ["dag", "{", "}", "a", "b", '"x y"', "->", "<-", "<->", "--", "[", "]", "=", ",", ";"]
PIECES += ["exposure", "outcome", "latent", "pos", '"1,2"', "\n", " ", "+", "graph", "{a b}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join) | st.text(max_size=60))
def test_any_text_gives_a_valid_map_or_located_errors(text: str) -> None:
    data, problems = parse_dagitty(text, "fuzz.dagitty")
    errors = [p for p in problems if p.severity == "error"]
    assert (data is None) == bool(errors)
    assert all(p.location.file == "fuzz.dagitty" and p.location.line >= 1 for p in problems)
    if data is not None:
        result, more = import_dagitty(text, "fuzz.dagitty")
        assert result is not None, [str(p) for p in more]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES[3:]), max_size=25).map(" ".join))
def test_model_bodies_give_a_valid_map_or_located_errors(body: str) -> None:
    text = "dag {" + body + "}"
    data, problems = parse_dagitty(text)
    assert (data is None) == any(p.severity == "error" for p in problems)
    if data is not None:
        assert import_dagitty(text)[0] is not None
