"""Which column (or survey items) of which table each variable of a map is read from.

A variable with a measure in the map's ``measures`` block is read as the measure says; any
other variable from the column of its own name (``screening@sust`` from ``screening_sust``,
or in long data from ``screening`` on the rows whose wave column says ``sust``). A column is
looked up in whichever table has it; two tables having it is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mechmap.data.tables import DataError, Table, fail
from mechmap.diagnostics import Location, did_you_mean
from mechmap.instruments.wai import FORMS, item_column, subscale_items
from mechmap.model import Map, Measure, Measures


@dataclass(frozen=True)
class Binding:
    """Where one variable's values are.

    ``columns`` is the value column, or a score's item columns (``items`` their numbers);
    ``filters`` are (column, value label) pairs a row must match (``where``, then the wave;
    ``by_wave`` says whether the wave is among them); ``location`` is where the binding was
    written: the measure, else the map's node.
    """

    variable: str
    measure: Measure
    table: Table
    columns: tuple[str, ...]
    items: tuple[int, ...]
    filters: tuple[tuple[str, str], ...]
    by_wave: bool
    location: Location


def resolve(m: Map, measures: Measures, tables: Sequence[Table], variable: str) -> Binding:
    """The binding of ``variable``; raises :class:`DataError` located at its measure (or
    node) when its column is in no table, in two tables, or lacks what its filters need."""
    info = m.variable_info.get(variable)
    if info is None:
        raise fail(Location(m.file or "<map>"), f"the map has no variable '{variable}'")
    measure = measures.by_variable.get(variable)
    location = measure.location if measure is not None else info.node.location
    if info.node.latent:
        raise fail(location, f"{variable} is latent (not measured): it cannot be read from data")
    measure = measure or Measure(variable)
    wave_value = measure.wave
    if measure.score is not None:
        items = subscale_items(measure.score.subscale, measure.score.dropped)
        columns = tuple(item_column(measure.score.items, n) for n in items)
    else:
        items = ()
        columns = (measure.column or _default_column(variable, info.wave, measures, tables),)
    table = _table_with(columns[0], tables, variable, location)
    absent = [c for c in columns if c not in table.columns]
    if absent:
        number = items[columns.index(absent[0])]
        raise fail(
            location,
            f"{table.name} has no column '{absent[0]}' for {FORMS[measure.score.instrument].name} "
            f"item {number} of {variable}; if the item was not asked, list {number} under "
            "the score's 'dropped'",
        )
    filters = list(measure.where)
    has_wave = measures.wave is not None and measures.wave in table.columns
    if wave_value is not None and not has_wave:
        raise fail(
            location,
            f"{variable}: 'wave: {wave_value}' selects rows by the wave column "
            f"'{measures.wave}', which {table.name} does not have",
        )
    if wave_value is None and has_wave and info.wave is not None:
        wave_value = info.wave
    if wave_value is not None:
        filters.append((measures.wave, wave_value))
    for column, _ in filters:
        if column not in table.columns:
            raise fail(
                location,
                f"{variable}: {table.name} has no column '{column}' to select rows by"
                f"{did_you_mean(column, table.columns)}",
            )
    return Binding(
        variable, measure, table, columns, items, tuple(filters), wave_value is not None, location
    )


def _default_column(
    variable: str, wave: str | None, measures: Measures, tables: Sequence[Table]
) -> str:
    """A variable's own column: its name, or ``node_wave`` for a copy (``node`` in long data)."""
    node_id, _, copy = variable.partition("@")
    if not copy:
        return variable
    wide = f"{node_id}_{copy}"
    if measures.wave is None or any(wide in t.columns for t in tables):
        return wide
    return node_id


def _table_with(column: str, tables: Sequence[Table], variable: str, location: Location) -> Table:
    having = [t for t in tables if column in t.columns]
    if len(having) > 1:
        raise fail(
            location,
            f"column '{column}' for {variable} is in both {having[0].name} and {having[1].name}; "
            "rename one, or read one table at a time",
        )
    if not having:
        every = [c for t in tables for c in t.columns]
        hint = did_you_mean(column, every) or (
            "; add the column, or a measure naming the column that holds it"
        )
        raise fail(
            location,
            f"no column '{column}' for {variable} in {', '.join(t.name for t in tables)}{hint}",
        )
    return having[0]


def bindable_variables(m: Map, measures: Measures | None, tables: Sequence[Table]) -> set[str]:
    """The map's measured variables that have data: those with a measure (binding them
    reports what is wrong with it) and those whose own column is in a table."""
    measures = measures or Measures()
    found = set()
    for variable, info in m.variable_info.items():
        if info.node.latent:
            continue
        if variable in measures.by_variable:
            found.add(variable)
            continue
        try:
            resolve(m, measures, tables, variable)
        except DataError:
            continue
        found.add(variable)
    return found
