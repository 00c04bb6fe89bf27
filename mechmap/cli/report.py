"""Printing maps and evidence for people (rich tables) and for tools (plain dicts).

Labels come from users' files: they are always passed to rich as ``Text``, never as
markup, so a label like ``[bold]`` or ``[link=...]`` prints as written, and printed through
:func:`mechmap.terminal.console`, so that no control character in them reaches the terminal.
"""

from __future__ import annotations

import dataclasses

from rich.table import Table
from rich.text import Text

from mechmap.mapfile.dump import source_fields
from mechmap.mapfile.evidence import CONTRADICTS, LISTED, SUPPORTS, EvidenceMatrix
from mechmap.model import ROLES, Consensus, Map
from mechmap.terminal import console

_MARKS = {SUPPORTS: ("+", "green"), CONTRADICTS: ("−", "red"), LISTED: ("?", "yellow")}


# Names must survive copy and paste (and grep): only free text may wrap.
_WRAPPING_COLUMNS = {
    "label",
    "note",
    "description",
    "from → to",
    "path",
    "ERIC strategy",
    "CFIR 2.0",
    "panel",
}


def _table(title: str, *columns: str) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, no_wrap=column not in _WRAPPING_COLUMNS)
    return table


def print_map(m: Map) -> None:
    out = console()
    out.print(Text(f"{m.title}  [{m.id}]", style="bold"))
    if m.description:
        out.print(Text(m.description.strip()))
    for s in m.sources:
        out.print(Text(f"  source {s.id}: {s.citation}" + (f" doi:{s.doi}" if s.doi else "")))
    if m.waves:
        out.print(Text("waves: " + " → ".join(f"{w.id} ({w.label})" for w in m.waves)))

    nodes = _table("Nodes by role and wave", "role", "id", "label", "wave(s)", "notes")
    wave_order = {w.id: i for i, w in enumerate(m.waves)}
    for role in ROLES:
        members = [n for n in m.nodes if n.role == role]
        # Timeless nodes first, then by the (first) wave the node belongs to.
        members.sort(key=lambda n: wave_order.get(n.wave or next(iter(n.waves), ""), -1))
        for n in members:
            waves = n.wave or ", ".join(n.waves) or "—"
            notes = ", ".join(
                x
                for x in (
                    "latent" if n.latent else "",
                    "carry" if n.carry else "",
                    f"group: {n.group}" if n.group else "",
                )
                if x
            )
            nodes.add_row(Text(role), Text(n.id), Text(n.label), Text(waves), Text(notes))
    out.print(nodes)
    _print_vocabularies(m)

    # The panel's verdicts get a column only in a map that a panel has rated.
    rated = any(e.consensus is not None for e in m.edges)
    columns = ("#", "from → to", "sign", "provenance", "evidence", *(("panel",) if rated else ()))
    edges = _table("Arrows", *columns, "note")
    for e in m.edges:
        arrow = Text(e.written + (f"  (modifies {e.modifies})" if e.modifies else ""))
        if len(e.links) > 1 or e.links[0] != (e.source, e.target):
            arrow.append("  = " + ", ".join(f"{a} → {b}" for a, b in e.links), style="dim")
        panel = (Text(_panel(e.consensus)),) if rated else ()
        edges.add_row(
            Text(e.arrow or ""),
            arrow,
            Text(e.sign or ""),
            Text(e.provenance or ""),
            Text(", ".join(e.evidence)),
            *panel,
            Text(e.note or "", overflow="fold"),
        )
    carried = [link for link in m.links if link.edge is None]
    if carried:
        edges.add_row(
            Text(""),
            Text(", ".join(f"{x.source} → {x.target}" for x in carried)),
            Text(""),
            Text("carry"),
            Text(""),
            *((Text(""),) if rated else ()),
            Text("added by carry: true"),
        )
    out.print(edges)

    if m.hypotheses:
        hypotheses = _table("Hypotheses", "id", "path", "expect", "description")
        for h in m.hypotheses:
            hypotheses.add_row(
                Text(h.id),
                Text("\n".join(" → ".join(chain) for chain in h.chains)),
                Text(h.expect or ""),
                Text(h.description or ""),
            )
        out.print(hypotheses)


