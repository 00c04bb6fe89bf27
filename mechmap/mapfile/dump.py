"""Writing a map back to YAML in the documented format.

``loads(dumps(m)) == m`` for every valid map: the property tests hold us to it.
"""

from __future__ import annotations

from dataclasses import asdict

import yaml

from mechmap.model import (
    Design,
    Edge,
    Map,
    Measure,
    Measures,
    Node,
    Placement,
    Score,
    Source,
    ValueType,
)


class Flow(dict):
    """A mapping written on one line (``{order: 1, pos: [820, 140]}``)."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """The safe dumper, writing :class:`Flow` mappings in flow style."""


_Dumper.add_representer(
    Flow,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
)


def dump_yaml(data: object) -> str:
    """Plain data (maps, lists, :class:`Flow`) as YAML text, keys in their order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


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
    if node.icc is not None:
        fields["icc"] = node.icc
    for vocabulary in ("eric", "cfir"):
        tags = getattr(node, vocabulary)
        if tags:
            fields[vocabulary] = tags[0] if len(tags) == 1 else list(tags)
    return fields


def _arrow(label: str) -> int | str:
    return int(label) if label.isdigit() and str(int(label)) == label else label


def _edge(edge: Edge) -> str | dict[str, object]:
    attributes = {
        "kind": edge.kind if edge.is_measurement else None,  # causal is the default
        "arrow": None if edge.arrow is None else _arrow(edge.arrow),
        "sign": edge.sign,
        "lag": edge.lag,
        "modifies": edge.modifies,
        "provenance": edge.provenance,
        "evidence": list(edge.evidence) or None,
        "note": edge.note,
        "effect": edge.effect,
        "consensus": None if edge.consensus is None else Flow(asdict(edge.consensus)),
    }
    present = {k: v for k, v in attributes.items() if v is not None}
    if not present:
        return edge.written
    return {"from": edge.source, "to": edge.target, **present}


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _value_type(value_type: ValueType) -> str | dict[str, object]:
    if value_type.kind == "likert":
        return {"likert": [_number(value_type.low), _number(value_type.high)]}
    if value_type.kind == "category":
        return {"category": list(value_type.categories)}
    return value_type.kind


def _measure(measure: Measure) -> dict[str, object]:
    fields: dict[str, object] = {}
    if measure.column is not None:
        fields["column"] = measure.column
    if measure.score is not None:
        score = measure.score
        fields["score"] = {"instrument": score.instrument, "subscale": score.subscale}
        if score.items != Score.items:
            fields["score"]["items"] = score.items
        if score.dropped:
            fields["score"]["dropped"] = list(score.dropped)
    if measure.level is not None:
        fields["level"] = measure.level
    if measure.aggregate != Measure.aggregate:
        fields["aggregate"] = measure.aggregate
    if measure.where:
        fields["where"] = dict(measure.where)
    if measure.wave is not None:
        fields["wave"] = measure.wave
    if measure.type != ValueType():
        fields["type"] = _value_type(measure.type)
    if measure.denominator is not None:
        fields["denominator"] = measure.denominator
    return fields


def measures_data(measures: Measures) -> dict[str, object]:
    """A measures block as plain data (the value of the ``measures`` key)."""
    data: dict[str, object] = {}
    if measures.site != Measures.site:
        data["site"] = measures.site
    for key in ("wave", "respondent_type"):
        if getattr(measures, key) is not None:
            data[key] = getattr(measures, key)
    if measures.synthetic:
        data["synthetic"] = True
    if measures.nodes:
        data["nodes"] = {x.variable: _measure(x) for x in measures.nodes}
    return data


def _design(design: Design) -> dict[str, object]:
    data: dict[str, object] = {}
    if design.randomized:
        data["randomized"] = list(design.randomized)
    if design.note is not None:
        data["note"] = design.note
    return data


def _placement(placement: Placement) -> Flow:
    fields = Flow()
    if placement.order is not None:
        fields["order"] = placement.order
    if placement.band is not None:
        fields["band"] = placement.band
    if placement.pos is not None:
        fields["pos"] = [_number(c) for c in placement.pos]
    return fields


def source_fields(source: Source) -> dict[str, object]:
    """Every field of a source as plain data (``None`` where not given)."""
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in vars(source).items()
        if k != "location"
    }


def to_data(m: Map) -> dict[str, object]:
    """The map as plain data in the file format."""
    data: dict[str, object] = {"mechmap": m.version, "id": m.id, "title": m.title}
    if m.description is not None:
        data["description"] = m.description
    if m.sources:
        data["sources"] = [
            {k: v for k, v in source_fields(s).items() if v not in (None, [])} for s in m.sources
        ]
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
                    ("parallel", [" -> ".join(c) for c in h.parallel] or None),
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
    if m.measures is not None:
        data["measures"] = measures_data(m.measures)
    if m.design is not None:
        data["design"] = _design(m.design)
    if m.layout:
        data["layout"] = {p.target: _placement(p) for p in m.layout}
    return data


def dumps(m: Map) -> str:
    """The map as YAML text."""
    return dump_yaml(to_data(m))
