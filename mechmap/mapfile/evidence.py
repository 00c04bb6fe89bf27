"""Which vignettes bear on which arrows of a map: the arrow x vignette matrix.

An edge lists vignettes in its ``evidence``; a vignette says what it shows about arrows.
Both sides should agree; where they do not, the matrix still shows the link and a warning
names the side that is silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from mechmap.diagnostics import Diagnostic, error, warning
from mechmap.mapfile.vignettes import Cite, Library
from mechmap.model import Edge, Map

SUPPORTS, CONTRADICTS, LISTED = "supports", "contradicts", "listed"


def cited_edge(m: Map, cite: Cite) -> Edge | None:
    """The declared edge a vignette's entry names, by arrow label or by ``a -> b``."""
    return m.edge_named(cite.arrow, cite.edge)


def check_evidence(m: Map, library: Library) -> list[Diagnostic]:
    """Vignette entries naming arrows the map lacks (errors) and one-sided links (warnings)."""
    problems: list[Diagnostic] = []
    said: dict[tuple[Edge, str], Cite] = {}
    for cite in library.cites_for(m.id):
        edge = cited_edge(m, cite)
        if edge is None:
            problems.append(
                error(
                    cite.location,
                    f"vignette '{cite.vignette}' {cite.stance} "
                    f"{cite.names}, which map '{m.id}' does not have",
                )
            )
            continue
        said[(edge, cite.vignette)] = cite
        if cite.vignette not in edge.evidence:
            problems.append(
                warning(
                    cite.location,
                    f"vignette '{cite.vignette}' speaks to "
                    f"{edge.name} ({edge.written}), but that edge "
                    f"does not list it in 'evidence'",
                )
            )
    known = library.ids
    for edge in m.edges:
        for vignette in edge.evidence:
            if vignette in known and (edge, vignette) not in said:
                problems.append(
                    warning(
                        edge.location,
                        f"edge {edge.name} lists evidence "
                        f"'{vignette}', but that vignette says "
                        f"nothing about this arrow",
                    )
                )
    return problems


@dataclass(frozen=True)
class EvidenceRow:
    edge: Edge
    cells: dict[str, str]  # vignette id -> supports | contradicts | listed
    says: dict[str, str]  # vignette id -> the vignette's sentence about this arrow

    @property
    def unsupported(self) -> bool:
        return not self.cells


@dataclass(frozen=True)
class EvidenceMatrix:
    map_id: str
    vignettes: tuple[str, ...]
    rows: tuple[EvidenceRow, ...]

    @property
    def without_evidence(self) -> list[Edge]:
        return [row.edge for row in self.rows if row.unsupported]


def evidence_matrix(m: Map, library: Library) -> EvidenceMatrix:
    """Every declared edge against every vignette that bears on it.

    >>> import mechmap
    >>> from mechmap.mapfile.vignettes import Library
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> [edge.written for edge in evidence_matrix(m, Library()).without_evidence]
    ['a -> b']
    """
    cells: dict[Edge, dict[str, str]] = {e: {} for e in m.edges}
    says: dict[Edge, dict[str, str]] = {e: {} for e in m.edges}
    for edge in m.edges:
        for vignette in edge.evidence:
            cells[edge][vignette] = LISTED
    for cite in library.cites_for(m.id):
        edge = cited_edge(m, cite)
        if edge is not None:
            cells[edge][cite.vignette] = cite.stance
            says[edge][cite.vignette] = cite.says
    used = [v.id for v in library.vignettes if any(v.id in c for c in cells.values())]
    used += sorted({v for c in cells.values() for v in c} - set(used))
    rows = tuple(EvidenceRow(e, cells[e], says[e]) for e in m.edges)
    return EvidenceMatrix(m.id, tuple(used), rows)
