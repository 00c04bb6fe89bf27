"""A sweep of power analyses: one scenario per row of a CSV file (``mechmap power --grid``).

Planning rarely rests on one set of numbers: the effect sizes are guesses, the ICC is
borrowed from another study, the number of respondents per site is still open. A grid
file states each scenario on a row; every column is optional and a blank cell keeps the
command's own setting (``--sites``, ``--respondents``, ``--icc``, ``--effect`` and the map's
``effect:`` values)::

    scenario,sites,respondents,icc,x -> m,m -> y
    hopeful,"10,20,40",,,0.5,0.5
    cautious,"20,40,60",8,0.1,0.3,0.3

- ``scenario`` names the row (else ``row N``, N its line);
- ``sites``: the numbers of sites to plan for, separated by commas (quoted), spaces or ``;``;
- ``respondents`` per site (at least 2) and ``icc`` (in [0, 1)) for a nested design;
- a column named as an arrow of the map, ``cause -> effect``, holds that arrow's
  standardized effect in the scenario.

Every problem is reported at once, located as ``FILE:LINE:COL`` (the header cell for a
column, the value's cell for a value), as every other input file's are. All scenarios run
as one list of batches (:mod:`.runs`), so a grid spreads over a cluster as a whole.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mechmap.data.csvfile import field_start
from mechmap.data.errors import DataError
from mechmap.diagnostics import Diagnostic, Location, MapError, did_you_mean, error
from mechmap.model import Map
from mechmap.planning.power import PowerResult

SETTINGS = ("scenario", "sites", "respondents", "icc")
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Scenario:
    """One row of a grid: its settings, ``None`` (or no effect) where the row keeps the
    command's, and where each setting was written."""

    name: str
    row: Location
    sites: tuple[int, ...] | None = None
    respondents: int | None = None
    icc: float | None = None
    effects: Mapping[tuple[str, str], float] = field(default_factory=dict)
    where: Mapping[str, Location] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's power, with the settings it ran under."""

    name: str
    icc: float | None
    effects: Mapping[tuple[str, str], float]
    result: PowerResult

    def as_dict(self) -> dict[str, object]:
        effects = {f"{u} -> {v}": value for (u, v), value in self.effects.items()}
        settings = {"scenario": self.name, "icc": self.icc, "effects": effects}
        return settings | self.result.as_dict()


def power_grid(
    m: Map,
    scenarios: Sequence[Scenario],
    sites: Sequence[int],
    *,
    effects: Mapping[tuple[str, str], float] | None = None,
    respondents: int | None = None,
    icc: float | None = None,
    seed: int = 0,
    scheduler: str | None = None,
    progress=None,
    **options,
) -> tuple[ScenarioResult, ...]:
    """The power of every scenario, each row's settings over the command's (``sites``,
    ``effects``, ``respondents``, ``icc``; ``options`` as :func:`~.power.power` takes them).

    A scenario that cannot be planned is a located :class:`DataError` at its row (at its
    ``sites`` cell for too few sites); a problem that every row has is the command's own,
    and is raised as it is (a hypothesis the map lacks, a path arrow with no effect).
    """
    from mechmap.mechanism.pipeline import TestSetupError
    from mechmap.planning.power import design, summarise
    from mechmap.planning.runs import run

    designs, failures = [], []
    settings = [
        (s, {**(effects or {}), **s.effects}, s.icc if s.icc is not None else icc)
        for s in scenarios
    ]
    for s, merged, share in settings:
        try:
            designs.append(
                design(
                    m,
                    s.sites or sites,
                    effects=merged,
                    respondents=s.respondents or respondents,
                    icc=share,
                    **options,
                )
            )
        except (TestSetupError, MapError, ValueError) as exc:
            failures.append((s, exc))
    if failures:
        raise _failure(failures, len(scenarios))
    counts = run(designs, seed, scheduler, progress)
    return tuple(
        ScenarioResult(s.name, share, merged, summarise(d, c))
        for (s, merged, share), d, c in zip(settings, designs, counts, strict=True)
    )


def _failure(failures: list[tuple[Scenario, Exception]], scenarios: int) -> Exception:
    """The error for scenarios that cannot be planned: the command's own when every one of
    several rows fails alike, else each row's, located."""
    from mechmap.planning.power import TooFewSitesError

    first = failures[0][1]
    if (
        scenarios > 1
        and len(failures) == scenarios
        and len({str(e) for _, e in failures}) == 1
        and not isinstance(first, TooFewSitesError)
    ):
        return first
    return DataError(
        [
            error(
                s.where.get("sites", s.row) if isinstance(exc, TooFewSitesError) else s.row,
                f"scenario '{s.name}': {_first(exc)}",
            )
            for s, exc in failures
        ]
    )


def _first(exc: Exception) -> str:
    """One line for an error: a :class:`MapError`'s first diagnostic, where it is."""
    if isinstance(exc, MapError) and exc.diagnostics:
        return str(exc.diagnostics[0]).replace(": error: ", ": ", 1)
    return str(exc)


