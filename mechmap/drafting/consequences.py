"""What a change to a map means for its analyses: implications, adjustment, identification.

Only what both drafts define is compared. Testable implications are the basis ``mechmap
implications`` prints (:func:`mechmap.analysis.implications.basis_implications`), written
``x ⫫ y | z`` and compared as sets of statements, keeping those that name only variables
both drafts have (a statement about a new node says no more than that the node is new). For
every hypothesis both drafts have, each link both versions of it share gets its minimal
adjustment sets for the link's own (direct) effect, as ``mechmap adjust --effect direct``,
and each link, and the whole path when its ends are unchanged, gets its identification, as
``mechmap identify`` (:mod:`mechmap.analysis.identify`); a change in either is reported.

>>> import mechmap
>>> text = '''
... mechmap: 1
... id: tiny
... title: Tiny
... nodes: {dose: {}, trust: {}, uptake: {}, site: {latent: LATENT}}
... edges: [dose -> trust -> uptake, site -> trust, EXTRA]
... hypotheses: [{id: h, path: dose -> trust -> uptake}]
... '''
>>> old = mechmap.loads(text.replace(", EXTRA", "").replace("LATENT", "false"))
>>> new = mechmap.loads(text.replace("EXTRA", "site -> uptake").replace("LATENT", "true"))
>>> found = consequences(old, new)
>>> found.implications_removed
('dose ⫫ site', 'dose ⫫ uptake | trust', 'site ⫫ uptake | trust')
>>> [(c.link, c.before, c.after) for c in found.adjustment]
[('trust -> uptake', ((),), ())]
>>> [(c.effect, c.before, c.after, c.method) for c in found.identification]
[('trust -> uptake', True, False, 'back-door')]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING

from mechmap.model import Hypothesis, Map

if TYPE_CHECKING:
    import networkx as nx

    from mechmap.analysis.identify import Identification

LINK, PATH = "link", "path"


@dataclass(frozen=True)
class AdjustmentChange:
    """A hypothesis' link whose minimal adjustment sets (direct effect) differ: ``()`` none
    exists, ``((),)`` the empty set suffices, ``None`` an end is latent (nothing to ask)."""

    hypothesis: str
    link: str
    before: tuple[tuple[str, ...], ...] | None
    after: tuple[tuple[str, ...], ...] | None

    def as_dict(self) -> dict[str, object]:
        def sets(found: tuple[tuple[str, ...], ...] | None) -> list[list[str]] | None:
            return None if found is None else [list(s) for s in found]

        return {
            "hypothesis": self.hypothesis,
            "link": self.link,
            "before": sets(self.before),
            "after": sets(self.after),
        }


@dataclass(frozen=True)
class IdentificationChange:
    """An effect (a hypothesis' link, or its whole path: ``kind``) that became identifiable
    or not; ``None`` when it could not be asked (an end is latent) or decided."""

    hypothesis: str
    effect: str  # "u -> v"; a path as its hypothesis writes it
    kind: str  # LINK or PATH
    before: bool | None
    after: bool | None
    method: str | None  # how the draft that identifies it does
    note: str  # why the draft that does not identify it cannot

    def as_dict(self) -> dict[str, object]:
        return {
            "hypothesis": self.hypothesis,
            "effect": self.effect,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "method": self.method,
            "note": self.note,
        }


@dataclass(frozen=True)
class Consequences:
    implications_added: tuple[str, ...] = ()
    implications_removed: tuple[str, ...] = ()
    adjustment: tuple[AdjustmentChange, ...] = ()
    identification: tuple[IdentificationChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.implications_added
            or self.implications_removed
            or self.adjustment
            or self.identification
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "implications": {
                "added": list(self.implications_added),
                "removed": list(self.implications_removed),
            },
            "adjustment": [c.as_dict() for c in self.adjustment],
            "identification": [c.as_dict() for c in self.identification],
        }


@dataclass
class _Analysed:
    """One draft's DAG with its answers, each computed once (links recur across hypotheses)."""

    map: Map
    sets: dict[tuple[str, str], tuple[tuple[str, ...], ...] | None] = field(default_factory=dict)
    found: dict[tuple[str, str], Identification | None] = field(default_factory=dict)

    @cached_property
    def graph(self) -> nx.DiGraph:
        return self.map.to_networkx()

    def implications(self, among: set[str]) -> set[str]:
        """The basis ``mechmap implications`` prints, as statements, keeping those that
        name only variables in ``among``."""
        from mechmap.analysis.implications import basis_implications

        found = basis_implications(self.graph, self.map.latent_variables).implications
        return {statement(i.x, i.y, i.given) for i in found if {i.x, i.y, *i.given} <= among}

    def adjustment(self, cause: str, effect: str) -> tuple[tuple[str, ...], ...] | None:
        from mechmap.analysis.adjustment import DIRECT, adjustment_sets

        if (cause, effect) not in self.sets:
            try:
                latent = self.map.latent_variables
                found = adjustment_sets(self.graph, [cause], [effect], latent, DIRECT)
                self.sets[cause, effect] = tuple(tuple(s) for s in found.sets)
            except ValueError:  # a latent end: no effect to adjust for
                self.sets[cause, effect] = None
        return self.sets[cause, effect]

    def identification(self, cause: str, effect: str) -> Identification | None:
        from mechmap.analysis.identify import identify

        if (cause, effect) not in self.found:
            try:
                latent = self.map.latent_variables
                self.found[cause, effect] = identify(self.graph, cause, effect, latent)
            except ValueError:  # a latent end
                self.found[cause, effect] = None
        return self.found[cause, effect]


def statement(x: str, y: str, given: tuple[str, ...] = ()) -> str:
    """An implied independence as people write it: ``x ⫫ y | a, b``."""
    return f"{x} ⫫ {y}" + (f" | {', '.join(given)}" if given else "")


def _links(hypothesis: Hypothesis) -> Iterator[tuple[str, str]]:
    seen = set()
    for chain in hypothesis.chains:
        for link in pairwise(chain):
            if link not in seen:
                seen.add(link)
                yield link


def _implications(old: _Analysed, new: _Analysed) -> tuple[tuple[str, ...], tuple[str, ...]]:
    shared = set(old.map.variables) & set(new.map.variables)
    before, after = old.implications(shared), new.implications(shared)
    return tuple(sorted(after - before)), tuple(sorted(before - after))


def _identification_change(
    hypothesis: str, effect: str, kind: str, old: Identification | None, new: Identification | None
) -> IdentificationChange | None:
    before = old.identifiable if old is not None else None
    after = new.identifiable if new is not None else None
    if before == after:
        return None
    identified = next((r for r in (new, old) if r is not None and r.identifiable), None)
    unidentified = next((r for r in (new, old) if r is not None and not r.identifiable), None)
    return IdentificationChange(
        hypothesis,
        effect,
        kind,
        before,
        after,
        identified.method if identified is not None else None,
        unidentified.note if unidentified is not None else "",
    )


def consequences(before: Map | None, after: Map | None) -> Consequences:
    """What changes for the analyses from ``before`` to ``after`` (see the module docstring);
    nothing when either draft is missing, since then nothing is defined in both."""
    if before is None or after is None:
        return Consequences()
    old, new = _Analysed(before), _Analysed(after)
    added, removed = _implications(old, new)
    adjustment: list[AdjustmentChange] = []
    identification: list[IdentificationChange] = []
    earlier = {h.id: h for h in before.hypotheses}
    for hypothesis in after.hypotheses:
        previous = earlier.get(hypothesis.id)
        if previous is None:
            continue
        shared = set(_links(previous))
        effects = [(link, LINK) for link in _links(hypothesis) if link in shared]
        ends = (hypothesis.path[0], hypothesis.path[-1])
        if ends == (previous.path[0], previous.path[-1]) and ends not in shared:
            effects.append((ends, PATH))
        for (cause, effect), kind in effects:
            written = f"{cause} -> {effect}" if kind == LINK else hypothesis.written
            if kind == LINK:
                sets = old.adjustment(cause, effect), new.adjustment(cause, effect)
                if sets[0] != sets[1]:
                    adjustment.append(AdjustmentChange(hypothesis.id, written, *sets))
            change = _identification_change(
                hypothesis.id,
                written,
                kind,
                old.identification(cause, effect),
                new.identification(cause, effect),
            )
            if change is not None:
                identification.append(change)
    return Consequences(added, removed, tuple(adjustment), tuple(identification))
