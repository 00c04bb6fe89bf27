"""The blocks of a map file that refer to its graph once it is built.

``hypotheses`` name directed paths of the unrolled DAG (resolved as
:meth:`~mechmap.mapfile.references.Names.directed_path` does); the ``teaching`` sequence
names arrows the map has; ``design`` names randomized nodes; ``sources`` are cited by id.
Each builder takes its validated spec, the document (for locations) and the map's
:class:`~mechmap.mapfile.references.Names`, to which it adds every problem it finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mechmap.diagnostics import Location, did_you_mean
from mechmap.mapfile.references import Names
from mechmap.mapfile.schema import DesignSpec, HypothesisSpec, SourceSpec, TeachingSpec
from mechmap.mapfile.yamlsafe import Document
from mechmap.model import Design, Hypothesis, Link, Map, Source, TeachingStep


def build_hypotheses(
    specs: Sequence[HypothesisSpec], doc: Document, names: Names, links: Iterable[Link]
) -> list[Hypothesis]:
    """The hypotheses, each path resolved to a directed path of the links."""
    arrows = {(link.source, link.target) for link in links}
    result: list[Hypothesis] = []
    seen: dict[str, Location] = {}
    for i, spec in enumerate(specs):
        path = ("hypotheses", i)
        location = doc.locate((*path, "id"))
        if spec.id in seen:
            names.fail(
                location,
                f"duplicate hypothesis id '{spec.id}' (first at line {seen[spec.id].line})",
            )
            continue
        seen[spec.id] = location
        variables = names.directed_path(spec.path, doc.where((*path, "path")), arrows)
        parallel = []
        for j, text in enumerate(spec.parallel):
            where = doc.where((*path, "parallel", j))
            chain = names.directed_path(text, where, arrows)
            if chain is None or variables is None:
                continue
            if (chain[0], chain[-1]) != (variables[0], variables[-1]):
                names.fail(
                    where.location,
                    f"a parallel path must run from {variables[0]} to {variables[-1]} "
                    f"like the hypothesis's path, not from {chain[0]} to {chain[-1]}",
                )
                continue
            parallel.append(chain)
        if variables is not None:
            result.append(
                Hypothesis(
                    spec.id,
                    variables,
                    spec.expect,
                    spec.description,
                    location,
                    tuple(parallel),
                )
            )
    return result


def build_teaching(
    spec: TeachingSpec | None, doc: Document, names: Names, m: Map
) -> tuple[TeachingStep, ...]:
    """The teaching sequence, each step naming an arrow the map has."""
    if spec is None:
        return ()
    steps = []
    for i, step in enumerate(spec.sequence):
        path = ("teaching", "sequence", i)
        location = doc.locate(path)
        number = doc.original(path)[-1] + 1  # as the file counts, invalid steps included
        if (step.arrow is None) == (step.edge is None):
            names.fail(
                location,
                f"teaching step {number}: name the arrow with either "
                "'arrow' or 'edge', not both or neither",
            )
            continue
        edge = m.edge_named(step.arrow, step.edge)
        if edge is None:
            named = f"#{step.arrow}" if step.arrow is not None else step.edge
            names.fail(location, f"teaching step {number}: the map has no arrow {named}")
            continue
        steps.append(TeachingStep(edge, step.caption))
    return tuple(steps)


def build_sources(specs: Sequence[SourceSpec], doc: Document, names: Names) -> list[Source]:
    """The sources, each id once."""
    result, seen = [], set()
    for i, s in enumerate(specs):
        if s.id in seen:
            names.fail(doc.locate(("sources", i, "id")), f"duplicate source id '{s.id}'")
            continue
        seen.add(s.id)
        result.append(
            Source(
                s.id,
                s.citation,
                s.doi,
                s.url,
                tuple(s.authors),
                s.title,
                s.journal,
                s.year,
                s.volume,
                s.issue,
                s.pages,
                s.type,
                doc.locate(("sources", i)),
            )
        )
    return result


def build_design(spec: DesignSpec, doc: Document, names: Names) -> Design:
    """The design block, its randomized nodes checked against the map."""
    for i, node_id in enumerate(spec.randomized):
        if node_id not in names.nodes:
            names.fail(
                doc.locate(("design", "randomized", i)),
                f"design: unknown node '{node_id}'{did_you_mean(node_id, names.nodes)}",
            )
    return Design(tuple(dict.fromkeys(spec.randomized)), spec.note)
