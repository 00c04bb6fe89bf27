"""Panelists' ratings read back: completed forms, or one long table, checked against the map.

Two layouts are read, as CSV or ``.xlsx``:

- a **form** as :mod:`mechmap.consensus.forms` writes it (``mechmap rate``): rater and round
  fields, then one row per arrow with its rating, then any proposed new arrows;
- a **long table**: a header with the columns ``rater``, ``round``, ``arrow`` and ``rating``
  (others, such as ``comment``, are kept out of the way) and one row per rating.

An arrow is named as the map names it, ``#13`` or ``a -> b`` (``13`` alone is taken as
``#13``); both name the same edge, and every rating is filed under the edge's own name
(:attr:`mechmap.model.Edge.name`). A blank rating is an abstention. Every problem is a
located error, all of them at once: an arrow the map lacks ("did you mean"), a rating that is
not a whole number from 1 to 9, a rater rating one arrow twice in a round, missing columns or
fields, an empty file.

>>> import mechmap, tempfile
>>> m = mechmap.loads("mechmap: 1\\nid: t\\ntitle: T\\nnodes: {a: {}, b: {}}\\n"
...                   "edges: [{from: a, to: b, arrow: 1}]\\n")
>>> table = Path(tempfile.mkdtemp()) / "panel.csv"
>>> _ = table.write_text("rater,round,arrow,rating\\nP1,1,#1,8\\nP2,1,a -> b,\\nP3,1,1,10\\n")
>>> read_ratings([table], m)  # doctest: +ELLIPSIS
Traceback (most recent call last):
mechmap.diagnostics.MapError: .../panel.csv:4:4: error: rating '10' is outside 1-9; ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mechmap.consensus.forms import PROPOSAL_COLUMNS, PROPOSALS_HEADING, RATER, ROUND
from mechmap.consensus.grid import Cell, CellLocation, Sheet, read_grid
from mechmap.consensus.ram import HIGHEST, LOWEST, Rating
from mechmap.diagnostics import Diagnostic, MapError, did_you_mean, error
from mechmap.model import Edge, Map

LONG_COLUMNS = ("rater", "round", "arrow", "rating")


@dataclass(frozen=True)
class Proposal:
    """An arrow a panelist proposes adding, for the panel's next round."""

    rater: str
    round: int
    source: str
    target: str
    rationale: str
    where: CellLocation


@dataclass(frozen=True)
class Ratings:
    """Everything read from the rating files: the ratings and the proposed arrows."""

    ratings: tuple[Rating, ...]
    proposals: tuple[Proposal, ...]


def arrow_by_name(m: Map, text: str) -> Edge | None:
    """The declared edge named ``#13``, ``13`` or ``a -> b`` (``None`` if the map lacks it)."""
    text = text.strip()
    if "->" in text:
        return m.edge_named(written=text)
    return m.edge_named(arrow=text.removeprefix("#").strip()) if text else None


