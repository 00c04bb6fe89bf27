"""Estimate step: link coefficients, the path's indirect, direct and total effects, intervals.

Every fit comes from per-site cross-product matrices (:class:`mechmap.stats.moments.Moments`)
combined under site weights: ones for the point estimate, multinomial site counts for the
cluster bootstrap (drawn a chunk at a time) and, for the jackknife (leave one site out), the
total minus each site's own, so memory grows with sites, not with sites squared.

The primary intervals and every verdict come from :mod:`mechmap.stats.inference`, whose
coverage and size hold at 10-60 sites: t intervals for links (CR2 with Bell-McCaffrey
degrees of freedom when respondents are nested in sites) and Monte Carlo intervals for
products and differences of links. The cluster bootstrap's percentile interval is kept as a
check (``ci_bootstrap``) and its resamples feed the refutations; it runs short at a dozen
sites, so no verdict rests on it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from mechmap.data import AnalysisData
from mechmap.mechanism.assumptions import link_model
from mechmap.mechanism.plan import EffectPlan, PathPlan
from mechmap.model import Map
from mechmap.stats.inference import (
    MONTE_CARLO_DRAWS,
    CoefficientInference,
    ProportionWeights,
    coefficient_inference,
    monte_carlo_draws,
    proportion_weights,
)
from mechmap.stats.moments import Moments, OLSFit, ols
from mechmap.stats.power import minimum_detectable_r
from mechmap.stats.resampling import cluster_bootstrap_chunks, percentile_interval
from mechmap.stats.significance import (
    PERMUTATION_MAX_N,
    RankTest,
    coefficient_permutation_p,
    kendall_tau,
    spearman_rho,
)

SUPPORTED, CONTRADICTED, INCONCLUSIVE, UNIDENTIFIED, MEASUREMENT = (
    "supported",
    "contradicted",
    "inconclusive",
    "not identifiable",
    "measurement",
)
_REDRAWS = 50  # rounds of redrawing resamples whose regressions are singular
# Precision covariates stay only while a regression keeps this many residual degrees of
# freedom; every regression needs this many sites beyond its regressors (a residual, and
# bootstrap resamples of full rank). Planning and the sensitivity table follow the same rules.
MIN_PRECISION_DF = 5
SITES_BEYOND_REGRESSORS = 4


@dataclass(frozen=True)
class Draws:
    """One quantity under the point weights, every bootstrap resample, every jackknife
    (leave-one-site-out) weighting and every Monte Carlo draw of the coefficients.

    ``inference`` is the small-sample inference of a single coefficient; quantities made
    from several (products, sums, differences) have none and take the Monte Carlo interval.
    """

    point: float
    boot: np.ndarray
    jackknife: np.ndarray
    monte_carlo: np.ndarray
    inference: CoefficientInference | None = None

    def _combine(self, other: Draws, op) -> Draws:
        return Draws(
            op(self.point, other.point),
            op(self.boot, other.boot),
            op(self.jackknife, other.jackknife),
            op(self.monte_carlo, other.monte_carlo),
        )

    def __mul__(self, other: Draws) -> Draws:
        return self._combine(other, np.multiply)

    def __add__(self, other: Draws) -> Draws:
        return self._combine(other, np.add)

    def __sub__(self, other: Draws) -> Draws:
        return self._combine(other, np.subtract)


@dataclass(frozen=True)
class Effect:
    """An effect with its intervals; ``estimate is None`` when it is not identifiable."""

    estimate: float | None
    standardized: float | None = None
    ci: tuple[float, float] | None = None
    ci_method: str | None = None
    ci_bootstrap: tuple[float, float] | None = None  # a check; no verdict rests on it
    reason: str | None = None
    draws: Draws | None = field(default=None, repr=False, compare=False)

    @property
    def identifiable(self) -> bool:
        return self.estimate is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "estimate": self.estimate,
            "standardized": self.standardized,
            "ci": list(self.ci) if self.ci else None,
            "ci_method": self.ci_method,
            "ci_bootstrap": list(self.ci_bootstrap) if self.ci_bootstrap else None,
            "identifiable": self.identifiable,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Correlation:
    """Pearson's r over the sites (site means of respondents) with its Fisher-z interval:
    what a measurement arrow reports instead of a causal verdict."""

    r: float
    ci: tuple[float, float] | None
    n: int

    def as_dict(self) -> dict[str, object]:
        return {"r": self.r, "ci": list(self.ci) if self.ci else None, "n": self.n}


@dataclass(frozen=True)
class LinkEstimate:
    """One arrow of the path: its coefficient, rank associations and verdict."""

    plan: EffectPlan
    effect: Effect
    p_value: float | None  # the t test of the primary interval: p < 0.05 iff it excludes 0
    p_permutation: float | None  # Freedman-Lane at site level: a check without normality
    df: float | None
    method: str
    n: int
    level: str
    kind: str  # "causal" or "measurement" (a part or an indicator: no causal verdict)
    model: str
    assumptions: tuple[str, ...]
    correlation: Correlation
    kendall: RankTest
    spearman: RankTest
    minimum_detectable_r: float
    verdict: str
    points: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.plan.cause,
            "to": self.plan.effect,
            "kind": self.kind,
            **self.effect.as_dict(),
            "p_value": self.p_value,
            "p_permutation": self.p_permutation,
            "df": self.df,
            "method": self.method,
            "model": self.model,
            "assumptions": list(self.assumptions),
            "correlation": self.correlation.as_dict(),
            "n": self.n,
            "level": self.level,
            "adjustment_set": list(self.plan.covariates),
            "estimand": self.plan.estimand,
            "kendall_tau": _rank_dict(self.kendall),
            "spearman_rho": _rank_dict(self.spearman),
            "minimum_detectable_r": self.minimum_detectable_r,
            "verdict": self.verdict,
            "points": self.points,
        }


@dataclass(frozen=True)
class PathEstimate:
    """The path's effects, built from the same resamples as its links."""

    indirect: Effect
    direct: Effect
    total: Effect
    specific: tuple[tuple[tuple[str, ...], Effect], ...]  # one per chain (parallel mediators)
    verdict: str
    note: str


