"""The RAND/UCLA appropriateness method's numbers for a panel's 1-9 ratings of an arrow.

Fitch et al. (2001), *The RAND/UCLA Appropriateness Method User's Manual*: each panelist rates
an item from 1 (clearly not part of the mechanism) to 9 (clearly part of it). Per item and
round the panel's view is summarised by

- the **median** rating;
- the **interpercentile range** IPR, the 70th minus the 30th percentile (percentiles by
  linear interpolation between order statistics, numpy's default);
- the **IPR adjusted for symmetry**, ``IPRAS = 2.35 + 1.5 * |5 - (P30 + P70) / 2|``: the
  widest IPR still counted as agreement, wider when the ratings sit away from the centre;
- the **disagreement index** ``DI = IPR / IPRAS``: above 1 the panel disagrees;
- the **verdict**: ``uncertain`` when the panel disagrees or the median lies strictly
  between 3.5 and 6.5, else ``include`` (median >= 6.5) or ``exclude`` (median <= 3.5).

A blank rating is an abstention: it is counted apart and left out of every statistic.

The manual's kind of worked example, nine panelists who all think the arrow belongs:

>>> a = appraise([7, 8, 8, 8, 9, 9, 9, 9, 9])
>>> a.n, a.median, a.p30, a.p70, a.ipr, a.ipras
(9, 9.0, 8.0, 9.0, 1.0, 7.6)
>>> round(a.disagreement_index, 3), a.verdict
(0.132, 'include')

Split down the middle, they disagree, whatever the median says:

>>> b = appraise([1, 1, 2, 2, 5, 8, 8, 9, 9, None])
>>> b.n, b.abstained, b.median, round(b.disagreement_index, 2), b.verdict
(9, 1, 5.0, 2.55, 'uncertain')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mechmap.diagnostics import Location

LOWEST, HIGHEST = 1, 9  # the rating scale
INCLUDE_AT, EXCLUDE_AT = 6.5, 3.5  # a median at or beyond these is a clear verdict
REFERENCE = (
    "Fitch K, Bernstein SJ, Aguilar MD, Burnand B, LaCalle JR, Lázaro P, et al. The RAND/UCLA "
    "Appropriateness Method User's Manual. Santa Monica, CA: RAND; 2001 (MR-1269-DG-XII/RE)"
)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ascending values, interpolated linearly between
    order statistics as ``numpy.percentile`` does by default.

    >>> percentile([7, 8, 8, 8, 9, 9, 9, 9, 9], 30), percentile([1, 2, 3, 4], 70)
    (8.0, 3.1)
    """
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    share = position - below
    return float(ordered[below] + (ordered[above] - ordered[below]) * share)


def verdict_of(median: float, disagreement_index: float) -> str:
    """``include``, ``uncertain`` or ``exclude`` from the median and the disagreement index."""
    if disagreement_index > 1 or EXCLUDE_AT < median < INCLUDE_AT:
        return "uncertain"
    return "include" if median >= INCLUDE_AT else "exclude"


@dataclass(frozen=True)
class Appraisal:
    """One arrow's ratings in one round, summarised; the statistics are ``None`` when every
    panelist abstained (``n == 0``). ``counts[k]`` panelists rated it ``k + 1``."""

    n: int
    abstained: int
    counts: tuple[int, ...]
    median: float | None = None
    p30: float | None = None
    p70: float | None = None
    ipr: float | None = None
    ipras: float | None = None
    disagreement_index: float | None = None
    verdict: str | None = None


def appraise(ratings: Iterable[int | None]) -> Appraisal:
    """The method's statistics for one arrow in one round (``None``: abstained)."""
    values = list(ratings)
    given = sorted(r for r in values if r is not None)
    abstained = len(values) - len(given)
    counts = tuple(given.count(k) for k in range(LOWEST, HIGHEST + 1))
    if not given:
        return Appraisal(0, abstained, counts)
    p30, p70 = percentile(given, 30), percentile(given, 70)
    ipr = p70 - p30
    ipras = 2.35 + 1.5 * abs(5 - (p30 + p70) / 2)
    median = percentile(given, 50)
    di = ipr / ipras
    return Appraisal(
        len(given), abstained, counts, median, p30, p70, ipr, ipras, di, verdict_of(median, di)
    )


@dataclass(frozen=True)
class Rating:
    """One panelist's rating of one arrow in one round, as read (``None``: abstained).
    ``arrow`` is the arrow's name in the map (``#13``, else ``a -> b``)."""

    rater: str
    round: int
    arrow: str
    rating: int | None
    location: Location = field(default=Location("<memory>"), compare=False)


@dataclass(frozen=True)
class ArrowRound:
    """An arrow's appraisal in one round, and the round before it if the arrow was rated
    then (to show what changed)."""

    arrow: str
    round: int
    appraisal: Appraisal
    previous: ArrowRound | None = None

    @property
    def median_change(self) -> float | None:
        before = self.previous.appraisal.median if self.previous else None
        now = self.appraisal.median
        return None if before is None or now is None else now - before

    @property
    def verdict_changed(self) -> bool | None:
        if self.previous is None:
            return None
        return self.previous.appraisal.verdict != self.appraisal.verdict


def appraise_panel(ratings: Iterable[Rating], order: Sequence[str] = ()) -> tuple[ArrowRound, ...]:
    """Every (arrow, round) rated, appraised, each linked to the arrow's previous round.

    Arrows come in ``order`` (the map's), then any others in the order first rated; rounds
    ascending within an arrow.
    """
    grouped: dict[str, dict[int, list[int | None]]] = {}
    for r in ratings:
        grouped.setdefault(r.arrow, {}).setdefault(r.round, []).append(r.rating)
    rank = {name: i for i, name in enumerate(order)}
    results: list[ArrowRound] = []
    for arrow in sorted(grouped, key=lambda a: rank.get(a, len(rank))):
        previous = None
        for number in sorted(grouped[arrow]):
            previous = ArrowRound(arrow, number, appraise(grouped[arrow][number]), previous)
            results.append(previous)
    return tuple(results)
