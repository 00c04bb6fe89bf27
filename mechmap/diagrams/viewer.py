"""The interactive viewer: one self-contained HTML file that works offline from disk.

The page inlines the map's SVG (drawn by :mod:`mechmap.diagrams.render`), the viewer's CSS and
JavaScript (``mechmap/viewer_assets``) and the map's data as JSON. It loads nothing from
anywhere: no CDN, no web fonts, no images, and a Content-Security-Policy that allows only
the viewer's own script (by hash) backs that up. Untrusted text (labels, notes, vignette
sentences) reaches the page only HTML-escaped or inside the JSON, where ``<`` is written
``\\u003c`` so no label can close the script element; the script shows it with
``textContent``.

The JSON names SVG elements by the ids the drawing gives them (``n3`` for a variable,
``e7`` for an arrow, ``wave-0`` for a wave's column), so the page needs no extra markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from importlib import resources

from mechmap.citations import sources_line
from mechmap.diagrams.render import draw, run_engine
from mechmap.diagrams.teach import Said, evidence_by_edge, step_caption
from mechmap.mapfile.vignettes import Library
from mechmap.model import ROLES, Edge, Map
from mechmap.vocabularies import label as vocabulary_label

# The SVG's prologue (XML declaration, DOCTYPE, generator comments) is not HTML.
_SVG_START = re.compile(r"<svg\b")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def page_data(
    m: Map,
    library: Library,
    node_ids: Mapping[str, str],
    edge_ids: Mapping[tuple[str, str], str],
) -> dict:
    """Everything the viewer's script needs, keyed by the SVG ids of the drawing."""
    evidence = evidence_by_edge(m, library)
    edge_index = {edge: i for i, edge in enumerate(m.edges)}
    nodes = {}
    for variable, svg_id in node_ids.items():
        info = m.variable_info[variable]
        nodes[svg_id] = {
            "variable": variable,
            "label": info.node.label,
            "role": info.node.role,
            "wave": info.wave,
            "description": info.node.description,
            "latent": info.node.latent,
            "eric": [vocabulary_label("eric", t) for t in info.node.eric],
            "cfir": list(info.node.cfir),
        }
    arrows = {}
    for (a, b), svg_id in edge_ids.items():
        edge = m.edge_of[(a, b)]
        arrows[svg_id] = {
            "source": node_ids[a],
            "target": node_ids[b],
            "edge": None if edge is None else edge_index[edge],
        }
    return {
        "title": m.title,
        "roles": [r for r in ROLES if any(n["role"] == r for n in nodes.values())],
        "waves": [
            {"id": w.id, "label": w.label, "cluster": f"wave-{i}"} for i, w in enumerate(m.waves)
        ],
        "nodes": nodes,
        "arrows": arrows,
        "edges": [_edge_data(edge, evidence[edge]) for edge in m.edges],
        "steps": [
            {
                "edge": edge_index[step.edge],
                "caption": step_caption(m, step),
                "arrows": [edge_ids[link] for link in step.edge.links],
            }
            for step in m.teaching_steps()
        ],
    }


def _edge_data(edge: Edge, said: list[Said]) -> dict:
    return {
        "written": edge.written,
        "kind": edge.kind,
        "arrow": edge.arrow,
        "sign": edge.sign,
        "provenance": edge.provenance,
        "modifies": edge.modifies,
        "note": edge.note,
        "consensus": None if edge.consensus is None else asdict(edge.consensus),
        "evidence": [
            {"vignette": s.vignette, "title": s.title, "stance": s.stance, "says": s.says}
            for s in said
        ],
    }


def script_json(data: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``.

    >>> print(script_json({"label": "</script> & <b>"}))
    {"label": "\\u003c/script\\u003e \\u0026 \\u003cb\\u003e"}
    """
    text = json.dumps(data, ensure_ascii=False)
    return re.sub("[<>&]", lambda match: _JSON_ESCAPES[match.group()], text)


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone, without the XML prologue that HTML does not take."""
    start = _SVG_START.search(svg)
    if start is None:
        raise ValueError("the layout engine returned no <svg> element")
    return svg[start.start() :].strip()


def asset(name: str) -> str:
    """A file of ``viewer_assets`` (the page, its script and style, the live preview's)."""
    return resources.files("mechmap.diagrams.viewer_assets").joinpath(name).read_text("utf-8")


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    if "</script" in script.lower():  # would end the element early
        raise ValueError("an inline script must not contain '</script'")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def build_page(m: Map, library: Library, live_script: str | None = None) -> str:
    """The viewer page for a map, as one HTML string.

    ``live_script`` runs after the viewer's own script and may fetch from the page's own
    origin (``mechmap serve``'s live preview); without it the page fetches nothing.
    """
    drawing = draw(m)
    svg = inline_svg(run_engine(drawing.dot, "svg").decode("utf-8"))
    data = page_data(m, library, drawing.node_ids, drawing.edge_ids)
    script = asset("viewer.js") + ("" if live_script is None else "\n" + live_script)
    connect = "" if live_script is None else "; connect-src 'self'"
    cited = sources_line(m.sources)
    description = (f'<p class="mm-sources">{html.escape(cited)}</p>' if cited else "") + (
        f'<details class="mm-about"><summary>About this map</summary>'
        f"<p>{html.escape(m.description)}</p></details>"
        if m.description
        else ""
    )
    return asset("viewer.html").format(
        csp=f"default-src 'none'; script-src {script_hash(script)}; "
        f"style-src 'unsafe-inline'; img-src data:{connect}",
        title=html.escape(m.title),
        description=description,
        css=asset("viewer.css"),
        svg=svg,
        data=script_json(data),
        script=script,
    )