@dataclass(frozen=True)
class Estimates:
    plan: PathPlan
    links: tuple[LinkEstimate, ...]
    path: PathEstimate
    n_resamples: int
    redrawn: int  # resamples drawn again because a regression in them was singular
    dropped_covariates: tuple[str, ...]  # precision covariates left out for lack of sites
    engine: Engine = field(repr=False, compare=False)


@dataclass(frozen=True, eq=False)
class Weighting:
    """The cross-products of the data as one outcome's regressions weigh its rows, under the
    point and bootstrap weights of the sites and with each site left out (the jackknife)."""

    moments: Moments
    point: np.ndarray
    boot: np.ndarray
    jackknife: np.ndarray


Fit = tuple[str, tuple[str, ...]]  # an outcome and its regressors, the cause first


def fit_weights(
    data: AnalysisData, outcome: str, regressors: tuple[str, ...]
) -> ProportionWeights | None:
    """The site weights of the regression of ``outcome`` on ``regressors``: None unless the
    outcome is a proportion with a denominator, then its inverse estimated variances
    (:func:`~mechmap.stats.inference.proportion_weights`, over sites)."""
    denominators = data.denominators.get(outcome)
    if denominators is None:
        return None
    means = site_means(data)
    column = {name: i for i, name in enumerate(data.columns)}
    per_site = np.empty(data.n_sites)
    per_site[data.clusters] = denominators
    return proportion_weights(
        means[:, column[outcome]], means[:, [column[r] for r in regressors]], per_site
    )


def fit_moments(
    data: AnalysisData,
    row_weights: np.ndarray | None,
    values: np.ndarray | None = None,
    columns: tuple[str, ...] | None = None,
) -> Moments:
    """Moments of ``data`` (or of ``values`` with ``columns``, an altered copy with the same
    rows) under a regression's ``row_weights`` (:meth:`Engine.row_weights`; None: unweighted)."""
    return Moments.from_data(
        data.values if values is None else values,
        data.clusters,
        data.n_sites,
        data.columns if columns is None else columns,
        row_weights=row_weights,
    )


