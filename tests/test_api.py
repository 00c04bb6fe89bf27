"""The Python API: one immutable Map, errors as exceptions with every diagnostic."""

from __future__ import annotations

import dataclasses

import pytest

import mechmap
from mechmap.mapfile.loader import loads

EXAMPLE = """
mechmap: 1
id: working-alliance
title: Working alliance in facilitated implementation
waves: {base: Baseline, impl: Implementation year, sust: Sustainment year}
nodes:
  facilitation_hours: {label: Facilitation dose (hours), role: strategy, wave: impl}
  alliance: {label: Working alliance (WAI-S), role: mechanism, wave: impl}
  fidelity: {label: GTI process fidelity, role: proximal_outcome, wave: impl}
  screening:
    {label: HCC screening rate, role: clinical_outcome, waves: [base, impl, sust], carry: true}
  site_capacity: {label: Site capacity, role: context, latent: true}
edges:
  - facilitation_hours -> alliance -> fidelity
  - {from: fidelity, to: screening@impl, arrow: 3, sign: "+", provenance: text}
  - site_capacity -> alliance
  - site_capacity -> screening
hypotheses:
  - {id: afs, path: alliance -> fidelity -> screening, expect: "+"}
"""


def test_the_example_of_the_format_reference_unrolls_as_documented() -> None:
    m = loads(EXAMPLE)
    arrows = {(x.source, x.target) for x in m.links}
    assert arrows == {
        ("facilitation_hours", "alliance"),
        ("alliance", "fidelity"),
        ("fidelity", "screening@impl"),
        ("site_capacity", "alliance"),
        # a timeless cause reaches every copy
        ("site_capacity", "screening@base"),
        ("site_capacity", "screening@impl"),
        ("site_capacity", "screening@sust"),
        # carry
        ("screening@base", "screening@impl"),
        ("screening@impl", "screening@sust"),
    }
    # the un-suffixed hypothesis resolves to the one copy that makes it a path
    assert m.hypotheses[0].path == ("alliance", "fidelity", "screening@impl")


def test_map_is_immutable() -> None:
    m = loads(EXAMPLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.node_by_id["alliance"] = m.nodes[0]  # type: ignore[index]
    graph = m.to_networkx()
    with pytest.raises(Exception, match="Frozen"):
        graph.add_edge("a", "b")
    assert graph.nodes["screening@impl"]["concept"] == "screening"
    assert graph.edges["fidelity", "screening@impl"]["arrow"] == "3"


def test_map_error_carries_every_diagnostic() -> None:
    with pytest.raises(mechmap.MapError) as caught:
        loads("mechmap: 1\nid: x\ntitle: X\nnodes: {a: {role: mechansim}}\nedges: [a -> b]\n")
    messages = [d.message for d in caught.value.diagnostics]
    assert any("did you mean 'mechanism'" in m for m in messages)
    assert any("unknown node 'b'" in m for m in messages)
    assert str(caught.value).startswith("<string>:4:")


@pytest.mark.parametrize(
    ("edge", "expected"),
    [
        ("dose -> uptake", {("dose", "uptake@t1")}),  # fixed -> every copy: same wave
        ("{from: dose, to: uptake, lag: 1}", {("dose", "uptake@t2")}),
        ("trust -> uptake", {("trust@t1", "uptake@t1"), ("trust@t2", "uptake@t2")}),
        ("{from: trust, to: uptake, lag: 1}", {("trust@t1", "uptake@t2")}),
        ("trust -> outcome", {("trust@t2", "outcome")}),  # every copy -> fixed
        ("{from: trust, to: outcome, lag: 1}", {("trust@t1", "outcome")}),
        ("setting -> trust", {("setting", "trust@t1"), ("setting", "trust@t2")}),
        ("trust@t1 -> uptake@t2", {("trust@t1", "uptake@t2")}),
    ],
)
def test_edge_rules_between_time_indexed_nodes(edge: str, expected: set) -> None:
    text = (
        "mechmap: 1\nid: rules\ntitle: Rules\nwaves: {t0: A, t1: B, t2: C}\nnodes:\n"
        "  dose: {role: strategy, wave: t1}\n  trust: {role: mechanism, waves: [t1, t2]}\n"
        "  uptake: {role: implementation_outcome, waves: [t0, t1, t2]}\n"
        "  outcome: {role: clinical_outcome, wave: t2}\n  setting: {role: context}\n"
        f"edges:\n  - {edge}\n"
    )
    m = loads(text)
    assert {(x.source, x.target) for x in m.links} == expected


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        ("trust -> setting", "say which wave acts"),
        ("{from: dose, to: uptake, lag: 2}", "no copy at the wave after the last"),
        ("{from: trust@t1, to: uptake@t2, lag: 0}", "lag 0 does not fit"),
        ("{from: setting, to: trust, lag: 1}", "'lag' needs time-indexed nodes"),
        ("{from: trust, to: trust}", "self-loop"),
        ("{from: 'a -> b', to: trust}", "takes one node"),
    ],
)
def test_edge_rule_violations_are_explained(edge: str, message: str) -> None:
    text = (
        "mechmap: 1\nid: rules\ntitle: Rules\nwaves: {t0: A, t1: B, t2: C}\nnodes:\n"
        "  dose: {role: strategy, wave: t1}\n  trust: {role: mechanism, waves: [t1, t2]}\n"
        "  uptake: {role: implementation_outcome, waves: [t0, t1, t2]}\n"
        "  setting: {role: context}\n"
        f"edges:\n  - {edge}\n"
    )
    with pytest.raises(mechmap.MapError, match=message):
        loads(text)


def test_carry_adds_arrows_between_consecutive_copies_and_explicit_edges_replace_them() -> None:
    m = loads(
        "mechmap: 1\nid: c\ntitle: C\nwaves: {a: A, b: B, c: C}\nnodes:\n"
        "  x: {role: mechanism, waves: [a, b, c], carry: true}\n"
        "edges:\n  - {from: x@a, to: x@b, arrow: 1, note: explicit}\n"
    )
    links = {(x.source, x.target): x.edge for x in m.links}
    assert set(links) == {("x@a", "x@b"), ("x@b", "x@c")}
    assert links[("x@a", "x@b")].arrow == "1" and links[("x@b", "x@c")] is None


TEACHING = """
mechmap: 1
id: teach
title: Teaching order
nodes: {a: {role: strategy}, b: {role: mechanism}, c: {role: implementation_outcome}}
edges:
  - {from: a, to: b, arrow: 10}
  - {from: b, to: c, arrow: 2}
  - a -> c
"""


def test_default_teaching_order_is_arrow_number_order_then_the_rest() -> None:
    m = loads(TEACHING)
    assert [s.edge.name for s in m.teaching_steps()] == ["#2", "#10", "a -> c"]


def test_teaching_sequence_is_resolved_and_round_trips() -> None:
    from mechmap.mapfile.dump import dumps

    text = TEACHING + (
        "teaching:\n  sequence:\n    - {edge: a -> c, caption: First the direct arrow.}\n"
        "    - {arrow: 10}\n"
    )
    m = loads(text)
    assert [(s.edge.written, s.caption) for s in m.teaching_steps()] == [
        ("a -> c", "First the direct arrow."),
        ("a -> b", None),
    ]
    assert loads(dumps(m)) == m
    with pytest.raises(mechmap.MapError, match="teaching step 1: the map has no arrow #7"):
        loads(TEACHING + "teaching:\n  sequence:\n    - {arrow: 7}\n")
