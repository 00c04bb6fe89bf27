"""Writing a map back to YAML in the documented format.

``loads(dumps(m)) == m`` for every valid map: the property tests hold us to it.
"""

from __future__ import annotations

import yaml

from mechmap.model import Edge, Map, Node


def _node(node: Node) -> dict[str, object]:
    fields: dict[str, object] = {}
    if node.label != node.id:
        fields["label"] = node.label
    fields["role"] = node.role
    if node.description is not None:
        fields["description"] = node.description
    if node.wave is not None:
        fields["wave"] = node.wave
    if node.waves:
        fields["waves"] = list(node.waves)
    for flag in ("latent", "carry"):
        if getattr(node, flag):
            fields[flag] = True
    if node.group is not None:
        fields["group"] = node.group
    return fields


def _arrow(label: str) -> int | str:
    return int(label) if label.isdigit() and str(int(label)) == label else label


def _edge(edge: Edge) -> str | dict[str, object]:
    attributes = {
        "arrow": None if edge.arrow is None else _arrow(edge.arrow),
        "sign": edge.sign,
        "lag": edge.lag,
        "modifies": edge.modifies,
        "provenance": edge.provenance,
        "evidence": list(edge.evidence) or None,
        "note": edge.note,
    }
    present = {k: v for k, v in attributes.items() if v is not None}
    if not present:
        return edge.written
    return {"from": edge.source, "to": edge.target, **present}


def to_data(m: Map) -> dict[str, object]:
    """The map as plain data in the file format."""
    data: dict[str, object] = {"mechmap": m.version, "id": m.id, "title": m.title}
    if m.description is not None:
        data["description"] = m.description
    if m.sources:
        data["sources"] = [{k: v for k, v in vars(s).items() if v is not None} for s in m.sources]
    if m.waves:
        data["waves"] = {w.id: w.label for w in m.waves}
    data["nodes"] = {n.id: _node(n) for n in m.nodes}
    if m.edges:
        data["edges"] = [_edge(e) for e in m.edges]
    if m.hypotheses:
        data["hypotheses"] = [
            {
                k: v
                for k, v in (
                    ("id", h.id),
                    ("path", h.written),
                    ("expect", h.expect),
                    ("description", h.description),
                )
                if v is not None
            }
            for h in m.hypotheses
        ]
    if m.teaching:
        data["teaching"] = {
            "sequence": [
                {
                    **(
                        {"arrow": _arrow(s.edge.arrow)}
                        if s.edge.arrow
                        else {"edge": s.edge.written}
                    ),
                    **({"caption": s.caption} if s.caption is not None else {}),
                }
                for s in m.teaching
            ]
        }
    return data


def dumps(m: Map) -> str:
    """The map as YAML text."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(to_data(m), Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
