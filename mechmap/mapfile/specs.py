"""From a parsed YAML document to a validated spec, with every schema problem located.

pydantic reports problems by path (``('nodes', 'trust', 'role')``); the document knows the
line and column of every path. This module joins the two and words each problem for a
person: unknown keys and values get a "did you mean", required keys are named.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error
from mechmap.mapfile.yamlsafe import Document, Path

_REPAIR_ROUNDS = 6
# What to write instead, for values whose choices alone do not say when to use which;
# keyed by (top-level key, field).
_CHOICE_ADVICE = {
    ("edges", "kind"): "; write kind: measurement when the arrow joins a whole and its part "
    "or a construct and its indicator (a scale and its item, a total and its subscale), or "
    "leave kind out for a causal step",
}

M = TypeVar("M", bound=BaseModel)


def validate_spec(
    doc: Document, model: type[M], placeholders: dict[str, object]
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc.data`` against ``model``, reporting every problem.

    To report all problems in one run and still check meaning afterwards, each invalid
    value is dropped (so its default applies) and validation repeated; an invalid required
    top-level value is replaced by ``placeholders[key]``. Returns ``None`` when nothing
    valid can be made.
    """
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__ if doc.data is not None else "nothing"
        return None, [error(doc.locate(()), f"expected a mapping of keys at the top, got {kind}")]
    data = _deep_copy(doc.data)
    problems: list[Diagnostic] = []
    removed: set[Path] = set()  # values dropped as invalid: "missing" later is our doing
    for _ in range(_REPAIR_ROUNDS):
        try:
            return model.model_validate(data), problems
        except ValidationError as exc:
            fatal = False
            removals: list[Path] = []
            # The members of a union each report the same value: one problem per place.
            by_path: dict[Path, list[dict]] = {}
            for err in exc.errors():
                by_path.setdefault(_data_path(data, err["loc"]), []).append(err)
            for path, errors in by_path.items():
                kind = errors[0]["type"]
                in_file = doc.original(path)
                ours = (kind == "missing" and in_file in removed) or (
                    kind == "too_short" and any(r[: len(in_file)] == in_file for r in removed)
                )
                refused = any(in_file[:n] in doc.refused for n in range(len(in_file) + 1))
                if not ours and not refused:
                    problems.append(_diagnostic(errors, path, doc, model))
                key_error = bool(path) and path[-1] == "[key]"
                path = path[:-1] if key_error else path
                if len(path) == 1 and path[0] in placeholders:
                    data[path[0]] = placeholders[path[0]]
                elif kind == "missing" or key_error:
                    if len(path) <= 1:
                        fatal = True
                    removals.append(path if key_error else path[:-1])
                elif path:
                    removals.append(path)
                else:
                    fatal = True
            if fatal:
                return None, problems
            removed.update(doc.original(r) for r in removals)
            _remove(data, removals, doc)
    return None, problems


def _data_path(data: object, loc: tuple[str | int, ...]) -> Path:
    """The place in the data a pydantic error location names.

    pydantic puts the tag of a union's member into the location (``compact``, ``mapping``,
    ``int``, ``constrained-str``); those are no key of the file and are left out. What
    remains is keys and indices of ``data``, then possibly a missing key or ``[key]``.
    """
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if _has(current, part):
            current = current[part]
        elif part == "[key]" or (isinstance(current, dict) and i == len(loc) - 1):
            current = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _deep_copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _remove(data: object, paths: list[Path], doc: Document) -> None:
    """Drop the values at ``paths``; a list item dropped is remembered in ``doc`` so that
    the items after it are still located where the file has them."""
    # Lists are pruned after all deletions are known so that indices stay valid.
    doomed = object()
    touched: dict[int, list] = {}
    dropped: list[Path] = []
    for path in paths:
        parent = data
        for part in path[:-1]:
            parent = parent[part] if _has(parent, part) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif _has(parent, path[-1]) and parent[path[-1]] is not doomed:
            parent[path[-1]] = doomed
            touched[id(parent)] = parent
            dropped.append(doc.original(path))
    for items in touched.values():
        items[:] = [v for v in items if v is not doomed]
    doc.renumber(dropped)


