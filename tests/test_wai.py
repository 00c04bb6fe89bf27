"""Scoring the Working Alliance Inventory short forms against the scoring key (DOMAIN.md
section 4), written out here item by item rather than taken from the module."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechmap.instruments.wai import ScoringError, score_wai

# WAI-S key: subscale -> items, and the negatively worded items (scored 8 - x).
KEY = {"goal": [4, 6, 8, 11], "task": [1, 2, 10, 12], "bond": [3, 5, 7, 9]}
NEGATIVE = {4, 10}


def by_hand(answers: dict[int, float], items: list[int], reverse: set[int], top: int) -> float:
    return sum((top + 1 - answers[n]) if n in reverse else answers[n] for n in items) / len(items)


@pytest.mark.parametrize("item", range(1, 13))
def test_each_item_moves_its_own_subscale_only(item: int) -> None:
    answers = {f"wai_{n}": 4 for n in range(1, 13)} | {f"wai_{item}": 7}
    scores = score_wai(answers)
    own = next(name for name, items in KEY.items() if item in items)
    moved = 1 if item in NEGATIVE else 7  # a 7 on a negative item scores 1
    for name in KEY:
        expected = (12 + moved) / 4 if name == own else 4
        assert scores[name] == expected
    assert scores["total"] == (44 + moved) / 12


def test_a_frame_is_scored_row_by_row_with_its_index_and_respondent_type() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        rng.integers(1, 8, size=(25, 12)), columns=[f"wai_{n}" for n in range(1, 13)]
    )
    frame.index = [f"r{i}" for i in range(25)]
    frame["role"] = rng.choice(["CF", "EF", "site"], 25)
    scores = score_wai(frame, respondent_type="role")
    assert list(scores.columns) == ["goal", "task", "bond", "total", "role"]
    assert list(scores.index) == list(frame.index)
    assert scores["role"].tolist() == frame["role"].tolist()
    for label, row in frame.iterrows():
        answers = {n: row[f"wai_{n}"] for n in range(1, 13)}
        for name, items in KEY.items():
            assert scores.loc[label, name] == pytest.approx(by_hand(answers, items, NEGATIVE, 7))
        assert scores.loc[label, "total"] == pytest.approx(
            by_hand(answers, list(range(1, 13)), NEGATIVE, 7)
        )


def test_dropped_items_leave_the_mean_of_the_items_present() -> None:
    answers = {f"item{n}": n % 7 + 1 for n in range(1, 13) if n != 5}
    scores = score_wai(answers, items="item{n}", dropped=[5])
    values = {n: n % 7 + 1 for n in range(1, 13)}
    assert scores["bond"] == pytest.approx(by_hand(values, [3, 7, 9], NEGATIVE, 7))
    assert scores["goal"] == pytest.approx(by_hand(values, KEY["goal"], NEGATIVE, 7))
    present = [n for n in range(1, 13) if n != 5]
    assert scores["total"] == pytest.approx(by_hand(values, present, NEGATIVE, 7))


def test_wai_sr_is_five_point_with_no_reversed_item() -> None:
    columns = {f"wai_{n}": [n % 5 + 1, 5] for n in range(1, 13)}
    scores = score_wai(columns, form="wai-sr")
    first = {n: n % 5 + 1 for n in range(1, 13)}
    for name, items in KEY.items():
        assert scores[name] == [pytest.approx(by_hand(first, items, set(), 5)), 5.0]
    with pytest.raises(ScoringError, match=r"respondent 1, item 3 \('wai_3'\): 6 is off"):
        score_wai({**columns, "wai_3": [1, 6]}, form="wai-sr")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wai_4": [5, 8]}, "respondent r1, item 4 ('wai_4'): 8 is off the WAI-S scale 1-7"),
        ({"wai_9": [0, 5]}, "respondent r0, item 9 ('wai_9'): 0 is off the WAI-S scale 1-7"),
        ({"wai_2": [5, None]}, "respondent r1, item 2 ('wai_2'): no answer"),
        ({"wai_2": ["often", 5]}, "respondent r0, item 2 ('wai_2'): 'often' is not a number"),
    ],
)
def test_bad_answers_name_the_respondent_and_the_item(change, message) -> None:
    data = {f"wai_{n}": [5, 5] for n in range(1, 13)} | change
    with pytest.raises(ScoringError) as exc:
        score_wai(pd.DataFrame(data, index=["r0", "r1"]))
    assert str(exc.value) == message


def test_bad_arguments_and_missing_items() -> None:
    answers = {f"wai_{n}": 5 for n in range(1, 13)}
    with pytest.raises(ScoringError, match="no column 'wai_7' for WAI-S item 7; if the item"):
        score_wai({k: v for k, v in answers.items() if k != "wai_7"})
    with pytest.raises(ScoringError, match="unknown form 'wai'"):
        score_wai(answers, form="wai")
    with pytest.raises(ScoringError, match="dropped item 13 does not exist"):
        score_wai(answers, dropped=[13])
    with pytest.raises(ScoringError, match="every bond item is dropped"):
        score_wai(answers, dropped=KEY["bond"])
    with pytest.raises(ScoringError, match=r"must contain \{n\}"):
        score_wai(answers, items="wai_")
