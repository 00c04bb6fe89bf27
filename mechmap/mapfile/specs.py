"""From a parsed YAML document to a validated spec, with every schema problem located.

pydantic reports problems by path (``('nodes', 'trust', 'role')``); the document knows the
line and column of every path. This module joins the two and words each problem for a
person: unknown keys and values get a "did you mean", required keys are named.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error
from mechmap.mapfile.yamlsafe import Document, Path

_UNION_TAGS = {"compact", "mapping"}
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
            for err in exc.errors():
                path = tuple(p for p in err["loc"] if p not in _UNION_TAGS)
                ours = err["type"] == "missing" and path in removed
                if not ours and not any(path[:n] in doc.refused for n in range(len(path) + 1)):
                    problems.append(_diagnostic(err, path, doc, model))
                key_error = bool(path) and path[-1] == "[key]"
                path = path[:-1] if key_error else path
                if len(path) == 1 and path[0] in placeholders:
                    data[path[0]] = placeholders[path[0]]
                elif err["type"] == "missing" or key_error:
                    if len(path) <= 1:
                        fatal = True
                    removals.append(path if key_error else path[:-1])
                elif path:
                    removals.append(path)
                else:
                    fatal = True
            if fatal:
                return None, problems
            _remove(data, removals)
            removed.update(removals)
    return None, problems


def _deep_copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _remove(data: object, paths: list[Path]) -> None:
    # Lists are pruned after all deletions are known so that indices stay valid.
    doomed = object()
    touched: list[list] = []
    for path in paths:
        parent = data
        for part in path[:-1]:
            parent = parent[part] if isinstance(parent, dict | list) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
            parent[path[-1]] = doomed
            touched.append(parent)
    for lst in touched:
        lst[:] = [v for v in lst if v is not doomed]


def _diagnostic(err: dict, path: Path, doc: Document, model: type[BaseModel]) -> Diagnostic:
    kind = err["type"]
    where = _describe(path)
    given = err.get("input")
    if path and path[-1] == "[key]":
        return error(
            doc.locate_key(path[:-1]),
            f"'{path[-2]}' is not a valid id in {_describe(path[:-2]) or 'the file'}: "
            "use letters, digits, _, - and ., starting with a letter or _",
        )
    location = doc.locate(path)
    if kind == "extra_forbidden":
        key = path[-1]
        known = _known_keys(model, path[:-1])
        context = f"in {_describe(path[:-1])}" if path[:-1] else "at the top level"
        hint = did_you_mean(key, known) or f"; known keys: {', '.join(known)}"
        return error(doc.locate_key(path), f"unknown key '{key}' {context}{hint}")
    if kind == "missing":
        context = _describe(path[:-1]) or "the file"
        return error(
            _parent_location(doc, path), f"{context} is missing the required key '{path[-1]}'"
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", err["ctx"]["expected"]) or [err["ctx"]["expected"]]
        if path[-1] in ("mechmap", "vignette"):
            return error(
                location,
                f"unsupported format version {given!r}; this mechmap reads '{path[-1]}: 1'",
            )
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
    return error(location, f"{where or 'file'}: {err['msg'][0].lower()}{err['msg'][1:]}")


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
