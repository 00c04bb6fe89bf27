"""The blocks a report is made of, the number formats they share, and what every section
needs to know about the result (its n, level and the map's labels).

All text in a block is plain and unescaped: each writer (HTML, Markdown, terminal) escapes it
for its own format. A table cell is a string or a :class:`Named` variable or arrow, which the
writers show as its label with the id after it in small type, so the label is what a reader
sees and the id is still there to copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mechmap.model import Map
from mechmap.reports.view import Interval, ResultView

SYNTHETIC = "SYNTHETIC DATA"
ARROW = " → "


@dataclass(frozen=True)
class Named:
    label: str
    id: str


Cell = str | Named


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str | None = None  # a bold lead-in such as "Result:"
    kind: str = ""  # "verdict" (the path's result) or "" (plain)


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns to right-align


@dataclass(frozen=True)
class Figure:
    name: str  # a slug, unique in the report (HTML id "fig-NAME"; prefix of its SVG ids)
    caption: str
    svg: str | None  # None when it could not be drawn; the caption then says why


@dataclass(frozen=True)
class Legend:
    entries: tuple[tuple[str, str, str], ...]  # (colour, colour's name, meaning)
    label: str = "Arrow colours"  # what the colours are of, for screen readers


@dataclass(frozen=True)
class Code:
    text: str  # a command to copy, shown verbatim


@dataclass(frozen=True)
class Collapsed:
    """Blocks shown under a one-line summary: folded away in HTML and Markdown; the
    terminal prints the summary and ``brief`` (e.g. only the failing rows) instead."""

    summary: str
    blocks: tuple[Block, ...]
    brief: tuple[Block, ...] = ()


Block = Heading | Paragraph | Items | Table | Figure | Legend | Code | Collapsed


@dataclass(frozen=True)
class Report:
    title: str
    banner: str | None  # shown above everything when set (synthetic data)
    blocks: tuple[Block, ...]


# -- numbers -----------------------------------------------------------------------------


def number(value: float | None) -> str:
    """Three significant digits; an em dash for a missing value.

    >>> number(1.13812), number(-0.0613), number(None)
    ('1.14', '-0.0613', '—')
    """
    return "—" if value is None else f"{value:.3g}"


def interval(bounds: Sequence[float] | None) -> str:
    """``[lo, hi]`` with three significant digits each.

    >>> interval([0.7787, 1.284])
    '[0.779, 1.28]'
    """
    return "—" if bounds is None else f"[{number(bounds[0])}, {number(bounds[1])}]"


def p_value(p: float | None) -> str:
    """A p-value with three significant digits; below 0.001 as a bound (a permutation p of
    1/10,000 says no more than that), never as a rounded "0.000".

    >>> p_value(0.04961), p_value(0.0001), p_value(0.0)
    ('0.0496', '< 0.001', '< 0.001')
    """
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def sample_size(level: str, n_rows: int, n_sites: int) -> str:
    """The n of an analysis in words, sites first: sites are the independent units.

    >>> sample_size("site", 11, 11), sample_size("respondent", 40, 12)
    ('n = 11 sites', 'n = 40 respondents in 12 sites')
    """
    if level == "site":
        return f"n = {n_sites} sites"
    return f"n = {n_rows} respondents in {n_sites} sites"


def in_words(bounds: Interval | None) -> str:
    """An interval for a sentence.

    >>> in_words((0.12, 0.9))
    '95% interval 0.12 to 0.9'
    """
    return (
        "no interval"
        if bounds is None
        else f"95% interval {number(bounds[0])} to " + (number(bounds[1]))
    )


# -- what every section needs ----------------------------------------------------------------


class Context:
    """The map and the typed result, with the n, the level and the labels."""

    def __init__(self, m: Map, result: ResultView) -> None:
        if result.map_id != m.id:
            raise ValueError(f"the result is for map '{result.map_id}', not for '{m.id}'")
        named = {v for chain in result.path.chains for v in chain}
        named |= {v for x in result.links for v in x.arrow}
        unknown = sorted(named - set(m.variable_info))
        if unknown:
            raise ValueError(
                f"the result names {', '.join(unknown)}, which map '{m.id}' does not have"
            )
        self.map, self.result = m, result
        self.level = result.level
        self.n_sites, self.n_rows = result.n_sites, result.n_rows
        self.synthetic = result.synthetic
        # A wave's short name ("Sustainment year", not its months in parentheses).
        self._waves = {w.id: w.label.split(" (")[0] for w in m.waves}

    @property
    def n(self) -> str:
        return sample_size(self.level, self.n_rows, self.n_sites)

    @property
    def n_level(self) -> str:
        return f"{self.n}, {self.level} level"

    def marked(self, text: str) -> str:
        """A figure title or caption, labelled when the data are synthetic."""
        return f"{SYNTHETIC}: {text}" if self.synthetic else text

    def label(self, variable: str) -> str:
        """A variable's label, with its wave for one copy of a node measured at several."""
        info = self.map.variable_info.get(variable)
        if info is None:  # a name the result uses that is no variable (a site, say)
            return variable
        copy = info.wave and "@" in variable
        wave = f" ({self._waves.get(info.wave, info.wave)})" if copy else ""
        return f"{info.node.label}{wave}"

    def named(self, variable: str) -> Named:
        return Named(self.label(variable), variable)

    def arrow(self, cause: str, effect: str) -> Named:
        return Named(f"{self.label(cause)}{ARROW}{self.label(effect)}", f"{cause} -> {effect}")

    def chain(self, chain: Sequence[str]) -> Named:
        return Named(ARROW.join(self.label(v) for v in chain), " -> ".join(chain))

    def labels(self, variables: Sequence[str]) -> str:
        return ", ".join(self.label(v) for v in variables) or "nothing"

    def map_hypothesis(self, hypothesis: str | None) -> str | None:
        """A hypothesis's description in the map, if it has one."""
        found = {h.id: h for h in self.map.hypotheses}.get(hypothesis or "")
        return found.description if found is not None else None
