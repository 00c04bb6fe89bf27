"""What changed between two drafts of a map, field by field, and what follows from it.

Concepts are matched by id, arrows by their ends as written (``a -> b``; a moderator by the
arrow it modifies, ``m -> (a -> b)``), hypotheses, waves and sources by id, teaching steps by
their arrow, layout hints by target, measures by variable. Two matched items are compared on
every field of their dataclass (:mod:`mechmap.model`) but where they were read from and what
is derived from other fields (``Edge.links``), so a field added to the model is compared
without a change here. What follows for the analyses is in
:mod:`mechmap.drafting.consequences`. Either draft may be ``None``: a map added or deleted.

>>> import mechmap
>>> old = mechmap.loads('''
... mechmap: 1
... id: tiny
... title: Tiny
... nodes: {dose: {role: strategy}, trust: {role: mechanism}, uptake: {}}
... edges: [dose -> trust -> uptake]
... ''')
>>> new = mechmap.loads('''
... mechmap: 1
... id: tiny
... title: Tiny
... nodes: {dose: {role: strategy}, trust: {role: mechanism}, uptake: {}}
... edges: [dose -> trust, {from: trust, to: uptake, sign: "-"}, dose -> uptake]
... ''')
>>> changes = diff_maps(old, new)
>>> changes.arrows.added
('dose -> uptake',)
>>> changes.as_dict()["arrows"]["changed"]
[{'arrow': 'trust -> uptake', 'fields': {'sign': {'before': None, 'after': '-'}}}]
>>> changes.as_dict()["implications"]
{'added': [], 'removed': ['dose ⫫ uptake | trust']}
>>> diff_maps(old, old).identical
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from mechmap.drafting.consequences import Consequences, consequences
from mechmap.model import Edge, Map, Measures

# Fields computed from others, so a change in them is already shown where it comes from.
DERIVED = frozenset({"links"})
# The Map fields compared as sections of their own (or not at all: ``file``).
_SECTIONS = frozenset(
    {"nodes", "edges", "links", "waves", "sources", "hypotheses", "teaching", "measures", "layout"}
)

Item = TypeVar("Item")


@dataclass(frozen=True)
class FieldChange:
    """One field's value in each draft, as plain JSON values (lists, dicts, str, numbers)."""

    before: object
    after: object

    def as_dict(self) -> dict[str, object]:
        return {"before": self.before, "after": self.after}


@dataclass(frozen=True)
class Changed:
    """An item both drafts have whose fields differ (in the model's field order)."""

    key: str
    fields: tuple[tuple[str, FieldChange], ...]


@dataclass(frozen=True)
class Section:
    """What changed in one block: keys added and removed, items changed; ``reordered`` when
    the items both drafts have come in another order and the order means something (waves
    are in time order, teaching steps in the order taught)."""

    noun: str  # what one item is called in JSON: "node", "arrow", ...
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[Changed, ...] = ()
    reordered: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.reordered)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {self.noun: c.key, "fields": {k: v.as_dict() for k, v in c.fields}}
                for c in self.changed
            ],
        }
        if self.noun in ("wave", "step"):
            out["reordered"] = self.reordered
        return out


@dataclass(frozen=True)
class MapDiff:
    """Everything that changed from ``before`` to ``after`` (see the module docstring)."""

    before: str | None  # the map's id; None: no map (a file added)
    after: str | None  # None: a file deleted
    nodes: Section
    arrows: Section
    hypotheses: Section
    waves: Section
    sources: Section
    teaching: Section
    layout: Section
    measures: Section
    map: tuple[tuple[str, FieldChange], ...]  # the map's own fields: title, design...
    consequences: Consequences
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)  # node id -> label

    @property
    def sections(self) -> tuple[tuple[str, Section], ...]:
        """The blocks in the order they are reported, under their JSON keys."""
        names = ("nodes", "arrows", "hypotheses", "waves", "sources", "teaching", "layout")
        return tuple((name, getattr(self, name)) for name in (*names, "measures"))

    @property
    def identical(self) -> bool:
        return (
            all(s.empty for _, s in self.sections)
            and not self.map
            and self.consequences.empty
            and (self.before is None) == (self.after is None)
        )

    def as_dict(self) -> dict[str, object]:
        blocks = {name: section.as_dict() for name, section in self.sections}
        return {
            **{name: blocks.pop(name) for name in ("nodes", "arrows", "hypotheses")},
            **self.consequences.as_dict(),
            **blocks,
            "map": {"fields": {name: change.as_dict() for name, change in self.map}},
            "identical": self.identical,
        }


