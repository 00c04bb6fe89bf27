"""Reading a map file into a :class:`~mechmap.model.Map`, checking its meaning on the way.

The steps: bytes -> UTF-8 text -> YAML with positions (:mod:`mechmap.mapfile.yamlsafe`) ->
the file's shape (:mod:`mechmap.mapfile.specs`) -> the nodes, and the edges unrolled over
the waves (:mod:`mechmap.mapfile.dag`) -> the blocks that refer to them
(:mod:`mechmap.mapfile.blocks`, :mod:`mechmap.mapfile.measures`,
:mod:`mechmap.mapfile.layout`) -> graph-level checks (:mod:`mechmap.mapfile.checks`). Every
problem is collected, with its line and column, so one run reports them all: :func:`parse_map`
returns them, :func:`load` and :func:`loads` raise :class:`~mechmap.diagnostics.MapError`
listing them. A measures file goes the same way (:func:`parse_measures`,
:func:`load_measures`), checked against the map it binds.

The rules for which copies an edge joins are written down in ``docs/map-format.md``.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mechmap.diagnostics import Diagnostic, Location, MapError, has_errors
from mechmap.mapfile.blocks import build_design, build_hypotheses, build_sources, build_teaching
from mechmap.mapfile.dag import build_edges, build_nodes
from mechmap.mapfile.measures import build_measures
from mechmap.mapfile.references import Names
from mechmap.mapfile.schema import MapSpec, MeasuresFileSpec
from mechmap.mapfile.specs import validate_spec
from mechmap.mapfile.yamlsafe import Document, Where, parse, read_text
from mechmap.model import Map, Measures


def load_document(
    doc: Document, vignette_ids: set[str] | None = None
) -> tuple[Map | None, list[Diagnostic]]:
    """Build a map from a parsed document; ``None`` when it has errors."""
    from mechmap.mapfile.checks import check_map
    from mechmap.mapfile.layout import build_layout

    placeholders = {"mechmap": 1, "id": "map", "title": "untitled"}
    spec, problems = validate_spec(doc, MapSpec, placeholders)
    if spec is None:
        return None, problems
    waves, names = build_nodes(spec, doc)
    edges, links = build_edges(spec.edges, doc, names, vignette_ids)
    result = Map(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        nodes=tuple(names.nodes.values()),
        edges=tuple(edges),
        links=tuple(links),
        waves=waves,
        sources=tuple(build_sources(spec.sources, doc, names)),
        hypotheses=tuple(build_hypotheses(spec.hypotheses, doc, names, links)),
        measures=None if spec.measures is None else build_measures(spec.measures, doc, names),
        design=None if spec.design is None else build_design(spec.design, doc, names),
        layout=build_layout(spec.layout, doc, names),
        version=spec.mechmap,
        file=doc.file,
    )
    result = dataclasses.replace(result, teaching=build_teaching(spec.teaching, doc, names, result))
    problems += names.problems
    # Warnings about gaps mean little while names are unresolved: report errors first.
    problems += check_map(result, warnings=not has_errors(problems))
    return (None if has_errors(problems) else result), problems


def parse_map(
    raw: bytes, file: str, vignette_ids: set[str] | None = None
) -> tuple[Map | None, list[Diagnostic]]:
    """Bytes of a map file to a map (or ``None``) and every problem found."""
    text, problems = read_text(raw, file)
    if text is None:
        return None, problems
    with _collector_paused():
        doc, problems = parse(text, file)
        if doc.data is None:
            return None, problems
        result, more = load_document(doc, vignette_ids)
    problems = sorted(problems + more, key=lambda d: (d.location, d.severity != "error"))
    return (None if has_errors(problems) else result), problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading allocates tens of thousands of small acyclic objects; the cyclic garbage
    collector would scan them again and again (a third of the load time of a 2,000-node
    map) while finding nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def resolve_path(m: Map, text: str, origin: str = "<path>") -> tuple[str, ...]:
    """The variables of a chain such as ``'alliance -> fidelity -> screening@impl'``.

    Un-suffixed time-indexed nodes resolve to the copies that make the chain a directed path
    of the map; raises :class:`MapError` (with ``origin`` as the file) when it is not one.

    >>> m = loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> resolve_path(m, "a -> b")
    ('a', 'b')
    """
    names = Names(m.wave_index, m.node_by_id)
    arrows = {(link.source, link.target) for link in m.links}
    variables = names.directed_path(text, Where(Location(origin)), arrows)
    if variables is None:
        raise MapError(names.problems)
    return variables


def parse_measures(raw: bytes, file: str, m: Map) -> tuple[Measures | None, list[Diagnostic]]:
    """Bytes of a measures file (top-level key ``measures``) to the measures for the map
    ``m`` (or ``None``) and every problem found, located in that file."""
    text, problems = read_text(raw, file)
    if text is None:
        return None, problems
    doc, problems = parse(text, file)
    if doc.data is None:
        return None, problems
    spec, more = validate_spec(doc, MeasuresFileSpec, {})
    problems += more
    if spec is None:
        return None, problems
    names = Names(m.wave_index, m.node_by_id)
    measures = build_measures(spec.measures, doc, names)
    problems = sorted(problems + names.problems, key=lambda d: d.location)
    return (None if has_errors(problems) else measures), problems


def load_measures(path: str | Path, m: Map) -> Measures:
    """A measures file for the map ``m``; raises :class:`MapError` listing every error,
    located in that file."""
    path = Path(path)
    measures, problems = parse_measures(path.read_bytes(), str(path), m)
    if measures is None:
        raise MapError(problems)
    return measures


def loads(text: str, file: str = "<string>", vignette_ids: set[str] | None = None) -> Map:
    """A map from YAML text; raises :class:`MapError` listing every error.

    >>> m = loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> [(link.source, link.target) for link in m.links]
    [('a', 'b')]
    """
    result, problems = parse_map(text.encode("utf-8"), file, vignette_ids)
    if result is None:
        raise MapError(problems)
    return result


def load(path: str | Path, vignette_ids: set[str] | None = None) -> Map:
    """A map from a file; raises :class:`MapError` listing every error."""
    path = Path(path)
    result, problems = parse_map(path.read_bytes(), str(path), vignette_ids)
    if result is None:
        raise MapError(problems)
    return result
