"""Testing a hypothesised path against site data, in DoWhy's four steps.

- :mod:`~mechmap.mechanism.plan` (identify): each link's estimand and adjustment set;
- :mod:`~mechmap.mechanism.estimate`: link coefficients, indirect/direct/total effects,
  cluster-bootstrap intervals;
- :mod:`~mechmap.mechanism.refute`: placebo, random common cause, leave one site out,
  robustness to an unobserved confounder;
- :mod:`~mechmap.mechanism.falsify`: the map's implied independencies, each tested;
- :mod:`~mechmap.mechanism.checklist`: Kazdin's criteria for a mechanism;
- :mod:`~mechmap.mechanism.unidentified`: what to measure, and what can be tested, when a
  link is not identifiable;
- :mod:`~mechmap.mechanism.result`: all of it as one object and as JSON;
- :mod:`~mechmap.mechanism.dowhy_adapter`: the same estimates through DoWhy, for cross-checks;
- :mod:`~mechmap.mechanism.pipeline`: all of the steps in one call, ``mechmap.test_path``.
"""

from __future__ import annotations

import warnings as python_warnings

from mechmap.data import AnalysisData
from mechmap.mechanism.checklist import checklist
from mechmap.mechanism.estimate import estimate
from mechmap.mechanism.falsify import falsify
from mechmap.mechanism.plan import PathPlan, parse_chains, plan_test
from mechmap.mechanism.refute import refute
from mechmap.mechanism.result import PathResult
from mechmap.mechanism.unidentified import identification


def run_test(
    plan: PathPlan,
    data: AnalysisData,
    n_resamples: int = 2000,
    seed: int = 0,
    refutations: bool = True,
    falsification: bool = True,
    warnings: tuple[str, ...] = (),
    falsification_data: AnalysisData | None = None,
    identification_data: AnalysisData | None = None,
) -> PathResult:
    """Estimate, refute and judge one path; ``data`` must hold the plan's variables.

    The map's implied independencies are tested on ``falsification_data`` (default:
    ``data``), which should hold every measured variable of the map. When a link is not
    identifiable, its sensitivity fit runs on ``identification_data`` (default: ``data``),
    which should also hold :func:`~mechmap.mechanism.unidentified.sensitivity_variables`.
    """
    with python_warnings.catch_warnings(record=True) as raised:
        python_warnings.simplefilter("always")
        estimates = estimate(plan, data, n_resamples, seed)
        refuted = refute(estimates, seed=seed + 1) if refutations else []
        tested = (
            falsify(plan.map, falsification_data or data, seed=seed + 2) if falsification else None
        )
    notes = list(warnings)
    through = [
        f"{x.plan.cause} -> {x.plan.effect}" for x in estimates.links if x.kind == "measurement"
    ]
    if through and len(estimates.links) > 1:
        notes.append(
            f"the path runs through measurement arrow(s) {', '.join(through)}: a part or an "
            "indicator is not a causal step, so its indirect effect is not a mechanism"
        )
    if data.dropped:
        notes.append(
            f"{len(data.dropped)} site(s) or respondent(s) dropped for missing values (listed "
            "under Data); the estimates assume they are missing at random"
        )
    # Numerical warnings from NumPy or SciPy belong in the report, not only on stderr.
    notes += dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in raised)
    if estimates.dropped_covariates:
        notes.append(
            "precision covariates left out (too few sites for them, or one is an exact linear "
            "combination of the other regressors): " + ", ".join(estimates.dropped_covariates)
        )
    if estimates.redrawn:
        notes.append(
            f"{estimates.redrawn} bootstrap resample(s) were drawn again because a regression "
            "in them had too few distinct sites"
        )
    return PathResult(
        estimates,
        tuple(refuted),
        tested,
        checklist(estimates, refuted),
        tuple(notes),
        identification(plan, identification_data or data),
    )


__all__ = ["PathPlan", "PathResult", "parse_chains", "plan_test", "run_test"]