def _print_vocabularies(m: Map) -> None:
    """The nodes tagged from shared vocabularies, one tag a line (names stay whole)."""
    tagged = [n for n in m.nodes if n.eric or n.cfir]
    if not tagged:
        return
    from mechmap.vocabularies import label

    table = _table("Shared vocabularies", "id", "ERIC strategy", "CFIR 2.0")
    for n in tagged:
        table.add_row(
            Text(n.id),
            Text("\n".join(label("eric", t) for t in n.eric)),
            Text("\n".join(n.cfir)),
        )
    console().print(table)


def print_matrix(matrix: EvidenceMatrix) -> None:
    out = console()
    table = _table(
        f"Evidence for map '{matrix.map_id}': + supports, − contradicts, "
        "? listed by the map but the vignette is silent",
        "arrow",
        *matrix.vignettes,
    )
    for row in matrix.rows:
        cells = []
        for vignette in matrix.vignettes:
            mark, style = _MARKS.get(row.cells.get(vignette, ""), ("·", "dim"))
            cells.append(Text(mark, style=style))
        name = Text(row.edge.name if row.edge.arrow else row.edge.written)
        if row.unsupported:
            name.append("  (no evidence)", style="bold red")
        table.add_row(name, *cells)
    out.print(table)
    missing = matrix.without_evidence
    out.print(
        Text(
            f"{len(missing)} of {len(matrix.rows)} arrows have no evidence"
            + (": " + ", ".join(e.name for e in missing) if missing else "")
        )
    )


def matrix_as_dict(matrix: EvidenceMatrix) -> dict[str, object]:
    return {
        "map": matrix.map_id,
        "vignettes": list(matrix.vignettes),
        "arrows": [
            {
                "arrow": row.edge.arrow,
                "from": row.edge.source,
                "to": row.edge.target,
                "provenance": row.edge.provenance,
                "evidence": row.cells,
                "says": row.says,
            }
            for row in matrix.rows
        ],
        "without_evidence": [e.name for e in matrix.without_evidence],
    }


def _panel(consensus: Consensus | None) -> str:
    """An arrow's panel verdict in a few words: ``include (round 2: median 8, DI 0.16)``."""
    if consensus is None:
        return ""
    c = consensus
    return f"{c.verdict} (round {c.round}: median {c.median:g}, DI {c.disagreement_index:.2f})"


def map_as_dict(m: Map) -> dict[str, object]:
    """What ``show`` prints, for tools: the map's nodes (each with its variables in the
    unrolled DAG), its arrows (each with the links it adds), the links ``carry`` adds, and
    its hypotheses."""
    return {
        "map": m.id,
        "title": m.title,
        "description": m.description,
        "sources": [source_fields(s) for s in m.sources],
        "waves": [{"id": w.id, "label": w.label} for w in m.waves],
        "nodes": [
            {
                "id": n.id,
                "label": n.label,
                "role": n.role,
                "waves": [n.wave] if n.wave else list(n.waves),
                "variables": list(n.variables),
                "latent": n.latent,
                "carry": n.carry,
                "group": n.group,
                "description": n.description,
                "eric": list(n.eric),
                "cfir": list(n.cfir),
            }
            for n in m.nodes
        ],
        "arrows": [
            {
                "arrow": e.arrow,
                "from": e.source,
                "to": e.target,
                "kind": e.kind,
                "sign": e.sign,
                "lag": e.lag,
                "modifies": e.modifies,
                "provenance": e.provenance,
                "evidence": list(e.evidence),
                "note": e.note,
                "consensus": None if e.consensus is None else dataclasses.asdict(e.consensus),
                "links": [list(link) for link in e.links],
            }
            for e in m.edges
        ],
        "carried": [[x.source, x.target] for x in m.links if x.edge is None],
        "hypotheses": [
            {
                "id": h.id,
                "paths": [list(chain) for chain in h.chains],
                "expect": h.expect,
                "description": h.description,
            }
            for h in m.hypotheses
        ],
    }
