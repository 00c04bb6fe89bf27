"""What to do when a link of the path is not identifiable: what to measure, what can be
tested as it is, and how strong a hidden confounder would have to be.

The identify step (:mod:`mechmap.mechanism.plan`) says a link cannot be estimated when every
adjustment set would need an unmeasured variable: a latent node, or a map variable with no
data. Four answers follow from that, all from the library's own identification:

- **suggestions**: each unmeasured variable that, measured, would make non-identifiable links
  (and the path's indirect effect) identifiable: :func:`~mechmap.mechanism.plan.plan_test`
  run again with that one variable measured;
- **identifiable sub-paths**: the maximal runs of identifiable arrows along the tested
  chains, which can be tested now;
- **identifiable hypotheses**: the map's other hypotheses whose every link is identifiable
  with the data at hand;
- **sensitivity**: for each non-identifiable link, the OLS coefficient adjusted for the
  measured part of a valid set, bias-adjusted for a hidden confounder of assumed strength
  (Cinelli & Hazlett, "Making sense of sensitivity", JRSS-B 2020;82:39).

>>> import mechmap
>>> from mechmap.mechanism import plan_test
>>> m = mechmap.loads('''
... mechmap: 1
... id: m
... title: M
... nodes: {u: {latent: true}, a: {}, f: {}, y: {}}
... edges: [a -> f -> y, u -> f, u -> y]
... ''')
>>> plan = plan_test(m, [["a", "f", "y"]], measured={"a", "f", "y"})
>>> [(s.variable, s.makes_identifiable) for s in suggestions(plan)]
[('u', ('f -> y', 'indirect effect'))]
>>> identifiable_subpaths(plan)
(('a', 'f'),)
>>> row = bias_adjusted(estimate=2.0, se=0.5, df=40, r2_cause=0.1, r2_effect=0.1)
>>> round(row.estimate, 3), [round(x, 3) for x in row.ci]
(1.667, [0.642, 2.691])
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from mechmap.data import AnalysisData
from mechmap.mechanism.plan import EffectPlan, PathPlan, plan_test
from mechmap.model import Map

INDIRECT = "indirect effect"

# Assumed confounder strengths as (partial R² with the cause given the covariates, partial R²
# with the effect given cause and covariates): equal steps from negligible to strong, then a
# weak-strong pair each way, since the bias is not symmetric in the two.
R2_GRID = (
    (0.01, 0.01),
    (0.05, 0.05),
    (0.1, 0.1),
    (0.2, 0.2),
    (0.3, 0.3),
    (0.05, 0.3),
    (0.3, 0.05),
)


@dataclass(frozen=True)
class Suggestion:
    """An unmeasured variable and what measuring it would make identifiable."""

    variable: str
    makes_identifiable: tuple[str, ...]  # arrows "a -> b", then possibly "indirect effect"

    def as_dict(self) -> dict[str, object]:
        return {"variable": self.variable, "makes_identifiable": list(self.makes_identifiable)}


@dataclass(frozen=True)
class SensitivityRow:
    """The estimate and 95% interval after removing the bias of a confounder this strong."""

    r2_cause: float
    r2_effect: float
    estimate: float
    ci: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "r2_cause": self.r2_cause,
            "r2_effect": self.r2_effect,
            "estimate": self.estimate,
            "ci": list(self.ci),
        }


@dataclass(frozen=True)
class Sensitivity:
    """The OLS fit of a non-identifiable arrow on its best measured adjustment, and the same
    estimate under a grid of hidden-confounder strengths."""

    arrow: str
    adjusted_for: tuple[str, ...]
    estimate: float
    se: float
    df: int
    rows: tuple[SensitivityRow, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "arrow": self.arrow,
            "adjusted_for": list(self.adjusted_for),
            "estimate": self.estimate,
            "se": self.se,
            "df": self.df,
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True)
class Identification:
    """Next steps for a path some of whose links are not identifiable."""

    suggestions: tuple[Suggestion, ...]
    identifiable_subpaths: tuple[tuple[str, ...], ...]
    identifiable_hypotheses: tuple[str, ...]
    sensitivity: tuple[Sensitivity, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "suggestions": [s.as_dict() for s in self.suggestions],
            "identifiable_subpaths": [list(p) for p in self.identifiable_subpaths],
            "identifiable_hypotheses": list(self.identifiable_hypotheses),
            "sensitivity": [s.as_dict() for s in self.sensitivity],
        }


def identification(plan: PathPlan, data: AnalysisData) -> Identification | None:
    """All four answers for ``plan``; ``None`` when every link (hence the indirect effect,
    their product) is identifiable. ``data`` holds the rows the sensitivity fits use (see
    :func:`sensitivity`)."""
    if all(p.identifiable for p in plan.links):
        return None
    return Identification(
        suggestions(plan),
        identifiable_subpaths(plan),
        identifiable_hypotheses(plan),
        sensitivity(plan, data),
    )


def _arrow(p: EffectPlan) -> str:
    return f"{p.cause} -> {p.effect}"


def _measuring(m: Map, variables: Collection[str]) -> Map:
    """``m`` with the nodes of ``variables`` no longer latent, so that plan_test treats them
    as measured when they are in its measured set (other variables of a time-indexed node stay
    unmeasured, since they are not)."""
    nodes = {m.variable_info[v].node.id for v in variables}
    return dataclasses.replace(
        m,
        nodes=tuple(dataclasses.replace(n, latent=False) if n.id in nodes else n for n in m.nodes),
    )


def suggestions(plan: PathPlan) -> tuple[Suggestion, ...]:
    """Each unmeasured variable that alone would make at least one non-identifiable link
    identifiable, with those links and ``"indirect effect"`` when all of them would be; most
    links first, then in map order. Empty when no single variable helps.

    Only unmeasured ancestors of the links' ends are tried: when any valid set exists, the
    measured ancestors of cause and effect form one (van der Zander, Liśkiewicz & Textor 2019),
    so measuring a non-ancestor changes nothing. A one-arrow path's indirect effect is that
    arrow's coefficient and is not named twice.
    """
    missing = [p for p in plan.links if not p.identifiable]
    graph = plan.map.to_networkx()
    ends = {v for p in missing for v in (p.cause, p.effect)}
    reach = ends.union(*(nx.ancestors(graph, v) for v in ends))
    found = []
    for variable in plan.map.variables:
        if variable in plan.measured or variable not in reach:
            continue
        trial = plan_test(
            _measuring(plan.map, [variable]), plan.chains, plan.measured | {variable}
        ).link_of
        fixed = [_arrow(p) for p in missing if trial[(p.cause, p.effect)].identifiable]
        if not fixed:
            continue
        if len(plan.links) > 1 and all(p.identifiable for p in trial.values()):
            fixed.append(INDIRECT)
        found.append(Suggestion(variable, tuple(fixed)))
    # sorted() is stable, so ties keep the map's order.
    return tuple(sorted(found, key=lambda s: -len(set(s.makes_identifiable) - {INDIRECT})))


def identifiable_subpaths(plan: PathPlan) -> tuple[tuple[str, ...], ...]:
    """The maximal runs of consecutive identifiable arrows of each tested chain, as node
    sequences, each listed once.

    A link's identifiability depends only on its two ends and what is measured, never on the
    rest of the path, so every shorter sub-path of a run is identifiable too, and a sub-path's
    indirect effect (the product of its coefficients) is identifiable exactly when it lies in
    a run: the runs are the complete answer.
    """
    ok = {(p.cause, p.effect) for p in plan.links if p.identifiable}
    runs: dict[tuple[str, ...], None] = {}
    for chain in plan.chains:
        run: list[str] = []
        for u, v in pairwise(chain):
            if (u, v) in ok:
                run = [*(run or [u]), v]
                continue
            if run:
                runs[tuple(run)] = None
            run = []
        if run:
            runs[tuple(run)] = None
    return tuple(runs)


def identifiable_hypotheses(plan: PathPlan) -> tuple[str, ...]:
    """Ids of the map's other hypotheses whose every link is identifiable with the
    variables measured for this test."""
    return tuple(
        h.id
        for h in plan.map.hypotheses
        if h.id != plan.hypothesis
        and all(p.identifiable for p in plan_test(plan.map, h.chains, plan.measured).links)
    )


def sensitivity_adjustment(plan: PathPlan) -> dict[tuple[str, str], EffectPlan]:
    """For each non-identifiable link with both ends measured, the measured part of the plan
    the test would use if every variable of the map had data.

    That plan always exists (the other parents of the effect are a valid set) and it is the
    library's own choice of set; its hidden members are the confounder the sensitivity grid
    assumes, several acting as one (their linear combination, as Cinelli & Hazlett treat
    several confounders). The bias formula compares the regression on the measured members
    with the regression on all of them, which identifies the arrow. We use this rather than
    the suggestion step's sets because it exists for every link, also when no single
    variable would identify it.
    """
    m = plan.map
    full = plan_test(_measuring(m, m.variables), plan.chains, m.variables).link_of
    found = {}
    for p in plan.links:
        if p.identifiable or not {p.cause, p.effect} <= plan.measured:
            continue
        chosen = full[(p.cause, p.effect)]
        found[(p.cause, p.effect)] = EffectPlan(
            p.cause,
            p.effect,
            p.kind,
            tuple(v for v in chosen.adjustment_set or () if v in plan.measured),
            tuple(v for v in chosen.precision if v in plan.measured),
        )
    return found


def sensitivity_variables(plan: PathPlan) -> tuple[str, ...]:
    """The variables the sensitivity fits use beyond the plan's own estimates, in map order
    (:func:`~mechmap.mechanism.pipeline.test_path` binds them for :func:`sensitivity`)."""
    if all(p.identifiable for p in plan.links):
        return ()
    wanted = {
        v for p in sensitivity_adjustment(plan).values() for v in (p.cause, p.effect, *p.covariates)
    }
    own = set(plan.variables)
    return tuple(v for v in plan.map.variables if v in wanted and v not in own)


def sensitivity(plan: PathPlan, data: AnalysisData) -> tuple[Sensitivity, ...]:
    """Each non-identifiable link's OLS fit on ``data`` (its rows as the test has them: sites,
    or respondents), adjusted as :func:`sensitivity_adjustment` says, with
    :func:`bias_adjusted` over :data:`R2_GRID`.

    Precision covariates are kept only while the fit leaves 5 residual degrees of freedom and
    is of full rank, as in the estimate step. A link is left out when ``data`` lacks one of
    its variables or its fit is singular or leaves under 2 degrees of freedom (the adjusted
    interval costs the confounder one). At respondent level the standard error is OLS's, which
    treats respondents of a site as independent: the intervals are then too narrow.
    """
    import numpy as np

    from mechmap.mechanism.estimate import MIN_PRECISION_DF, fit_moments, fit_weights
    from mechmap.stats.moments import ols

    def point_fit(p: EffectPlan, covariates: tuple[str, ...]):
        regressors = (p.cause, *covariates)
        weights = fit_weights(data, p.effect, regressors)
        moments = fit_moments(data, None if weights is None else weights.weights[data.clusters])
        return ols(moments, moments.combine(np.ones((1, data.n_sites))), p.effect, regressors)

    found = []
    for p in sensitivity_adjustment(plan).values():
        if not {p.cause, p.effect, *p.covariates} <= set(data.columns):
            continue
        covariates = p.covariates
        if p.precision:
            fit = point_fit(p, covariates)
            if fit.df[0] < MIN_PRECISION_DF or not fit.full_rank[0]:
                covariates = p.adjustment_set or ()
        fit = point_fit(p, covariates)
        if not fit.full_rank[0] or fit.df[0] < 2:
            continue
        estimate, se, df = float(fit.coef[0, 0]), float(fit.se[0, 0]), int(fit.df[0])
        rows = tuple(bias_adjusted(estimate, se, df, rc, re) for rc, re in R2_GRID)
        found.append(Sensitivity(_arrow(p), covariates, estimate, se, df, rows))
    return tuple(found)


def bias_adjusted(
    estimate: float, se: float, df: int, r2_cause: float, r2_effect: float
) -> SensitivityRow:
    """An OLS coefficient and its 95% interval corrected for a hidden confounder with partial
    R² ``r2_cause`` with the cause (given the covariates) and ``r2_effect`` with the effect
    (given cause and covariates), by Cinelli & Hazlett's (2020) bias formula for OLS.

    ``|bias| = se * sqrt(df * r2_effect * r2_cause / (1 - r2_cause))`` is exact in the sample:
    it is the difference between the coefficients without and with the confounder. Its sign
    is not known, so by the usual convention (the authors' sensemakr, ``reduce = TRUE``) the
    bias is taken to push the estimate away from 0 and is removed toward 0: the adjusted
    estimate is ``sign(b) * (|b| - |bias|)``, which crosses 0 when the confounder is strong
    enough. The adjusted standard error is the one the regression with the confounder would
    have, ``se * sqrt((1 - r2_effect) / (1 - r2_cause) * df / (df - 1))``, with the critical t
    at ``df - 1`` degrees of freedom.

    At both R² equal to the robustness value the estimate reaches 0 exactly
    (:func:`mechmap.stats.power.robustness_value`, here the paper's Darfur example):

    >>> from mechmap.stats.power import robustness_value
    >>> rv = robustness_value(4.18445, 783)
    >>> abs(bias_adjusted(0.0973, 0.0973 / 4.18445, 783, rv, rv).estimate) < 1e-12
    True
    """
    if not (0 <= r2_cause < 1 and 0 <= r2_effect <= 1):
        raise ValueError("partial R² must lie in [0, 1), and below 1 for the cause")
    if df < 2:
        raise ValueError(f"df = {df} is too small: the confounder costs one degree of freedom")
    from scipy import stats

    bias = se * math.sqrt(df * r2_effect * r2_cause / (1 - r2_cause))
    adjusted = math.copysign(1.0, estimate) * (abs(estimate) - bias)
    adjusted_se = se * math.sqrt((1 - r2_effect) / (1 - r2_cause) * df / (df - 1))
    half = float(stats.t.ppf(0.975, df - 1)) * adjusted_se
    return SensitivityRow(r2_cause, r2_effect, adjusted, (adjusted - half, adjusted + half))
