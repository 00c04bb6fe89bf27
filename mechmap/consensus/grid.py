"""A CSV file or an Excel workbook as rows of cells, each cell knowing where it is.

Ratings come back from panelists as CSV or as ``.xlsx``; both are read into the same shape, a
list of :class:`Sheet` (a CSV file is one sheet), so the forms and tables are interpreted
once. A cell's :class:`CellLocation` prints as ``file:line:col`` for CSV (the line on which
the row starts, the cell's place in the row) and as ``file:Sheet!C7`` for a workbook, the way
a spreadsheet user finds it.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "t.csv").write_text('rater,note\\nA,"two\\nlines"\\n\\nB,8\\n')
>>> last = read_grid(folder / "t.csv")[0].rows[-1]
>>> [(c.value, c.where.line, c.where.col) for c in last]
[('B', 5, 1), ('8', 5, 2)]
>>> str(CellLocation("form.xlsx", 7, 3, "Ratings"))
'form.xlsx:Ratings!C7'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from mechmap.diagnostics import Location, MapError, error
from mechmap.mapfile.yamlsafe import read_text
from mechmap.model import value_label


class CellLocation(NamedTuple):
    """Where a cell is: ``line`` is the row, ``col`` the column (1-based); ``sheet`` is
    ``None`` in a CSV file."""

    file: str
    line: int = 1
    col: int = 1
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return f"{self.file}:{self.line}:{self.col}"
        return f"{self.file}:{self.sheet}!{column_letter(self.col)}{self.line}"


def column_letter(col: int) -> str:
    """A spreadsheet's name for column ``col`` (1 → A, 27 → AA)."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Cell:
    """A cell's value as read (text from CSV; text or a number from a workbook; ``None``
    when empty) and where it is."""

    value: str | int | float | None
    where: CellLocation

    @property
    def text(self) -> str:
        """The value as trimmed text (``""`` for an empty cell; 8.0 as ``8``)."""
        return "" if self.value is None else value_label(self.value)


@dataclass(frozen=True)
class Sheet:
    """The rows of one sheet that hold anything, in order (blank rows left out)."""

    name: str | None
    rows: tuple[tuple[Cell, ...], ...]


def read_grid(path: Path) -> list[Sheet]:
    """Every sheet of a ``.xlsx`` workbook, or a CSV file as one sheet.

    Raises :class:`~mechmap.diagnostics.MapError` for a file that cannot be read as either.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MapError([error(Location(name), f"cannot read: {exc.strerror or exc}")]) from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _workbook(raw, name)
    text, problems = read_text(raw, name)
    if text is None:
        raise MapError(problems)
    return [Sheet(None, _csv_rows(text, name))]


def _csv_rows(text: str, file: str) -> tuple[tuple[Cell, ...], ...]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for record in reader:
            cells = tuple(
                Cell(value, CellLocation(file, line, col))
                for col, value in enumerate(record, start=1)
            )
            if any(c.text for c in cells):
                rows.append(cells)
            line = reader.line_num + 1
    except csv.Error as exc:
        where = Location(file, reader.line_num)
        raise MapError([error(where, f"not readable CSV: {exc}")]) from None
    return tuple(rows)


def _workbook(raw: bytes, file: str) -> list[Sheet]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:  # cached values, not formulas: what the panelist saw in the cell
        book = load_workbook(io.BytesIO(raw), data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        message = f"not an Excel workbook (.xlsx) that can be read ({exc}); save it as .xlsx"
        raise MapError([error(Location(file), message)]) from None
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            cells = tuple(
                Cell(_plain(c.value), CellLocation(file, c.row, c.column, sheet.title)) for c in row
            )
            if any(c.text for c in cells):
                rows.append(cells)
        sheets.append(Sheet(sheet.title, tuple(rows)))
    return sheets


def _plain(value: object) -> str | int | float | None:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # a date or a time someone typed: shown as written, refused later