class Engine:
    """The moments of one data set under point and bootstrap weights and with each site left
    out (the jackknife): one set for the unweighted fits and one for each fit of a proportion
    weighted by its variance."""

    def __init__(
        self,
        data: AnalysisData,
        fits: list[Fit],
        n_resamples: int,
        rng: np.random.Generator,
    ):
        self.data = data
        sites = data.n_sites
        self.weights = {fit: fit_weights(data, *fit) for fit in fits}
        moments = {self._key(fit): fit_moments(data, self.row_weights(fit)) for fit in fits}
        boot = _bootstrap_grams(moments, sites, n_resamples, rng)
        self.redrawn = 0
        for _ in range(_REDRAWS):
            singular = np.zeros(n_resamples, dtype=bool)
            for fit in fits:
                key = self._key(fit)
                singular |= ~ols(moments[key], boot[key], *fit).full_rank
            if not singular.any():
                break
            self.redrawn += int(singular.sum())
            redrawn = _bootstrap_grams(moments, sites, int(singular.sum()), rng)
            for key, grams in boot.items():
                grams[singular] = redrawn[key]
        else:
            raise NotEstimable(
                f"{sites} sites vary too little: bootstrap resamples keep making a regression "
                "singular"
            )
        self._weightings = {
            key: Weighting(m, m.combine(np.ones((1, sites))), boot[key], m.leave_one_out())
            for key, m in moments.items()
        }
        self.site_values = site_means(data)
        column = {name: i for i, name in enumerate(data.columns)}
        self.inference = {
            (outcome, regressors): coefficient_inference(
                data.values[:, column[outcome]],
                data.values[:, [column[r] for r in regressors]],
                data.clusters,
                nested=data.level == "respondent",
                weights=self.row_weights((outcome, regressors)),
            )
            for outcome, regressors in fits
        }
        # One joint draw of every coefficient, so that a product or a difference of them
        # carries their correlation (the total effect shares the data with its links).
        fitted = list(self.inference.values())
        draws = monte_carlo_draws(fitted, rng) if fitted else None
        self.monte_carlo = {fit: draws[:, i] for i, fit in enumerate(self.inference)}

    def _key(self, fit: Fit) -> Fit | None:
        return fit if self.weights.get(fit) is not None else None

    def row_weights(self, fit: Fit) -> np.ndarray | None:
        """The weight of each row in the regression ``fit`` (None: unweighted)."""
        weights = self.weights.get(fit)
        return None if weights is None else weights.weights[self.data.clusters]

    def fit(self, outcome: str, regressors: tuple[str, ...]) -> OLSFit:
        """The point fit of ``outcome`` on ``regressors``, weighted as in the estimate."""
        w = self._weightings[self._key((outcome, regressors))]
        return ols(w.moments, w.point, outcome, regressors)

    def coefficient(self, outcome: str, regressors: tuple[str, ...]) -> tuple[Draws, float]:
        """The first regressor's coefficient under every weighting, and its standardized
        point value."""
        w = self._weightings[self._key((outcome, regressors))]
        point = ols(w.moments, w.point, outcome, regressors)
        boot = ols(w.moments, w.boot, outcome, regressors).coef[:, 0]
        jack = ols(w.moments, w.jackknife, outcome, regressors).coef[:, 0]
        fit = (outcome, regressors)
        draws = Draws(
            float(point.coef[0, 0]), boot, jack, self.monte_carlo[fit], self.inference[fit]
        )
        return draws, float(point.std_coef[0, 0])


def _bootstrap_grams(
    moments: dict[Fit | None, Moments], sites: int, n_resamples: int, rng: np.random.Generator
) -> dict[Fit | None, np.ndarray]:
    """Each moments' cross-products under ``n_resamples`` cluster bootstrap resamples, the same
    resamples for all; the weights are drawn a chunk at a time and dropped once combined, so
    memory holds the (B, k, k) results and one chunk, never all B x sites weights."""
    parts: dict[Fit | None, list[np.ndarray]] = {key: [] for key in moments}
    for weights in cluster_bootstrap_chunks(sites, n_resamples, rng):
        for key, m in moments.items():
            parts[key].append(m.combine(weights))
    return {key: np.concatenate(grams) for key, grams in parts.items()}


