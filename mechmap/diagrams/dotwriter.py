"""Positioned DOT: a laid-out scene written for Graphviz's ``nop2`` engine, which draws
every box, curve and label exactly where mechmap put it.

Coordinates here are the layout's (points, y down); DOT's y grows upward, so every y is
flipped against the scene's height. Invisible corner points pin the drawing's extent, so a
16:9 slide stays 16:9 after Graphviz trims its margins. :func:`plain_dot` is the other
kind of DOT: the graph alone, no positions, for other tools.
"""

from __future__ import annotations

from mechmap.diagrams.arrange import (
    DOUBLE_BORDERED,
    SHAPES,
    arrow_verdict,
    arrow_words,
    concept,
    drawn_graph,
    is_measurement_arrow,
    vertex_label,
    wave_of,
)
from mechmap.diagrams.layout import sampled
from mechmap.diagrams.style import (
    CARRIED,
    DIMMED,
    EXCLUDED,
    FONT,
    HIGHLIGHT,
    INCLUDED_WIDTH,
    MEASUREMENT,
    MEASUREMENT_WIDTH,
    ROLE_FILLS,
    UNCERTAIN,
    WAVE_FILL,
    WAVE_LINE,
    attributes,
    quote,
)
from mechmap.diagrams.textsize import text_box, text_width
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Map

# Dashed with an open head, in every DOT mechmap writes; the class reaches the SVG's <g>.
_MEASUREMENT_LINE = {"style": "dashed", "arrowhead": "empty", "class": "measurement"}


def scene_dot(scene, m: Map, looks, node_ids, edge_ids, words, width: float | None) -> list[str]:
    """DOT lines for ``scene`` (see :func:`mechmap.diagrams.render.draw`)."""
    style = looks.style
    W, H = scene.width, scene.height
    graph = dict(
        pad="0",
        layout="nop2",
        bb=f"0,0,{W:.2f},{H:.2f}",
        id="map",
        fontname=FONT,  # the wave headings
    )
    if width is not None:
        graph["size"] = f"{width / 72:.3f},{H * width / W / 72:.3f}!"
    if style.screen is not None:
        graph["dpi"] = f"{style.screen[0] * 72 / W:.6f}"  # 2 decimals could miss a pixel
    lines = [
        f"digraph {quote(m.id)} {{",
        f"  graph {attributes(**graph)};",
        f"  node {attributes(fontname=FONT, fontsize=style.font, style='filled', fixedsize='true', penwidth=style.penwidth, margin='0')};",  # noqa: E501
        f"  edge {attributes(fontname=FONT, fontsize=style.edge_font, penwidth=style.penwidth, arrowsize=0.8)};",  # noqa: E501
        # Corner points inset by their half-size, so that the drawing is exactly W x H.
        # (0.02 in: Graphviz rounds a smaller node's height up to that.)
        '  "frame 0" [style=invis, label="", width=0.02, height=0.02, pos="0.72,0.72"];',
        f'  "frame 1" [style=invis, label="", width=0.02, height=0.02, '
        f'pos="{W - 0.72:.2f},{H - 0.72:.2f}"];',
    ]
    if scene.arranged is not None:
        lines += _map_lines(scene, m, looks, node_ids, edge_ids, words)
    if scene.legend is not None:
        lines += _legend_lines(scene, style)
    if scene.heading:
        lines.append(
            _text_line("title", scene.heading, scene.font * 1.3, W / 2, scene.title_height / 2, H)
        )
    if scene.caption:
        height = text_box(scene.caption, scene.font * 1.2)[1]
        lines.append(
            _text_line(
                "caption", scene.caption, scene.font * 1.2, W / 2, scene.caption_at + height / 2, H
            )
        )
    lines.append("}")
    return lines


def _text_line(name: str, text: str, font: float, x: float, y: float, H: float) -> str:
    """A block of text as a plain box of exactly the size mechmap measured for it (so that
    Graphviz's own text metrics cannot push the drawing past its frame)."""
    width, height = text_box(text, font)
    return (
        f"  {quote(name)} "
        + attributes(
            label=text,
            shape="plaintext",
            style="",
            width=width / 72,
            height=height / 72,
            fontsize=font,
            id=name,
            pos=_at(x, y, H),
        )
        + ";"
    )


def _at(x: float, y: float, height: float) -> str:
    return f"{x:.2f},{height - y:.2f}"


