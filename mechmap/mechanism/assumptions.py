"""What each link's estimate assumes, in words, for every output of a path test.

A coefficient is only as good as its model: a straight line through site means, an ordered
category scored 1..k as if its steps were equal, a proportion fitted as a number. The report
states these next to the estimate, because at a dozen sites nobody can check them from the
data; reviewers can at least see them.

>>> from mechmap.mechanism.assumptions import value_assumption
>>> from mechmap.model import Measure, ValueType
>>> value_assumption(Measure("fidelity", type=ValueType("category", categories=("low", "high"))))
'fidelity is ordinal (low < high), scored 1..2 as if its steps were equal'
"""

from __future__ import annotations

from mechmap.data import AnalysisData
from mechmap.mechanism.plan import EffectPlan
from mechmap.model import Map, Measure


def link_model(m: Map, p: EffectPlan, data: AnalysisData, kind: str) -> tuple[str, tuple[str, ...]]:
    """One sentence naming the model of the link ``p`` and the list of what it assumes."""
    if kind == "measurement":
        model = (
            f"measurement arrow: {p.effect} is a part or an indicator of {p.cause}; reported "
            "as their correlation over sites, with no causal verdict"
        )
    elif not p.identifiable:
        return f"not estimated: {p.reason}", ()
    else:
        given = f", adjusting for {', '.join(p.covariates)}" if p.covariates else ""
        rows = (
            f"{data.n_rows} sites"
            if data.level == "site"
            else f"{data.n_rows} respondents in {data.n_sites} sites (site-level values "
            "repeated for each respondent)"
        )
        model = f"linear regression of {p.effect} on {p.cause}{given}, over {rows}"
    assumptions = []
    if kind == "causal":
        assumptions.append(
            f"the effect of {p.cause} on {p.effect} is linear and the same at every site and "
            "covariate value"
        )
        assumptions.append(
            f"no common cause of {p.cause} and {p.effect} outside the map "
            + (f"(given {', '.join(p.covariates)})" if p.covariates else "(none is adjusted for)")
        )
    if data.level == "site":
        assumptions.append(
            "sites are independent; residuals are roughly normal with equal variance (the "
            "t interval is exact then; the permutation p checks the normality)"
        )
    else:
        assumptions.append(
            "sites are independent; respondents of a site need not be (CR2 cluster-robust errors)"
        )
    by_variable = {measure.variable: measure for measure in data.measures}
    for variable in (p.cause, p.effect, *p.covariates):
        measure = by_variable.get(variable)
        if measure is not None:
            said = value_assumption(measure, data.level, outcome=variable == p.effect)
            if said:
                assumptions.append(said)
    return model, tuple(assumptions)


def value_assumption(measure: Measure, level: str = "site", outcome: bool = False) -> str | None:
    """What reading ``measure`` as a number assumes, or None for a plain continuous value;
    ``outcome``: the measure is the outcome of the regression (a denominator weights only
    an outcome)."""
    name, kind = measure.variable, measure.type.kind
    if kind == "category":
        categories = measure.type.categories
        return (
            f"{name} is ordinal ({' < '.join(categories)}), scored 1..{len(categories)} as if "
            "its steps were equal"
        )
    if kind == "proportion" and not outcome:
        return f"{name} is a proportion (0 to 1) entered as a number"
    if kind == "proportion" and measure.denominator is None:
        return (
            f"{name} is a proportion (0 to 1) fitted as a linear outcome, unweighted (give its "
            "measure a denominator to weight it)"
        )
    if kind == "proportion":
        return (
            f"{name} is a proportion (0 to 1) fitted as a linear outcome, each site weighted by "
            f"the inverse of its variance: binomial sampling of its denominator "
            f"({measure.denominator}) plus a between-site variance estimated from the data"
        )
    if kind == "count":
        return f"{name} is a count fitted as a linear outcome"
    if kind == "likert":
        low, high = measure.type.low, measure.type.high
        return f"{name} is a rating scale ({low:g} to {high:g}) treated as an interval scale"
    if measure.score is not None and level == "site":
        instrument = measure.score.instrument.upper()
        return f"{name} is the site mean of respondents' {instrument} scores"
    return None


def path_assumptions(m: Map) -> tuple[str, ...]:
    """What the path's effects assume beyond their links."""
    return (
        f"the map ({m.id}) is right: its arrows and their absence, so the adjustment sets "
        "close every back-door path (the implied-independence tests can refute parts of it, "
        "never confirm it)",
        "the indirect effect is the product of its links' coefficients: every link is "
        "linear, with no interaction between a cause and a mediator",
        "each cause comes before its effect in time, as the map's waves order them",
    )
