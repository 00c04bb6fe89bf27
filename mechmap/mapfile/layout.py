"""The ``layout`` block: hints that steer the diagram, checked against the map's names.

Its shape (``order``, ``band``, ``pos``) is checked by
:class:`~mechmap.mapfile.schema.PlacementSpec`; here each key is resolved to a node or one of
its variables, and every problem is located.
What the hints mean is written down in ``docs/map-format.md`` ("Layout").
"""

from __future__ import annotations

from mechmap.diagnostics import Location, warning
from mechmap.mapfile.references import REFERENCE, Names, Token
from mechmap.mapfile.schema import PlacementSpec
from mechmap.mapfile.yamlsafe import Document
from mechmap.model import Placement


def build_layout(
    spec: dict[str, PlacementSpec], doc: Document, names: Names
) -> tuple[Placement, ...]:
    """The placements of the ``layout`` block, in file order; problems go to ``names``."""
    placements: list[Placement] = []
    seen: dict[str, tuple[str, Location]] = {}
    for key, entry in spec.items():
        target = key.strip()
        location = doc.locate_key(("layout", key))
        if not REFERENCE.match(target):
            names.fail(
                location,
                f"layout entry '{key}' is not a node or variable: write node_id or node_id@wave",
            )
            continue
        end = names.resolve(Token(target, location))
        if end is None:
            continue
        # A node without `waves` has one variable: `x` and `x@w` name the same thing.
        vertex = end.node.id if end.every else end.variable
        if vertex in seen:
            first, where = seen[vertex]
            same = "" if first == target else f" as '{first}'"
            names.fail(
                location,
                f"layout entry '{target}': {vertex} is placed twice "
                f"(first{same} at line {where.line}); keep one entry",
            )
            continue
        seen[vertex] = (target, location)
        written = (doc.data.get("layout") or {}).get(key)
        if not isinstance(written, dict) or all(v is None for v in written.values()):
            names.fail(location, f"layout entry '{target}' sets nothing; give order, band or pos")
            continue
        if end.every and entry.pos is not None:
            copies = ", ".join(end.node.variables)
            names.problems.append(
                warning(
                    doc.locate_key(("layout", key, "pos")),
                    f"layout entry '{target}' pins every copy ({copies}) to one point; pin each "
                    f"copy instead ({end.node.variables[0]}: {{pos: [x, y]}})",
                )
            )
        placements.append(Placement(target, entry.order, entry.band, entry.pos, location))
    return tuple(placements)
