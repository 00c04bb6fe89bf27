"""The map file again, with a ``consensus:`` field on every arrow the panel rated.

The file is edited rather than rewritten (ruamel.yaml's round trip), so its comments, key
order and layout stay as the author left them: a mapping edge gains a ``consensus:`` entry
on one line, and a compact edge (``a -> b``, or one arrow of a chain) that was rated becomes
a mapping ``{from: a, to: b, consensus: ...}`` in place (a chain is split around it). The
result is loaded again and must be the input map with those fields set; if the round trip
cannot give that, the map is written by the dumper instead (valid, without comments).

>>> import mechmap
>>> text = "mechmap: 1\\nid: t\\ntitle: T\\nnodes: {a: {}, b: {}, c: {}}\\nedges:\\n" \\
...        "  - a -> b -> c   # the chain\\n"
>>> m = mechmap.loads(text)
>>> verdict = Consensus(2, 9, 8.0, 1.0, 0.132, "include")
>>> edges = with_consensus(text, m, {"b -> c": verdict}).split("edges:\\n")[1].splitlines()
>>> edges[0]
'  - a -> b'
>>> print(edges[1].replace(", d", ",\\n    d"))
  - {from: b, to: c, consensus: {round: 2, n: 9, median: 8.0, ipr: 1.0,
    disagreement_index: 0.132, verdict: include}} # the chain
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping
from dataclasses import asdict, replace

from mechmap.mapfile.dump import dumps
from mechmap.model import Consensus, Edge, Map


def _expected(m: Map, verdicts: Mapping[str, Consensus]) -> Map:
    edges = tuple(
        replace(e, consensus=verdicts[e.name]) if e.name in verdicts else e for e in m.edges
    )
    return replace(m, edges=edges)


def with_consensus(text: str, m: Map, verdicts: Mapping[str, Consensus]) -> str:
    """``text`` (the file ``m`` was loaded from) with each named arrow's consensus set."""
    import mechmap

    wanted = _expected(m, verdicts)
    try:
        edited = _edited(text, m, verdicts)
        if _same(mechmap.loads(edited), wanted):
            return edited
    except Exception:  # any trouble with the round trip: the dumper writes it instead
        pass
    return dumps(mechmap.loads(dumps(wanted)))


def _same(a: Map, b: Map) -> bool:
    return a.edges == b.edges and a.nodes == b.nodes and a.hypotheses == b.hypotheses


def _edited(text: str, m: Map, verdicts: Mapping[str, Consensus]) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    dash = dash or 0  # how far a list's dashes sit in from its key; items sit further in
    yaml.indent(mapping=max(indent - dash, 2), sequence=indent, offset=dash)
    yaml.width = 4096  # long lines stay as the author wrote them; a record stays on one
    yaml.preserve_quotes = True
    data = yaml.load(text)
    entries: CommentedSeq = data["edges"]
    edges = iter(m.edges)

    def flow(fields: Mapping[str, object]) -> CommentedMap:
        mapping = CommentedMap(fields)
        mapping.fa.set_flow_style()
        return mapping

    def record(edge: Edge) -> CommentedMap:
        return flow(asdict(verdicts[edge.name]))

    for i in reversed(range(len(entries))):  # from the end, so splitting keeps indices
        entry = entries[i]
        if not isinstance(entry, str):
            continue
        ends = [t.strip() for t in entry.split("->")]
        if not any(e.name in verdicts for e in _edges_of(m, ends)):
            continue
        replacement: list[object] = []
        run: list[str] = [ends[0]]
        for (a, b), edge in zip(itertools.pairwise(ends), _edges_of(m, ends), strict=True):
            if edge.name in verdicts:
                if len(run) > 1:
                    replacement.append(" -> ".join(run))
                replacement.append(flow({"from": a, "to": b, "consensus": record(edge)}))
                run = [b]
            else:
                run.append(b)
        if len(run) > 1:
            replacement.append(" -> ".join(run))
        comment = entries.ca.items.pop(i, None)
        del entries[i]
        for k, item in enumerate(replacement):
            entries.insert(i + k, item)
        if comment is not None:
            entries.ca.items[i + len(replacement) - 1] = comment
    for entry in entries:
        edge = next(edges)
        if isinstance(entry, str):
            for _ in range(entry.count("->") - 1):
                edge = next(edges)
            continue
        if edge.name in verdicts:
            entry["consensus"] = record(edge)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _edges_of(m: Map, ends: list[str]) -> list[Edge]:
    """The declared edges of a compact entry ``a -> b -> c``, by their ends as written."""
    by_ends = {(e.source, e.target): e for e in m.edges}
    return [by_ends[(a, b)] for a, b in itertools.pairwise(ends)]