def estimate(
    plan: PathPlan, data: AnalysisData, n_resamples: int = 2000, seed: int = 0
) -> Estimates:
    """Estimate every identifiable link and the path's effects on ``data``.

    Precision covariates (see :mod:`mechmap.mechanism.plan`) are kept only while each
    regression leaves at least 5 residual degrees of freedom at this number of rows.
    """
    rng = np.random.default_rng(seed)
    _require_variation(data)
    # Unweighted: positive row weights change no regression's rank.
    moments = Moments.from_data(data.values, data.clusters, data.n_sites, data.columns)
    point = moments.combine(np.ones((1, data.n_sites)))
    dropped: list[str] = []
    plans = []
    for p in (*plan.links, plan.total):
        if (
            p.identifiable
            and p.precision
            and (
                data.n_rows - 2 - len(p.covariates) < MIN_PRECISION_DF
                or not _full_rank(moments, point, p)
            )
        ):
            # Too few rows for the extra covariates, or one of them is an exact linear
            # combination of the others (a total score next to its subscales).
            dropped += p.precision
            p = EffectPlan(p.cause, p.effect, p.kind, p.adjustment_set, (), p.reason)
        if p.identifiable and not _full_rank(moments, point, p):
            raise NotEstimable(
                f"the regression of {p.effect} on {', '.join((p.cause, *p.covariates))} is "
                "singular: a variable is constant or an exact linear combination of the others "
                "(e.g. a total score and its subscales)"
            )
        plans.append(p)
    *link_plans, total_plan = plans
    fits = [(p.effect, (p.cause, *p.covariates)) for p in plans if p.identifiable]
    _require_sites(data, fits)
    engine = Engine(data, fits, n_resamples, rng)
    links = tuple(_link(plan, p, engine, rng) for p in link_plans)
    path = _path(plan, links, total_plan, engine)
    return Estimates(
        plan, links, path, n_resamples, engine.redrawn, tuple(dict.fromkeys(dropped)), engine
    )


class NotEstimable(ValueError):
    """The data cannot support a regression the path needs (too few sites, no variation)."""


def _full_rank(moments: Moments, point: np.ndarray, p: EffectPlan) -> bool:
    return bool(ols(moments, point, p.effect, (p.cause, *p.covariates)).full_rank[0])


def _require_variation(data: AnalysisData) -> None:
    """Every variable must vary between sites."""
    for name, column in zip(data.columns, site_means(data).T, strict=True):
        if np.ptp(column) == 0:
            raise NotEstimable(
                f"{name} has the same value ({column[0]:g}) at every site: nothing about it "
                "can be estimated from these data"
            )


def _require_sites(data: AnalysisData, fits: list[tuple[str, tuple[str, ...]]]) -> None:
    """Every regression needs more sites than terms, with room for a residual and for the
    bootstrap to find resamples of full rank: at least 4 sites beyond its regressors."""
    for outcome, regressors in fits:
        needed = len(regressors) + SITES_BEYOND_REGRESSORS
        if data.n_sites < needed:
            given = f" and {len(regressors) - 1} covariate(s)" if len(regressors) > 1 else ""
            raise NotEstimable(
                f"{data.n_sites} sites are too few: the regression of {outcome} on "
                f"{regressors[0]}{given} needs at least {needed}"
            )


def _effect(draws: Draws, standardized: float) -> Effect:
    if draws.inference is not None:
        ci, method = draws.inference.interval(), draws.inference.method
    else:
        ci = percentile_interval(draws.monte_carlo)
        method = (
            f"Monte Carlo interval ({MONTE_CARLO_DRAWS:,} joint draws of the links from their "
            "t distributions)"
        )
    return Effect(
        draws.point, standardized, ci, method, percentile_interval(draws.boot), draws=draws
    )