class _Reader:
    """Collects ratings and problems over every file, so all problems come out at once."""

    def __init__(self, m: Map):
        self.m = m
        self.names = [e.name for e in m.edges]
        self.ratings: list[Rating] = []
        self.proposals: list[Proposal] = []
        self.problems: list[Diagnostic] = []
        self.seen: dict[tuple[str, int, str], CellLocation] = {}

    def fail(self, where: CellLocation, message: str) -> None:
        self.problems.append(error(where, message))

    def read(self, path: Path) -> None:
        sheets = [s for s in read_grid(path) if s.rows]
        if not sheets:
            self.fail(
                CellLocation(str(path)),
                "the file is empty; expected a rating form (mechmap rate) or a table with "
                f"the columns {', '.join(LONG_COLUMNS)}",
            )
            return
        first = _lowered(sheets[0].rows[0])
        if "rater" in first and "arrow" in first:
            self._long_table(sheets[0])
        else:
            self._form(sheets, str(path))

    def _long_table(self, sheet: Sheet) -> None:
        header = sheet.rows[0]
        column = self._columns(header, LONG_COLUMNS, "a long table")
        if column is None:
            return
        for row in sheet.rows[1:]:
            cells = {key: _cell(row, i, header) for key, i in column.items()}
            rater, round_number = cells["rater"], self._round(cells["round"])
            if not rater.text:
                self.fail(rater.where, "no rater named in this row; give the panelist's code")
            elif round_number is not None:
                self._rating(rater.text, round_number, cells["arrow"], cells["rating"])

    def _form(self, sheets: Sequence[Sheet], file: str) -> None:
        rows = [row for sheet in sheets for row in sheet.rows]
        fields: dict[str, Cell] = {}
        at = next((i for i, r in enumerate(rows) if {"arrow", "rating"} <= set(_lowered(r))), None)
        if at is None:
            where = next((r[0].where for r in rows if "arrow" in _lowered(r)), rows[0][0].where)
            self.fail(
                where,
                "no header row with the columns 'arrow' and 'rating' found; expected a rating "
                f"form written by mechmap rate, or a long table with {', '.join(LONG_COLUMNS)}",
            )
            return
        for row in rows[:at]:
            key = row[0].text.lower()
            if key in (RATER, ROUND) and key not in fields:
                fields[key] = _cell(row, 1, row)
        for key in (RATER, ROUND):
            if key not in fields:
                self.fail(rows[at][0].where, f"the form has no '{key}' field above the arrows")
        rater = fields.get(RATER)
        if rater is not None and not rater.text:
            self.fail(rater.where, "the form names no rater; fill in the rater field")
        round_number = self._round(fields[ROUND]) if ROUND in fields else None
        if round_number is None or rater is None or not rater.text:
            return
        column = self._columns(rows[at], ("arrow", "rating"), "a form")
        proposing = False
        for row in rows[at + 1 :]:
            lowered = _lowered(row)
            if lowered[: len(PROPOSAL_COLUMNS)] == list(PROPOSAL_COLUMNS):
                proposing = True
            elif proposing:
                self._proposal(rater.text, round_number, row)
            elif column is not None and lowered[0] != PROPOSALS_HEADING:
                arrow, rating = (_cell(row, column[c], row) for c in ("arrow", "rating"))
                self._rating(rater.text, round_number, arrow, rating)

    def _columns(self, header, wanted: Iterable[str], what: str) -> dict[str, int] | None:
        names = _lowered(header)
        missing = [c for c in wanted if c not in names]
        if missing:
            listed = ", ".join(f"'{c}'" for c in missing)
            self.fail(
                header[0].where,
                f"missing column{'s' if len(missing) > 1 else ''} {listed}; {what} needs "
                f"the columns {', '.join(wanted)} (found: {', '.join(n for n in names if n)})",
            )
            return None
        return {c: names.index(c) for c in wanted}

    def _round(self, cell: Cell) -> int | None:
        number = _whole(cell.value)
        if number is None or number < 1:
            self.fail(cell.where, f"round '{cell.text}' is not a round number: write 1, 2, ...")
            return None
        return number

    def _rating(self, rater: str, round_number: int, arrow: Cell, rating: Cell) -> None:
        if not arrow.text:
            self.fail(arrow.where, "no arrow named in this row; write it as the map does (#13)")
            return
        edge = arrow_by_name(self.m, arrow.text)
        if edge is None:
            more = ", ..." if len(self.names) > 8 else ""
            hint = did_you_mean(arrow.text, self.names) or (
                f" (its arrows: {', '.join(self.names[:8])}{more})"
            )
            self.fail(arrow.where, f"map '{self.m.id}' has no arrow '{arrow.text}'{hint}")
            return
        value = None
        if rating.text:
            value = _whole(rating.value)
            if value is None:
                self.fail(
                    rating.where,
                    f"rating '{rating.text}' is not a whole number; rate 1 to 9, or leave it "
                    "blank to abstain",
                )
                return
            if not LOWEST <= value <= HIGHEST:
                self.fail(
                    rating.where,
                    f"rating '{rating.text}' is outside 1-9; rate 1 to 9, or leave it blank "
                    "to abstain",
                )
                return
        key = (rater, round_number, edge.name)
        if key in self.seen:
            self.fail(
                arrow.where,
                f"rater '{rater}' rated {edge.name} twice in round {round_number} "
                f"(first at {self.seen[key]}); keep one rating",
            )
            return
        self.seen[key] = arrow.where
        self.ratings.append(Rating(rater, round_number, edge.name, value, arrow.where))

    def _proposal(self, rater: str, round_number: int, row: tuple[Cell, ...]) -> None:
        source, target, rationale = (_cell(row, i, row).text for i in range(3))
        if source or target or rationale:
            self.proposals.append(
                Proposal(rater, round_number, source, target, rationale, row[0].where)
            )


def read_ratings(paths: Iterable[Path], m: Map) -> Ratings:
    """The ratings and proposals of every file, checked against ``m``.

    Raises :class:`~mechmap.diagnostics.MapError` with every problem found.
    """
    reader = _Reader(m)
    for path in paths:
        try:
            reader.read(path)
        except MapError as exc:
            reader.problems.extend(exc.diagnostics)
    if reader.problems:
        raise MapError(reader.problems)
    return Ratings(tuple(reader.ratings), tuple(reader.proposals))


def _lowered(row: Sequence[Cell]) -> list[str]:
    return [c.text.lower() for c in row]


def _cell(row: Sequence[Cell], index: int, near: Sequence[Cell]) -> Cell:
    """The cell at ``index``, or an empty one where a short row has none."""
    if index < len(row):
        return row[index]
    last = near[-1].where
    return Cell(None, last._replace(col=last.col + index - len(near) + 1))


def _whole(value: str | int | float | None) -> int | None:
    """A whole number written as ``8``, ``8.0`` or 8.0; else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
