"""The ``layout:`` block: loading, merging node and variable hints, errors, schema, dump."""

from __future__ import annotations

import dataclasses
import json
import re

import jsonschema
import pytest
import yaml

import mechmap
from mechmap.mapfile.dump import dumps
from mechmap.model import Placement
from tests.conftest import DATA, run_mechmap

LAYOUT_MAP = DATA / "maps" / "layout.yaml"
LAYOUT_ERRORS = DATA / "invalid" / "layout.yaml"


@pytest.fixture(scope="module")
def m() -> mechmap.Map:
    return mechmap.load(LAYOUT_MAP)


def test_hints_load_in_file_order_as_written(m: mechmap.Map) -> None:
    assert [p.target for p in m.layout] == [
        "facilitator",
        "acceptance@t1",
        "trust",
        "trust@t2",
        "uptake@t1",
    ]
    assert m.layout[3] == Placement("trust@t2", order=0, pos=(820.0, 140.5))
    assert all(isinstance(c, float) for c in m.layout[4].pos)
    assert (m.layout[0].location.line, m.layout[0].location.col) == (14, 3)


def test_a_variable_gets_its_nodes_hints_with_its_own_laid_over(m: mechmap.Map) -> None:
    assert m.placement("trust@t2") == Placement(
        "trust@t2", order=0, band="bottom", pos=(820, 140.5)
    )
    assert m.placement("trust@t2").location.line == 17  # where the variable's own entry is
    assert m.placement("trust@t1") == Placement("trust", order=2, band="bottom")
    assert m.placement("trust") == Placement("trust", order=2, band="bottom")


def test_placement_of_nodes_timeless_variables_and_single_wave_nodes(m: mechmap.Map) -> None:
    assert m.placement("facilitator") == Placement("facilitator", band="top")
    # A single-wave node's variable is its plain id; acceptance@t1 names it too.
    assert m.placement("acceptance") == Placement("acceptance@t1", order=1)
    assert m.placement("acceptance@t1") == m.placement("acceptance")
    assert m.placement("uptake@t1") == Placement("uptake@t1", pos=(-36.0, 0.0))


def test_no_hint_is_none(m: mechmap.Map) -> None:
    assert m.placement("uptake@t2") is None
    assert m.placement("uptake") is None
    assert m.placement("nowhere") is None
    assert m.placement("trust@t9") is None
    plain = mechmap.loads("mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}}")
    assert plain.layout == () and plain.placement("a") is None