def _map_lines(scene, m: Map, looks, node_ids, edge_ids, words) -> list[str]:
    arranged, (ox, oy), H = scene.arranged, scene.offset, scene.height
    layout = arranged.layout
    lit_vertices, lit_arrows, strong = looks.lit()
    # Boxes outlined in vermillion: a highlighted path's, else the current step's ends.
    if looks.highlight:
        emphasised = set(looks.highlight)
    elif looks.revealed is not None:
        emphasised = {v for arrow in strong for v in arrow}
    else:
        emphasised = set()

    def node_line(v: str, indent: str) -> str:
        x, y = layout.centres[v]
        return (
            indent
            + quote(v)
            + " "
            + _node_attributes(
                m,
                v,
                node_ids[v],
                arranged,
                v in lit_vertices,
                v in emphasised,
                _at(x + ox, y + oy, H),
                looks.node_fill.get(v),
            )
        )

    lines = []
    members: dict[int, list[str]] = {}
    for v in node_ids:
        members.setdefault(arranged.column[v], []).append(v)
    line_points = [p for route in layout.routes.values() for p in sampled(route.points, 12)]
    top, bottom = layout.flow[0] - scene.font * 2.4 + 4, layout.flow[1] + scene.font * 1.0
    for column, wave_id in arranged.columns.items():
        if wave_id is None:
            continue
        pinned = [v for v in members.get(column, []) if (p := m.placement(v)) and p.pos]
        x0, x1, y0, y1 = _wave_box(arranged, pinned, column, top, bottom)
        wave = next(w for w in m.waves if w.id == wave_id)
        bb = f"{x0 + ox:.2f},{H - (y1 + oy):.2f},{x1 + ox:.2f},{H - (y0 + oy):.2f}"
        lines.append(f"  subgraph {quote('cluster_wave_' + wave.id)} {{")
        label_y = y0 + scene.font * 1.0
        label_x = _heading_x(line_points, wave.label, scene.font * 1.05, x0, x1, label_y)
        lines.append(
            "    graph "
            + attributes(
                bb=bb,
                label=wave.label,
                lp=_at(label_x + ox, label_y + oy, H),
                style="rounded,filled",
                fillcolor=WAVE_FILL,
                color=WAVE_LINE,
                fontsize=scene.font * 1.05,
                id=f"wave-{m.wave_index[wave.id]}",
            )
            + ";"
        )
        lines += [node_line(v, "    ") for v in members.pop(column, [])]
        lines.append("  }")
    lines += [node_line(v, "  ") for vs in members.values() for v in vs]
    for arrow, edge_id in edge_ids.items():
        lines.append(
            _edge_line(
                m,
                arrow,
                edge_id,
                layout.routes[arrow],
                words.get(arrow),
                looks,
                arrow in lit_arrows,
                arrow in strong,
                (ox, oy),
                H,
            )
        )
    return lines


def _heading_x(line_points, text: str, font: float, x0: float, x1: float, y: float) -> float:
    """Where along its box's top a wave's heading goes: the centre, unless arrows dropping
    from the context band run through it there (``line_points``: points along every arrow);
    then the clearest place near the centre."""
    half = text_width(text, font) / 2
    near = [point for point in line_points if abs(point[1] - y) < font]
    centre = (x0 + x1) / 2
    room = max(0.0, (x1 - x0) / 2 - half - 6)
    spots = [centre + room * k / 10 for k in range(-10, 11)]

    def hits(x: float) -> int:
        return sum(1 for px, _ in near if abs(px - x) < half + 3)

    return min(spots, key=lambda x: (hits(x), abs(x - centre)))


def _wave_box(arranged, members, column, top, bottom):
    """A wave's box: its column across the whole flow, grown to take in pinned members."""
    layout, pad = arranged.layout, 8.0
    x0, x1 = layout.columns[column]
    y0, y1 = top, bottom
    for v in members:
        (cx, cy), (w, h) = layout.centres[v], arranged.sizes[v]
        x0, x1 = min(x0, cx - w / 2 - pad), max(x1, cx + w / 2 + pad)
        y0, y1 = min(y0, cy - h / 2 - 3 * pad), max(y1, cy + h / 2 + pad)
    return x0, x1, y0, y1


def _node_attributes(m, vertex, node_id, arranged, lit, emphasis, pos, fill=None) -> str:
    node = m.node_by_id[concept(m, vertex)]
    width, height = arranged.sizes[vertex]
    styles = ["filled"]
    if node.role in STRATEGY_ROLES or node.role in OUTCOME_ROLES:
        styles.append("rounded")
    if node.latent:
        styles.append("dashed")
    return attributes(
        label=arranged.labels[vertex],
        shape=arranged.shapes[vertex],
        style=",".join(styles),
        fillcolor=fill or (ROLE_FILLS[node.role] if lit else "#FAFAFA"),
        color=HIGHLIGHT if emphasis else "black" if lit else DIMMED,
        penwidth="2.5" if emphasis else None,
        fontcolor="black" if lit else DIMMED,
        peripheries="2" if node.role in DOUBLE_BORDERED else None,
        width=width / 72,
        height=height / 72,
        pos=pos,
        id=node_id,
    )


