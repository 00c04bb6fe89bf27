"""Power of a path test by number of sites, by simulating studies from the map's effects.

For each planned number of sites, ``sims`` studies are drawn from the map's standardized
linear SEM (:mod:`mechmap.planning.sem`) and each is analysed as ``mechmap test`` analyses
data: the links and the total effect are identified by
:func:`~mechmap.mechanism.plan.plan_test` (same adjustment sets, precision covariates kept
under the same rule), each regression gets the small-sample interval of
:func:`~mechmap.stats.inference.coefficient_inference` (the t interval at site level, CR2
with Bell-McCaffrey degrees of freedom with respondents nested in sites), and the indirect
and direct effects the Monte Carlo interval of
:func:`~mechmap.stats.inference.monte_carlo_draws`. A test "detects" its effect when its
interval excludes 0, the rule behind every supported or contradicted verdict. The power is
the share of studies that detect it, with a Wilson interval for the Monte Carlo error.

The regressions of all studies of one number of sites are fitted at once, and their Monte
Carlo draws made together (:mod:`.batched`, checked against ``coefficient_inference`` and
``monte_carlo_draws`` in the tests): at site level and, with respondents nested in sites,
with each study's own CR2 standard errors and Bell-McCaffrey degrees of freedom. The studies
are simulated and analysed in batches (one scenario, one number of sites, at most 250
studies), each with its own random stream derived from the seed, so the numbers are the same
whether the batches run here or on a Dask cluster (:mod:`.runs`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mechmap.mechanism.pipeline import TestSetupError, resolve_chains
from mechmap.model import Map
from mechmap.planning.sem import LinearSEM

INDIRECT, DIRECT_EFFECT, TOTAL_EFFECT = "indirect_effect", "direct_effect", "total_effect"
LEVELS = (0.8, 0.9)  # the powers whose number of sites is reported
PLAN_DRAWS = 4000  # Monte Carlo draws per simulated study (the test uses 20,000; see docs)


class TooFewSitesError(TestSetupError):
    """A planned number of sites is below what a regression of the path needs."""


@dataclass(frozen=True)
class PowerRow:
    """The power of one test at one number of sites, with its Monte Carlo interval."""

    sites: int
    target: str
    power: float
    ci: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "sites": self.sites,
            "target": self.target,
            "power": self.power,
            "ci": list(self.ci),
        }


@dataclass(frozen=True)
class PowerResult:
    """Power by number of sites for every test of a path (see the module docstring)."""

    hypothesis: str
    method: str
    sims: int
    alpha: float
    sites: tuple[int, ...]
    rows: tuple[PowerRow, ...]
    minimum_detectable_r: Mapping[int, float] = field(default_factory=dict)
    respondents: int | None = None

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.target for r in self.rows))

    def sites_needed(self, level: float) -> dict[str, int | str]:
        """For each target, the smallest planned number of sites reaching ``level`` power,
        or ``"more than N"`` (N the largest planned)."""
        needed: dict[str, int | str] = {}
        for target in self.targets:
            reached = [r.sites for r in self.rows if r.target == target and r.power >= level]
            needed[target] = min(reached) if reached else f"more than {max(self.sites)}"
        return needed

    def as_dict(self) -> dict[str, object]:
        return {
            "hypothesis": self.hypothesis,
            "method": self.method,
            "sims": self.sims,
            "alpha": self.alpha,
            "respondents": self.respondents,
            "rows": [r.as_dict() for r in self.rows],
            "sites_needed": {f"{level:g}": self.sites_needed(level) for level in LEVELS},
            "minimum_detectable_r": {str(n): r for n, r in self.minimum_detectable_r.items()},
        }


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's score interval for a binomial proportion (95% by default).

    >>> [round(x, 3) for x in wilson_interval(80, 100)]
    [0.711, 0.867]
    """
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half /= 1 + z * z / trials
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Design:
    """What every batch of one scenario needs (:mod:`.runs` sends it to the workers): the
    model to simulate, each regression by number of sites, and the analysis settings."""

    name: str
    sem: LinearSEM
    chains: tuple[tuple[str, ...], ...]
    fits: Mapping[int, Mapping[str, tuple[str, tuple[str, ...]]]]
    sims: int
    alpha: float
    n_draws: int
    respondents: int | None
    shares: tuple[float, ...] | None
    single_arrow: bool
    signs: Mapping[str, int]  # each target's planned direction: +1, -1, or 0 (no effect)

    @property
    def sites(self) -> tuple[int, ...]:
        return tuple(self.fits)


