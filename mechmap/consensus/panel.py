"""A panel's rating files appraised against a map: what ``mechmap consensus`` computes.

:func:`panel_consensus` reads the files (:mod:`~mechmap.consensus.ratings`), appraises every
arrow in every round (:mod:`~mechmap.consensus.ram`) and returns one :class:`Panel`: the
appraisals in the map's teaching order, the panel's size per round, the arrows nobody rated
and the arrows proposed for the next round. :meth:`Panel.latest` gives each arrow's latest
round as the map's :class:`~mechmap.model.Consensus`.

>>> import mechmap, tempfile
>>> m = mechmap.loads("mechmap: 1\\nid: t\\ntitle: T\\nnodes: {a: {}, b: {}, c: {}}\\n"
...                   "edges: [{from: a, to: b, arrow: 1}, b -> c]\\n")
>>> table = Path(tempfile.mkdtemp()) / "panel.csv"
>>> rows = [f"P{i},1,#1,{r}" for i, r in enumerate([7, 8, 9, 9, 2], 1)]
>>> _ = table.write_text("rater,round,arrow,rating\\n" + "\\n".join(rows) + "\\n")
>>> panel = panel_consensus(m, [table])
>>> panel.raters, panel.unrated
({1: 5}, ('b -> c',))
>>> panel.latest()["#1"]
Consensus(round=1, n=5, median=8.0, ipr=1.6, disagreement_index=0.234, verdict='include')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mechmap.consensus.ram import ArrowRound, appraise_panel
from mechmap.consensus.ratings import Proposal, read_ratings
from mechmap.model import Consensus, Map


@dataclass(frozen=True)
class Panel:
    """Every arrow rated, per round; ``raters[r]`` panelists returned ratings in round
    ``r``; ``unrated`` names the map's arrows no one rated in any round."""

    arrows: tuple[ArrowRound, ...]
    raters: Mapping[int, int]
    unrated: tuple[str, ...]
    proposals: tuple[Proposal, ...]

    @property
    def rounds(self) -> tuple[int, ...]:
        return tuple(sorted(self.raters))

    def latest(self) -> dict[str, Consensus]:
        """Each arrow's latest round in which someone rated it, as the map records it
        (IPR and disagreement index to three decimals)."""
        found: dict[str, Consensus] = {}
        for row in self.arrows:  # rounds ascend within an arrow, so the last one wins
            a = row.appraisal
            if a.n:
                found[row.arrow] = Consensus(
                    row.round,
                    a.n,
                    a.median,
                    round(a.ipr, 3),
                    round(a.disagreement_index, 3),
                    a.verdict,
                )
        return found


def panel_consensus(m: Map, files: Iterable[Path]) -> Panel:
    """Read the rating files and appraise them against ``m``.

    Raises :class:`~mechmap.diagnostics.MapError` with every problem in the files.
    """
    read = read_ratings(files, m)
    order = [step.edge.name for step in m.teaching_steps()]
    arrows = appraise_panel(read.ratings, order)
    raters: dict[int, set[str]] = {}
    for r in read.ratings:
        raters.setdefault(r.round, set()).add(r.rater)
    rated = {row.arrow for row in arrows}
    return Panel(
        arrows=arrows,
        raters={k: len(v) for k, v in sorted(raters.items())},
        unrated=tuple(name for name in order if name not in rated),
        proposals=read.proposals,
    )
