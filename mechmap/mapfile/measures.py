"""The ``measures`` block: which column (or survey items) each variable is read from.

The block sits in a map, or on its own in a measures file (``measures:`` at the top), and is
checked against the map's nodes and waves either way: each key is a node (every copy, for
long data with a wave column) or one copy ``node@wave``; a measure names a ``column`` or a
``score`` (an instrument's subscale scored from item columns), a value ``type``, filters
(``where``, ``wave``) and how respondents are aggregated to sites. Where the values are then
found in the tables is :mod:`mechmap.data.measures`'s work.
"""

from __future__ import annotations

import dataclasses

from mechmap.diagnostics import Location, did_you_mean
from mechmap.instruments.wai import ITEMS as WAI_ITEMS
from mechmap.instruments.wai import item_pattern_problems, subscale_items
from mechmap.mapfile.references import REFERENCE, Endpoint, Names, Token
from mechmap.mapfile.schema import PLAIN_TYPES, MeasureSpec, MeasuresSpec, TypeSpec
from mechmap.mapfile.yamlsafe import Document
from mechmap.model import Measure, Measures, Score, ValueType


def build_measures(
    spec: MeasuresSpec, doc: Document, names: Names, top: tuple[str, ...] = ("measures",)
) -> Measures:
    """The measures block at ``top`` of ``doc``, its keys resolved against the map's nodes
    and waves; problems go to ``names.problems``."""
    measures: list[Measure] = []
    seen: dict[str, Location] = {}
    for key, entry in spec.nodes.items():
        path = (*top, "nodes", key)
        location = doc.locate_key(path)
        if not REFERENCE.match(key.strip()):
            names.fail(location, f"'{key}' is not a node reference: write node_id or node_id@wave")
            continue
        end = names.resolve(Token(key.strip(), location))
        if end is None:
            continue
        if end.node.latent:
            names.fail(
                location,
                f"node '{end.node.id}' is latent (not measured): remove its measure, "
                "or remove 'latent: true' from the node",
            )
            continue
        if entry.wave is not None and spec.wave is None:
            names.fail(
                doc.locate_key((*path, "wave")),
                f"'{key}': 'wave' selects rows by the wave column; name that column at the top "
                "of measures ('wave: COLUMN')",
            )
        variables = _measured_copies(end, key, entry, spec, doc, path, names)
        measure = _measure(entry, doc, path, names)
        for variable in variables:
            if variable in seen:
                names.fail(
                    location,
                    f"{variable} is bound twice (first at line {seen[variable].line}); "
                    "keep one measure",
                )
                continue
            seen[variable] = location
            measures.append(dataclasses.replace(measure, variable=variable, location=location))
    return Measures(
        site=spec.site,
        wave=spec.wave,
        respondent_type=spec.respondent_type,
        synthetic=spec.synthetic,
        nodes=tuple(measures),
        file=doc.file,
        location=doc.locate_key(top) if top else doc.locate(()),
    )


def _measured_copies(end: Endpoint, key, entry, spec, doc, path, names) -> tuple[str, ...]:
    """The variables a measure key binds: one, or every copy of a node in long data."""
    if not end.every:
        return (end.variable,)
    copies = ", ".join(end.node.waves)
    if entry.wave is not None:
        names.fail(
            doc.locate_key((*path, "wave")),
            f"'{key}' stands for every copy ({copies}) but 'wave' selects one: "
            f"write the key as {end.node.id}@WAVE",
        )
        return ()
    if spec.wave is None:
        names.fail(
            doc.locate_key(path),
            f"node '{end.node.id}' has a copy at each of {copies}: bind each copy "
            f"({end.node.id}@{end.node.waves[0]}: ...), or name the wave column of long data "
            "('wave: COLUMN' at the top of measures)",
        )
        return ()
    return end.node.variables


def _measure(entry: MeasureSpec, doc: Document, path, names: Names) -> Measure:
    """A measure (its variable filled in by the caller) from a validated entry."""
    score = None
    if entry.score is not None:
        if entry.column is not None:
            names.fail(
                doc.locate_key((*path, "score")),
                "a measure has either 'column' or 'score', not both; keep one",
            )
        score = _score(entry, doc, (*path, "score"), names)
    value_type = ValueType()
    if entry.type is not None:
        if entry.score is not None:
            names.fail(
                doc.locate_key((*path, "type")),
                "a score's type comes from its instrument; remove 'type'",
            )
        else:
            value_type = _value_type(entry.type, doc.locate((*path, "type")), names)
    if entry.denominator is not None and value_type.kind != "proportion":
        names.fail(
            doc.locate_key((*path, "denominator")),
            "a denominator weights a proportion: add 'type: proportion', or remove 'denominator'",
        )
    return Measure(
        variable="",
        column=entry.column,
        score=score,
        level=entry.level,
        aggregate=entry.aggregate,
        where=tuple(entry.where.items()),
        wave=entry.wave,
        type=value_type,
        denominator=entry.denominator,
    )


def _score(entry: MeasureSpec, doc: Document, path, names: Names) -> Score | None:
    spec = entry.score
    where = doc.where((*path, "items"))
    for offset, message in item_pattern_problems(spec.items):
        names.fail(where.within(offset, spec.items), message)
    for i, item in enumerate(spec.dropped):
        if item not in WAI_ITEMS:
            names.fail(
                doc.locate((*path, "dropped", i)),
                f"dropped: there is no item {item}; the WAI short forms have items 1-12",
            )
        elif item in spec.dropped[:i]:
            names.fail(doc.locate((*path, "dropped", i)), f"dropped: item {item} is listed twice")
    if not subscale_items(spec.subscale, spec.dropped):
        names.fail(
            doc.locate((*path, "dropped")),
            f"every item of the {spec.subscale} subscale is dropped: nothing is left to score",
        )
    return Score(spec.instrument, spec.subscale, spec.items, tuple(spec.dropped))


def _value_type(spec: str | TypeSpec, location: Location, names: Names) -> ValueType:
    if isinstance(spec, str):
        if spec in PLAIN_TYPES:
            return ValueType(spec)
        if spec in ("likert", "category"):
            example = "{likert: [1, 7]}" if spec == "likert" else "{category: [low, medium, high]}"
            names.fail(
                location,
                f"type {spec} needs its {'range' if spec == 'likert' else 'labels'}: "
                f"write type: {example}",
            )
        else:
            names.fail(
                location,
                f"unknown type '{spec}'{did_you_mean(spec, ('likert', 'category', *PLAIN_TYPES))};"
                " choose continuous, proportion, count, {likert: [low, high]} or "
                "{category: [label, ...]}",
            )
        return ValueType()
    if (spec.likert is None) == (spec.category is None):
        names.fail(location, "a type mapping has one key: likert or category")
        return ValueType()
    if spec.likert is not None:
        low, high = spec.likert
        if low >= high:
            names.fail(location, f"likert: [{low:g}, {high:g}] must go from low to high")
            return ValueType()
        return ValueType("likert", low=low, high=high)
    duplicated = [c for i, c in enumerate(spec.category) if c in spec.category[:i]]
    if duplicated:
        names.fail(location, f"category: '{duplicated[0]}' is listed twice")
        return ValueType()
    return ValueType("category", categories=tuple(spec.category))