def power(
    m: Map,
    sites: Sequence[int],
    *,
    hypothesis: str | None = None,
    path: str | Sequence[str] | None = None,
    effects: Mapping[tuple[str, str], float] | None = None,
    sims: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
    respondents: int | None = None,
    icc: float | None = None,
    n_draws: int = PLAN_DRAWS,
    scheduler: str | None = None,
    progress=None,
) -> PowerResult:
    """Power of every test of a path of ``m`` at each number of ``sites``.

    ``effects`` overrides the map's ``effect:`` values (arrow variables -> standardized
    coefficient). ``respondents`` per site makes the design nested, each variable's
    residual split by its node's ``icc:`` (else ``icc``; strategies are site-level).
    ``scheduler`` (``tcp://host:port``) runs the batches on a Dask cluster, with the same
    numbers as here (:mod:`.runs`); ``progress`` is called once per batch done. Raises
    :class:`TestSetupError` for a plan that cannot be simulated,
    :class:`~mechmap.diagnostics.MapError` (located) for missing or impossible effects and
    :class:`~mechmap.planning.runs.SchedulerError` for a scheduler out of reach.
    """
    from mechmap.planning.runs import run

    scenario = design(
        m,
        sites,
        hypothesis=hypothesis,
        path=path,
        effects=effects,
        sims=sims,
        alpha=alpha,
        respondents=respondents,
        icc=icc,
        n_draws=n_draws,
    )
    (counts,) = run([scenario], seed, scheduler, progress)
    return summarise(scenario, counts)


def design(
    m: Map,
    sites: Sequence[int],
    *,
    hypothesis: str | None = None,
    path: str | Sequence[str] | None = None,
    effects: Mapping[tuple[str, str], float] | None = None,
    sims: int = 1000,
    alpha: float = 0.05,
    respondents: int | None = None,
    icc: float | None = None,
    n_draws: int = PLAN_DRAWS,
) -> Design:
    """The checked :class:`Design` of one scenario (arguments and errors as :func:`power`)."""
    from mechmap.mechanism.plan import plan_test
    from mechmap.planning.sem import linear_sem
    from mechmap.planning.simulate import variable_iccs

    if not 0 < alpha < 1:
        raise TestSetupError("--alpha must lie strictly between 0 and 1")
    if sims < 10:
        raise TestSetupError("--sims must be at least 10")
    sites = tuple(sorted(set(sites)))
    if not sites:
        raise TestSetupError("give at least one number of sites")
    chains, expect = resolve_chains(m, hypothesis, path)
    arrows = {(u, v) for chain in chains for u, v in itertools.pairwise(chain)}
    sem = linear_sem(m, effects, required=arrows)
    measured = {v for v, seen in zip(sem.variables, sem.observed, strict=True) if seen}
    plan = plan_test(m, chains, measured, hypothesis, expect)
    _require_identifiable(plan)
    if respondents is not None and respondents < 2:
        raise TestSetupError("--respondents must be at least 2 per site")
    shares = variable_iccs(m, sem, icc) if respondents is not None else None
    for n in sites:
        _require_sites(plan, n)
    return Design(
        name=hypothesis or " ; ".join(" -> ".join(c) for c in chains),
        sem=sem,
        chains=tuple(tuple(c) for c in plan.chains),
        fits={n: _fits(plan, n * (respondents or 1)) for n in sites},
        sims=sims,
        alpha=alpha,
        n_draws=n_draws,
        respondents=respondents,
        shares=shares,
        single_arrow=len(chains) == 1 and len(chains[0]) == 2,
        signs=_planned_signs(sem, plan),
    )


