"""What a cell of a table means, and the rules its values keep, written as SQL.

Binding never pulls a column into Python to look at it: it asks DuckDB, through these
expressions, for counts, per-site aggregates, and the few rows it must report. Each
:class:`Cell` is one column of one table, read by its DuckDB type:

- **blank**: NULL, NaN, or text that is empty or a word for "missing" that spreadsheets,
  R and pandas write (:data:`MISSING_WORDS`: ``NA``, ``NaN``, ``null``, ``N/A``, ...);
- **label** (site ids, waves, ``where`` values, categories: :func:`mechmap.model.value_label`
  in SQL): ``true``/``false`` for booleans, a whole number without its ``.0``, otherwise the
  text without its surrounding spaces; so site ``12`` of one file is site ``12.0`` of another;
- **number**: a boolean as 1 or 0, a number as itself, text as the number it spells
  (NULL when it spells none: "not a number"); with a **status** per cell, 0 for a usable
  number, :data:`BLANK` or :data:`NOT_A_NUMBER`.

A :class:`Rule` is what every usable number of a column must be (on a Likert scale, a
proportion, a whole answer, not absurdly large...): an SQL condition for the bad ones and
the words of the error. :func:`rules` gives a measure's rules from its type.
:func:`code_rule` catches values like ``-99`` that a survey program wrote for "missing".

>>> sql = cells_sql("SELECT * FROM (VALUES (' 12.0 '), ('NA'), ('x')) t(hours)",
...                 [Cell("hours", "VARCHAR")])
>>> import duckdb
>>> duckdb.sql(f"SELECT l_hours, n_hours, s_hours FROM ({sql})").fetchall()
[('12', 12.0, 0), (None, None, 1), ('x', None, 2)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mechmap.data.sql import sql_text
from mechmap.diagnostics import did_you_mean
from mechmap.instruments.wai import Form
from mechmap.model import ValueType

BLANK, NOT_A_NUMBER = 1, 2  # a cell's status when it holds no usable number
LARGEST = 1e15  # beyond this a double no longer holds every whole number
MISSING_WORDS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
# Missing-value codes; -9 and 9 are left out, being ordinary values too often.
CODES = (-99, -999, -9999, -99999, 99, 999, 9999, 99999)
_NUMERIC = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|DECIMAL.*)$"
)
_NESTED = re.compile(r"(\[\d*\]$)|^(STRUCT|MAP|UNION)\b")
_SPACES = sql_text(" \t\r\n\f\v")
_MISSING_PATTERN = sql_text(
    r"\s*("
    + "|".join(
        "".join("\\" + ch if ch in ".^$*+?()[]{}|\\" else ch for ch in word)
        for word in MISSING_WORDS
    )
    + r")\s*"
)


class Cell:
    """The SQL of the cells of one column, called ``name`` in the query, of DuckDB type
    ``duck_type`` (a CSV column is always ``VARCHAR``).

    Its columns are built in three steps, each a SELECT over the one before
    (:func:`cells_sql`), so that every expression is written once: ``d_NAME``, the number
    the cell spells (NULL if none); then ``b_NAME`` (blank), ``t_NAME`` (the text without
    surrounding spaces) and ``w_NAME`` (that text in lower case, where it spells no
    number); then ``n_NAME`` (number), ``l_NAME`` (label) and ``s_NAME`` (status). An
    expression no query uses is never evaluated: the words for "missing" are matched by a
    regular expression, as DuckDB would turn a list of them into a join, which stays in the
    plan whether or not it is used."""

    def __init__(self, name: str, duck_type: str):
        self.name, self.type = name, duck_type
        self.numeric = bool(_NUMERIC.match(duck_type))
        self.boolean = duck_type == "BOOLEAN"

    def steps(self) -> tuple[list[str], list[str], list[str]]:
        a = self.name
        t, b, d, w = f"t_{a}", f"b_{a}", f"d_{a}", f"w_{a}"
        raw = f"CAST({a} AS VARCHAR)"
        # trim with a set of characters is slow: only where the text starts or ends with one
        text = (
            f"CASE WHEN ascii({raw}) <= 32 OR ascii(right({raw}, 1)) <= 32 "
            f"THEN trim({raw}, {_SPACES}) ELSE {raw} END AS {t}"
        )
        if self.numeric or self.boolean:
            nan = f" OR isnan({a})" if self.type in ("FLOAT", "DOUBLE") else ""
            first = [f"CAST({a} AS DOUBLE) AS {d}"]
            second = [f"({a} IS NULL{nan}) AS {b}", text, f"NULL AS {w}"]
            number = f"CASE WHEN {b} THEN NULL ELSE {d} END"
            status = f"CASE WHEN {b} THEN {BLANK} WHEN isfinite({d}) THEN 0 ELSE {NOT_A_NUMBER} END"
        else:
            first = [f"TRY_CAST({a} AS DOUBLE) AS {d}"]  # spaces around a number are fine
            second = [
                f"(CASE WHEN {a} IS NULL THEN true WHEN {d} IS NOT NULL THEN isnan({d}) "
                f"ELSE regexp_full_match({a}, {_MISSING_PATTERN}) END) AS {b}",
                text,
                f"CASE WHEN {d} IS NULL THEN lower(trim({a})) END AS {w}",
            ]
            number = (
                f"CASE WHEN {b} THEN NULL WHEN {w} = 'true' THEN 1.0 WHEN {w} = 'false' "
                f"THEN 0.0 ELSE {d} END"
            )
            status = (
                f"CASE WHEN {b} THEN {BLANK} WHEN {w} = 'true' OR {w} = 'false' "
                f"OR coalesce(isfinite({d}), false) THEN 0 ELSE {NOT_A_NUMBER} END"
            )
        whole = (
            f"WHEN isfinite({d}) AND {d} = trunc({d}) AND abs({d}) < 1e38 "
            f"THEN CAST(CAST({d} AS HUGEINT) AS VARCHAR) WHEN {d} IS NOT NULL "
            f"THEN CAST({d} AS VARCHAR)"
        )
        if self.boolean:
            label = f"CASE WHEN {b} THEN NULL WHEN {a} THEN 'true' ELSE 'false' END"
        elif self.numeric and not self.type.startswith(("FLOAT", "DOUBLE", "DECIMAL")):
            label = f"CASE WHEN {b} THEN NULL ELSE CAST({a} AS VARCHAR) END"
        elif self.numeric:
            label = f"CASE WHEN {b} THEN NULL {whole} END"
        else:
            label = (
                f"CASE WHEN {b} THEN NULL WHEN {w} = 'true' OR {w} = 'false' THEN {w} {whole} "
                f"ELSE {t} END"
            )
        third = [f"({number}) AS n_{a}", f"({label}) AS l_{a}", f"({status}) AS s_{a}"]
        return first, second, third


def nested(duck_type: str) -> bool:
    """Whether a DuckDB type holds lists or records rather than one value per cell."""
    return bool(_NESTED.search(duck_type))


def cells_sql(source: str, columns: Sequence[Cell]) -> str:
    """A SELECT over ``source`` (SQL of a relation) adding the cells of ``columns``, in
    the three steps of :class:`Cell`."""
    sql = source
    for step in range(3):
        added = [expression for cell in columns for expression in cell.steps()[step]]
        sql = f"SELECT *, {', '.join(added)} FROM ({sql})"
    return sql


@dataclass(frozen=True)
class Rule:
    """What every usable number of a column must be. ``bad(x)`` is the SQL condition for a
    bad one, ``x`` being the SQL of the number (of the label, ``on_label``); ``what(first)``
    says what is wrong with the first bad value and ``fix(flag)`` how to fix it, ``flag``
    being the aggregate ``flag(x)`` over the bad cells when given."""

    name: str
    bad: Callable[[str], str]
    what: Callable[[float | str], str]
    fix: Callable[[bool | None], str]
    flag: Callable[[str], str] | None = None
    on_label: bool = False


def rules(
    value_type: ValueType, variable: str, form: Form | None = None, categories_sql: str = ""
) -> list[Rule]:
    """The rules of a column read as ``value_type`` for ``variable`` (``form``: an item of
    that instrument; ``categories_sql``: ``WHEN label THEN false`` for each category, the
    labels as SQL parameters)."""
    kind = value_type.kind
    found: list[Rule] = []
    if kind == "category":
        return [
            Rule(
                "category",
                lambda x: f"(CASE {x} {categories_sql} ELSE true END)",
                lambda v: (
                    f"'{v}' is not a category of {variable}"
                    f"{did_you_mean(str(v), value_type.categories)}"
                ),
                lambda _: (
                    "fix the value, or list it under the measure's category "
                    f"({', '.join(value_type.categories)})"
                ),
                on_label=True,
            )
        ]
    if kind == "likert":
        low, high = value_type.low, value_type.high
        found.append(
            Rule(
                "likert",
                lambda x: f"({x} < {low!r} OR {x} > {high!r})",
                lambda v: f"{v:g} is outside the Likert range {low:g}-{high:g} for {variable}",
                lambda _: "fix the value, or the measure's 'type'",
            )
        )
        if form is not None:
            found.append(
                Rule(
                    "whole",
                    lambda x: f"({x} <> round({x}) AND {x} BETWEEN {low!r} AND {high!r})",
                    lambda v: (
                        f"{v:g} is not a whole answer for {variable}: {form.name} "
                        f"items are answered {form.low}, {form.low + 1}, ... {form.high}"
                    ),
                    lambda _: "fix the value (an item holds one answer, not an average)",
                )
            )
    elif kind == "proportion":
        found.append(
            Rule(
                "proportion",
                lambda x: f"({x} < 0 OR {x} > 1)",
                lambda v: f"{v:g} is not a proportion (0 to 1) for {variable}",
                lambda percent: "percentages? divide them by 100" if percent else "fix the value",
                flag=lambda x: f"bool_and({x} BETWEEN 0 AND 100)",
            )
        )
    elif kind == "denominator":
        found.append(
            Rule(
                "denominator",
                lambda x: f"{x} <= 0",
                lambda v: f"{v:g} is not a denominator (a number above 0) for {variable}",
                lambda _: "a proportion's denominator counts what it is a share of; fix the value",
            )
        )
    elif kind == "count":
        found.append(
            Rule(
                "count",
                lambda x: f"({x} < 0 OR {x} <> round({x}))",
                lambda v: f"{v:g} is not a count (a whole number, 0 or more) for {variable}",
                lambda _: "fix the value, or make the measure's type continuous",
            )
        )
    if kind in ("continuous", "count", "denominator"):
        found.append(
            Rule(
                "large",
                lambda x: f"abs({x}) > {LARGEST:g}",
                lambda v: (
                    f"{v:g} is too large to analyse for {variable} (mechmap takes values "
                    "up to 1e15 in size, where numbers are still exact)"
                ),
                lambda _: "fix the value, or rescale the column (thousands instead of units)",
            )
        )
    return found


def zero_one(variable: str) -> Rule:
    """The rule of a column aggregated by ``proportion``: answers are 0 or 1."""
    return Rule(
        "zero-one",
        lambda x: f"({x} <> 0 AND {x} <> 1)",
        lambda v: (
            f"{v:g} is not 0 or 1, but {variable} aggregates by 'proportion' (the share "
            "of respondents with 1)"
        ),
        lambda _: "code the column 0/1, or aggregate by mean",
    )


def is_code_sql(x: str) -> str:
    """SQL: whether the number ``x`` is one of :data:`CODES`, written as arithmetic (a
    code is 10^k - 1 in size) rather than as a list that DuckDB would make a join of."""
    size = f"(abs({x}) + 1)"
    return f"(abs({x}) BETWEEN 99 AND {max(CODES)} AND {size} = power(10, round(log10({size}))))"


def is_code(value: float) -> bool:
    """Whether ``value`` is one of the usual missing-value codes (-9, -99, 99, 999, ...)."""
    return value in CODES


def code_rule(
    variable: str, low: float | None, high: float | None, largest: float | None, negative: bool
) -> Rule | None:
    """The rule that a column's missing-value codes break, given the smallest, largest and
    largest in size of its other values: a code stands for "missing" when it is negative
    in a column otherwise never negative (``negative``: checked at all), or positive and
    more than ten times the largest other value. ``None`` for a column of codes only,
    which has nothing to be compared with."""
    if low is None or high is None or largest is None:
        return None
    above, below = 10 * max(largest, 1), negative and low >= 0

    def bad(x: str) -> str:
        outside = f"{x} > {above!r}" + (f" OR {x} < 0" if below else "")
        return f"({is_code_sql(x)} AND ({outside}))"

    return Rule(
        "code",
        bad,
        lambda v: (
            f"{v:g} looks like a missing-value code for {variable}, not a value (its "
            f"other values run from {low:g} to {high:g})"
        ),
        lambda _: (
            "leave missing values empty (and pass --missing drop to leave their sites or "
            "rows out), or fix the value"
        ),
    )


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def decimal_comma(text: str) -> bool:
    """Whether ``text`` is a number written with a decimal comma (``0,25``)."""
    return bool(_DECIMAL_COMMA.match(text))


def code_hint(value: float) -> str:
    """A hint for a bad value that looks like a missing-value code, else ``""``."""
    if not is_code(value):
        return ""
    return f"; {value:g} looks like a missing-value code: leave missing values empty instead"
