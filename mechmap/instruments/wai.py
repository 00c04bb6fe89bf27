"""The Working Alliance Inventory short forms: item responses to Goal, Task, Bond and total.

- **WAI-S** (Tracey & Kokotovic 1989, Psychological Assessment 1:207-210): 12 items answered
  on 1-7; items 4 and 10 are worded negatively and are scored 8 - x.
- **WAI-SR** (Hatcher & Gillaspy 2006, Psychotherapy Research 16:12-25): the same item
  positions answered on 1-5, none reversed.

Both forms share the subscales Goal (items 4, 6, 8, 11), Task (1, 2, 10, 12) and Bond
(3, 5, 7, 9). A subscale is the mean of its items, and the total the mean of all items, so
that a form with an item left out (Yakovchenko et al. 2025 dropped one Bond item) stays on the
answer scale: ``dropped`` lists the item numbers that were not asked.

The item table is plain Python so that the map loader can check ``score:`` entries without
importing numpy; numpy (and pandas, for a DataFrame) are imported when scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Form:
    """A short form: its name, its answer scale and its negatively worded items."""

    name: str
    low: int
    high: int
    reversed: frozenset[int]


FORMS = {
    "wai-s": Form("WAI-S", 1, 7, frozenset({4, 10})),
    "wai-sr": Form("WAI-SR", 1, 5, frozenset()),
}
ITEMS = tuple(range(1, 13))
SUBSCALES = {"goal": (4, 6, 8, 11), "task": (1, 2, 10, 12), "bond": (3, 5, 7, 9), "total": ITEMS}


# Item column names are a pattern in which {n} stands for the item number: wai_{n} names
# wai_1 ... wai_12. Only that placeholder is read (by plain replacement, never str.format,
# which would evaluate {n.__class__} or pad {n:>300000000} to any size).
ITEM_NUMBER = "{n}"


def item_column(items: str, number: int) -> str:
    """The column of item ``number`` in the pattern ``items``.

    >>> item_column("wai_{n}", 7), item_column("t{n}_item{n}", 3)
    ('wai_7', 't3_item3')
    """
    return items.replace(ITEM_NUMBER, str(number))


def item_pattern_problems(items: str) -> list[tuple[int, str]]:
    """What is wrong with an item pattern, as (character offset, message) pairs: no
    ``{n}``, or a brace that is not part of one.

    >>> item_pattern_problems("wai_{n}")
    []
    >>> item_pattern_problems("wai_{n}_{x}")
    [(8, "'{x}': only {n}, the item number, may stand in braces (write e.g. wai_{n})")]
    """
    only = "only {n}, the item number, may stand in braces"
    problems: list[tuple[int, str]] = []
    i = 0
    while i < len(items):
        if items.startswith(ITEM_NUMBER, i):
            i += len(ITEM_NUMBER)
        elif items[i] == "{":
            close = items.find("}", i)
            if close < 0:
                problems.append((i, f"an unclosed '{{': {only} (write e.g. wai_{{n}})"))
                break
            shown = items[i : close + 1] if close - i <= 20 else items[i : i + 18] + "..."
            problems.append((i, f"'{shown}': {only} (write e.g. wai_{{n}})"))
            i = close + 1
        else:
            if items[i] == "}":
                problems.append((i, f"a '}}' without its '{{': {only}"))
            i += 1
    if ITEM_NUMBER not in items:
        shown = items if len(items) <= 40 else items[:37] + "..."
        problems.append(
            (
                0,
                f"items: '{shown}' must contain {{n}}, which stands for the item number "
                "(e.g. wai_{n} for wai_1 ... wai_12)",
            )
        )
    return problems


class ScoringError(ValueError):
    """An item response that cannot be scored (missing, not a number, off the scale)."""


def subscale_items(subscale: str, dropped: Iterable[int] = ()) -> tuple[int, ...]:
    """The item numbers a subscale (or ``total``) is scored from once ``dropped`` are removed.

    >>> subscale_items("bond", dropped=[5])
    (3, 7, 9)
    """
    gone = set(dropped)
    return tuple(n for n in SUBSCALES[subscale] if n not in gone)


def score_items(values: np.ndarray, numbers: Sequence[int], form: str) -> np.ndarray:
    """The mean of each row of ``values`` (respondents x items ``numbers``, on the form's
    scale), negatively worded items reversed first."""
    import numpy as np

    spec = FORMS[form]
    flip = np.array([n in spec.reversed for n in numbers])
    scored = np.where(flip, spec.low + spec.high - values, values)
    return scored.mean(axis=1)


def score_wai(
    responses: pd.DataFrame | Mapping[str, Any],
    form: str = "wai-s",
    items: str = "wai_{n}",
    dropped: Iterable[int] = (),
    respondent_type: str | None = None,
) -> pd.DataFrame | dict[str, Any]:
    """Goal, Task, Bond and total scores per respondent.

    ``responses`` is a DataFrame with a row per respondent, a mapping of column names to
    sequences (a column per item), or a mapping of column names to one respondent's answers.
    Item ``n`` is read from column ``items`` with ``{n}`` replaced by ``n`` (only ``{n}``
    may stand in braces). The result has the same shape: a DataFrame (same index) with
    columns ``goal``, ``task``, ``bond``, ``total``, or a dict of lists, or a dict of
    numbers. ``respondent_type`` names a column passed through unchanged. A missing,
    non-numeric or off-scale answer raises :class:`ScoringError` naming the respondent (the
    DataFrame's index label, else the position) and the item.

    >>> answers = {f"wai_{n}": 6 for n in range(1, 13)} | {"wai_4": 1, "wai_10": 3}
    >>> score_wai(answers)
    {'goal': 6.25, 'task': 5.75, 'bond': 6.0, 'total': 6.0}
    >>> score_wai({"q1": [5, 4], **{f"q{n}": [5, 4] for n in range(2, 13)}}, "wai-sr", "q{n}")
    {'goal': [5.0, 4.0], 'task': [5.0, 4.0], 'bond': [5.0, 4.0], 'total': [5.0, 4.0]}
    """
    import numpy as np

    if form not in FORMS:
        raise ScoringError(f"unknown form '{form}'; choose one of: {', '.join(FORMS)}")
    problems = item_pattern_problems(items)
    if problems:
        raise ScoringError(problems[0][1])
    dropped = tuple(dropped)
    unknown = [n for n in dropped if n not in ITEMS]
    if unknown:
        raise ScoringError(f"dropped item {unknown[0]} does not exist; items are 1-12")
    spec = FORMS[form]
    numbers = subscale_items("total", dropped)
    frame = _is_frame(responses)
    single = not frame and not any(_is_sequence(v) for v in responses.values())
    labels = list(responses.index) if frame else None
    matrix = np.column_stack(
        [_item(responses, item_column(items, n), n, spec, single, labels) for n in numbers]
    )
    column_of = {n: i for i, n in enumerate(numbers)}
    scores: dict[str, np.ndarray] = {}
    for name in SUBSCALES:
        present = subscale_items(name, dropped)
        if not present:
            raise ScoringError(f"every {name} item is dropped: nothing is left to score")
        scores[name] = score_items(matrix[:, [column_of[n] for n in present]], present, form)
    if frame:
        import pandas as pd

        result = pd.DataFrame(scores, index=responses.index)
        if respondent_type is not None:
            result[respondent_type] = responses[respondent_type]
        return result
    out: dict[str, Any] = {k: (float(v[0]) if single else v.tolist()) for k, v in scores.items()}
    if respondent_type is not None:
        out[respondent_type] = responses[respondent_type]
    return out


def _is_frame(value: object) -> bool:
    return hasattr(value, "columns") and hasattr(value, "index")


def _is_sequence(value: object) -> bool:
    return not isinstance(value, str | bytes) and hasattr(value, "__len__")


def _item(responses, column: str, number: int, form: Form, single: bool, labels) -> np.ndarray:
    """One item's answers as floats, every one checked against the form's scale."""
    import numpy as np

    if column not in responses:
        raise ScoringError(
            f"no column '{column}' for {form.name} item {number}; if the item was not asked, "
            f"list {number} under dropped"
        )
    raw = [responses[column]] if single else list(responses[column])
    values = np.empty(len(raw))
    for i, answer in enumerate(raw):
        who = "the respondent" if single else f"respondent {labels[i] if labels else i}"
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise ScoringError(
                f"{who}, item {number} ('{column}'): '{answer}' is not a number"
            ) from None
        if value != value:  # NaN: no answer
            raise ScoringError(f"{who}, item {number} ('{column}'): no answer")
        if not form.low <= value <= form.high:
            raise ScoringError(
                f"{who}, item {number} ('{column}'): {answer} is off the {form.name} scale "
                f"{form.low}-{form.high}"
            )
        values[i] = value
    return values