def summarise(scenario: Design, counts: Mapping[int, Mapping[str, int]]) -> PowerResult:
    """The :class:`PowerResult` of a design from its detections by number of sites."""
    from mechmap.stats.power import minimum_detectable_r

    sims, alpha = scenario.sims, scenario.alpha
    rows = [
        PowerRow(n, target, hits / sims, wilson_interval(hits, sims))
        for n in scenario.sites
        for target, hits in counts[n].items()
        # A one-arrow path: its indirect effect is the link itself, its direct effect 0.
        if not (scenario.single_arrow and target in (INDIRECT, DIRECT_EFFECT, TOTAL_EFFECT))
    ]
    # The weakest link's: the one with the most covariates at that number of sites.
    detectable = {
        n: max(
            minimum_detectable_r(n, len(regressors) - 1, power=0.8, alpha=alpha)
            for name, (_, regressors) in scenario.fits[n].items()
            if name != TOTAL_EFFECT
        )
        for n in scenario.sites
    }
    analysis = (
        f"{scenario.respondents} respondents per site, CR2 t intervals with Bell-McCaffrey df"
        if scenario.respondents is not None
        else "one row per site, OLS t intervals"
    )
    method = (
        f"{sims:,} simulated studies per number of sites from the map's standardized effects; "
        f"{analysis}; Monte Carlo intervals ({scenario.n_draws:,} draws) for the indirect and "
        f"direct effects; a test detects its effect when its {1 - alpha:.0%} interval "
        "lies on the planned effect's side of 0 (either side for a planned 0); minimum "
        "detectable r of the link with the most covariates, one row per site"
    )
    return PowerResult(
        scenario.name,
        method,
        sims,
        alpha,
        scenario.sites,
        tuple(rows),
        detectable,
        scenario.respondents,
    )


def _planned_signs(sem: LinearSEM, plan) -> dict[str, int]:
    """The direction of every target's true effect under ``sem``: each link's coefficient,
    the total effect of the path's cause on its outcome (all directed paths), the indirect
    effect along the planned chains, and the direct effect, their difference."""
    import numpy as np

    index = {v: i for i, v in enumerate(sem.variables)}
    total_effects = np.linalg.inv(np.eye(len(index)) - np.asarray(sem.coefficients))

    def sign(value: float) -> int:
        return 0 if abs(value) < 1e-12 else int(np.sign(value))

    signs = {f"{p.cause} -> {p.effect}": sign(sem.effect(p.cause, p.effect)) for p in plan.links}
    indirect = sum(
        math.prod(sem.effect(u, v) for u, v in itertools.pairwise(chain)) for chain in plan.chains
    )
    total = float(total_effects[index[plan.total.effect], index[plan.total.cause]])
    return {
        **signs,
        TOTAL_EFFECT: sign(total),
        INDIRECT: sign(indirect),
        DIRECT_EFFECT: sign(total - indirect),
    }


def _require_identifiable(plan) -> None:
    blocked = [p for p in (*plan.links, plan.total) if not p.identifiable]
    if not blocked:
        return
    planned = [f"{p.cause} -> {p.effect}" for p in plan.links if p.identifiable]
    reasons = "; ".join(f"{p.cause} -> {p.effect}: {_reason(plan, p)}" for p in blocked)
    rest = (
        f"the links that can still be planned: {', '.join(planned)} (--path 'a -> b')"
        if planned
        else "no link of it can be planned"
    )
    raise TestSetupError(
        f"the path is not identifiable from the measured variables ({reasons}); {rest}"
    )


def _reason(plan, p) -> str:
    """Why ``p`` is not identifiable, in planning terms: an end that is latent is never
    observed (the test step's reason speaks of data not bound)."""
    hidden = [v for v in (p.cause, p.effect) if v not in plan.measured]
    if hidden:
        return f"{hidden[0]} is latent (never observed); measure it to plan this link"
    return p.reason


def _fits(plan, rows: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each link's and the total effect's regression (outcome, regressors with the cause
    first) at ``rows`` rows, precision covariates dropped as the estimate step drops them
    (fewer than 5 residual degrees of freedom)."""
    from mechmap.mechanism.estimate import MIN_PRECISION_DF

    fits = {}
    for p in (*plan.links, plan.total):
        covariates = (
            p.covariates if rows - 2 - len(p.covariates) >= MIN_PRECISION_DF else p.adjustment_set
        )
        name = TOTAL_EFFECT if p is plan.total else f"{p.cause} -> {p.effect}"
        fits[name] = (p.effect, (p.cause, *covariates))
    return fits


def _require_sites(plan, sites: int) -> None:
    """The estimate step's rule: a regression needs 4 sites beyond its regressors."""
    from mechmap.mechanism.estimate import SITES_BEYOND_REGRESSORS

    for p in (*plan.links, plan.total):
        regressors = 1 + len(p.adjustment_set or ())
        needed = regressors + SITES_BEYOND_REGRESSORS
        if sites < needed:
            given = f" and {regressors - 1} covariate(s)" if regressors > 1 else ""
            raise TooFewSitesError(
                f"{sites} sites are too few: the regression of {p.effect} on {p.cause}{given} "
                f"needs at least {needed}; plan for more sites"
            )
