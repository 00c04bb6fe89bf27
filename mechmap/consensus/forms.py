"""Rating forms for one panelist: every arrow of a map, to be rated 1-9 (``mechmap rate``).

A form lists each declared arrow by its name (``#13`` when the figure numbers it, else
``a -> b``), says it in words (source label → target label) with its provenance, evidence and
note, and leaves a rating and a comment cell to fill; below (or on a sheet of its own) there is
room to propose arrows the map lacks. The rater and round fields sit above the arrows. The
same layout is written as CSV and as an Excel workbook, and read back by
:mod:`mechmap.consensus.ratings`.

Text from the map reaches a spreadsheet only as text: a cell that would start with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (a formula, to a spreadsheet program) gets a
leading apostrophe in CSV and is stored as a string in a workbook.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: tiny
... title: Tiny
... nodes: {a: {label: "=Dose"}, b: {label: Trust}}
... edges: [{from: a, to: b, arrow: 1, note: "-> inferred"}]
... ''')
>>> print(form_csv(m, round_number=2).splitlines()[-9])
#1,'=Dose → Trust,,,'-> inferred,,
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from mechmap.model import Edge, Map

TITLE = "mechmap rating form"
RATER, ROUND = "rater", "round"
RATING_COLUMNS = ("arrow", "description", "provenance", "evidence", "note", "rating", "comment")
PROPOSAL_COLUMNS = ("from", "to", "rationale")
PROPOSALS_HEADING = "proposed new arrows"
SHEETS = ("Instructions", "Ratings", "Proposed arrows")
PROPOSAL_ROOM = 5  # blank rows left for proposals
INSTRUCTIONS = (
    "Rate how sure you are that each arrow is a step of the mechanism, from 1 (clearly not) "
    "to 9 (clearly yes); 5 means you cannot say either way.",
    "Write the rating as a whole number in the rating column. Leave it blank to abstain on "
    "an arrow you cannot judge.",
    "Use the comment column for your reasons; they go back to the panel with the results.",
    "Fill in your name or panel code as rater. Do not change the arrow column.",
    "Propose arrows the map lacks under 'proposed new arrows': from, to (node ids or labels) "
    "and your rationale.",
    "Method: RAND/UCLA appropriateness method (Fitch et al. 2001), modified Delphi.",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet will run as a formula.

    >>> spreadsheet_text("=HYPERLINK(1)"), spreadsheet_text("-0.3"), spreadsheet_text("ok")
    ("'=HYPERLINK(1)", "'-0.3", 'ok')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True)
class FormRow:
    """One arrow on a form: every cell but the rating and the comment."""

    arrow: str
    description: str
    provenance: str
    evidence: str
    note: str


def _end_label(m: Map, end: str) -> str:
    node_id, _, wave = end.partition("@")
    label = m.node_by_id[node_id].label
    return f"{label} @{wave}" if wave else label


def form_row(m: Map, edge: Edge) -> FormRow:
    """How ``edge`` is shown on a form."""
    return FormRow(
        arrow=edge.name,
        description=f"{_end_label(m, edge.source)} → {_end_label(m, edge.target)}",
        provenance=edge.provenance or "",
        evidence=", ".join(edge.evidence),
        note=" ".join((edge.note or "").split()),
    )


def form_rows(m: Map) -> list[FormRow]:
    """The arrows of a form, in teaching order (numbered arrows by number, then the rest)."""
    return [form_row(m, step.edge) for step in m.teaching_steps()]


def _cells(row: FormRow) -> list[str]:
    return [row.arrow, row.description, row.provenance, row.evidence, row.note, "", ""]


def form_csv(m: Map, round_number: int = 1, rater: str = "") -> str:
    """The form as CSV text (UTF-8; one sheet with the sections one under the other)."""
    rows: list[list[str]] = [[TITLE, m.id], ["map", m.title]]
    rows += [["instructions" if i == 0 else "", line] for i, line in enumerate(INSTRUCTIONS)]
    rows += [[RATER, rater], [ROUND, str(round_number)], [], list(RATING_COLUMNS)]
    rows += [_cells(r) for r in form_rows(m)]
    rows += [[], [PROPOSALS_HEADING], list(PROPOSAL_COLUMNS)]
    rows += [["", "", ""] for _ in range(PROPOSAL_ROOM)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([spreadsheet_text(cell) for cell in row])
    return out.getvalue()


def form_xlsx(m: Map, round_number: int = 1, rater: str = "") -> bytes:
    """The form as an Excel workbook: instructions, ratings and proposals on three sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    intro = book.active
    intro.title, ratings = SHEETS[0], book.create_sheet(SHEETS[1])
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    _put(intro, 1, 1, f"{TITLE}: {m.title}").font = bold
    for i, line in enumerate(INSTRUCTIONS, start=3):
        _put(intro, i, 1, line).alignment = wrapped
    intro.column_dimensions["A"].width = 100

    for i, (key, value) in enumerate(((RATER, rater), (ROUND, round_number), ("map", m.id)), 1):
        _put(ratings, i, 1, key).font = bold
        _put(ratings, i, 2, value)
    header = 5
    for col, name in enumerate(RATING_COLUMNS, 1):
        _put(ratings, header, col, name).font = bold
    rows = form_rows(m)
    for i, row in enumerate(rows, header + 1):
        for col, value in enumerate(_cells(row)[:5], 1):
            _put(ratings, i, col, value).alignment = wrapped
    whole = DataValidation(type="whole", operator="between", formula1="1", formula2="9")
    whole.error = "A rating is a whole number from 1 to 9 (leave it blank to abstain)."
    ratings.add_data_validation(whole)
    if rows:
        whole.add(f"F{header + 1}:F{header + len(rows)}")
    for letter, width in zip("ABCDEFG", (12, 50, 11, 18, 50, 8, 40), strict=True):
        ratings.column_dimensions[letter].width = width
    ratings.freeze_panes = f"A{header + 1}"

    proposals = book.create_sheet(SHEETS[2])
    for col, name in enumerate(PROPOSAL_COLUMNS, 1):
        _put(proposals, 1, col, name).font = bold
    for letter, width in zip("ABC", (30, 30, 60), strict=True):
        proposals.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet, row: int, col: int, value: str | int):
    """Write a cell; text is always stored as text, never as a formula."""
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