def parse_sites(text: str) -> tuple[int, ...]:
    """Numbers of sites written ``10,12,15`` (or with spaces or ``;``); :class:`ValueError`
    unless they are positive whole numbers.

    >>> parse_sites("10, 20;40")
    (10, 20, 40)
    """
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    try:
        counts = tuple(int(part) for part in parts)
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise ValueError("give positive whole numbers of sites, e.g. 10,12,15,20")
    return counts


def read_grid(path: Path, m: Map) -> tuple[Scenario, ...]:
    """The scenarios of a grid file for map ``m``; raises :class:`DataError` listing every
    problem, located in the file."""
    from mechmap.mapfile.yamlsafe import read_text

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError([error(Location(name), f"cannot read it: {exc.strerror}")]) from None
    text, problems = read_text(raw, name)
    if text is None:
        raise DataError(problems)
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    records = []  # (line, fields) of every record that is not blank
    line = 1
    for fields in reader:
        if any(f.strip() for f in fields):
            records.append((line, fields))
        line = reader.line_num + 1
    if not records:
        raise DataError([error(Location(name), "the grid is empty: give a header line")])
    (header_line, header), rows = records[0], records[1:]

    def cell(line: int, index: int) -> Location:
        return Location(name, line, field_start(lines[line - 1], index))

    columns = _columns(m, [h.strip() for h in header], lambda j: cell(header_line, j))
    if not rows:
        problems.append(error(cell(header_line, 0), "the grid has no scenario: add rows"))
    scenarios = []
    for line, fields in rows:
        if len(fields) != len(header):
            problems.append(
                error(
                    Location(name, line),
                    f"this row has {len(fields)} values, the header {len(header)} columns",
                )
            )
            continue
        scenario, found = _scenario(columns.values, fields, line, lambda j, n=line: cell(n, j))
        problems += found
        scenarios.append(scenario)
    problems = columns.problems + problems
    if problems:
        raise DataError(problems)
    return tuple(scenarios)


@dataclass
class _Columns:
    values: list[str | tuple[str, str] | None]  # a setting, an arrow, or None (refused)
    problems: list[Diagnostic]


def _columns(m: Map, header: Sequence[str], where) -> _Columns:
    from mechmap.mapfile.loader import resolve_path

    values: list[str | tuple[str, str] | None] = []
    problems = []
    for j, title in enumerate(header):
        column: str | tuple[str, str] | None = None
        if title in SETTINGS:
            column = title
        elif "->" not in title:
            problems.append(
                error(
                    where(j),
                    f"unknown column '{title}'{did_you_mean(title, SETTINGS)}; a grid's "
                    f"columns are {', '.join(SETTINGS)} and arrows of the map ('x -> y')",
                )
            )
        else:
            try:
                chain = resolve_path(m, title, "<grid>")
            except MapError as exc:
                problems += [
                    error(where(j).shifted(d.location.col - 1), _arrow_hint(d.message, title, m))
                    for d in exc.diagnostics
                ]
            else:
                if len(chain) == 2:
                    column = (chain[0], chain[1])
                else:
                    problems.append(error(where(j), f"'{title}' is a chain: give one arrow"))
        if column is not None and column in values:
            problems.append(error(where(j), f"column '{title}' repeats an earlier column"))
            column = None
        values.append(column)
    return _Columns(values, problems)


def _arrow_hint(message: str, title: str, m: Map) -> str:
    """The path check's message, with the closest arrow of the map when it names none."""
    if "did you mean" in message or "the other way" in message:
        return message
    return message + did_you_mean(title, [f"{u} -> {v}" for u, v in m.edge_of])


def _scenario(columns, fields, line: int, where) -> tuple[Scenario, list[Diagnostic]]:
    settings: dict[str, object] = {}
    effects: dict[tuple[str, str], float] = {}
    located: dict[str, Location] = {}
    problems = []
    for j, (column, value) in enumerate(zip(columns, fields, strict=True)):
        value = value.strip()
        if column is None or not value:
            continue
        key = column if isinstance(column, str) else f"{column[0]} -> {column[1]}"
        located[key] = where(j)
        try:
            if column == "scenario":
                settings["name"] = value
            elif column == "sites":
                settings["sites"] = parse_sites(value)
            elif column == "respondents":
                settings["respondents"] = _respondents(value)
            elif column == "icc":
                settings["icc"] = _share(value)
            else:
                effects[column] = _number(value)
        except ValueError as exc:
            problems.append(error(where(j), f"{key} '{value}': {exc}"))
    name = str(settings.pop("name", f"row {line}"))
    row = where(0)
    return Scenario(name, row, effects=effects, where=located, **settings), problems


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError("not a number; write it as 0.3")
    return value


def _respondents(text: str) -> int:
    if not text.isdigit() or int(text) < 2:
        raise ValueError("give a whole number of respondents per site, at least 2")
    return int(text)


def _share(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise ValueError("an ICC lies in [0, 1)")
    return value
