"""Time-varying confounding around a requested effect (mechmap.analysis.timing)."""

from __future__ import annotations

import pytest

import mechmap
from mechmap.analysis.timing import time_varying_warnings
from mechmap.mapfile.checks import check_map
from tests.conftest import ROOT

TITRATED = """
mechmap: 1
id: titrated
title: Dose titrated to trust
waves: {t1: Start, t2: Later}
nodes:
  dose: {role: strategy, waves: [t1, t2], carry: true}
  trust: {role: mechanism, wave: t1}
  uptake: {role: implementation_outcome, wave: t2}
edges:
  - dose@t1 -> trust -> dose@t2 -> uptake
  - trust -> uptake
"""


@pytest.fixture(scope="module")
def kilbourne() -> mechmap.Map:
    return mechmap.load(ROOT / "maps" / "kilbourne-2023-facilitation.yaml")


def test_later_dose_confounded_by_a_mechanism_that_earlier_dose_moved():
    m = mechmap.loads(TITRATED)
    (warning,) = time_varying_warnings(m, "dose@t2", "uptake")
    assert warning.startswith("time-varying confounding: the dose dose@t2 is set in response")
    assert "(trust; e.g. trust -> dose@t2 and trust -> uptake)" in warning
    assert "earlier strategies (dose@t1; e.g. dose@t1 -> trust)" in warning
    assert "joint effect of dose@t1, dose@t2 on uptake needs g-methods" in warning


def test_earlier_dose_whose_effect_runs_through_the_later_dose():
    m = mechmap.loads(TITRATED)
    (warning,) = time_varying_warnings(m, "dose@t1", "uptake")
    assert "dose@t1 reaches the later strategy dose@t2 through trust" in warning
    assert "(e.g. dose@t1 -> trust -> dose@t2)" in warning
    assert "adjusting for trust or dose@t2 blocks part of it" in warning


def test_the_mechanism_itself_sets_the_later_dose():
    m = mechmap.loads(TITRATED)
    (warning,) = time_varying_warnings(m, "trust", "uptake")
    assert "trust sets the later strategy dose@t2 (e.g. trust -> dose@t2)" in warning


def test_no_warning_when_the_mechanism_reaches_the_outcome_only_through_the_dose():
    m = mechmap.loads(TITRATED.replace("  - trust -> uptake\n", ""))
    assert time_varying_warnings(m, "dose@t2", "uptake") == []
    # the validator still warns: it does not know which effect will be asked for
    assert any("time-varying" in d.message for d in check_map(m))


def test_no_warning_for_an_effect_away_from_the_feed():
    m = mechmap.loads(TITRATED)
    assert time_varying_warnings(m, "dose@t1", "trust") == []


def test_kilbourne_intensity_at_t2(kilbourne):
    (warning,) = time_varying_warnings(kilbourne, "intensity@t2", "implementation")
    assert "the dose intensity@t2 is set in response to earlier mechanisms" in warning
    assert "capacity -> intensity@t2 and capacity -> implementation" in warning
    # the components delivered earlier move those mechanisms
    assert "c1_engagement, c2_roles, c3_coalition, c4_problem_solving" in warning
    assert "g-methods" in warning


def test_kilbourne_intensity_at_t1_reaches_step_down(kilbourne):
    (warning,) = time_varying_warnings(kilbourne, "intensity@t1", "implementation")
    assert "intensity@t1 reaches the later strategy step_down through traction@t1" in warning
    assert "intensity@t1 -> traction@t1 -> leadership@t2 -> step_down" in warning


def test_maps_without_waves_give_nothing():
    m = mechmap.load(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml")
    x, y = m.variables[0], m.variables[-1]
    assert time_varying_warnings(m, x, y) == []


@pytest.mark.parametrize(
    ("exposure", "outcome", "message"),
    [
        ("dose", "uptake", "exposure: 'dose' has a copy per wave; name one: dose@t1, dose@t2"),
        ("dose@t3", "uptake", "exposure: unknown wave 't3' of dose"),
        ("dose@t1", "uptak", "outcome: unknown node 'uptak' \\(did you mean 'uptake'\\?\\)"),
        ("dose@t1", "dose@t1", "exposure and outcome are the same node: dose@t1"),
    ],
)
def test_unknown_variables_and_senseless_questions(exposure, outcome, message):
    with pytest.raises(ValueError, match=message):
        time_varying_warnings(mechmap.loads(TITRATED), exposure, outcome)