def _link(plan: PathPlan, p: EffectPlan, engine: Engine, rng: np.random.Generator) -> LinkEstimate:
    data, site_values = engine.data, engine.site_values
    column = {name: i for i, name in enumerate(data.columns)}
    # Rank associations and the correlation are descriptive and bivariate; at respondent
    # level they would treat respondents of one site as independent, so they are always
    # computed over sites.
    x, y = site_values[:, column[p.cause]], site_values[:, column[p.effect]]
    kendall, spearman = kendall_tau(x, y, rng), spearman_rho(x, y, rng)
    n = data.n_rows
    detectable = minimum_detectable_r(data.n_sites, len(p.covariates))
    edge = plan.map.edge_of.get((p.cause, p.effect))
    kind = "measurement" if edge is not None and edge.is_measurement else "causal"
    model, assumptions = link_model(plan.map, p, data, kind)
    common = dict(
        n=n,
        level=data.level,
        kind=kind,
        model=model,
        assumptions=assumptions,
        correlation=_correlation(x, y),
        kendall=kendall,
        spearman=spearman,
        minimum_detectable_r=detectable,
    )
    if not p.identifiable:
        return LinkEstimate(
            p,
            Effect(None, reason=p.reason),
            None,
            None,
            None,
            "not estimated",
            verdict=UNIDENTIFIED,
            points=_points(data, site_values, column, p, ()),
            **common,
        )
    regressors = (p.cause, *p.covariates)
    draws, standardized = engine.coefficient(p.effect, regressors)
    effect = _effect(draws, standardized)
    inference = draws.inference
    p_permutation = None
    if data.level == "site" and n <= PERMUTATION_MAX_N:
        p_permutation = coefficient_permutation_p(
            data.column(p.effect),
            data.column(p.cause),
            data.values[:, [column[c] for c in p.covariates]],
            rng,
            weights=engine.row_weights((p.effect, regressors)),
        )
    rows = f"{n} sites" if data.level == "site" else f"{n} respondents"
    weights = engine.weights[(p.effect, regressors)]
    if weights is None:
        method = f"OLS over {rows}; {inference.method}"
    else:
        method = (
            f"weighted least squares over {rows}, weights 1 / ({weights.between:.2g} + "
            f"{weights.pooled:.3g} x {1 - weights.pooled:.3g} / {p.effect}'s denominator): "
            "between-site plus sampling variance; "
            f"{inference.method}"
        )
    if kind == "measurement":
        method = (
            f"Pearson r over {data.n_sites} sites with a Fisher-z interval (no causal verdict); "
            f"the coefficient ({method}) is kept for the path's products"
        )
    if kind == "measurement":
        verdict = MEASUREMENT
    else:
        verdict = _verdict(effect.ci, arrow_sign(plan.map, p.cause, p.effect))
    return LinkEstimate(
        p,
        effect,
        inference.p_value(),
        p_permutation,
        inference.df,
        method,
        verdict=verdict,
        points=_points(data, site_values, column, p, p.covariates),
        **common,
    )


def _correlation(x: np.ndarray, y: np.ndarray) -> Correlation:
    """Pearson's r with the Fisher-z 95% interval (none below 4 sites)."""
    r = float(np.corrcoef(x, y)[0, 1])
    n = len(x)
    if n < 4 or abs(r) >= 1:
        return Correlation(r, None, n)
    half = float(stats.norm.ppf(0.975)) / np.sqrt(n - 3)
    z = np.arctanh(r)
    return Correlation(r, (float(np.tanh(z - half)), float(np.tanh(z + half))), n)


def _path(
    plan: PathPlan, links: tuple[LinkEstimate, ...], total_plan: EffectPlan, engine: Engine
) -> PathEstimate:
    by_arrow = {(x.plan.cause, x.plan.effect): x for x in links}
    specific: list[tuple[tuple[str, ...], Effect]] = []
    for chain in plan.chains:
        parts = [by_arrow[(u, v)] for u, v in itertools.pairwise(chain)]
        missing = [x for x in parts if not x.effect.identifiable]
        if missing:
            names = ", ".join(f"{x.plan.cause} -> {x.plan.effect}" for x in missing)
            specific.append((chain, Effect(None, reason=f"{names} not identifiable")))
            continue
        draws = parts[0].effect.draws
        standardized = parts[0].effect.standardized
        for x in parts[1:]:
            draws = draws * x.effect.draws
            standardized *= x.effect.standardized
        specific.append((chain, _effect(draws, standardized)))
    if all(e.identifiable for _, e in specific):
        draws, standardized = specific[0][1].draws, specific[0][1].standardized
        for _, e in specific[1:]:
            draws, standardized = draws + e.draws, standardized + e.standardized
        indirect = _effect(draws, standardized)
    else:
        reasons = "; ".join(e.reason for _, e in specific if not e.identifiable)
        indirect = Effect(None, reason=reasons)
    if total_plan.identifiable:
        regressors = (total_plan.cause, *total_plan.covariates)
        total_draws, total_std = engine.coefficient(total_plan.effect, regressors)
        total = _effect(total_draws, total_std)
    else:
        total = Effect(None, reason=total_plan.reason)
    if total.identifiable and indirect.identifiable:
        direct = _effect(total.draws - indirect.draws, total.standardized - indirect.standardized)
    else:
        direct = Effect(
            None,
            reason="needs both the total and the indirect effect, and "
            + (
                "the total effect is not identifiable"
                if not total.identifiable
                else "the indirect effect is not identifiable"
            ),
        )
    expect = plan.expect or _chain_sign(plan)
    if not indirect.identifiable:
        verdict = UNIDENTIFIED
        note = (
            f"The indirect effect cannot be estimated from this map and data ({indirect.reason})."
        )
    else:
        verdict = _verdict(indirect.ci, expect)
        note = _path_note(verdict, links, engine.data)
    return PathEstimate(indirect, direct, total, tuple(specific), verdict, note)


