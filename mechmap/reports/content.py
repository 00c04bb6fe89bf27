"""What a path-test report says, as plain blocks that the HTML, Markdown and terminal writers
format.

The report opens in plain words (what was tested and found, what it does and does not show),
says what would make an unidentifiable effect identifiable, then gives the details (figures
and tables, each with its n and level of analysis, because at 11 or 12 sites the n is half of
the story) and ends with what reproduces it. Synthetic results say so in a banner and in every
figure title and caption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mechmap.model import Map
from mechmap.reports import details, figures, summary
from mechmap.reports.blocks import SYNTHETIC, Block, Context, Heading, Report
from mechmap.reports.view import view

if TYPE_CHECKING:
    from mechmap.mechanism.result import PathResult


def build(m: Map, result: PathResult | Mapping[str, Any], *, drawn: bool = True) -> Report:
    """The report on a path test of ``m`` as blocks; ``result`` is the :class:`PathResult`
    or its ``as_dict()`` (``mechmap test --json``). ``drawn=False`` leaves out the figures
    (the terminal cannot show them, and drawing them takes a while)."""
    as_dict = result if isinstance(result, Mapping) else result.as_dict()
    c = Context(m, view(as_dict))
    sections = [summary.summary, summary.identification, _details_heading, details.data]
    if drawn:
        sections.append(figures.drawn_map)
    sections.append(details.links)
    if drawn:
        sections.append(figures.scatters)
    sections.append(details.effects)
    if drawn:
        sections.append(figures.forest)
    sections += [
        details.refutations,
        details.falsification,
        details.checklist,
        details.power_and_warnings,
        details.reproduction,
    ]
    blocks: list[Block] = [block for section in sections for block in section(c)]
    banner = (
        f"{SYNTHETIC}: these results come from simulated data, not from real sites. They show "
        "how the method works and are no evidence about the mechanism."
        if c.synthetic
        else None
    )
    return Report(c.result.title or m.title, banner, tuple(blocks))


def _details_heading(_: Context) -> list[Block]:
    return [Heading("Details")]
