"""Drawing a map with Graphviz: DOT text, then SVG, PNG or PDF through a layout engine.

Layout: waves are columns from left to right in time order; nodes without a wave sit by
role (context and strategies before the first wave, outcomes after the last). Shapes tell
roles apart and the fills come from the Okabe-Ito palette, so the diagram reads for
colour-blind readers and in greyscale. Labels are always DOT-quoted and escaped, and ids in
the output are generated (``n3``, ``e7``), so no label can inject DOT or SVG.

Engines: Graphviz's own ``dot`` when it is on PATH, else the ``graphviz-pure`` program that
installs with mechmap (SVG, PNG; no PDF).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mechmap.mapfile.schema import OUTCOME_ROLES, ROLES, STRATEGY_ROLES
from mechmap.model import Map

FORMATS = ("svg", "png", "pdf", "dot")

# Okabe & Ito's colour-blind-safe palette, as light tints so black text stays legible and
# each role keeps a distinct grey level; the shape carries the role as well.
ROLE_STYLE: dict[str, tuple[str, str]] = {  # role -> (shape, fill)
    "strategy": ("box", "#F5C46B"),  # orange
    "component": ("box", "#FBE3B5"),  # light orange
    "actor": ("tab", "#F7F3C6"),  # yellow
    "determinant": ("hexagon", "#E8A27C"),  # vermillion
    "context": ("parallelogram", "#E6E6E6"),  # grey
    "precondition": ("trapezium", "#D9D9D9"),
    "moderator": ("diamond", "#EBC7DC"),  # reddish purple
    "mechanism": ("ellipse", "#A7D8F2"),  # sky blue
    "proximal_outcome": ("box", "#BFE6D6"),  # bluish green
    "implementation_outcome": ("box", "#7FCDB3"),
    "service_outcome": ("box", "#8DB9DE"),  # blue
    "clinical_outcome": ("box", "#D9A6C5"),
    "confounder": ("octagon", "#CCCCCC"),
    "other": ("box", "#FFFFFF"),
}
_BEFORE_WAVES = frozenset(
    {"context", "determinant", "precondition", "actor", "moderator", "confounder"} | STRATEGY_ROLES
)
DIMMED = "#C8C8C8"
HIGHLIGHT = "#D55E00"  # vermillion

THEMES = {
    "print": {"fontname": "Helvetica", "fontsize": "10", "penwidth": "1", "edgefont": "9"},
    "slides": {"fontname": "Helvetica", "fontsize": "16", "penwidth": "2", "edgefont": "14"},
}


class RendererMissing(RuntimeError):
    """No layout engine can produce the requested format; the message names the fix."""


@dataclass(frozen=True)
class Drawing:
    """DOT text plus the generated ids its SVG will carry, for viewers and tests.

    ``node_ids`` maps each drawn vertex (a variable, or a concept when rolled up) to its id;
    ``edge_ids`` maps each drawn arrow (cause, effect) to its id.
    """

    dot: str
    node_ids: Mapping[str, str] = field(default_factory=dict)
    edge_ids: Mapping[tuple[str, str], str] = field(default_factory=dict)


def quote(text: str) -> str:
    """A DOT double-quoted string that shows ``text`` literally.

    Backslashes are doubled so that Graphviz's escapes (``\\N``, ``\\G``, ``\\l``) never
    fire, and quotes and line breaks are escaped.

    >>> quote('say "hi"\\\\N')
    '"say \\\\"hi\\\\"\\\\\\\\N"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _attributes(**values: str | None) -> str:
    return "[" + ", ".join(f"{k}={quote(v)}" for k, v in values.items() if v is not None) + "]"


