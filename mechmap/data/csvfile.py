"""The layout of a CSV file, read in blocks: where each record starts, without loading it.

DuckDB reads a CSV file's values (:mod:`mechmap.data.tables`); this module reads, in one
pass over blocks of :data:`BLOCK` bytes (memory stays at one block, whatever the file's
size), what it takes to point at any cell of it later:

- the text is UTF-8 (a byte-order mark is allowed), else the first bad byte is located;
- the header (the first line that is not blank) and its column names, a repeated name
  refused; a header that is one name holding ``;`` or tabs means the file separates its
  values with those, and is refused with that said, rather than read as one column;
- which lines start no record: blank lines (skipped, as every CSV reader skips them) and
  the lines inside a quoted value that spans lines. The line on which record ``i`` starts
  then follows by arithmetic (:meth:`CsvLayout.lines`), and the text of any line is found
  again by reading one block from a checkpoint (:meth:`CsvLayout.line_texts`).

Quotes open and close a quoted value wherever they are, as the CSV standard (RFC 4180) has
it for a well-formed file:

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "t.csv").write_text('site,note\\nA,"two\\nlines"\\n\\nB,plain\\n')
33
>>> layout = scan(folder / "t.csv")
>>> layout.columns, layout.records, layout.lines(np.arange(2)).tolist()
(('site', 'note'), 2, [2, 5])
>>> layout.line_texts([5])
{5: 'B,plain'}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mechmap.data.errors import DataError, fail
from mechmap.diagnostics import Location
from mechmap.mapfile.yamlsafe import read_text

BLOCK = 1 << 22  # bytes read at a time (each costs a few times its size while scanned)
LONGEST_LINE = 1 << 26  # a "line" longer than this is not a table's
_BOM = b"\xef\xbb\xbf"
_SPACE = np.array([ord(c) for c in " \t\r\f\v"], dtype=np.uint8)
_NEWLINE, _QUOTE = ord("\n"), ord('"')


@dataclass(frozen=True, eq=False)
class CsvLayout:
    """Where the header and the records of a CSV file are.

    ``first_line`` is the line after the header; ``skipped`` the lines from there on that
    start no record (sorted); ``spaces_only`` whether some of those hold spaces (which a
    reader must be told to pass over). ``block_lines[k]`` and ``block_offsets[k]`` are the
    line and byte at which block ``k`` of the scan starts.
    """

    path: Path
    columns: tuple[str, ...]
    header_line: int
    header_text: str
    first_line: int
    records: int
    skipped: np.ndarray
    spaces_only: bool
    block_lines: np.ndarray
    block_offsets: np.ndarray

    def lines(self, records: np.ndarray) -> np.ndarray:
        """The line on which each record (numbered from 0) starts."""
        records = np.asarray(records, dtype=np.int64)
        # Before skipped line s_i lie s_i - first_line - i record lines; record r comes
        # after every skipped line with at most r record lines before it.
        before = self.skipped - self.first_line - np.arange(len(self.skipped))
        return self.first_line + records + np.searchsorted(before, records, side="right")

    def line_texts(self, lines: Iterable[int]) -> dict[int, str]:
        """The text of each of ``lines`` (without its line break), one block read per block
        that holds some of them."""
        wanted = sorted(set(int(n) for n in lines))
        texts: dict[int, str] = {}
        blocks = np.searchsorted(self.block_lines, wanted, side="right") - 1
        with self.path.open("rb") as f:
            for block in np.unique(blocks):
                data = self._block(f, int(block)).split(b"\n")
                start = int(self.block_lines[block])
                for line in (n for n, b in zip(wanted, blocks, strict=True) if b == block):
                    raw = data[line - start] if line - start < len(data) else b""
                    texts[line] = raw.rstrip(b"\r").decode("utf-8", errors="replace")
        return texts

    def line_at(self, offset: int) -> int:
        """The line that holds byte ``offset`` of the file."""
        block = int(np.searchsorted(self.block_offsets, offset, side="right")) - 1
        with self.path.open("rb") as f:
            data = self._block(f, max(block, 0))
        start = int(self.block_offsets[max(block, 0)])
        return int(self.block_lines[max(block, 0)]) + data.count(b"\n", 0, max(offset - start, 0))

    def _block(self, f, block: int) -> bytes:
        f.seek(int(self.block_offsets[block]))
        if block + 1 < len(self.block_offsets):
            return f.read(int(self.block_offsets[block + 1] - self.block_offsets[block]))
        return f.read()


def scan(path: Path) -> CsvLayout:
    """The layout of the CSV file at ``path``; raises :class:`DataError`, located, for a
    file that is not UTF-8, is empty, repeats a column or separates values by ``;`` or tabs.
    """
    reading = _Scan(str(path))
    with path.open("rb") as f:
        carry, offset = b"", 0
        while True:
            chunk = f.read(BLOCK)
            data = carry + chunk if carry else chunk
            if offset == 0 and data.startswith(_BOM):
                data, offset = data[len(_BOM) :], len(_BOM)
            if chunk:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    if len(data) > LONGEST_LINE:
                        raise fail(
                            Location(str(path), reading.line),
                            f"no line break in {LONGEST_LINE >> 20} MB: not a table of lines",
                        )
                    carry = data
                    continue
                block, carry = data[:cut], data[cut:]
            else:
                block, carry = data, b""
            if block:
                reading.block(block, offset)
            offset += len(block)
            if not chunk:
                break
    return reading.layout(path)


class _Scan:
    """The state of a scan between blocks: the line reached, whether a quoted value is
    open, and what has been found."""

    def __init__(self, name: str):
        self.name = name
        self.line = 1  # the line the next block starts with
        self.quoted = False
        self.header: tuple[int, str] | None = None  # the header's line and text
        self.first_line: int | None = None
        self.records = 0
        self.skipped: list[np.ndarray] = []
        self.spaces_only = False
        self.block_lines: list[int] = []
        self.block_offsets: list[int] = []

    def block(self, data: bytes, offset: int) -> None:
        self.block_lines.append(self.line)
        self.block_offsets.append(offset)
        if not data.isascii():
            _, problems = read_text(data, self.name)
            if problems:
                where = problems[0].location
                shifted = Location(self.name, where.line + self.line - 1, where.col)
                raise DataError([replace(problems[0], location=shifted)])
        codes = np.frombuffer(data, dtype=np.uint8)
        breaks = np.flatnonzero(codes == _NEWLINE)
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks, [len(data)]))
        if data.endswith(b"\n"):  # no line after the last break
            starts, ends = starts[:-1], ends[:-1]
        inside = np.zeros(len(starts), dtype=bool)
        if self.quoted or b'"' in data:
            quotes = np.flatnonzero(codes == _QUOTE)
            inside = (np.searchsorted(quotes, starts) + self.quoted) % 2 == 1
            self.quoted = (len(quotes) + self.quoted) % 2 == 1
        blank = ~inside & (ends == starts)
        spaced = np.flatnonzero(~inside & (ends > starts) & np.isin(codes[starts], _SPACE))
        for i in spaced:
            text = data[starts[i] : ends[i]]
            if not text.strip():
                blank[i] = True
                self.spaces_only |= bool(text.strip(b"\r"))
        numbers = self.line + np.arange(len(starts))
        if self.first_line is None:
            self._header(data, starts, ends, inside, blank, numbers)
        if self.first_line is not None:
            later = numbers >= self.first_line
            gone = later & (inside | blank)
            self.skipped.append(numbers[gone])
            self.records += int(later.sum() - gone.sum())
        self.line += len(breaks)

    def _header(self, data, starts, ends, inside, blank, numbers) -> None:
        """Find the header in this block: its first line that is not blank, up to the next
        line that starts outside a quoted value."""
        candidates = np.flatnonzero(~blank & ~inside)
        if not len(candidates):
            return
        first = int(candidates[0])
        after = np.flatnonzero(~inside[first + 1 :])
        if len(after):
            last = first + int(after[0])
        elif not self.quoted:  # the header is the block's (and so the file's) last record
            last = len(starts) - 1
        else:
            raise fail(
                Location(self.name, int(numbers[first])),
                f"the header's quotes never close (within {BLOCK >> 20} MB)",
            )
        text = data[starts[first] : ends[last]].decode("utf-8")
        self.header = (int(numbers[first]), text)
        self.first_line = int(numbers[first]) + last - first + 1

    def layout(self, path: Path) -> CsvLayout:
        if self.header is None:
            raise fail(Location(self.name), "file is empty: a table starts with a header line")
        line, text = self.header
        columns = _columns(self.name, line, text)
        return CsvLayout(
            path=path,
            columns=columns,
            header_line=line,
            header_text=text,
            first_line=int(self.first_line),
            records=self.records,
            skipped=np.concatenate(self.skipped) if self.skipped else np.zeros(0, np.int64),
            spaces_only=self.spaces_only,
            block_lines=np.asarray(self.block_lines, dtype=np.int64),
            block_offsets=np.asarray(self.block_offsets, dtype=np.int64),
        )


def _columns(name: str, line: int, text: str) -> tuple[str, ...]:
    header = next(csv.reader(io.StringIO(text)))
    first_line = text.split("\n")[0].rstrip("\r")
    if len(header) == 1:
        for separator, called in ((";", "';'"), ("\t", "tabs")):
            if separator in header[0]:
                col = first_line.index(separator) + 1
                raise fail(
                    Location(name, line, col),
                    f"this file seems to use {called} between values, not commas (its header "
                    f"is one column, '{_short(header[0])}'); mechmap reads comma-separated "
                    "files with '.' in numbers: save it as CSV with commas (in Excel: 'CSV "
                    "UTF-8 (Comma delimited)'; a decimal comma, 0,25, becomes 0.25)",
                )
    named = tuple(c if c else f"Unnamed: {i}" for i, c in enumerate(header))
    repeated = [i for i, c in enumerate(named) if c in named[:i]]
    if repeated:
        col = field_start(first_line, repeated[0])
        raise fail(
            Location(name, line, col),
            f"column '{named[repeated[0]]}' appears twice in the header",
        )
    return named


def field_start(line: str, index: int) -> int:
    """The 1-based character column at which field ``index`` of a CSV line starts."""
    quoted, field_number = False, 0
    if index == 0:
        return 1
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            field_number += 1
            if field_number == index:
                return i + 2
    return len(line) + 1


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."
