"""Printing maps and evidence for people (rich tables) and for tools (plain dicts).

Labels come from users' files: they are always passed to rich as ``Text``, never as
markup, so a label like ``[bold]`` or ``[link=...]`` prints as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mechmap.mapfile.evidence import CONTRADICTS, LISTED, SUPPORTS, EvidenceMatrix
from mechmap.mapfile.schema import ROLES
from mechmap.model import Map

_MARKS = {SUPPORTS: ("+", "green"), CONTRADICTS: ("−", "red"), LISTED: ("?", "yellow")}


# Names must survive copy and paste (and grep): only free text may wrap.
_WRAPPING_COLUMNS = {
    "label",
    "note",
    "description",
    "from → to",
    "path",
    "p (method)",
    "adjusted for",
    "independence",
}


def _console() -> Console:
    # Piped output gets a fixed, generous width instead of rich's 80 columns.
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 140
    return console


def _table(title: str, *columns: str) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, no_wrap=column not in _WRAPPING_COLUMNS)
    return table


def print_map(m: Map) -> None:
    console = _console()
    console.print(Text(f"{m.title}  [{m.id}]", style="bold"))
    if m.description:
        console.print(Text(m.description.strip()))
    for s in m.sources:
        console.print(Text(f"  source {s.id}: {s.citation}" + (f" doi:{s.doi}" if s.doi else "")))
    if m.waves:
        console.print(Text("waves: " + " → ".join(f"{w.id} ({w.label})" for w in m.waves)))

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
    console.print(nodes)

    edges = _table("Arrows", "#", "from → to", "sign", "provenance", "evidence", "note")
    for e in m.edges:
        arrow = Text(e.written + (f"  (modifies {e.modifies})" if e.modifies else ""))
        if len(e.links) > 1 or e.links[0] != (e.source, e.target):
            arrow.append("  = " + ", ".join(f"{a} → {b}" for a, b in e.links), style="dim")
        edges.add_row(
            Text(e.arrow or ""),
            arrow,
            Text(e.sign or ""),
            Text(e.provenance or ""),
            Text(", ".join(e.evidence)),
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
            Text("added by carry: true"),
        )
    console.print(edges)

    if m.hypotheses:
        hypotheses = _table("Hypotheses", "id", "path", "expect", "description")
        for h in m.hypotheses:
            hypotheses.add_row(
                Text(h.id),
                Text("\n".join(" → ".join(chain) for chain in h.chains)),
                Text(h.expect or ""),
                Text(h.description or ""),
            )
        console.print(hypotheses)


def print_matrix(matrix: EvidenceMatrix) -> None:
    console = _console()
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
    console.print(table)
    missing = matrix.without_evidence
    console.print(
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


def print_test(result: dict) -> None:
    """A path test (the ``--json`` dictionary) as tables for the terminal, with the numbers
    formatted as the HTML and Markdown reports format them."""
    from mechmap.reports.content import interval, number, p_value

    console = _console()
    data, path = result["data"], result["path"]
    if result["synthetic"]:
        console.print(Text("SYNTHETIC DATA: simulated, not study results", style="bold red"))
    where = f"n = {data['n_sites']} sites" + (
        f", {data['n_rows']} respondents (analysed at respondent level)"
        if data["level"] == "respondent"
        else " (analysed at site level)"
    )
    chains = " ; ".join(" -> ".join(c) for c in path["chains"])
    name = f"hypothesis {path['hypothesis']}: " if path["hypothesis"] else ""
    console.print(Text(f"{name}{chains}", style="bold"))
    console.print(Text(f"{where}; data: {', '.join(data['sources'])}"))
    for d in data["dropped"]:
        console.print(Text(f"  dropped {d['label']}: {d['reason']}", style="yellow"))
    for a in data["aggregation"]:
        if a["icc1"] is None:
            agreement = "ICC not computable (one respondent per site)"
        else:
            agreement = f"ICC(1) = {a['icc1']:.2f}, ICC(2) = {a['icc2']:.2f}"
        console.print(
            Text(
                f"  {a['variable']}: site mean of {a['respondents_min']} to "
                f"{a['respondents_max']} respondents per site, {agreement}"
            )
        )

    links = _table(
        "Links",
        "from → to",
        "estimate",
        "std.",
        "95% CI",
        "p (method)",
        "Kendall τ (p)",
        "adjusted for",
        "verdict",
    )
    for x in result["links"]:
        if x["identifiable"]:
            estimate = (number(x["estimate"]), number(x["standardized"]))
            p = f"{p_value(x['p_value'])} ({x['method']})"
        else:
            estimate, p = ("—", "—"), x["reason"]
        tau = x["kendall_tau"]
        links.add_row(
            Text(f"{x['from']} → {x['to']}"),
            *estimate,
            interval(x["ci"]),
            Text(p),
            f"{tau['statistic']:.2f} ({p_value(tau['p_value'])})",
            Text(", ".join(x["adjustment_set"]) or "nothing"),
            x["verdict"],
        )
    console.print(links)

    effects = _table("Path effects", "effect", "estimate", "std.", "95% CI", "95% BCa CI", "note")
    for key in ("indirect_effect", "direct_effect", "total_effect"):
        e = path[key]
        effects.add_row(
            key.replace("_", " "),
            number(e["estimate"]),
            number(e["standardized"]),
            interval(e["ci"]),
            interval(e["ci_bca"]),
            Text(e["reason"] or ""),
        )
    for e in path.get("specific_indirect_effects", []):
        effects.add_row(
            Text("via " + " -> ".join(e["chain"][1:-1])),
            number(e["estimate"]),
            number(e["standardized"]),
            interval(e["ci"]),
            interval(e["ci_bca"]),
            Text(e["reason"] or ""),
        )
    console.print(effects)
    console.print(Text(f"verdict: {path['verdict']}. {path['note']}", style="bold"))
    for s in (result.get("identification") or {}).get("suggestions", []):
        fixed = ", ".join(s["makes_identifiable"])
        console.print(Text(f"  measuring {s['variable']} would identify {fixed}"))

    if result["refutations"]:
        refutations = _table("Refutations", "check", "target", "original", "new", "passed", "note")
        for r in result["refutations"]:
            passed = {True: "yes", False: "NO", None: "—"}[r["passed"]]
            refutations.add_row(
                r["name"],
                Text(r["target"]),
                number(r["original"]),
                number(r["new"]),
                passed,
                Text(r["detail"]),
            )
        console.print(refutations)

    falsification = result["falsification"]
    if falsification is not None:
        tests = _table(
            "Implied independencies (site level, Holm-corrected)",
            "independence",
            "partial r",
            "p",
            "p (Holm)",
            "violated",
        )
        for t in falsification["tests"]:
            given = f" | {', '.join(t['given'])}" if t["given"] else ""
            tests.add_row(
                Text(f"{t['x']} ⊥ {t['y']}{given}"),
                f"{t['partial_r']:.2f}",
                p_value(t["p_value"]),
                p_value(t["p_holm"]),
                "YES" if t["violated"] else "no",
            )
        console.print(tests)
        console.print(Text(falsification["summary"]))
        for t in falsification["tests"]:
            if t["violated"]:
                console.print(
                    Text(f"  {t['x']} ⊥ {t['y']} fails: " + "; or ".join(t["explanations"]))
                )

    checks = _table("Mechanism-evidence checklist (Kazdin 2007)", "criterion", "status", "note")
    colours = {"met": "green", "partly met": "yellow", "not met": "red"}
    for c in result["checklist"]:
        checks.add_row(
            c["criterion"],
            Text(c["status"], style=colours.get(c["status"], "")),
            Text(c["reason"]),
        )
    console.print(checks)
    console.print(Text(result["power"]["note"]))
    for w in result["warnings"]:
        console.print(Text(f"warning: {w}", style="yellow"))
    check = result.get("dowhy_check")
    if check is not None:
        largest = max((c["difference"] for c in check["estimates"]), default=0.0)
        verdict = "agree" if check["agree"] else "DISAGREE"
        console.print(
            Text(
                f"DoWhy cross-check: {len(check['estimates'])} point estimate(s) {verdict} "
                f"(largest difference {largest:.1e}, tolerance {check['tolerance']:g})",
                style="green" if check["agree"] else "bold red",
            )
        )
