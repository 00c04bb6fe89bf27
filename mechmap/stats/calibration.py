"""How well mechmap's intervals cover and its tests keep their size, by simulation.

A study is simulated from a known mediation model, cause -> mediator -> outcome with a direct
arrow, and analysed with the same functions the estimate step uses
(:func:`~mechmap.stats.inference.coefficient_inference` for each link,
:func:`~mechmap.stats.inference.monte_carlo_draws` for the indirect effect). Repeating that
gives the coverage of the 95% intervals and the rejection rate of the tests at 0.05: the
size when the effect is 0, the power when it is not.

Two designs: one row per site, or respondents nested in sites (2-5 per site) with a site-level
cause and a mediator and outcome whose site effects give them an intraclass correlation of
``icc``. The links' sizes are in standard deviations of the mediator's and the outcome's
residuals, so ``a = b = 0.6`` is a strong but not unusual link for these studies.

A third design checks a proportion weighted by its denominator
(:func:`calibrate_rates`): site rates that are binomial shares of 20-400 patients, fitted by
weighted least squares and, for comparison, unweighted.

>>> import numpy as np
>>> result = calibrate(Scenario(sites=12), studies=50, rng=np.random.default_rng(0))
>>> result.studies, 0.8 <= result.link_coverage <= 1.0
(50, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechmap.stats.inference import coefficient_inference, monte_carlo_draws, proportion_weights

_DIRECT = 0.2  # the cause's arrow straight to the outcome


@dataclass(frozen=True)
class Scenario:
    """One simulated design: ``sites``, whether respondents are nested in them, their ICC,
    and the links cause -> mediator (``a``) and mediator -> outcome (``b``)."""

    sites: int
    nested: bool = False
    icc: float = 0.2
    a: float = 0.6
    b: float = 0.6


@dataclass(frozen=True)
class Calibration:
    """Coverage of the 95% intervals and rejection rates at 0.05 over ``studies`` studies.

    ``link_*`` is the mediator -> outcome link (a respondent-level regressor when nested);
    ``*_size`` comes from studies with that effect set to 0 (for the indirect effect: with
    ``a = 0``, the composite null's least favourable side); ``*_power`` from the scenario's
    own effects.
    """

    scenario: Scenario
    studies: int
    link_coverage: float
    indirect_coverage: float
    link_size: float
    indirect_size: float
    link_power: float
    indirect_power: float


def simulate_study(
    scenario: Scenario, rng: np.random.Generator, a: float | None = None, b: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One study's cause, mediator, outcome (a row each per site or respondent) and the
    row's site number."""
    a = scenario.a if a is None else a
    b = scenario.b if b is None else b
    g = scenario.sites
    if scenario.nested:
        clusters = np.repeat(np.arange(g), rng.integers(2, 6, size=g))
    else:
        clusters = np.arange(g)
    n = len(clusters)
    cause = rng.standard_normal(g)[clusters]

    def residual() -> np.ndarray:
        if not scenario.nested:
            return rng.standard_normal(n)
        site = rng.standard_normal(g)[clusters]
        return np.sqrt(scenario.icc) * site + np.sqrt(1 - scenario.icc) * rng.standard_normal(n)

    mediator = a * cause + residual()
    outcome = b * mediator + _DIRECT * cause + residual()
    return cause, mediator, outcome, clusters


def analyse_study(
    cause: np.ndarray,
    mediator: np.ndarray,
    outcome: np.ndarray,
    clusters: np.ndarray,
    nested: bool,
    rng: np.random.Generator,
    n_draws: int = 4000,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The 95% intervals of the mediator -> outcome link and of the indirect effect, as the
    estimate step computes them."""
    first = coefficient_inference(mediator, cause[:, None], clusters, nested)
    second = coefficient_inference(outcome, np.column_stack([mediator, cause]), clusters, nested)
    draws = monte_carlo_draws([first, second], rng, n_draws)
    lo, hi = np.quantile(draws[:, 0] * draws[:, 1], [0.025, 0.975])
    return second.interval(), (float(lo), float(hi))


def calibrate(
    scenario: Scenario, studies: int, rng: np.random.Generator, n_draws: int = 4000
) -> Calibration:
    """Coverage, size and power of the link and indirect-effect intervals for ``scenario``."""
    covered = np.zeros(2)
    rejected_null = np.zeros(2)
    rejected = np.zeros(2)
    truth = (scenario.b, scenario.a * scenario.b)
    for _ in range(studies):
        *study, clusters = simulate_study(scenario, rng)
        intervals = analyse_study(*study, clusters, scenario.nested, rng, n_draws)
        for i, (lo, hi) in enumerate(intervals):
            covered[i] += lo <= truth[i] <= hi
            rejected[i] += lo > 0 or hi < 0
        *null_link, clusters = simulate_study(scenario, rng, b=0.0)
        link, _ = analyse_study(*null_link, clusters, scenario.nested, rng, n_draws)
        rejected_null[0] += link[0] > 0 or link[1] < 0
        *null_path, clusters = simulate_study(scenario, rng, a=0.0)
        _, indirect = analyse_study(*null_path, clusters, scenario.nested, rng, n_draws)
        rejected_null[1] += indirect[0] > 0 or indirect[1] < 0
    (link_cov, ind_cov), (link_size, ind_size), (link_power, ind_power) = (
        (counts / studies).tolist() for counts in (covered, rejected_null, rejected)
    )
    return Calibration(
        scenario, studies, link_cov, ind_cov, link_size, ind_size, link_power, ind_power
    )


RATE_FITS = ("inverse variance", "denominator", "unweighted")


@dataclass(frozen=True)
class RateCalibration:
    """A site rate's link under three fits, by name in :data:`RATE_FITS`: weighted by the
    inverse of its estimated variance (mechmap's, :func:`proportion_weights`), by the
    denominator alone, and unweighted. For each, the coverage of its 95% interval (at the
    true slope), the size of its test at 0.05 (slope 0) and the mean width of its interval
    relative to the unweighted one."""

    sites: int
    studies: int
    spread: float
    coverage: dict[str, float]
    size: dict[str, float]
    width: dict[str, float]


def simulate_rates(
    sites: int,
    rng: np.random.Generator,
    slope: float = 0.05,
    patients: tuple[int, int] = (20, 400),
    spread: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One study of site rates: a cause, a covariate (a common cause of both), each site's
    denominator (``patients`` range) and its rate, the binomial share of patients screened
    when the true rate is ``0.3 + slope * cause + 0.03 * covariate`` plus a site deviation
    of SD ``spread`` (0: sites differ only by sampling)."""
    covariate = rng.standard_normal(sites)
    cause = 0.5 * covariate + rng.standard_normal(sites)
    denominator = rng.integers(patients[0], patients[1] + 1, size=sites)
    deviation = spread * rng.standard_normal(sites)
    truth = np.clip(0.3 + slope * cause + 0.03 * covariate + deviation, 0.02, 0.98)
    return cause, covariate, denominator, rng.binomial(denominator, truth) / denominator


def calibrate_rates(
    sites: int, studies: int, rng: np.random.Generator, slope: float = 0.05, spread: float = 0.0
) -> RateCalibration:
    """:class:`RateCalibration` of the rate's regression on the cause and the covariate;
    ``spread`` as in :func:`simulate_rates`."""
    covered = np.zeros(len(RATE_FITS))
    rejected = np.zeros(len(RATE_FITS))
    width = np.zeros(len(RATE_FITS))
    for _ in range(studies):
        for true_slope in (slope, 0.0):
            cause, covariate, denominator, rate = simulate_rates(
                sites, rng, true_slope, spread=spread
            )
            regressors = np.column_stack([cause, covariate])
            weights = (proportion_weights(rate, regressors, denominator).weights, denominator, None)
            for i, w in enumerate(weights):
                lo, hi = coefficient_inference(
                    rate, regressors, np.arange(sites), weights=w
                ).interval()
                if true_slope:
                    covered[i] += lo <= true_slope <= hi
                    width[i] += hi - lo
                else:
                    rejected[i] += lo > 0 or hi < 0
    return RateCalibration(
        sites,
        studies,
        spread,
        dict(zip(RATE_FITS, (covered / studies).tolist(), strict=True)),
        dict(zip(RATE_FITS, (rejected / studies).tolist(), strict=True)),
        dict(zip(RATE_FITS, (width / width[-1]).tolist(), strict=True)),
    )