def arrow_key(edge: Edge) -> str:
    """How an arrow is matched between drafts: ``a -> b``, a moderator ``m -> (a -> b)``."""
    return f"{edge.source} -> ({edge.modifies})" if edge.modifies else edge.written


def plain(value: object) -> object:
    """A value of the model as JSON: a dataclass becomes a dict of its compared fields.

    >>> from mechmap.model import Placement
    >>> plain(Placement("trust", pos=(10.0, 20.0)))
    {'target': 'trust', 'order': None, 'band': None, 'pos': [10.0, 20.0]}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _compared(value)}
    if isinstance(value, tuple | list | frozenset | set):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _compared(item: object, skip: frozenset[str] = frozenset()) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(item)
        if f.compare and f.name not in DERIVED and f.name not in skip
    ]


def changed_fields(
    before: object, after: object, skip: frozenset[str] = frozenset(), prefix: str = ""
) -> tuple[tuple[str, FieldChange], ...]:
    """The fields of two items of one dataclass whose values differ."""
    changes = []
    for name in _compared(after, skip):
        old, new = plain(getattr(before, name)), plain(getattr(after, name))
        if old != new:
            changes.append((prefix + name, FieldChange(old, new)))
    return tuple(changes)


def _section(
    noun: str,
    before: Iterable[Item],
    after: Iterable[Item],
    key: Callable[[Item], str],
    skip: frozenset[str] = frozenset(),
    ordered: bool = False,
) -> Section:
    old, new = {key(x): x for x in before}, {key(x): x for x in after}
    changed = []
    for name, item in new.items():
        if name in old:
            fields = changed_fields(old[name], item, skip)
            if fields:
                changed.append(Changed(name, fields))
    return Section(
        noun,
        added=tuple(k for k in new if k not in old),
        removed=tuple(k for k in old if k not in new),
        changed=tuple(changed),
        reordered=ordered and [k for k in old if k in new] != [k for k in new if k in old],
    )


def _map_fields(before: Map | None, after: Map | None) -> tuple[tuple[str, FieldChange], ...]:
    """The map's own fields (id, title, design...) and those of its measures block."""
    if before is None or after is None:
        return ()
    own = changed_fields(before, after, _SECTIONS)
    measures = changed_fields(
        before.measures or Measures(),
        after.measures or Measures(),
        frozenset({"nodes"}),
        "measures.",
    )
    return own + measures


def diff_maps(before: Map | None, after: Map | None) -> MapDiff:
    """What changed from ``before`` to ``after`` (``None``: no such draft), and what follows
    for the analyses of what both drafts define."""

    def blocks(m: Map | None, name: str) -> tuple:
        return getattr(m, name) if m is not None else ()

    def measures(m: Map | None) -> tuple:
        return m.measures.nodes if m is not None and m.measures is not None else ()

    def side(name: str, noun: str, key: Callable, **options) -> Section:
        return _section(noun, blocks(before, name), blocks(after, name), key, **options)

    labels = {n.id: n.label for m in (before, after) if m is not None for n in m.nodes}
    return MapDiff(
        before=before.id if before is not None else None,
        after=after.id if after is not None else None,
        nodes=side("nodes", "node", lambda n: n.id),
        arrows=side("edges", "arrow", arrow_key),
        hypotheses=side("hypotheses", "hypothesis", lambda h: h.id),
        waves=side("waves", "wave", lambda w: w.id, ordered=True),
        sources=side("sources", "source", lambda s: s.id),
        teaching=side(
            "teaching", "step", lambda s: arrow_key(s.edge), skip=frozenset({"edge"}), ordered=True
        ),
        layout=side("layout", "target", lambda p: p.target),
        measures=_section("variable", measures(before), measures(after), lambda x: x.variable),
        map=_map_fields(before, after),
        consequences=consequences(before, after),
        labels=MappingProxyType(labels),
    )