def test_the_merged_hints_are_computed_once_and_the_map_stays_frozen(m: mechmap.Map) -> None:
    assert m.placement("trust@t2") is m.placement("trust@t2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.layout = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.layout[0].band = "bottom"  # type: ignore[misc]


def test_later_hints_for_the_same_variable_in_a_built_map_are_laid_over() -> None:
    # Maps built in Python are not checked for duplicates; the last entry wins field by field.
    m = dataclasses.replace(
        mechmap.loads("mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}, b: {}}"),
        layout=(Placement("a", order=1, band="top"), Placement("a", order=3), Placement("zz")),
    )
    assert m.placement("a") == Placement("a", order=3, band="top")
    assert m.placement("b") is None


# -- errors, through the real command on real files ---------------------------------------

ERRORS = [
    (17, 17, "unknown node 'uptak' (did you mean 'uptake'?)"),  # not the layout: same run
    (19, 23, "band: 'middle' is not allowed; choose one of: top, bottom"),
    (20, 3, "unknown node 'acceptence' (did you mean 'acceptance'?)"),
    (21, 3, "node 'trust' has no copy at wave 't3' (its waves: t1, t2)"),
    (22, 9, "unknown wave 't22' (did you mean 't2'?)"),
    (23, 3, "node 'acceptance' exists only at wave 't1'"),
    (24, 3, "node 'facilitator' is timeless"),
    (25, 15, "unknown key 'ordr' in layout entry 'uptake@t2' (did you mean 'order'?)"),
    (26, 23, "order: 'first' is not a whole number; write e.g. 'order: 1'"),
    (27, 22, "order: 1.5 is not a whole number"),
    (28, 21, "order: true is not a whole number"),
    (29, 19, "pos: [820, 140, 3] is not a position; write 'pos: [x, y]'"),
    (30, 19, "pos: [820, inf] is not a position"),
    (31, 17, "pos: [1, 'a'] is not a position"),
    (32, 19, "pos: '820, 140' is not a position"),
    (33, 3, "acceptance is placed twice (first as 'acceptance' at line 26); keep one entry"),
    (34, 3, "layout entry 'trust t2' is not a node or variable: write node_id or node_id@wave"),
    (35, 3, "layout entry 'trust' sets nothing; give order, band or pos"),
    (36, 3, "layout entry 'capacity' sets nothing"),
]


@pytest.fixture(scope="module")
def validated() -> list[str]:
    result = run_mechmap("validate", str(LAYOUT_ERRORS.relative_to(DATA.parent.parent)))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(("line", "col", "message"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_every_layout_error_is_located(validated: list[str], line, col, message) -> None:
    prefix = f"tests/data/invalid/layout.yaml:{line}:{col}: error: "
    assert any(x.startswith(prefix) and message in x for x in validated), validated


def test_all_errors_come_in_one_run_and_nothing_else(validated: list[str]) -> None:
    errors = [x for x in validated if ": error: " in x]
    assert len(errors) == len(ERRORS)
    assert validated[-1].endswith(f"invalid: {len(ERRORS)} errors (1 warning)")
    (pinned,) = [x for x in validated if ": warning: " in x]
    assert pinned.startswith("tests/data/invalid/layout.yaml:37:11: warning: layout entry 'reach'")
    assert "pins every copy (reach@t2, reach@t3) to one point" in pinned


def test_every_error_is_one_line_with_a_fix_or_the_choices(validated: list[str]) -> None:
    for x in validated[:-1]:
        assert re.match(r"^tests/data/invalid/layout\.yaml:\d+:\d+: (error|warning): ", x), x


def test_python_api_raises_with_the_same_errors() -> None:
    with pytest.raises(mechmap.MapError) as caught:
        mechmap.load(LAYOUT_ERRORS)
    errors = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert [(d.location.line, d.location.col) for d in errors] == [e[:2] for e in ERRORS]


def test_an_empty_layout_block_is_no_hints() -> None:
    m = mechmap.loads("mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}}\nlayout:\n")
    assert m.layout == ()


def test_a_layout_block_that_is_not_a_mapping_is_located() -> None:
    with pytest.raises(mechmap.MapError) as caught:
        mechmap.loads("mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}}\nlayout: [a]\n", "f.yaml")
    (problem,) = caught.value.diagnostics
    assert (
        str(problem)
        == "f.yaml:5:9: error: layout is a mapping: write layout: {node_id: {order: 1}, ...}"
    )


# -- schema ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    result = run_mechmap("schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_schema_has_the_layout_block_with_descriptions(schema: dict) -> None:
    layout = schema["properties"]["layout"]
    assert "node@wave" in layout["description"]
    assert layout["additionalProperties"] == {"$ref": "#/$defs/PlacementSpec"}
    placement = schema["$defs"]["PlacementSpec"]
    assert set(placement["properties"]) == {"order", "band", "pos"}
    assert placement["additionalProperties"] is False and placement["minProperties"] == 1
    for name in ("order", "band", "pos"):
        assert placement["properties"][name]["description"]
    assert "points" in placement["properties"]["pos"]["description"]


def test_the_schema_accepts_the_layout_map_and_rejects_bad_hints(schema: dict) -> None:
    data = yaml.safe_load(LAYOUT_MAP.read_text())
    jsonschema.validate(data, schema)
    for bad in (
        {"band": "middle"},
        {"order": "first"},
        {"pos": [1, 2, 3]},
        {"pos": [1]},
        {"ordr": 1},
        {},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**data, "layout": {"trust": bad}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "layout": {"trust t2": {"order": 1}}}, schema)


# -- dump --------------------------------------------------------------------------------


def test_dump_writes_the_block_back_and_loads_to_the_same_map(m: mechmap.Map) -> None:
    text = dumps(m)
    block = text.split("\nlayout:\n")[1].splitlines()
    assert block == [
        "  facilitator: {band: top}",
        "  acceptance@t1: {order: 1}",
        "  trust: {order: 2, band: bottom}",
        "  trust@t2: {order: 0, pos: [820, 140.5]}",
        "  uptake@t1: {pos: [-36, 0]}",
    ]
    again = mechmap.loads(text)
    assert again == m
    assert again.layout == m.layout
    assert {v: again.placement(v) for v in again.variables} == {
        v: m.placement(v) for v in m.variables
    }


def test_a_map_without_hints_dumps_no_block() -> None:
    m = mechmap.loads("mechmap: 1\nid: p\ntitle: P\nnodes: {a: {}}")
    assert "layout" not in dumps(m)
