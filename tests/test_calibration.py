"""Coverage and size of the primary intervals at 12, 20, 30 and 50 sites (issue 10).

Each scenario simulates 200 studies from a known mediation model (a = b = 0.6; see
:mod:`mechmap.stats.calibration`), one row per site or 2-5 respondents nested in each site with
ICC 0.2, and analyses them with the functions the estimate step uses. A 95% interval must cover
93-97% of the time and a test at 0.05 reject about 5% of true nulls. With 200 studies a
scenario's coverage has a Monte Carlo standard error of about 0.015, so each scenario is held to
the band widened by 2.58 of those, and the 1,600 studies pooled per quantity (standard error
0.0055) to the band widened likewise: a percentile bootstrap's 0.91 at a dozen sites fails the
pooled check, as would a t test with the wrong degrees of freedom. The longer table (2,000
studies per scenario, ICC 0.1 and 0.3 too) is ``benchmarks/calibration_bench.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechmap.stats.calibration import Calibration, Scenario, calibrate

STUDIES = 200
SCENARIOS = [Scenario(g, nested) for nested in (False, True) for g in (12, 20, 30, 50)]


def _band(p: float, n: int, low: float, high: float) -> bool:
    """Whether ``p`` from ``n`` studies is within 2.58 standard errors of [low, high]."""
    error = 2.58 * math.sqrt(0.95 * 0.05 / n)
    return low - error <= p <= high + error


@pytest.fixture(scope="module")
def calibrations() -> dict[Scenario, Calibration]:
    return {
        s: calibrate(s, STUDIES, np.random.default_rng(100 + i), n_draws=2000)
        for i, s in enumerate(SCENARIOS)
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.sites}-{s.nested}")
def test_each_scenario_covers_and_keeps_its_size(calibrations, scenario) -> None:
    c = calibrations[scenario]
    assert _band(c.link_coverage, STUDIES, 0.93, 0.97), c
    assert _band(c.indirect_coverage, STUDIES, 0.93, 0.97), c
    assert _band(c.link_size, STUDIES, 0.03, 0.07), c
    # The indirect effect's null (a = 0, b = 0.6) is composite; its test may be conservative,
    # never liberal.
    assert c.indirect_size <= 0.05 + 2.58 * math.sqrt(0.05 * 0.95 / STUDIES), c


@pytest.mark.parametrize("nested", [False, True], ids=["site level", "nested"])
def test_pooled_coverage_is_within_93_to_97_percent(calibrations, nested) -> None:
    chosen = [c for s, c in calibrations.items() if s.nested == nested]
    n = STUDIES * len(chosen)
    for quantity in ("link_coverage", "indirect_coverage"):
        pooled = sum(getattr(c, quantity) for c in chosen) / len(chosen)
        assert _band(pooled, n, 0.93, 0.97), (quantity, pooled)
    size = sum(c.link_size for c in chosen) / len(chosen)
    assert _band(size, n, 0.04, 0.06), size


def test_power_grows_with_sites(calibrations) -> None:
    """A sanity check that the tests see real effects: power rises with the number of sites."""
    for nested in (False, True):
        powers = [c.indirect_power for s, c in calibrations.items() if s.nested == nested]
        assert powers[0] < powers[-1] and powers[-1] > 0.8


def test_cr2_equals_its_textbook_formula() -> None:
    """The CR2 standard error and Bell-McCaffrey df computed with full matrices (the inverse
    square root of each site's I - H_gg by eigendecomposition) equal the low-rank shortcut."""
    from mechmap.stats.inference import coefficient_inference

    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(9), rng.integers(1, 6, size=9))
    n = len(clusters)
    x = rng.standard_normal(9)[clusters] + rng.standard_normal(n)
    z = rng.standard_normal(n)
    y = 0.4 * x + z + rng.standard_normal(9)[clusters] + rng.standard_normal(n)
    design = np.column_stack([x, z, np.ones(n)])
    bread = np.linalg.inv(design.T @ design)
    hat = design @ bread @ design.T
    resid = y - hat @ y
    columns = []
    for g in range(9):
        rows = clusters == g
        values, vectors = np.linalg.eigh(np.eye(rows.sum()) - hat[np.ix_(rows, rows)])
        adjust = vectors @ np.diag(values**-0.5) @ vectors.T
        column = np.zeros(n)
        column[rows] = adjust @ design[rows] @ bread[:, 0]
        columns.append(column)
    a = np.column_stack(columns)
    variance = np.sum((a.T @ resid) ** 2)
    g_matrix = (np.eye(n) - hat) @ a
    gram = g_matrix.T @ g_matrix
    df = np.trace(gram) ** 2 / np.sum(gram * gram)
    fit = coefficient_inference(y, np.column_stack([x, z]), clusters, nested=True)
    assert fit.se == pytest.approx(math.sqrt(variance), rel=1e-10)
    assert fit.df == pytest.approx(df, rel=1e-10)
