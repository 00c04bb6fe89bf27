"""A map in other tools' formats: Mermaid, GraphML, node-link JSON and a pgmpy DAG.

Every export but Mermaid's rolled-up view is of the time-unrolled DAG (variables such as
``screening@impl``). Labels are user text: each format's own escaping keeps them text
(Mermaid's ``#NN;`` codes, XML and JSON through their writers), so no label can add nodes,
arrows or markup. DAGitty export lives in :mod:`mechmap.diagrams.dagitty`, DOT in
:mod:`mechmap.diagrams.dotwriter` (the graph alone, without the drawing's positions).
networkx and pgmpy are imported inside the functions that use them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from mechmap.diagrams.arrange import is_measurement_arrow
from mechmap.diagrams.style import MEASUREMENT, ROLE_FILLS
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Edge, Map

if TYPE_CHECKING:
    from pgmpy.base import DAG

# Characters Mermaid shows as they are inside a "..." label; everything else is written as
# a #NN; code (Mermaid's entity syntax), so quotes, brackets, pipes, '<' and '#' stay text.
_MERMAID_PLAIN = frozenset(" _.,()'/?!+-@")
_MERMAID_MEASUREMENT = f"stroke:{MEASUREMENT},stroke-width:1px,stroke-dasharray:5 3"


def mermaid_text(text: str) -> str:
    """``text`` for inside a Mermaid ``"..."`` label: letters, digits and a little punctuation
    as they are, line breaks as spaces, everything else as a ``#NN;`` code.

    >>> mermaid_text('"]; evil [')
    '#34;#93;#59; evil #91;'
    """
    return "".join(
        " "
        if c.isspace()
        else c
        if c in _MERMAID_PLAIN or (c.isalnum() and c.isprintable())
        else f"#{ord(c)};"
        for c in text
    )


def _vertices(m: Map, rolled_up: bool) -> dict[str, tuple[str, str | None]]:
    """Each vertex drawn, with its label and the wave whose column it sits in."""
    if rolled_up:
        return {
            n.id: (n.label + (f" ({', '.join(n.waves)})" if n.waves else ""), n.wave)
            for n in m.nodes
        }
    return {
        name: (info.node.label + (f" @{info.wave}" if info.node.waves else ""), info.wave)
        for name, info in m.variable_info.items()
    }


def _arrows(m: Map, rolled_up: bool) -> dict[tuple[str, str], list[str]]:
    """Each arrow drawn, with its labels: figure number and sign (``#3 +``)."""
    arrows: dict[tuple[str, str], list[str]] = {}
    for link in m.links:
        ends = (link.source, link.target)
        if rolled_up:
            ends = tuple(m.variable_info[v].node.id for v in ends)
            if ends[0] == ends[1]:
                continue
        labels = arrows.setdefault(ends, [])
        label = _arrow_label(link.edge)
        if label and label not in labels:
            labels.append(label)
    return arrows


def _arrow_label(edge: Edge | None) -> str:
    if edge is None:
        return ""
    return " ".join(p for p in (f"#{edge.arrow}" if edge.arrow else None, edge.sign) if p)


def to_mermaid(m: Map, rolled_up: bool = False) -> str:
    """A Mermaid flowchart (left to right): nodes without a wave first, then one subgraph
    per wave in time order, then the arrows with their numbers and signs (carry arrows
    dotted, measurement arrows thin, grey, dashed and ending in a circle). Node ids are
    generated (``n0``, ``n1``...), so no name can clash with Mermaid's keywords.

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> print(to_mermaid(m))
    flowchart LR
      n0["a"]
      n1["b"]
      n0 --> n1
      classDef other fill:#FFFFFF,stroke:#333333
      class n0,n1 other
    <BLANKLINE>
    """
    vertices = _vertices(m, rolled_up)
    ids = {v: f"n{i}" for i, v in enumerate(vertices)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[v]}["{mermaid_text(label)}"]' for v, (label, w) in vertices.items() if not w]
    for i, wave in enumerate(m.waves):
        members = [v for v, (_, w) in vertices.items() if w == wave.id]
        if members:
            lines.append(f'  subgraph w{i}["{mermaid_text(wave.label)}"]')
            lines += [f'    {ids[v]}["{mermaid_text(vertices[v][0])}"]' for v in members]
            lines.append("  end")
    carried = set() if rolled_up else {(x.source, x.target) for x in m.links if x.edge is None}
    measured = []
    for index, ((a, b), labels) in enumerate(_arrows(m, rolled_up).items()):
        # Mermaid has no open arrowhead: a measurement arrow ends in a circle, and is drawn
        # thin, grey and dashed by a linkStyle (its index counts the arrows in order).
        measurement = is_measurement_arrow(m, (a, b), rolled_up)
        arrow = "-.->" if (a, b) in carried else "--o" if measurement else "-->"
        text = f'|"{mermaid_text(", ".join(labels))}"|' if labels else ""
        lines.append(f"  {ids[a]} {arrow}{text} {ids[b]}")
        if measurement:
            measured.append(str(index))
    if measured:
        lines.append(f"  linkStyle {','.join(measured)} {_MERMAID_MEASUREMENT}")
    lines += _mermaid_classes(m, vertices, ids, rolled_up)
    return "\n".join(lines) + "\n"


def _mermaid_classes(m, vertices, ids, rolled_up) -> list[str]:
    """Role fills (the diagram palette) and dashed borders for latent nodes."""
    nodes = {v: m.node_by_id[v] if rolled_up else m.variable_info[v].node for v in vertices}
    lines = []
    for role, fill in ROLE_FILLS.items():
        members = [ids[v] for v, node in nodes.items() if node.role == role]
        if members:
            lines.append(f"  classDef {role} fill:{fill},stroke:#333333")
            lines.append(f"  class {','.join(members)} {role}")
    latent = [ids[v] for v, node in nodes.items() if node.latent]
    if latent:
        lines.append("  classDef latent stroke-dasharray:5 3")
        lines.append(f"  class {','.join(latent)} latent")
    return lines


def _plain(attributes: dict) -> dict:
    """GraphML holds scalars only: lists become comma-separated text, ``None`` is left out."""
    return {
        k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
        for k, v in attributes.items()
        if v is not None
    }


def to_graphml(m: Map) -> str:
    """GraphML of the unrolled DAG, with the node and edge attributes of
    :meth:`Map.to_networkx` (evidence ids comma-separated; absent values left out)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.graph.update(_plain({"id": m.id, "title": m.title, "description": m.description}))
    unrolled = m.to_networkx()
    for name, data in unrolled.nodes(data=True):
        graph.add_node(name, **_plain(data))
    for a, b, data in unrolled.edges(data=True):
        graph.add_edge(a, b, **_plain(data))
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def to_json(m: Map) -> str:
    """Node-link JSON of the unrolled DAG (networkx's ``node_link_data``, arrows under
    ``links`` as d3 expects), with the map's id, title, description and waves."""
    import networkx as nx

    data = {
        "mechmap": m.version,
        "id": m.id,
        "title": m.title,
        "description": m.description,
        "waves": [{"id": w.id, "label": w.label} for w in m.waves],
        **nx.node_link_data(m.to_networkx(), edges="links"),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_pgmpy(m: Map) -> DAG:
    """The unrolled DAG as a ``pgmpy.base.DAG``: latent variables as ``latents``, strategies
    as ``exposures`` and outcomes as ``outcomes``."""
    from pgmpy.base import DAG

    def having(test: Callable) -> set[str]:
        return {v for v, info in m.variable_info.items() if test(info.node)}

    dag = DAG()
    dag.add_nodes_from(m.variables)  # isolated variables too, in declaration order
    dag.add_edges_from((link.source, link.target) for link in m.links)
    dag.latents = having(lambda node: node.latent)
    dag.exposures = having(lambda node: node.role in STRATEGY_ROLES)
    dag.outcomes = having(lambda node: node.role in OUTCOME_ROLES)
    return dag


FORMATS = ("mermaid", "dagitty", "dot", "graphml", "json")
ROLLED_UP_FORMATS = ("mermaid", "dot")


def export_text(m: Map, fmt: str, rolled_up: bool = False) -> str:
    """The map in ``fmt`` (one of :data:`FORMATS`); ``rolled_up`` for mermaid and dot only.

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> export_text(m, "dagitty").splitlines()[-2]
    'a -> b'
    """
    if rolled_up and fmt not in ROLLED_UP_FORMATS:
        raise ValueError(f"--rolled-up applies to {' and '.join(ROLLED_UP_FORMATS)} only")
    if fmt == "mermaid":
        return to_mermaid(m, rolled_up)
    if fmt == "dot":
        from mechmap.diagrams.dotwriter import plain_dot

        return plain_dot(m, rolled_up)
    if fmt == "dagitty":
        from mechmap.diagrams.dagitty import to_dagitty

        return to_dagitty(m)
    if fmt == "graphml":
        return to_graphml(m)
    if fmt == "json":
        return to_json(m)
    raise ValueError(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
