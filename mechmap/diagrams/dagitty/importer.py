"""A DAGitty model into a map: :func:`parse_dagitty` gives the map data (nodes with roles,
edges, layout), :func:`import_dagitty` the map file text, checked by loading it.

``exposure`` becomes role ``strategy``, ``outcome`` ``implementation_outcome``, ``latent``
``latent: true``; ``a <-> b`` becomes a latent confounder with arrows to both; a cycle is an
error located at its first arrow.
"""

from __future__ import annotations

from pathlib import Path

from mechmap.diagnostics import Diagnostic, Location, MapError, error, has_errors
from mechmap.diagrams.dagitty.names import (
    BIDIRECTED_TAG,
    POINTS_PER_UNIT,
    TAGGED_FLAGS,
    identifiers,
    slug,
    unique,
)
from mechmap.diagrams.dagitty.syntax import (
    Arc,
    Lines,
    ParsedVariable,
    Parser,
    SyntaxProblem,
    tokens,
)
from mechmap.mapfile.dump import Flow, dump_yaml


def parse_dagitty(text: str, file: str = "<string>") -> tuple[dict | None, list[Diagnostic]]:
    """A DAGitty model as map data (the shape :func:`mechmap.mapfile.dump.to_data` gives), or
    ``None``, and every problem found (syntax: the first one; meaning: all).

    >>> data, problems = parse_dagitty('dag { "my var" -> Y  Y <-> Z }', "m.dagitty")
    >>> data["nodes"]["my_var"], data["edges"]
    ({'label': 'my var', 'role': 'other'}, ['my_var -> Y', 'U_Y_Z -> Y', 'U_Y_Z -> Z'])
    """
    lines = Lines(text, file)
    try:
        parser = Parser(tokens(text, lines))
        parser.model()
    except SyntaxProblem as exc:
        return None, [exc.diagnostic]
    problems = parser.problems + _cycles(parser.arcs)
    if not parser.variables:
        problems.append(error(lines.at(0), "the model has no variables"))
    problems.sort(key=lambda d: (d.location, d.severity != "error"))
    if has_errors(problems):
        return None, problems
    return _map_data(parser, file), problems


def _cycles(arcs: list[Arc]) -> list[Diagnostic]:
    from mechmap.mapfile.graphs import find_cycles

    successors: dict[str, list[str]] = {}
    where: dict[tuple[str, str], Location] = {}
    for arc in arcs:
        if arc.kind == "->":
            successors.setdefault(arc.source, []).append(arc.target)
            where.setdefault((arc.source, arc.target), arc.location)
    return [
        error(
            where[(cycle[0], cycle[1])],
            f"cycle {' -> '.join(cycle)}: a DAG cannot loop back; a map draws feedback "
            "over time with waves",
        )
        for cycle in find_cycles(successors)
    ]


def _map_data(parser: Parser, file: str) -> dict:
    taken: set[str] = set()
    ids = identifiers(parser.variables, taken)
    nodes = {ids[v.name]: _node_data(v, ids[v.name]) for v in parser.variables.values()}
    edges: dict[str, None] = {}
    confounded: set[frozenset[str]] = set()
    for arc in parser.arcs:
        a, b = ids[arc.source], ids[arc.target]
        if arc.kind == "->":
            edges[f"{a} -> {b}"] = None
        elif frozenset((a, b)) not in confounded:
            confounded.add(frozenset((a, b)))
            u = unique(f"U_{a}_{b}", taken)
            names = [parser.variables[n].label or n for n in (arc.source, arc.target)]
            nodes[u] = {
                "label": f"Unobserved common cause of {names[0]} and {names[1]}",
                "role": "confounder",
                "description": f"dagitty: {BIDIRECTED_TAG}",
                "latent": True,
            }
            edges.update({f"{u} -> {a}": None, f"{u} -> {b}": None})
    data: dict[str, object] = {"mechmap": 1, **_header(parser.graph_name, file), "nodes": nodes}
    if edges:
        data["edges"] = list(edges)
    layout = {
        ids[v.name]: Flow(pos=[_points(c) for c in v.pos])
        for v in parser.variables.values()
        if v.pos is not None
    }
    if layout:
        data["layout"] = layout
    return data


def _points(units: float) -> int | float:
    """A DAGitty coordinate in points (rounded past DAGitty's 3 decimals; whole as int)."""
    points = round(units * POINTS_PER_UNIT, 4) + 0.0  # + 0.0: no -0.0
    return int(points) if points.is_integer() else points


def _node_data(variable: ParsedVariable, node_id: str) -> dict[str, object]:
    flags = variable.flags
    fields: dict[str, object] = {}
    label = variable.label or variable.name
    if label != node_id:
        fields["label"] = label
    fields["role"] = (
        "strategy"
        if "exposure" in flags
        else "implementation_outcome"
        if "outcome" in flags
        else "other"
    )
    kept = [f for f in TAGGED_FLAGS if f in flags]
    if kept:
        fields["description"] = "dagitty: " + ", ".join(kept)
    if "latent" in flags:
        fields["latent"] = True
    return fields


def _header(graph_name: str | None, file: str) -> dict[str, str]:
    source = None if file.startswith("<") else Path(file)
    name = graph_name or (source.stem if source is not None else None)
    where = f"the DAGitty model {source.name}" if source is not None else "a DAGitty model"
    return {
        "id": slug(name, "dagitty-model") if name else "dagitty-model",
        "title": " ".join(name.split()) if name and name.strip() else "DAGitty model",
        "description": f"Imported from {where}.",
    }


def dump_data(data: dict) -> str:
    """Map data as map file text."""
    body = dump_yaml(data)
    return "# Imported from DAGitty by `mechmap import`; see docs/map-format.md.\n" + body


def import_dagitty(text: str, file: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """Map file text for a DAGitty model, checked by loading it; ``None`` on errors.

    >>> text, problems = import_dagitty("dag { a -> b }")
    >>> import mechmap
    >>> mechmap.loads(text).variables
    ('a', 'b')
    """
    from mechmap.mapfile.loader import loads

    data, problems = parse_dagitty(text, file)
    if data is None:
        return None, problems
    result = dump_data(data)
    try:
        loads(result, file=f"{file} (imported)")
    except MapError as exc:  # a converter bug: say where the converted text fails
        return None, problems + exc.diagnostics
    return result, problems