def _has(parent: object, part: str | int) -> bool:
    """Whether ``parent[part]`` exists (an earlier removal may have taken it away)."""
    if isinstance(parent, dict):
        return part in parent
    return isinstance(parent, list) and isinstance(part, int) and 0 <= part < len(parent)


def _diagnostic(
    errors: list[dict], path: Path, doc: Document, model: type[BaseModel]
) -> Diagnostic:
    """One problem at ``path``, worded for a person, from pydantic's errors there."""
    err = errors[0]
    kind = err["type"]
    in_file = doc.original(path)  # lists may have lost items: number as the file does
    where = _describe(in_file)
    given = err.get("input")
    if path and path[-1] == "[key]":
        return error(
            doc.locate_key(path[:-1]),
            f"'{path[-2]}' is not a valid id in {_describe(in_file[:-2]) or 'the file'}: "
            "use letters, digits, _, - and ., starting with a letter or _",
        )
    location = doc.locate(path)
    if kind == "extra_forbidden":
        key = path[-1]
        known = _known_keys(model, path[:-1])
        context = f"in {_describe(in_file[:-1])}" if path[:-1] else "at the top level"
        hint = did_you_mean(key, known) or f"; known keys: {', '.join(known)}"
        return error(doc.locate_key(path), f"unknown key '{key}' {context}{hint}")
    if kind == "missing":
        context = _describe(in_file[:-1]) or "the file"
        return error(
            _parent_location(doc, path), f"{context} is missing the required key '{path[-1]}'"
        )
    if path and path[-1] in ("mechmap", "vignette") and kind in ("literal_error", "version"):
        return error(
            location,
            f"unsupported format version {_written(doc, path, given)}; the version is the "
            f"integer 1: write '{path[-1]}: 1'",
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", err["ctx"]["expected"]) or [err["ctx"]["expected"]]
        hint = did_you_mean(given, choices)
        quote = '; quote signs, e.g. sign: "-"' if given is None and "+" in choices else ""
        advice = _CHOICE_ADVICE.get((path[0], path[-1]), "")
        return error(
            location,
            f"{where}: '{given}' is not allowed{hint}; choose one of: {', '.join(choices)}"
            f"{quote}{advice}",
        )
    if kind == "string_pattern_mismatch":
        return error(
            location,
            f"{where}: '{given}' is not a valid id: use letters, digits, _, - and ., "
            "starting with a letter or _",
        )
    if kind == "too_short" and path and path[-1] == "nodes":
        return error(location, "a map needs at least one node under 'nodes'")
    if kind == "string_too_short":
        return error(location, f"{where} is empty: write some text, or leave '{path[-1]}' out")
    expected = [_EXPECTED[e["type"]] for e in errors if e["type"] in _EXPECTED]
    if expected and path:
        return error(location, _wrong_type(where, path, doc, given, expected, model))
    return error(location, f"{where or 'file'}: {err['msg'][0].lower()}{err['msg'][1:]}")


# What each of pydantic's type errors says the value should have been.
_EXPECTED = {
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
# How to write the mappings whose keys are the user's own (ids, columns), by field name.
_MAPPING_EXAMPLES = {
    "nodes": "{node_id: {label: ..., role: ...}, ...}",
    "where": "{column: value, ...}",
    "layout": "{node_id: {order: 1}, ...}",
}
_SHOWN_CHARACTERS = 40


def _wrong_type(
    where: str,
    path: Path,
    doc: Document,
    given: object,
    expected: list[str],
    model: type[BaseModel],
) -> str:
    """A value of the wrong type, and how to write it."""
    key = path[-1]
    written = _written(doc, path, given)
    kinds = list(dict.fromkeys(expected))
    write = "write it as" if isinstance(key, int) else f"write {key}:"
    if kinds == ["a list"] and not isinstance(given, list | dict):
        return f"{where} is a list: {write} [{_written(doc, path, given, quoted=False)}, ...]"
    if kinds == ["a mapping"]:
        return f"{where} is a mapping: {write} {_mapping_example(model, path, given)}"
    if kinds == ["true or false"] and isinstance(given, str | int | float):
        return f"{where}: {written} is not true or false; write {key}: true, or {key}: false"
    if kinds == ["text"] and isinstance(given, bool):
        return (
            f"{where}: {written} reads as true or false in YAML; to keep it as text, quote it: "
            f'{key}: "{_written(doc, path, given, quoted=False)}"'
        )
    shown = f" {written}" if isinstance(given, str | int | float | bool) else ""
    return f"{where}: expected {' or '.join(kinds)}, got {_kind(given)}{shown}"


def _mapping_example(model: type[BaseModel], path: Path, given: object) -> str:
    if path[-1] == "waves":
        ids = [given] if isinstance(given, str) else given if isinstance(given, list) else []
        ids = [i for i in ids if isinstance(i, str) and i][:2] or ["t0", "t1"]
        return "{" + ", ".join(f"{i}: a label for {i}" for i in ids) + "}"
    if path[-1] in _MAPPING_EXAMPLES and not (len(path) > 1 and path[-2] == "measures"):
        return _MAPPING_EXAMPLES[path[-1]]
    if path[-1] == "nodes":  # measures: nodes
        return "{node_id: {column: ...}, ...}"
    known = _known_keys(model, path)
    return "{" + ", ".join(f"{k}: ..." for k in known[:2]) + (", ...}" if known else "key: value}")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing"


def _written(doc: Document, path: Path, given: object, quoted: bool = True) -> str:
    """A scalar as the file writes it (``'yes'``, not ``True``), cut short if long; text is
    quoted unless ``quoted`` is false."""
    node = doc.values.get(doc.original(path))
    text = node.value if isinstance(node, yaml.ScalarNode) else str(given)
    if len(text) > _SHOWN_CHARACTERS:
        text = text[: _SHOWN_CHARACTERS - 3] + "..."
    if not quoted:
        return text
    style = node.style if isinstance(node, yaml.ScalarNode) else None
    if style in ('"', "'"):
        return f"{style}{text}{style}"
    return f"'{text}'" if isinstance(given, str | bool) or not text else text


def _parent_location(doc: Document, path: Path) -> Location:
    return doc.locate(path[:-1])


def _describe(path: Path) -> str:
    """Words for a path: ``node 'trust': role``, ``edge 3: sign``."""
    names = {
        "nodes": "node",
        "waves": "wave",
        "sources": "source",
        "edges": "edge",
        "hypotheses": "hypothesis",
        "supports": "supports entry",
        "contradicts": "contradicts entry",
        "layout": "layout entry",
    }
    parts: list[str] = []
    i = 0
    while i < len(path):
        part = path[i]
        if part in names and i + 1 < len(path) and path[i + 1] != "[key]":
            item = path[i + 1]
            shown = f"{item + 1}" if isinstance(item, int) else f"'{item}'"
            parts.append(f"{names[part]} {shown}")
            i += 2
            continue
        parts.append(str(part) if not isinstance(part, int) else f"item {part + 1}")
        i += 1
    return ": ".join(p for p in parts if p != "[key]")


def _known_keys(model: type[BaseModel], path: Path) -> list[str]:
    """The keys allowed at ``path`` (a mapping inside a document of ``model``)."""
    current: object = model
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for name, f in current.model_fields.items() if (f.alias or name) == part), None
            )
            if field is None:
                return []
            current = field.annotation
        elif get_origin(current) in (dict, list):
            current = get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(tp: object) -> object:
    """Strip Annotated and unions down to the model or container inside."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [_unwrap(a) for a in get_args(tp) if a is not type(None)]
            containers = [
                m
                for m in members
                if (isinstance(m, type) and issubclass(m, BaseModel))
                or get_origin(m) in (dict, list)
            ]
            tp = containers[0] if containers else members[0]
        else:
            return tp