def _wrap(text: str, width: int = 22) -> str:
    """Break a long label into lines of about ``width`` characters for compact boxes."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def draw(
    m: Map,
    *,
    highlight: Sequence[str] = (),
    focus: str | None = None,
    rolled_up: bool = False,
    theme: str = "print",
    revealed: int | None = None,
    legend: bool = True,
    edge_colors: Mapping[tuple[str, str], str] | None = None,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
) -> Drawing:
    """The map as DOT, with waves as columns, role shapes, arrow numbers and a legend.

    ``highlight``: variables of a path to show in full colour (the rest dimmed);
    ``focus``: a node (or variable) whose ancestors and descendants alone are drawn;
    ``rolled_up``: one vertex per concept instead of one per time-indexed copy;
    ``revealed``: draw only the first ``revealed`` steps of the teaching sequence in colour
    (the others faint), for step-by-step slides;
    ``edge_colors``: a colour for some arrows (cause, effect), such as a tested path's arrows
    coloured by their result; they are drawn thick in that colour and never dimmed;
    ``edge_labels``: words added to those arrows' labels, because colour alone does not reach
    every reader (colour-blind, greyscale print).

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> print(draw(m, legend=False).dot.splitlines()[0])
    digraph "m" {
    """
    style = THEMES[theme]
    vertices, arrows = _graph(m, rolled_up)
    edge_colors, edge_labels = edge_colors or {}, edge_labels or {}
    strangers = (set(edge_colors) | set(edge_labels)) - set(arrows)
    if strangers:
        a, b = sorted(strangers)[0]
        raise ValueError(f"cannot colour {a} -> {b}: the map draws no such arrow")
    if focus is not None:
        vertices, arrows = _focused(m, vertices, arrows, focus, rolled_up)
    node_ids = {v: f"n{i}" for i, v in enumerate(vertices)}
    edge_ids = {a: f"e{i}" for i, a in enumerate(arrows)}
    lit_vertices, lit_arrows = _lit(m, highlight, revealed, vertices, arrows)
    lit_arrows |= set(edge_colors)
    lit_vertices |= {v for arrow in edge_colors for v in arrow}

    lines = [
        f"digraph {quote(m.id)} {{",
        "  graph "
        + _attributes(
            rankdir="LR",
            newrank="true",
            nodesep="0.3",
            ranksep="0.55",
            fontname=style["fontname"],
            fontsize=str(int(style["fontsize"]) + 4),
            label=m.title,
            labelloc="t",
            id="map",
        )
        + ";",
        "  node "
        + _attributes(
            fontname=style["fontname"],
            fontsize=style["fontsize"],
            style="filled",
            penwidth=style["penwidth"],
            margin="0.12,0.06",
        )
        + ";",
        "  edge "
        + _attributes(
            fontname=style["fontname"],
            fontsize=style["edgefont"],
            penwidth=style["penwidth"],
            arrowsize="0.8",
        )
        + ";",
    ]
    for wave, members in _columns(m, vertices, rolled_up):
        indent = "  "
        if wave is not None:
            lines.append(f"  subgraph {quote('cluster_wave_' + wave.id)} {{")
            lines.append(
                "    graph "
                + _attributes(
                    label=wave.label,
                    style="rounded,filled",
                    fillcolor="#F7F7F7",
                    color="#BBBBBB",
                    id=f"wave-{m.wave_index[wave.id]}",
                )
                + ";"
            )
            indent = "    "
        for vertex in members:
            lit = vertex in lit_vertices
            attributes = _node_attributes(
                m, vertex, node_ids[vertex], rolled_up, lit, lit and bool(highlight)
            )
            lines.append(f"{indent}{quote(node_ids[vertex])} {attributes};")
        if wave is not None:
            lines.append("  }")
    lines += _gates(m, vertices, arrows, rolled_up, node_ids)
    for (a, b), edge_id in edge_ids.items():
        lit = (a, b) in lit_arrows
        attributes = _edge_attributes(
            m,
            (a, b),
            edge_id,
            rolled_up,
            lit,
            (lit and bool(highlight)) or (a, b) in edge_colors,
            style,
            edge_colors.get((a, b)),
            edge_labels.get((a, b)),
        )
        lines.append(f"  {quote(node_ids[a])} -> {quote(node_ids[b])} {attributes};")
    if legend:
        lines += _legend(m, vertices, rolled_up, style)
    lines.append("}")
    return Drawing("\n".join(lines) + "\n", node_ids, edge_ids)


def to_dot(m: Map, **options: object) -> str:
    """DOT text of the map (see :func:`draw` for the options)."""
    return draw(m, **options).dot  # type: ignore[arg-type]


# -- what is drawn -----------------------------------------------------------------------


def _graph(m: Map, rolled_up: bool) -> tuple[list[str], list[tuple[str, str]]]:
    if rolled_up:
        return [n.id for n in m.nodes], list(m.rolled_up())
    return list(m.variables), [(x.source, x.target) for x in m.links]


def _concept(m: Map, vertex: str) -> str:
    return m.variable_info[vertex].node.id if vertex in m.variable_info else vertex


def _adjacency(vertices, arrows) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Children and parents of each drawn vertex, from the drawn arrows."""
    children: dict[str, list[str]] = {v: [] for v in vertices}
    parents: dict[str, list[str]] = {v: [] for v in vertices}
    for a, b in arrows:
        children[a].append(b)
        parents[b].append(a)
    return children, parents


def _focused(m, vertices, arrows, focus, rolled_up):
    from mechmap.mapfile.graphs import reachable

    node = m.node_by_id.get(focus.partition("@")[0])
    if node is None:
        from mechmap.diagnostics import did_you_mean

        raise ValueError(f"--focus: unknown node '{focus}'{did_you_mean(focus, m.node_by_id)}")
    if rolled_up:
        starts = [node.id]
    elif "@" in focus:
        if focus not in m.variable_info:
            raise ValueError(f"--focus: '{focus}' is not a variable of the map")
        starts = [focus]
    else:
        starts = list(node.variables)
    children, parents = _adjacency(vertices, arrows)
    keep = reachable(children, starts) | reachable(parents, starts)
    return [v for v in vertices if v in keep], [
        (a, b) for a, b in arrows if a in keep and b in keep
    ]


def _lit(m, highlight, revealed, vertices, arrows):
    """Which vertices and arrows keep full colour (all of them unless a path or a step)."""
    if highlight:
        path = list(highlight)
        return set(path), set(itertools.pairwise(path))
    if revealed is not None:
        lit_arrows: set[tuple[str, str]] = set()
        for step in m.teaching_steps()[:revealed]:
            lit_arrows |= set(step.edge.links)
        lit_vertices = {v for arrow in lit_arrows for v in arrow}
        return lit_vertices, lit_arrows
    return set(vertices), set(arrows)


def _columns(m: Map, vertices: list[str], rolled_up: bool):
    """Vertices grouped by wave in time order; timeless vertices first (``None``)."""
    by_wave: dict[str | None, list[str]] = {None: []}
    for wave in m.waves:
        by_wave[wave.id] = []
    for vertex in vertices:
        by_wave[_wave_of(m, vertex, rolled_up)].append(vertex)
    waves = {w.id: w for w in m.waves}
    return [(waves.get(w) if w is not None else None, vs) for w, vs in by_wave.items() if vs]


def _wave_of(m: Map, vertex: str, rolled_up: bool) -> str | None:
    if rolled_up:
        node = m.node_by_id[vertex]
        return node.wave or (node.waves[0] if node.waves else None)
    return m.variable_info[vertex].wave


def _gates(m, vertices, arrows, rolled_up, node_ids) -> list[str]:
    """Invisible gate nodes between consecutive waves: every vertex of a wave points to the
    gate after it and the gate to every vertex of the next wave, so Graphviz must lay the
    waves out left to right in time order. Timeless vertices go before the first wave (by
    role: context and strategies) or after the last (outcomes) when nothing ties them
    elsewhere."""
    from mechmap.mapfile.graphs import reachable

    children, parents = _adjacency(vertices, arrows)
    timed = {v for v in vertices if _wave_of(m, v, rolled_up) is not None}
    columns: list[list[str]] = [[]]
    for wave in m.waves:
        columns.append([v for v in vertices if _wave_of(m, v, rolled_up) == wave.id])
    columns.append([])
    for v in vertices:
        if v in timed:
            continue
        role = m.node_by_id[_concept(m, v)].role
        if role in _BEFORE_WAVES and not (reachable(parents, [v]) - {v}) & timed:
            columns[0].append(v)
        elif role in OUTCOME_ROLES and not (reachable(children, [v]) - {v}) & timed:
            columns[-1].append(v)
    columns = [c for c in columns if c]
    lines = []
    for i, (before, after) in enumerate(itertools.pairwise(columns)):
        gate = quote(f"gate{i}")
        lines.append(f'  {gate} [style=invis, shape=point, width=0, label=""];')
        lines += [f"  {quote(node_ids[v])} -> {gate} [style=invis];" for v in before]
        lines += [f"  {gate} -> {quote(node_ids[v])} [style=invis];" for v in after]
    return lines


def _node_attributes(
    m: Map, vertex: str, node_id: str, rolled_up: bool, lit: bool, emphasis: bool
) -> str:
    node = m.node_by_id[_concept(m, vertex)]
    shape, fill = ROLE_STYLE[node.role]
    label = _wrap(node.label)
    if not rolled_up and node.waves:
        label += f"\n@{m.variable_info[vertex].wave}"
    elif rolled_up and node.waves:
        label += f"\n({', '.join(node.waves)})"
    styles = ["filled"]
    if node.role in STRATEGY_ROLES or node.role in OUTCOME_ROLES:
        styles.append("rounded")
    if node.latent:
        styles.append("dashed")
    return _attributes(
        label=label,
        shape=shape,
        style=",".join(styles),
        fillcolor=fill if lit else "#FAFAFA",
        color=HIGHLIGHT if emphasis else "black" if lit else DIMMED,
        penwidth="2.5" if emphasis else None,
        fontcolor="black" if lit else DIMMED,
        peripheries="2" if node.role in OUTCOME_ROLES and node.role != "proximal_outcome" else None,
        id=node_id,
    )


def _edge_attributes(
    m: Map, arrow, edge_id, rolled_up, lit, emphasis, style, colour=None, words=None
) -> str:
    a, b = arrow
    edge = None
    if not rolled_up:
        edge = m.edge_of[(a, b)]
    label_parts = []
    if edge is not None and edge.arrow is not None:
        label_parts.append(f"#{edge.arrow}")
    if edge is not None and edge.sign is not None:
        label_parts.append(edge.sign)
    if words:
        label_parts.append(words)
    carry = not rolled_up and edge is None
    moderator = edge is not None and edge.modifies is not None
    latent_cause = m.node_by_id[_concept(m, a)].latent
    line_style = "dashed" if moderator else "dotted" if latent_cause else None
    return _attributes(
        label=" ".join(label_parts) or None,
        style=line_style,
        arrowhead="odiamond" if moderator else None,
        color=colour
        or (HIGHLIGHT if emphasis else ("#999999" if carry else "black") if lit else DIMMED),
        fontcolor="black" if lit else DIMMED,
        penwidth=str(float(style["penwidth"]) * 2.5) if emphasis else None,
        id=edge_id,
    )


def _legend(m: Map, vertices: list[str], rolled_up: bool, style) -> list[str]:
    used = [r for r in ROLES if any(m.node_by_id[_concept(m, v)].role == r for v in vertices)]
    lines = [
        '  subgraph "cluster_legend" {',
        "    graph "
        + _attributes(
            label="Legend",
            style="rounded",
            color="#BBBBBB",
            fontsize=style["fontsize"],
            id="legend",
        )
        + ";",
    ]
    for i, role in enumerate(used):
        shape, fill = ROLE_STYLE[role]
        lines.append(
            f"    {quote(f'legend{i}')} "
            + _attributes(
                label=role.replace("_", " "),
                shape=shape,
                fillcolor=fill,
                style="filled,rounded" if shape == "box" else "filled",
            )
            + ";"
        )
    keys = [
        "#n  arrow number in the source figure",
        "+ / - / ?  expected sign",
        "dashed, open diamond: moderator",
        "dotted: from a latent (unmeasured) node",
        "grey: same node carried to the next wave",
        "dashed border: latent node; double border: outcome",
    ]
    lines.append(
        f"    {quote('legend_arrows')} "
        + _attributes(
            label="\n".join(keys), shape="plaintext", style="", fontsize=style["edgefont"]
        )
        + ";"
    )
    lines.append("  }")
    return lines


# -- engines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    name: str
    program: str
    formats: frozenset[str]


def engines() -> list[Engine]:
    """Available layout engines, preferred first: system Graphviz, then graphviz-pure."""
    found = []
    system = shutil.which("dot")
    if system:
        found.append(Engine("Graphviz dot", system, frozenset({"svg", "png", "pdf", "json"})))
    pure = shutil.which("graphviz-pure") or _beside_python("graphviz-pure")
    if pure:
        found.append(Engine("graphviz-pure", pure, frozenset({"svg", "png", "json"})))
    return found


def _beside_python(program: str) -> str | None:
    # A virtual environment's scripts sit beside its python even when it is not activated.
    candidate = Path(sys.executable).with_name(program)
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def run_engine(dot: str, fmt: str) -> bytes:
    """Lay out and draw DOT text in ``fmt``; raises :class:`RendererMissing` with the fix."""
    candidates = [e for e in engines() if fmt in e.formats]
    if not candidates:
        if fmt == "pdf":
            raise RendererMissing(
                "PDF needs Graphviz's dot: install it (apt-get install graphviz), "
                "or render SVG or PNG, which work without it"
            )
        raise RendererMissing(
            "no Graphviz layout engine found: reinstall mechmap (it brings graphviz-pure) "
            "or install Graphviz (apt-get install graphviz)"
        )
    failures = []
    for engine in candidates:  # a failing engine falls back to the next one
        result = subprocess.run(
            [engine.program, f"-T{fmt}"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        if result.returncode == 0 and result.stdout:
            return result.stdout
        failures.append(f"{engine.name}: {result.stderr.decode(errors='replace').strip()[:300]}")
    raise RendererMissing("layout failed: " + "; ".join(failures))


def render(m: Map, fmt: str, **options: object) -> bytes:
    """The map drawn in ``fmt`` (svg, png, pdf or dot)."""
    drawing = draw(m, **options)  # type: ignore[arg-type]
    if fmt == "dot":
        return drawing.dot.encode("utf-8")
    return run_engine(drawing.dot, fmt)


def layout_positions(m: Map) -> dict[str, tuple[float, float]]:
    """Where the layout puts each variable (points, y up), e.g. for DAGitty's ``pos``."""
    drawing = draw(m, legend=False)
    layout = json.loads(run_engine(drawing.dot, "json"))
    by_id = {v: k for k, v in drawing.node_ids.items()}
    positions = {}
    for obj in layout.get("objects", []):
        vertex = by_id.get(obj.get("name"))
        if vertex is not None and "pos" in obj:
            x, y = (float(c) for c in obj["pos"].split(","))
            positions[vertex] = (x, y)
    return positions
