"""The bundled maps and vignettes: valid, cited, honest about what is inferred."""

from __future__ import annotations

from pathlib import Path

import pytest

import mechmap
from mechmap.mapfile.evidence import check_evidence, evidence_matrix
from mechmap.mapfile.validation import check_file
from mechmap.mapfile.vignettes import load_library
from tests.conftest import ROOT, validate_json

MAPS = sorted((ROOT / "maps").glob("*.yaml"))
LIBRARY = load_library(ROOT / "vignettes")


def _load(name: str) -> mechmap.Map:
    return check_file(ROOT / "maps" / name).map


def test_the_library_has_the_maps_and_vignettes_the_project_promises() -> None:
    assert {p.stem for p in MAPS} == {
        "kilbourne-2023-facilitation",
        "yakovchenko-2025-working-alliance",
        "parchman-facilitator-supports",
        "facilitator-resilience",
    }
    assert LIBRARY.ids == {
        "vha-mental-health",
        "aiep",
        "evidencenow-nyc",
        "zambia-pcc",
        "gti",
        "six-building-blocks",
    }
    assert not LIBRARY.problems


def test_every_bundled_file_validates_without_errors() -> None:
    report = validate_json(*MAPS, *sorted((ROOT / "vignettes").glob("*.yaml")))
    assert report["valid"], [d for f in report["files"] for d in f["diagnostics"]]
    warnings = [d for f in report["files"] for d in f["diagnostics"]]
    # The only warnings are the time-varying confounding the Kilbourne paper itself describes
    # and the working alliance's hypotheses that run through its subscales, which are parts
    # of the overall score (measurement arrows), kept to show what such a path means.
    timing = [d for d in warnings if d["message"].startswith("time-varying confounding")]
    assert all("kilbourne" in d["file"] for d in timing)
    measured = [d for d in warnings if d not in timing]
    assert all("working-alliance" in d["file"] for d in measured)
    assert [d["message"].split("'")[1] for d in measured] == [
        "alliance-subscales-fidelity",
        "alliance-screening-sustained",
    ]
    assert all("measurement arrow" in d["message"] for d in measured)


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_each_map_cites_sources_and_marks_provenance(path: Path) -> None:
    m = check_file(path).map
    assert m.sources and all(s.citation for s in m.sources)
    assert all(e.provenance for e in m.edges), "every arrow says where it comes from"
    inferred = [e for e in m.edges if e.provenance == "inferred"]
    assert all(e.note for e in inferred), "every inferred arrow explains its reasoning"
    assert not check_evidence(m, LIBRARY), "map and vignettes agree on every cite"


def test_kilbourne_arrows_1_to_15_are_placed_and_marked_inferred() -> None:
    m = _load("kilbourne-2023-facilitation.yaml")
    numbered = {e.arrow: e for e in m.edges if e.arrow is not None}
    assert set(numbered) == {str(i) for i in range(1, 16)}
    for edge in numbered.values():
        assert edge.provenance == "inferred" and edge.note
    cited_by_vignettes = {c.arrow for c in LIBRARY.cites_for(m.id) if c.arrow is not None}
    # Every arrow a vignette cites lists that evidence; #14 is never cited in the paper.
    assert cited_by_vignettes == {str(i) for i in range(1, 16)} - {"14"}
    assert not numbered["14"].evidence


def test_kilbourne_feedback_is_time_indexed_not_a_cycle() -> None:
    m = _load("kilbourne-2023-facilitation.yaml")
    leadership, traction = m.node_by_id["leadership"], m.node_by_id["traction"]
    assert len(leadership.waves) >= 2 and len(traction.waves) >= 2
    arrows = {(link.source, link.target) for link in m.links}
    assert any(a.startswith("leadership@") and b.startswith("traction@") for a, b in arrows)
    assert any(a.startswith("traction@") and b.startswith("leadership@") for a, b in arrows)


def test_working_alliance_map_is_time_indexed_with_hypotheses() -> None:
    m = _load("yakovchenko-2025-working-alliance.yaml")
    assert m.node_by_id["screening"].waves == ("base", "impl", "sust")
    assert {"screening@base", "screening@impl", "screening@sust"} <= set(m.variables)
    assert {n.id for n in m.nodes} >= {
        "facilitation_hours",
        "live_virtual_share",
        "site_initiated_share",
        "goal",
        "task",
        "bond",
        "fidelity",
    }
    assert len(m.hypotheses) >= 3
    assert any(h.path[-1] == "screening@sust" for h in m.hypotheses)


def test_moderators_in_the_resilience_map_are_co_parents() -> None:
    m = _load("facilitator-resilience.yaml")
    moderated = [e for e in m.edges if e.modifies]
    assert moderated
    parents = m.parents
    for edge in moderated:
        cause, effect = (part.strip() for part in edge.modifies.split("->"))
        assert edge.target == effect and cause in parents[effect]


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_evidence_matrix_covers_every_arrow(path: Path) -> None:
    m = check_file(path).map
    matrix = evidence_matrix(m, LIBRARY)
    assert len(matrix.rows) == len(m.edges)
    for row in matrix.rows:
        for vignette, stance in row.cells.items():
            assert stance in {"supports", "contradicts"}, (row.edge.written, vignette)
            assert row.says[vignette]
