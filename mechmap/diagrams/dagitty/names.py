"""How DAGitty's names, flags and positions cross over to a map and back.

A DAGitty name becomes a map identifier (:func:`slug`, :func:`identifiers`); the flags a map
has no field for (``adjusted``, ``selected``, an imported ``<->``) travel in the node's
description as a ``dagitty: ...`` line (:func:`tags`); positions are DAGitty units one way
and points the other (:data:`POINTS_PER_UNIT`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from mechmap.mapfile.schema import IDENTIFIER_PATTERN

# Flags the map format has no field for travel in the node description as "dagitty: ...".
TAGGED_FLAGS = ("adjusted", "selected")
BIDIRECTED_TAG = "bidirected"
_TAG_LINE = re.compile(r"^dagitty:\s*([a-z, ]+)$", re.MULTILINE)

# DAGitty's `pos="x,y"` is in its own units (small numbers such as -10.2 .. 6.7, y growing
# downward); the map's `layout:` pos is in points (1/72 inch), also y down. Import multiplies by
# this, export divides: one DAGitty unit is one inch, as the export has always written it.
POINTS_PER_UNIT = 72.0

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.\-]+")


def slug(name: str, fallback: str = "var") -> str:
    """A map identifier for a DAGitty name: the name itself when it is one, else its letters
    and digits joined by ``_`` (with a leading ``_`` when it starts with a digit).

    >>> slug("my var"), slug("1"), slug("screening@impl"), slug("Größe"), slug("x.2-b")
    ('my_var', '_1', 'screening_impl', 'Groe', 'x.2-b')
    """
    if _IDENTIFIER.match(name):
        return name
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NOT_IN_ID.sub("_", ascii_name).strip("_")
    if not text:
        return fallback
    return text if _IDENTIFIER.match(text) else "_" + text


def unique(base: str, taken: set[str]) -> str:
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def identifiers(names: Iterable[str], taken: set[str]) -> dict[str, str]:
    """Map ids for DAGitty names: names that are valid ids keep themselves; the others are
    slugged, with ``_2``, ``_3`` ... where slugs would collide."""
    names = list(names)
    taken.update(n for n in names if _IDENTIFIER.match(n))
    return {n: n if _IDENTIFIER.match(n) else unique(slug(n), taken) for n in names}


def tags(description: str | None) -> set[str]:
    """The DAGitty flags a node description carries on a ``dagitty: ...`` line.

    >>> sorted(tags("Smoking history\\ndagitty: adjusted, selected"))
    ['adjusted', 'selected']
    """
    found: set[str] = set()
    for words in _TAG_LINE.findall(description or ""):
        found.update(w.strip() for w in words.split(",") if w.strip())
    return found