def _verdict(ci: tuple[float, float] | None, expect: str | None) -> str:
    if ci is None:
        return UNIDENTIFIED
    lo, hi = ci
    if lo <= 0 <= hi:
        return INCONCLUSIVE
    positive = lo > 0
    if expect in ("+", "-") and positive != (expect == "+"):
        return CONTRADICTED
    return SUPPORTED


def arrow_sign(m: Map, cause: str, effect: str) -> str | None:
    """The sign the map expects for the arrow ``cause -> effect``: ``"+"``, ``"-"``, or
    ``None`` when it is unsigned, ``"?"``, or a carry arrow."""
    edge = m.edge_of.get((cause, effect))
    return edge.sign if edge is not None and edge.sign in ("+", "-") else None


def _chain_sign(plan: PathPlan) -> str | None:
    """The sign the arrows' own signs imply for the path (``None`` if any is unsigned)."""
    signs = []
    for chain in plan.chains:
        sign = 1
        for cause, effect in itertools.pairwise(chain):
            expected = arrow_sign(plan.map, cause, effect)
            if expected is None:
                return None
            sign *= 1 if expected == "+" else -1
        signs.append(sign)
    return ("+" if signs[0] > 0 else "-") if len(set(signs)) == 1 else None


def _path_note(verdict: str, links: tuple[LinkEstimate, ...], data: AnalysisData) -> str:
    n = f"n = {data.n_sites} sites" + (
        f" ({data.n_rows} respondents)" if data.level == "respondent" else ""
    )
    if verdict == INCONCLUSIVE:
        weakest = max(x.minimum_detectable_r for x in links)
        return (
            f"Inconclusive at {n}: the interval includes 0. This is not evidence of no effect: "
            f"each link would need |r| of about {weakest:.2f} to be detected with 80% power."
        )
    if verdict == CONTRADICTED:
        return f"The interval excludes 0 with the sign opposite to the one expected ({n})."
    return f"The interval excludes 0 with the expected sign ({n})."


def site_means(data: AnalysisData) -> np.ndarray:
    """One row per site: the data themselves at site level, site means of respondents else."""
    if data.level == "site":
        return data.values
    sums = np.zeros((data.n_sites, data.values.shape[1]))
    np.add.at(sums, data.clusters, data.values)
    counts = np.bincount(data.clusters, minlength=data.n_sites)
    return sums / counts[:, None]


def residualize(values: np.ndarray, covariates: np.ndarray) -> np.ndarray:
    """Residuals of each column of ``values`` after OLS on ``covariates`` and an intercept."""
    design = np.column_stack([np.ones(len(values)), covariates])
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return values - design @ coef


def _points(
    data: AnalysisData,
    site_values: np.ndarray,
    column: dict[str, int],
    p: EffectPlan,
    covariates: tuple[str, ...],
) -> dict[str, object]:
    """Site points for a scatter plot: raw values, or added-variable residuals when the link
    is adjusted, so the plotted slope is the estimated one."""
    xy = site_values[:, [column[p.cause], column[p.effect]]]
    kind = "raw"
    if covariates:
        xy = residualize(xy, site_values[:, [column[c] for c in covariates]])
        kind = "adjusted"
    return {
        "x": [float(v) for v in xy[:, 0]],
        "y": [float(v) for v in xy[:, 1]],
        "labels": list(data.site_ids),
        "kind": kind,
    }


def _rank_dict(test: RankTest) -> dict[str, object]:
    return {"statistic": test.statistic, "p_value": test.p_value, "method": test.method}