def _edge_line(m, arrow, edge_id, route, words, looks, lit, strong, offset, H) -> str:
    a, b = arrow
    ox, oy = offset
    edge = None if looks.rolled_up else m.edge_of[arrow]
    carry = not looks.rolled_up and edge is None
    moderator = edge is not None and edge.modifies is not None
    measurement = is_measurement_arrow(m, arrow, looks.rolled_up)
    verdict = arrow_verdict(m, arrow, looks.rolled_up)
    latent_cause = m.node_by_id[concept(m, a)].latent
    resting = CARRIED if carry else MEASUREMENT if measurement else "black"
    resting = {"uncertain": UNCERTAIN, "exclude": EXCLUDED}.get(verdict or "", resting)
    colour = looks.edge_colors.get(arrow) or (HIGHLIGHT if strong else resting if lit else DIMMED)
    width = looks.style.penwidth
    points = " ".join(_at(x + ox, y + oy, H) for x, y in route.points)
    tip = _at(route.tip[0] + ox, route.tip[1] + oy, H)
    line = {"style": "dotted" if latent_cause else None, "arrowhead": None}
    if measurement:
        line.update(_MEASUREMENT_LINE)
    if moderator:
        line.update(style="dashed", arrowhead="odiamond")
    if verdict in ("uncertain", "exclude"):
        line.update(style="dashed")
    weight = INCLUDED_WIDTH if verdict == "include" else MEASUREMENT_WIDTH if measurement else None
    return (
        f"  {quote(a)} -> {quote(b)} "
        + attributes(
            label=words or None,
            lp=_at(route.label[0] + ox, route.label[1] + oy, H) if words and route.label else None,
            pos=f"e,{tip} {points}",
            **line,
            color=colour,
            # The arrow that stands out says so in its label too: colour and bold type.
            fontcolor=colour
            if strong and arrow not in looks.edge_colors
            else "black"
            if lit
            else DIMMED,
            fontname=f"{FONT}-Bold" if strong else None,
            penwidth=looks.edge_width.get(arrow)
            or (width * 2.5 if strong else width * weight if weight else None),
            id=edge_id,
        )
        + ";"
    )


def _legend_lines(scene, style) -> list[str]:
    key, (lx, ly), H = scene.legend, scene.legend_at, scene.height
    lines = []
    for i, sample in enumerate(key.samples):
        lines.append(
            f"  {quote('legend ' + sample.role)} "
            + attributes(
                label=sample.label,
                shape=SHAPES[sample.role],
                fillcolor=ROLE_FILLS[sample.role],
                style="filled,rounded" if SHAPES[sample.role] == "box" else "filled",
                fontsize=key.font,
                width=sample.width / 72,
                height=sample.height / 72,
                peripheries="2" if sample.role in DOUBLE_BORDERED else None,
                pos=_at(lx + sample.x, ly + sample.y, H),
                id=f"legend-{i}",
            )
            + ";"
        )
    if key.notes:
        nx, ny = key.notes_at
        lines.append(_text_line("legend-notes", key.notes, key.font, lx + nx, ly + ny, H))
    return lines


def plain_dot(m: Map, rolled_up: bool = False) -> str:
    """The map's graph as DOT for other tools: labelled boxes and arrows, waves as clusters,
    no positions and no drawing helpers; the variable ids are the node names. Measurement
    arrows are dashed and grey with an open head, and carry ``class="measurement"``."""
    vertices, arrows = drawn_graph(m, rolled_up)
    lines = [f"digraph {quote(m.id)} {{", f"  graph {attributes(label=m.title, rankdir='LR')};"]
    by_wave: dict[str | None, list[str]] = {}
    for v in vertices:
        by_wave.setdefault(wave_of(m, v), []).append(v)
    for wave in m.waves:
        lines.append(f"  subgraph {quote('cluster_' + wave.id)} {{")
        lines.append(f"    graph {attributes(label=wave.label)};")
        lines += [
            f"    {quote(v)} {attributes(label=vertex_label(m, v, 10**6))};"
            for v in by_wave.get(wave.id, [])
        ]
        lines.append("  }")
    lines += [
        f"  {quote(v)} {attributes(label=vertex_label(m, v, 10**6))};"
        for v in by_wave.get(None, [])
    ]
    for arrow in arrows:
        words = arrow_words(m, arrow, rolled_up)
        line = (
            {**_MEASUREMENT_LINE, "color": MEASUREMENT}
            if is_measurement_arrow(m, arrow, rolled_up)
            else {}
        )
        lines.append(
            f"  {quote(arrow[0])} -> {quote(arrow[1])} {attributes(label=words or None, **line)};"
        )
    return "\n".join([*lines, "}"]) + "\n"
