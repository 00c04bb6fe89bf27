"""How far the evidence goes toward a mechanism: Kazdin's seven criteria for one path.

Kazdin (Annu Rev Clin Psychol 2007;3:1) lists what it takes to call something a mechanism:
strong association, specificity, consistency, experimental manipulation, timeline, gradient,
and plausibility or coherence. Lewis et al. (Implement Sci 2020;15:21) found that 85% of
implementation studies of mechanisms met three or fewer. Each criterion here is judged from
what mechmap knows (the estimates, the map's structure, its waves, its design and its
arrows' provenance) and says why; ``not assessable`` means the data or map cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
import numpy as np

from mechmap.mechanism.estimate import Estimates, arrow_sign
from mechmap.mechanism.refute import Refutation
from mechmap.stats.moments import Moments, ols

MET, PARTLY, NOT_MET, NOT_ASSESSABLE = "met", "partly met", "not met", "not assessable"


@dataclass(frozen=True)
class Criterion:
    criterion: str
    status: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"criterion": self.criterion, "status": self.status, "reason": self.reason}


def checklist(estimates: Estimates, refutations: list[Refutation]) -> tuple[Criterion, ...]:
    """The seven criteria for the tested path, each with its status and reason."""
    return (
        _association(estimates),
        _specificity(estimates),
        _consistency(estimates, refutations),
        _manipulation(estimates),
        _timeline(estimates),
        _gradient(estimates),
        _plausibility(estimates),
    )


def _association(estimates: Estimates) -> Criterion:
    """Each causal link's adjusted estimate, judged by its calibrated test (the one its
    interval and verdict come from); measurement arrows are not causal steps and sit out."""
    links = [x for x in estimates.links if x.kind == "causal"]
    left_out = len(estimates.links) - len(links)
    aside = f"; {left_out} measurement arrow(s) left out" if left_out else ""
    if not links:
        return Criterion(
            "strong association",
            NOT_ASSESSABLE,
            "every arrow of the path is a measurement arrow: there is no causal link to judge",
        )
    strong, notes = [], []
    for x in links:
        arrow = f"{x.plan.cause} -> {x.plan.effect}"
        if not x.effect.identifiable:
            strong.append(False)
            notes.append(f"{arrow}: not identifiable")
            continue
        sign = arrow_sign(estimates.plan.map, x.plan.cause, x.plan.effect)
        right_way = sign is None or (x.effect.estimate > 0) == (sign == "+")
        strong.append(x.p_value < 0.05 and right_way)
        given = f" given {', '.join(x.plan.covariates)}" if x.plan.covariates else ""
        notes.append(
            f"{arrow}: standardized {x.effect.standardized:.2f}{given}, p = {x.p_value:.3f}"
            + ("" if right_way else " (opposite sign)")
        )
    n = estimates.engine.data.n_sites
    status = MET if all(strong) else PARTLY if any(strong) else NOT_MET
    return Criterion(
        "strong association",
        status,
        f"adjusted estimates over {n} sites, {sum(strong)} of {len(strong)} causal link(s) "
        f"significant in the expected direction ({'; '.join(notes)}){aside}",
    )


def _specificity(estimates: Estimates) -> Criterion:
    plan = estimates.plan
    graph = plan.map.to_networkx()
    on_path = {v for chain in plan.chains for v in chain}
    below = nx.descendants(graph, plan.exposure)
    above = nx.ancestors(graph, plan.outcome)
    others = sorted((below & above) - on_path)
    if not others:
        return Criterion(
            "specificity",
            NOT_ASSESSABLE,
            f"the map names no other path from {plan.exposure} to {plan.outcome}, so there is "
            "no alternative mediator to compare with",
        )
    path = estimates.path
    if not (path.indirect.identifiable and path.direct.identifiable):
        return Criterion(
            "specificity",
            NOT_ASSESSABLE,
            f"alternative mediators ({', '.join(others)}) exist, but the "
            + ("indirect" if not path.indirect.identifiable else "direct")
            + " effect is not identifiable, so the paths cannot be compared",
        )
    indirect_clear = path.indirect.ci[0] > 0 or path.indirect.ci[1] < 0
    rest_clear = path.direct.ci[0] > 0 or path.direct.ci[1] < 0
    if indirect_clear and not rest_clear:
        status, why = MET, "the effect runs through this path; the rest is indistinguishable from 0"
    elif indirect_clear:
        status, why = PARTLY, "this path carries an effect, and so do the other paths"
    else:
        status, why = NOT_MET, "the path's indirect effect is not distinguishable from 0"
    return Criterion("specificity", status, f"{why} (other routes: through {', '.join(others)})")


def _consistency(estimates: Estimates, refutations: list[Refutation]) -> Criterion:
    """Leave-one-site-out stability, and at respondent level the sign of each link within
    each respondent type (e.g. facilitators vs site members)."""
    measurement = {
        f"{x.plan.cause} -> {x.plan.effect}" for x in estimates.links if x.kind == "measurement"
    }
    loo = [r for r in refutations if r.name == "leave one site out" and r.target not in measurement]
    if not loo:
        return Criterion(
            "consistency",
            NOT_ASSESSABLE,
            "nothing identifiable to re-estimate without each site",
        )
    stable = [r for r in loo if r.passed]
    agreeing, by_type = _by_respondent_type(estimates)
    checks = len(loo) + len(by_type)
    good = len(stable) + len(agreeing)
    status = MET if good == checks else PARTLY if good else NOT_MET
    details = "; ".join(f"{r.target}: {r.detail}" for r in loo)
    reason = (
        f"leaving out each site in turn, {len(stable)} of {len(loo)} estimate(s) keep their "
        f"sign ({details})"
    )
    if by_type:
        reason += (
            f"; within respondent types, {len(agreeing)} of {len(by_type)} link(s) have the "
            f"same sign in every type ({'; '.join(by_type)})"
        )
    return Criterion("consistency", status, reason)


def _by_respondent_type(estimates: Estimates) -> tuple[list[str], list[str]]:
    """Links whose slope has one sign across respondent types, and a note per link."""
    data = estimates.engine.data
    if data.level != "respondent" or not data.respondent_types:
        return [], []
    types = np.array(data.respondent_types)
    agreeing, notes = [], []
    for x in estimates.links:
        if not x.effect.identifiable or x.kind == "measurement":
            continue
        p = x.plan
        signs = {}
        for kind in sorted(set(types)):
            rows = types == kind
            sites, clusters = np.unique(data.clusters[rows], return_inverse=True)
            if len(sites) < len(p.covariates) + 4:
                continue  # too few sites of this type to fit the link
            weights = estimates.engine.row_weights((p.effect, (p.cause, *p.covariates)))
            moments = Moments.from_data(
                data.values[rows],
                clusters,
                len(sites),
                data.columns,
                row_weights=None if weights is None else weights[rows],
            )
            fit = ols(
                moments,
                moments.combine(np.ones((1, len(sites)))),
                p.effect,
                (p.cause, *p.covariates),
            )
            if fit.full_rank[0]:
                signs[kind] = float(fit.coef[0, 0])
        if len(signs) < 2:
            continue
        arrow = f"{p.cause} -> {p.effect}"
        slopes = ", ".join(f"{k} {v:.3g}" for k, v in signs.items())
        notes.append(f"{arrow}: {slopes}")
        if len({np.sign(v) for v in signs.values()}) == 1:
            agreeing.append(arrow)
    return agreeing, notes


def _manipulation(estimates: Estimates) -> Criterion:
    plan, m = estimates.plan, estimates.plan.map
    randomized = set(m.design.randomized) if m.design is not None else set()
    variables = {v for v in m.variables if m.variable_info[v].node.id in randomized}
    note = f" ({m.design.note})" if m.design is not None and m.design.note else ""
    if not variables:
        return Criterion(
            "experimental manipulation",
            NOT_MET,
            "the map's design names no randomized node of the map"
            + (note or " (add design: {randomized: [...]} if the study randomized something)"),
        )
    if plan.exposure in variables:
        return Criterion(
            "experimental manipulation",
            MET,
            f"{plan.exposure} was randomized, so its effects are free of confounding",
        )
    graph = m.to_networkx()
    upstream = sorted(v for v in variables if plan.exposure in nx.descendants(graph, v))
    if upstream:
        return Criterion(
            "experimental manipulation",
            PARTLY,
            f"{', '.join(upstream)} was randomized, but {plan.exposure} was not: it follows "
            "the randomized strategy, and its own effects remain observational",
        )
    return Criterion(
        "experimental manipulation",
        NOT_MET,
        f"randomized: {', '.join(sorted(randomized))}; none of them lies upstream of "
        f"{plan.exposure}",
    )


def _timeline(estimates: Estimates) -> Criterion:
    m = estimates.plan.map
    order = m.wave_index
    before, same, unknown = [], [], []
    for x in estimates.links:
        a, b = (m.variable_info[v].wave for v in (x.plan.cause, x.plan.effect))
        arrow = f"{x.plan.cause} -> {x.plan.effect}"
        if a is None or b is None:
            unknown.append(arrow)
        elif order[a] < order[b]:
            before.append(arrow)
        else:
            same.append(f"{arrow} (both at {a})")
    if len(unknown) == len(estimates.links):
        return Criterion(
            "timeline", NOT_ASSESSABLE, "the path's nodes have no waves of measurement"
        )
    status = MET if len(before) == len(estimates.links) else PARTLY if before else NOT_MET
    parts = []
    if before:
        parts.append(f"cause measured before effect for {', '.join(before)}")
    if same:
        parts.append(f"measured in the same wave, so order is not shown, for {', '.join(same)}")
    if unknown:
        parts.append(f"no wave for {', '.join(unknown)}")
    return Criterion("timeline", status, "; ".join(parts))


def _gradient(estimates: Estimates) -> Criterion:
    """Dose-response: a strategy (or the exposure) measured on at least three levels whose
    rank association with the first mechanism runs the expected way."""
    plan, m = estimates.plan, estimates.plan.map
    data = estimates.engine.data
    column = data.columns.index(plan.exposure)
    levels = len(set(data.values[:, column].tolist()))
    role = m.variable_info[plan.exposure].node.role
    if estimates.links[0].kind == "measurement":
        return Criterion(
            "gradient",
            NOT_ASSESSABLE,
            f"{plan.exposure} -> {plan.chains[0][1]} is a measurement arrow, not a dose acting",
        )
    if role not in ("strategy", "component") or levels < 3:
        return Criterion(
            "gradient",
            NOT_ASSESSABLE,
            f"the path does not start from a strategy dose measured on 3 or more levels "
            f"({plan.exposure} is a {role.replace('_', ' ')} with {levels} distinct values)",
        )
    tau = estimates.links[0].kendall
    sign = arrow_sign(m, plan.exposure, plan.chains[0][1])
    right_way = sign is None or (tau.statistic > 0) == (sign == "+")
    status = MET if tau.p_value < 0.05 and right_way else NOT_MET
    return Criterion(
        "gradient",
        status,
        f"dose {plan.exposure} vs {plan.chains[0][1]} over {data.n_sites} sites: "
        f"tau = {tau.statistic:.2f}, p = {tau.p_value:.3f}"
        + ("" if status == MET else "; no monotone dose-response shown at this n"),
    )


def _plausibility(estimates: Estimates) -> Criterion:
    m = estimates.plan.map
    backed, weak = [], []
    for chain in estimates.plan.chains:
        for arrow in pairwise(chain):
            edge = m.edge_of.get(arrow)
            name = f"{arrow[0]} -> {arrow[1]}"
            if edge is not None and (
                edge.evidence or edge.provenance in ("data", "figure", "text")
            ):
                source = f"{edge.provenance or 'no provenance'}" + (
                    f", evidence {', '.join(edge.evidence)}" if edge.evidence else ""
                )
                backed.append(f"{name} ({source})")
            else:
                kind = (
                    "carried over from the previous wave"
                    if edge is None
                    else (edge.provenance or "no provenance")
                )
                weak.append(f"{name} ({kind}, no cited evidence)")
    total = len(backed) + len(weak)
    status = MET if not weak else PARTLY if backed else NOT_MET
    parts = [f"{len(backed)} of {total} arrow(s) rest on data, a figure or a text"]
    if weak:
        parts.append(f"without support: {', '.join(weak)}")
    return Criterion("plausibility", status, "; ".join(parts))
