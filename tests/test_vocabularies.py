"""Shared vocabularies: ERIC and CFIR 2.0 tags on nodes, checked, stored canonically, shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import mechmap
from mechmap.diagnostics import MapError
from mechmap.mapfile.dump import dumps
from mechmap.vocabularies import CFIR_DOMAINS, cfir_entries, eric_strategies, resolve
from tests.conftest import ROOT, run_mechmap

TAGGED = """\
mechmap: 1
id: tagged
title: Tagged
nodes:
  dose:
    role: strategy
    eric: facilitation
    cfir: [Implementation Facilitators, "inner setting: culture"]
  champions: {role: component, eric: [Identify and prepare champions, Build a coalition]}
  trust: {role: mechanism}
  priority: {role: context, cfir: Relative Priority}
  uptake: {role: implementation_outcome}
edges: [dose -> trust -> uptake, champions -> trust, priority -> trust]
"""


def _at(text: str, needle: str) -> str:
    """``line:col`` of the first ``needle`` in ``text`` (1-based)."""
    before = text[: text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_eric_has_its_73_strategies_in_nine_clusters() -> None:
    strategies = eric_strategies()
    assert len(strategies) == 73
    assert [s.number for s in strategies] == list(range(1, 74))
    assert len({s.name for s in strategies}) == 73
    assert [s.name for s in strategies] == sorted((s.name for s in strategies), key=str.lower)
    assert len({s.cluster for s in strategies}) == 9
    names = {s.name for s in strategies}
    assert {"Facilitation", "Audit and provide feedback", "Conduct educational meetings"} <= names


def test_cfir_2_has_the_five_domains_and_the_2022_names() -> None:
    entries = cfir_entries()
    assert tuple(dict.fromkeys(e.domain for e in entries)) == CFIR_DOMAINS
    assert CFIR_DOMAINS == (
        "Innovation",
        "Outer Setting",
        "Inner Setting",
        "Individuals",
        "Implementation Process",
    )
    names = {e.name for e in entries}
    assert {
        "Individuals: High-Level Leaders",
        "Individuals: Implementation Facilitators",
        "Implementation Process: Tailoring Strategies",
        "Inner Setting: Relative Priority",
        "Inner Setting: Access to Knowledge & Information",
        "Inner Setting: Available Resources: Funding",
    } <= names
    assert "Inner Setting: Leadership Engagement" not in names  # a CFIR 1 construct
    assert len(names) == len(entries)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("TAILORING STRATEGIES", "Implementation Process: Tailoring Strategies"),
        ("Inner Setting: Funding", "Inner Setting: Available Resources: Funding"),
        ("Innovation Deliverers", "Individuals: Innovation Deliverers"),
        (
            "Assessing Needs: Innovation Deliverers",
            "Implementation Process: Assessing Needs: Innovation Deliverers",
        ),
        ("Partnerships and Connections", "Outer Setting: Partnerships & Connections"),
        ("Individuals", "Individuals"),
    ],
)
def test_a_cfir_name_is_found_however_it_is_written(written: str, canonical: str) -> None:
    assert resolve("cfir", written) == canonical


def test_tags_validate_are_stored_canonically_and_survive_dump(tmp_path: Path) -> None:
    path = _write(tmp_path, TAGGED)
    result = run_mechmap("validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout
    m = mechmap.load(path)
    dose = m.node_by_id["dose"]
    assert dose.eric == ("Facilitation",)
    assert dose.cfir == ("Individuals: Implementation Facilitators", "Inner Setting: Culture")
    assert mechmap.loads(dumps(m)) == m


def test_show_prints_the_tags_in_text_and_json(tmp_path: Path) -> None:
    path = _write(tmp_path, TAGGED)
    text = run_mechmap("show", str(path))
    assert text.returncode == 0, text.stderr
    assert "Shared vocabularies" in text.stdout
    assert "Facilitation (ERIC 33)" in text.stdout
    assert "Inner Setting: Relative Priority" in text.stdout
    data = json.loads(run_mechmap("show", "--json", str(path)).stdout)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["champions"]["eric"] == ["Identify and prepare champions", "Build a coalition"]
    assert nodes["priority"]["cfir"] == ["Inner Setting: Relative Priority"]
    assert nodes["trust"]["eric"] == [] and nodes["trust"]["cfir"] == []


def test_a_misspelt_strategy_is_located_with_did_you_mean(tmp_path: Path) -> None:
    text = TAGGED.replace("eric: facilitation", "eric: Facilitaton")
    path = _write(tmp_path, text)
    result = run_mechmap("validate", str(path))
    assert result.returncode == 1
    assert (
        f"{path}:{_at(text, 'Facilitaton')}: error: node 'dose': 'Facilitaton' is not an "
        "ERIC strategy (did you mean 'Facilitation'?)"
    ) in result.stdout
    assert "Traceback" not in result.stderr


def test_a_misspelt_item_of_a_list_is_located_at_the_item(tmp_path: Path) -> None:
    text = TAGGED.replace("Build a coalition", "Build a coalitoin")
    path = _write(tmp_path, text)
    result = run_mechmap("validate", str(path))
    assert result.returncode == 1
    assert (
        f"{path}:{_at(text, 'Build a coalitoin')}: error: node 'champions': "
        "'Build a coalitoin' is not an ERIC strategy (did you mean 'Build a coalition'?)"
    ) in result.stdout


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Leadership Engagement", "'Leadership Engagement' is not a CFIR 2.0 domain or construct"),
        ("Relativ Priority", "(did you mean 'Relative Priority'?)"),
        ("Innovation Recipients: Engaging", "is not a CFIR 2.0 domain or construct"),
    ],
)
def test_an_unknown_cfir_name_is_an_error(tmp_path: Path, written: str, expected: str) -> None:
    text = TAGGED.replace("cfir: Relative Priority", f'cfir: "{written}"')
    path = _write(tmp_path, text)
    result = run_mechmap("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:{_at(text, chr(34) + written)}: error:" in result.stdout
    assert expected in result.stdout


def test_a_tag_listed_twice_is_an_error() -> None:
    with pytest.raises(MapError, match="lists cfir 'Inner Setting: Culture' twice"):
        mechmap.loads(TAGGED.replace("Implementation Facilitators", "Culture"))


def test_eric_on_a_mechanism_warns_but_validates(tmp_path: Path) -> None:
    text = TAGGED.replace("{role: mechanism}", "{role: mechanism, eric: Facilitation}")
    path = _write(tmp_path, text)
    result = run_mechmap("validate", str(path))
    assert result.returncode == 0
    assert (
        f"{path}:{_at(text, 'eric: Facilitation')}: warning: node 'trust' is a mechanism, but "
        "'eric' names implementation strategies"
    ) in result.stdout


@pytest.mark.parametrize(
    ("name", "read"),
    [("parchman-facilitator-supports", True), ("../tests/data/no-tags", False)],
)
def test_the_vocabularies_are_read_only_for_a_map_that_uses_them(name: str, read: bool) -> None:
    untagged = "mechmap.loads('mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}}\\n')"
    load = f"mechmap.load('maps/{name}.yaml')" if read else untagged
    probe = f"import sys, mechmap; {load}; print('mechmap.vocabularies' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == str(read), result.stderr


def test_shipped_maps_tag_facilitation_with_eric() -> None:
    for name, node in [
        ("kilbourne-2023-facilitation", "facilitator"),
        ("yakovchenko-2025-working-alliance", "facilitation_hours"),
        ("parchman-facilitator-supports", "practice_facilitation"),
    ]:
        m = mechmap.load(ROOT / "maps" / f"{name}.yaml")
        assert m.node_by_id[node].eric == ("Facilitation",)
    kilbourne = mechmap.load(ROOT / "maps" / "kilbourne-2023-facilitation.yaml")
    assert kilbourne.node_by_id["competing_priorities"].cfir == (
        "Inner Setting: Relative Priority",
    )
