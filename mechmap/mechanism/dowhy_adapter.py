"""The same estimates through DoWhy 0.14, for cross-checks and the speed benchmark.

``mechmap test`` estimates with its own vectorized code; this module builds DoWhy's
``CausalModel`` from a map and asks DoWhy for the very same numbers (Sharma & Kiciman 2020,
arXiv:2011.04216), so tests can show that the point estimates agree to 1e-9 and the benchmark
can time DoWhy doing the same work. DoWhy is imported inside the functions: importing this
module costs nothing.

Each function works around a DoWhy 0.14 defect measured on a linear model (DOMAIN.md §6):

- *Latent nodes* are unobserved in DoWhy only when the data frame lacks their column
  (dowhy#824 asks how to declare one); a latent node whose column happens to be present would
  be treated as measured. Latent nodes' columns are dropped before DoWhy sees the frame.
- *Missing data*: DoWhy's regressions return NaN without a word when one value is missing;
  here a missing or non-numeric value raises ``ValueError`` naming the column and the rows.
- *Default adjustment sets*: ``identify_effect`` picks a minimal set, which for the mediator
  stage can leave out a confounder of the outcome (valid, but at a dozen sites it flipped the
  sign of a true indirect effect). DoWhy's identification is not run at all: the estimand is
  built with exactly the sets mechmap chose. This also sidesteps its TypeError on a latent
  confounder of the mediator path and its slow search on large graphs (dowhy#1818).
- *Effect modifiers*: unless told otherwise, ``estimate_effect`` adds a treatment interaction
  for every ancestor of the outcome that is not an ancestor of the treatment, which changes
  a linear estimate; we always pass ``effect_modifiers=[]``.
- *Refuters*: on a natural indirect effect the placebo and random-common-cause refuters return
  the original estimate unchanged (the two-stage estimator refits deep copies of its stage
  models, which keep the real treatment and the old adjustment set), so they refute nothing;
  the default placebo for a continuous treatment is a column of zeros (a normal draw with
  standard deviation 0), whose effect is 0 whatever the data; ``data_subset_refuter`` with an
  integer seed draws the same subset in every simulation; ``add_unobserved_common_cause``
  with its defaults fits a classifier to the treatment and raises on a continuous one, and
  its linear partial-R² analysis raises unless the strength fraction is a list and a
  benchmark covariate is named. :func:`dowhy_refuters` passes arguments that avoid the
  zero placebo, the repeated subset and the classifier; the indirect-effect defect is DoWhy's
  and stays visible in its output.
- *Warnings*: every bootstrap resample and refuter fit re-runs statsmodels' summary, which
  warns at small n (12,000 warnings for 2,000 resamples); they are silenced inside these
  functions only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from dowhy import CausalModel
    from dowhy.causal_estimator import CausalEstimate
    from dowhy.causal_identifier import IdentifiedEstimand

    from mechmap.mechanism.result import PathResult
    from mechmap.model import Map

LINEAR = "backdoor.linear_regression"
MEDIATION = "mediation.two_stage_regression"
# Columns DoWhy's refuters add to the data; a variable must never be renamed to one of them.
_RESERVED = frozenset({"placebo", "w_random"})


def column_names(variables: Iterable[str]) -> dict[str, str]:
    """A distinct column name for each map variable, for DoWhy: a Python identifier
    (``"screening@impl"`` becomes ``"screening_impl"``, the column name mechmap's data binding
    also looks for) and never one of the columns DoWhy's refuters add to the data (``placebo``,
    ``w_random``), which they would silently overwrite. DoWhy 0.14 copes with ``@`` in the
    calls made here; identifiers stay safe where it writes names into DOT graphs and sympy
    symbols. Invert the mapping to go back.

    >>> column_names(["screening@impl", "placebo", "2nd"])
    {'screening@impl': 'screening_impl', 'placebo': 'placebo_2', '2nd': 'v_2nd'}
    >>> column_names(["screening@impl", "screening_impl"])["screening_impl"]
    'screening_impl_2'
    """
    names: dict[str, str] = {}
    taken = set(_RESERVED)
    for variable in variables:
        base = re.sub(r"\W", "_", variable)
        if not base or base[0].isdigit():
            base = f"v_{base}"
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        names[variable] = name
    return names


@contextmanager
def _dowhy_quietly(seed: int | None = None) -> Iterator[None]:
    """Silence DoWhy's, statsmodels' and pandas' warnings here only, and (with ``seed``) seed
    numpy's global generator, which DoWhy's bootstrap draws from, restoring it afterwards."""
    import numpy as np

    state = np.random.get_state() if seed is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if seed is not None:
            np.random.seed(seed)
        try:
            yield
        finally:
            if state is not None:
                np.random.set_state(state)


def causal_model(m: Map, frame: pd.DataFrame, treatment: str, outcome: str) -> CausalModel:
    """DoWhy's ``CausalModel`` for ``treatment -> outcome`` over the map's unrolled DAG.

    ``frame`` has one column per measured map variable, named as in the map
    (``screening@impl``). Latent nodes and variables without a column are left unobserved
    (their columns, if any, are dropped: DoWhy would treat them as measured, dowhy#824).
    Graph and data use :func:`column_names`.
    """
    import networkx as nx
    from dowhy import CausalModel

    _check_measured(m, frame, [treatment, outcome])
    names = column_names(m.variables)
    graph = nx.DiGraph()
    graph.add_nodes_from(names.values())
    graph.add_edges_from((names[a], names[b]) for a, b in m.to_networkx().edges)
    observed = _observed(m, frame)
    data = _numeric(frame, observed).rename(columns=names)
    with _dowhy_quietly():
        return CausalModel(
            data=data, treatment=names[treatment], outcome=names[outcome], graph=graph
        )


def _observed(m: Map, frame: pd.DataFrame) -> list[str]:
    return [v for v in m.variables if v in frame.columns and not m.variable_info[v].node.latent]


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns as floats; a missing or non-numeric value is an error, never a NaN."""
    import pandas as pd

    data = frame[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    for column in columns:
        bad = data[column].isna()
        if bad.any():
            rows = [str(r) for r in frame.index[bad]]
            shown = ", ".join(rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            raise ValueError(
                f"column {column!r} has {len(rows)} missing or non-numeric value(s) (rows "
                f"{shown}); DoWhy would return NaN: fill or drop them first"
            )
    return data


@dataclass(frozen=True, eq=False)
class DoWhyEffect:
    """One effect set up in DoWhy: the model, the estimand carrying our adjustment sets, and
    the estimation method. Build with :func:`link_effect` or :func:`mediation_effect`."""

    model: CausalModel
    estimand: IdentifiedEstimand
    method: str
    label: str

    def estimate(self, seed: int | None = None, **options: Any) -> CausalEstimate:
        """``CausalModel.estimate_effect`` with graph effect modifiers switched off."""
        with _dowhy_quietly(seed):
            return self.model.estimate_effect(
                self.estimand, method_name=self.method, effect_modifiers=[], **options
            )


def _check_measured(m: Map, frame: pd.DataFrame, variables: Iterable[str]) -> None:
    observed = set(_observed(m, frame))
    for v in variables:
        if v not in m.variable_info:
            raise ValueError(f"{v!r} is not a variable of map {m.id!r}")
        if v not in observed:
            why = "is latent" if m.variable_info[v].node.latent else "has no column in the data"
            raise ValueError(f"{v!r} {why}, so an estimate cannot use it")


def link_effect(
    m: Map, frame: pd.DataFrame, cause: str, effect: str, adjustment_set: Collection[str]
) -> DoWhyEffect:
    """``cause -> effect`` for ``backdoor.linear_regression``, adjusting for exactly
    ``adjustment_set`` (DoWhy's own identification is bypassed, see the module notes)."""
    from dowhy.causal_identifier import EstimandType, IdentifiedEstimand
    from dowhy.causal_identifier.auto_identifier import construct_adjustment_estimand

    _check_measured(m, frame, [cause, effect, *adjustment_set])
    names = column_names(m.variables)
    treatment, outcome = [names[cause]], [names[effect]]
    adjust = [names[v] for v in adjustment_set]
    with _dowhy_quietly():
        estimand = IdentifiedEstimand(
            None,
            treatment_variable=treatment,
            outcome_variable=outcome,
            estimand_type=EstimandType.NONPARAMETRIC_ATE,
            estimands={"backdoor": construct_adjustment_estimand(treatment, outcome, adjust)},
            backdoor_variables={"backdoor": adjust},
            default_backdoor_id="backdoor",
        )
    model = causal_model(m, frame, cause, effect)
    return DoWhyEffect(model, estimand, LINEAR, f"{cause} -> {effect}")


def mediation_effect(
    m: Map,
    frame: pd.DataFrame,
    exposure: str,
    mediator: str,
    outcome: str,
    first_stage_set: Collection[str],
    second_stage_set: Collection[str],
    total_effect_set: Collection[str] | None = None,
    part: str = "indirect",
) -> DoWhyEffect:
    """The natural indirect (``part="indirect"``) or direct (``"direct"``) effect of
    ``exposure`` on ``outcome`` through one ``mediator``, for DoWhy's two-stage regression.

    The first stage regresses the mediator on the exposure and ``first_stage_set``; the second
    regresses the outcome on the mediator and ``second_stage_set``, which must contain the
    exposure for the product of the two slopes to be the indirect effect (Baron & Kenny 1986).
    DoWhy takes the direct effect as the total effect (the exposure's slope adjusting for
    ``total_effect_set``, by default ``second_stage_set`` without the exposure) minus the
    indirect effect. One mediator only: DoWhy's mediation ignores the others (dowhy#249).
    """
    from dowhy.causal_identifier import EstimandType, IdentifiedEstimand
    from dowhy.causal_identifier.auto_identifier import construct_mediation_estimand

    kinds = {"indirect": EstimandType.NONPARAMETRIC_NIE, "direct": EstimandType.NONPARAMETRIC_NDE}
    if part not in kinds:
        raise ValueError(f"part must be 'indirect' or 'direct', not {part!r}")
    if total_effect_set is None:
        total_effect_set = [v for v in second_stage_set if v != exposure]
    used = [exposure, mediator, outcome, *first_stage_set, *second_stage_set, *total_effect_set]
    _check_measured(m, frame, used)
    names = column_names(m.variables)
    treatment, target, through = [names[exposure]], [names[outcome]], [names[mediator]]
    with _dowhy_quietly():
        estimand = IdentifiedEstimand(
            None,
            treatment_variable=treatment,
            outcome_variable=target,
            estimand_type=kinds[part],
            estimands={
                "mediation": construct_mediation_estimand(kinds[part], treatment, target, through)
            },
            # The direct effect's total-effect regression reads the default back-door set;
            # refuters read it too, and fail with a KeyError when it is missing.
            backdoor_variables={"backdoor": [names[v] for v in total_effect_set]},
            mediator_variables=through,
            mediation_first_stage_confounders={"backdoor": [names[v] for v in first_stage_set]},
            mediation_second_stage_confounders={"backdoor": [names[v] for v in second_stage_set]},
            default_backdoor_id="backdoor",
        )
    model = causal_model(m, frame, exposure, outcome)
    label = f"{part} effect {exposure} -> {mediator} -> {outcome}"
    return DoWhyEffect(model, estimand, MEDIATION, label)


def estimate_link(
    m: Map, frame: pd.DataFrame, cause: str, effect: str, adjustment_set: Collection[str]
) -> float:
    """DoWhy's linear-regression estimate of the arrow ``cause -> effect`` adjusting for exactly
    ``adjustment_set``: the slope of ``cause`` in the regression of ``effect`` on ``cause`` and
    the set."""
    return float(link_effect(m, frame, cause, effect, adjustment_set).estimate().value)


def estimate_mediation(
    m: Map,
    frame: pd.DataFrame,
    exposure: str,
    mediator: str,
    outcome: str,
    first_stage_set: Collection[str],
    second_stage_set: Collection[str],
    total_effect_set: Collection[str] | None = None,
) -> dict[str, float]:
    """DoWhy's two-stage mediation estimates with the given sets (see :func:`mediation_effect`):
    ``{"natural_indirect_effect": ..., "natural_direct_effect": ...}``."""
    return {
        f"natural_{part}_effect": float(
            mediation_effect(
                m,
                frame,
                exposure,
                mediator,
                outcome,
                first_stage_set,
                second_stage_set,
                total_effect_set,
                part,
            )
            .estimate()
            .value
        )
        for part in ("indirect", "direct")
    }


def dowhy_bootstrap(
    effect: DoWhyEffect, n_resamples: int, seed: int = 0, level: float = 0.95
) -> dict[str, Any]:
    """DoWhy's own bootstrap interval for ``effect``: ``estimate_effect`` with
    ``confidence_intervals="bootstrap"`` and ``n_resamples`` simulations. DoWhy resamples rows
    (not sites) and reports the basic interval (twice the estimate minus the percentiles).
    Returns ``{"estimate", "ci", "method"}``.
    """
    estimate = effect.estimate(
        seed=seed,
        confidence_intervals="bootstrap",
        method_params={"num_simulations": n_resamples, "confidence_level": level},
    )
    lo, hi = (float(x) for x in estimate.get_confidence_intervals())
    return {
        "estimate": float(estimate.value),
        "ci": (lo, hi),
        "method": f"DoWhy bootstrap, {n_resamples:,} row resamples, basic interval",
    }


def dowhy_refuters(
    effect: DoWhyEffect,
    n_simulations: int = 100,
    seed: int = 0,
    subset_fraction: float = 0.8,
    subset_simulations: int | None = None,
    confounder_strength: float = 0.5,
) -> list[dict[str, Any]]:
    """DoWhy's four refuters of ``effect``: a permuted placebo treatment and a random common
    cause, each over ``n_simulations`` simulated data sets; ``subset_simulations`` (default
    ``n_simulations``) random subsets of ``subset_fraction`` of the rows; and one simulated
    unobserved confounder acting linearly on treatment and outcome with coefficients
    ``confounder_strength`` times their standard deviations. Returns
    ``[{"name", "original", "new", "p_value"}]`` with the names mechmap's refutations use.
    """
    import numpy as np

    data = effect.model._data
    treatment = effect.estimand.treatment_variable[0]
    outcome = effect.estimand.outcome_variable[0]
    runs = [
        (
            "placebo treatment",
            "placebo_treatment_refuter",
            # "permute": the default placebo for a float treatment is all zeros.
            {"placebo_type": "permute", "num_simulations": n_simulations},
        ),
        ("random common cause", "random_common_cause", {"num_simulations": n_simulations}),
        (
            "data subset",
            "data_subset_refuter",
            {
                "subset_fraction": subset_fraction,
                "num_simulations": subset_simulations or n_simulations,
            },
        ),
        (
            "unobserved confounder",
            "add_unobserved_common_cause",
            {
                "simulation_method": "direct-simulation",
                "confounders_effect_on_treatment": "linear",
                "confounders_effect_on_outcome": "linear",
                "effect_strength_on_treatment": confounder_strength * float(data[treatment].std()),
                "effect_strength_on_outcome": confounder_strength * float(data[outcome].std()),
            },
        ),
    ]
    original = effect.estimate(seed=seed)
    results = []
    for name, method, options in runs:
        with _dowhy_quietly(seed):
            if "num_simulations" in options:
                # A generator, not an int: with an int the subset refuter redraws one subset.
                options = {**options, "random_state": np.random.RandomState(seed)}
            refutation = effect.model.refute_estimate(
                effect.estimand, original, method_name=method, **options
            )
        significance = refutation.refutation_result or {}
        p_value = significance.get("p_value")
        results.append(
            {
                "name": name,
                "original": float(refutation.estimated_effect),
                "new": float(refutation.new_effect),
                "p_value": None if p_value is None else float(p_value),
            }
        )
    return results


def cross_check(result: PathResult, tolerance: float = 1e-9) -> dict[str, object]:
    """Every identifiable link estimate of ``result`` recomputed by DoWhy with the same
    adjustment set, and for a one-mediator path the indirect and direct effects by DoWhy's
    two-stage mediation: each pair of numbers and whether all agree within ``tolerance``.

    A fit weighted by a proportion's denominator is listed under ``skipped``: DoWhy's linear
    regression estimator has no row weights, so there is nothing equal to compare it with.
    """
    import pandas as pd

    data = result.data
    frame = pd.DataFrame(data.values, columns=list(data.columns))
    m, estimates = result.estimates.plan.map, result.estimates
    rows = []
    skipped = []

    def unweighted(name: str, outcomes: Iterable[str]) -> bool:
        weighted = [y for y in outcomes if y in data.denominators]
        if weighted:
            skipped.append(
                {
                    "estimate": name,
                    "reason": f"{', '.join(weighted)} is weighted by its denominator; DoWhy's "
                    "linear regression estimator fits unweighted",
                }
            )
        return not weighted

    for x in estimates.links:
        p = x.plan
        name = f"{p.cause} -> {p.effect}"
        if x.effect.identifiable and unweighted(name, (p.effect,)):
            theirs = estimate_link(m, frame, p.cause, p.effect, p.covariates)
            rows.append((name, x.effect.estimate, theirs))
    plan, path = estimates.plan, estimates.path
    if (
        len(plan.chains) == 1
        and len(plan.chains[0]) == 3
        and path.direct.identifiable
        and unweighted("indirect and direct effects", plan.chains[0][1:])
    ):
        first, second = (x.plan for x in estimates.links)
        theirs = estimate_mediation(
            m,
            frame,
            *plan.chains[0],
            first.covariates,
            second.covariates,
            plan.total.covariates,
        )
        rows.append(("indirect effect", path.indirect.estimate, theirs["natural_indirect_effect"]))
        rows.append(("direct effect", path.direct.estimate, theirs["natural_direct_effect"]))
    checked = [
        {"estimate": name, "mechmap": ours, "dowhy": theirs, "difference": abs(ours - theirs)}
        for name, ours, theirs in rows
    ]
    return {
        "tolerance": tolerance,
        "estimates": checked,
        "skipped": skipped,
        "agree": all(c["difference"] <= tolerance for c in checked),
    }
