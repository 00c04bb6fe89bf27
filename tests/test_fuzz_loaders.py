"""The fuzzers of the map and measures loaders, run briefly (see tests/loader_fuzzing.py;
``python scripts/fuzz_loaders.py --seconds 600`` runs them for longer)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.loader_fuzzing import (
    built_maps,
    built_measures,
    check_map,
    check_measures,
    damaged_maps,
    damaged_measures,
)

BRIEF = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BRIEF
@given(built_maps() | damaged_maps())
def test_the_map_loader_answers_every_input_with_located_diagnostics(raw: bytes) -> None:
    check_map(raw)


@BRIEF
@given(built_measures() | damaged_measures())
def test_the_measures_loader_answers_every_input_with_located_diagnostics(raw: bytes) -> None:
    check_measures(raw)
