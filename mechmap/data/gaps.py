"""Gaps: a missing or non-numeric value, or a site without a row, and how they are told.

A gap is what ``missing="drop"`` takes care of: its site, or its respondent row, is left
out and listed. With ``missing="error"`` all of a binding's gaps become one located line:
the first gap in full, the next few by location, the rest counted, and what dropping would
leave out (:func:`gaps_error`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error

SHOWN = 3  # gaps listed by location after the first, in one message


@dataclass(frozen=True)
class Gap:
    """A missing or non-numeric value, or a site without a row.

    ``row`` is (table, row position) for a respondent's row; ``None`` when the gap takes out
    the site's value as a whole."""

    location: Location
    site: str | None
    text: str
    variable: str | None
    row: tuple[str, int] | None = None


def gaps_error(
    gaps: Sequence[Gap], n_sites: int, of_sites: int, n_rows: int, n_orphans: int
) -> Diagnostic:
    """One error for every gap: the first in full, then :data:`SHOWN` by location, then how
    many more, and what ``--missing drop`` would drop (``n_sites`` of ``of_sites`` sites,
    ``n_rows`` respondent rows, ``n_orphans`` rows without a site id)."""
    gaps = sorted(gaps, key=lambda g: g.location)
    first = gaps[0]
    message = first.text
    if first.site is not None and f"site {first.site}" not in message:
        message += f" (site {first.site})"
    if first.variable is not None:
        message += f" for node {first.variable}"
    if len(gaps) > 1:
        listed = ", ".join(f"{g.location} {brief(g)}" for g in gaps[1 : 1 + SHOWN])
        others = len(gaps) - 1 - SHOWN
        message += f"; {len(gaps) - 1} more: {listed}" + (
            f" and {others} other(s)" if others > 0 else ""
        )
    plan = []
    if n_sites:
        what = "the site" if n_sites == 1 else f"{n_sites} sites"
        plan.append(f"{what} ({n_sites} of {of_sites})")
    if n_rows:
        plan.append(f"{n_rows} respondent row{'s' * (n_rows > 1)}")
    if n_orphans:
        plan.append(f"{n_orphans} row{'s' * (n_orphans > 1)} without a site id")
    if len(gaps) > 1:
        fix = "fill or fix them"
    else:
        fix = "fill it" if first.text.startswith("missing") else "fix it"
    message += f"; {fix}, or pass --missing drop to drop {' and '.join(plan)}"
    return error(first.location, message)


def brief(gap: Gap) -> str:
    site = f" (site {gap.site})" if gap.site is not None and "site " not in gap.text else ""
    return f"{gap.text}{site}"


def reasons(gaps: Sequence[Gap]) -> str:
    """The reasons of a site's gaps, a cell that several variables read (a denominator
    shared by proportions) once, naming them all."""
    by_cell: dict[tuple[Location, str], list[str]] = {}
    for gap in gaps:
        by_cell.setdefault((gap.location, brief(gap)), []).append(gap.variable or "")
    return "; ".join(
        f"{text}{' for ' + ' and '.join(v for v in names if v) if any(names) else ''} ({location})"
        for (location, text), names in by_cell.items()
    )


def label_hint(label: str, others: Sequence[str]) -> str:
    """A "did you mean" for a label (a site id, a ``where`` value) that the data write
    differently: in another case or spacing (``Site 1``, ``site_1``), or misspelt."""
    folded = {"".join(ch for ch in o.casefold() if ch.isalnum()): o for o in others}
    same = folded.get("".join(ch for ch in label.casefold() if ch.isalnum()))
    if same is not None:
        return f" (did you mean '{same}'? labels must match exactly)"
    return did_you_mean(label, others)
