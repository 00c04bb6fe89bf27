"""What changed? The change in an outcome's mean between two data sets, attributed to the nodes
whose causal mechanisms changed (Budhathoki, Janzing, Bloebaum & Ng, AISTATS 2021).

Two models are fitted on the same measured graph, one on the *before* sites and one on the
*after* sites. Swapping a node's mechanism from its before fit to its after fit moves the
outcome's mean; each node's contribution is its Shapley value over all orders of swapping
(DoWhy's ``distribution_change_of_graphs`` with the mean difference, exact Shapley values), so
the contributions add up to the change between the two fitted models. With linear mechanisms
that change equals the observed difference of the outcome's means up to the Monte Carlo error
of the samples drawn (``samples``); both are reported.

Every node gets its own fit in each data set. DoWhy's ``distribution_change`` first tests each
mechanism for a change and pools the data of those it does not flag, setting their
contribution to exactly 0; at a dozen sites that test has little power, so it would hide
changes rather than find them. The site bootstrap (sites resampled within before and within
after, everything refitted) shows the uncertainty instead. The multiply robust estimator
(``distribution_change_robust``) cross-fits regressions and classifiers in 5 folds, which at
11 sites a data set leaves 2 sites per fold and class.

>>> ChangeResult.small_n_words(11, 0.95).split(":")[0]
'at 11 sites per data set this attribution is uncertain'
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mechmap.gcm.evaluation import FitCheck
from mechmap.gcm.model import (
    SiteData,
    fit_scm,
    measured_graph,
    quiet_gcm,
    require_sites,
    site_data,
)
from mechmap.gcm.waves import common_graph, time_indexed, wave_question
from mechmap.model import Map, Measures
from mechmap.stats.resampling import percentile_interval

SMALL_N = 30
ASSUMPTIONS = (
    "the map is the true causal DAG, the same before and after",
    "no unmeasured common cause of two measured nodes (nodes without data are absorbed by "
    "latent projection)",
    "each node's mechanism is as fitted (see the fit checks)",
    "the sites are independent units, resampled as whole sites",
)


@dataclass(frozen=True)
class Estimate:
    estimate: float
    ci: tuple[float, float]

    @property
    def inconclusive(self) -> bool:
        return self.ci[0] <= 0 <= self.ci[1]

    def as_dict(self) -> dict[str, Any]:
        return {"estimate": self.estimate, "ci": list(self.ci)}


@dataclass(frozen=True)
class Contribution(Estimate):
    node: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, **super().as_dict()}


@dataclass(frozen=True)
class ChangeResult:
    """The attribution of the change in ``outcome``'s mean from before to after."""

    outcome: str
    n_before: int
    n_after: int
    level: str
    change: Estimate
    observed: tuple[float, float]  # the outcome's mean before and after, in the data
    contributions: tuple[Contribution, ...]
    confidence: float
    n_resamples: int
    samples: int
    mechanisms: str
    seed: int
    fit_checks: tuple[tuple[str, FitCheck], ...]
    synthetic: bool = False
    dropped: tuple[str, ...] = ()

    @staticmethod
    def small_n_words(n: int, confidence: float) -> str:
        return (
            f"at {n} sites per data set this attribution is uncertain: a contribution whose "
            f"{confidence:.0%} interval includes 0 is inconclusive, not absent"
        )

    @property
    def notes(self) -> tuple[str, ...]:
        n = min(self.n_before, self.n_after)
        notes = [self.small_n_words(n, self.confidence)] if n < SMALL_N else []
        gap = self.change.estimate - (self.observed[1] - self.observed[0])
        notes.append(
            f"the fitted models' change differs from the observed difference of means by "
            f"{gap:+.3g} (Monte Carlo error of {self.samples:,} samples, and the fit)"
        )
        return tuple(notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "level": self.level,
            "change": self.change.as_dict(),
            "observed": {"before": self.observed[0], "after": self.observed[1]},
            "contributions": [c.as_dict() for c in self.contributions],
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "samples": self.samples,
            "mechanisms": self.mechanisms,
            "seed": self.seed,
            "fit_checks": [{"data": d, **c.as_dict()} for d, c in self.fit_checks],
            "assumptions": list(ASSUMPTIONS),
            "notes": list(self.notes),
            "synthetic": self.synthetic,
            "dropped": list(self.dropped),
        }


def attribute(graph, before, after, outcome: str, mechanisms: str, samples: int) -> dict:
    """Contributions of each node to the change in ``outcome``'s mean (one fit, no interval)."""
    import numpy as np
    from dowhy.gcm.distribution_change import distribution_change_of_graphs
    from dowhy.gcm.shapley import ShapleyApproximationMethods, ShapleyConfig

    old, new = fit_scm(graph, before, mechanisms), fit_scm(graph, after, mechanisms)
    exact = len(graph) <= 10
    config = ShapleyConfig(
        approximation_method=ShapleyApproximationMethods.EXACT
        if exact
        else ShapleyApproximationMethods.AUTO,
        n_jobs=1,
    )
    found = distribution_change_of_graphs(
        old,
        new,
        outcome,
        num_samples=samples,
        difference_estimation_func=lambda a, b: float(np.mean(b) - np.mean(a)),
        shapley_config=config,
    )
    return {str(node): float(value) for node, value in found.items()}


def _resamples(args) -> list[dict]:
    """Bootstrap attributions for a list of seeds (a worker's share)."""
    import numpy as np

    graph, before, after, outcome, mechanisms, samples, seeds = args
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        b = before.iloc[rng.integers(0, len(before), len(before))]
        a = after.iloc[rng.integers(0, len(after), len(after))]
        with quiet_gcm(int(seed % 2**32)):
            out.append(attribute(graph, b, a, outcome, mechanisms, samples))
    return out


def bootstrap(worker, args: tuple, n_resamples: int, seed: int, jobs: int) -> list[dict]:
    """``worker((*args, seeds))`` over ``n_resamples`` seeds drawn from ``seed``, shared among
    ``jobs`` processes (one: in this process); the draws in seed order per worker."""
    import numpy as np

    seeds = np.random.SeedSequence(seed).generate_state(n_resamples, dtype=np.uint64)
    work = [(*args, share) for i in range(jobs) if (share := list(seeds[i::jobs]))]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return [d for part in pool.map(worker, work) for d in part]
    return [d for w in work for d in worker(w)]


def explain_change(
    map: Map | str | Path,
    before: Any,
    after: Any,
    outcome: str,
    *,
    measures: Measures | str | Path | None = None,
    wave_before: str | None = None,
    wave_after: str | None = None,
    mechanisms: str = "linear",
    n_resamples: int = 200,
    samples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    jobs: int = 1,
    fit_checks: bool = True,
) -> ChangeResult:
    """Attribute the change in ``outcome``'s mean from ``before`` to ``after`` (files or data
    frames; or one long table twice with ``wave_before``/``wave_after``) to the nodes whose
    mechanisms changed, with site-bootstrap intervals (``jobs`` processes share them)."""
    from mechmap.mapfile.loader import load

    m = map if isinstance(map, Map) else load(map)
    by_wave = wave_before is not None and wave_after is not None and time_indexed(m)
    if by_wave:  # the map's own reason first, before any data are read
        common_graph(m, wave_before, wave_after)
    old = site_data(m, before, measures, wave=wave_before)
    new = site_data(m, after, measures, wave=wave_after)
    _same_nodes(old, new)
    if by_wave:
        graph = wave_question(m, wave_before, wave_after, set(old.frame.columns), outcome)
        nodes = [v for v in old.frame.columns if v in graph]
    else:
        graph = measured_graph(m, set(old.frame.columns), outcome)
        nodes = [v for v in m.variables if v in graph]
    require_sites(graph, old, "the before data")
    require_sites(graph, new, "the after data")
    b, a = old.frame[nodes], new.frame[nodes]
    with quiet_gcm(seed):
        point = attribute(graph, b, a, outcome, mechanisms, samples)
        checks = _checks(graph, b, a, mechanisms) if fit_checks else ()
    draws = bootstrap(
        _resamples, (graph, b, a, outcome, mechanisms, samples), n_resamples, seed, jobs
    )
    contributions = tuple(
        Contribution(point[v], percentile_interval([d[v] for d in draws], confidence), node=v)
        for v in nodes
    )
    totals = [sum(d.values()) for d in draws]
    total = Estimate(sum(point.values()), percentile_interval(totals, confidence))
    return ChangeResult(
        outcome=outcome,
        n_before=old.n_sites,
        n_after=new.n_sites,
        level=old.level,
        change=total,
        observed=(float(b[outcome].mean()), float(a[outcome].mean())),
        contributions=contributions,
        confidence=confidence,
        n_resamples=n_resamples,
        samples=samples,
        mechanisms=mechanisms,
        seed=seed,
        fit_checks=checks,
        synthetic=old.bound.synthetic or new.bound.synthetic,
        dropped=tuple(f"{d.label}: {d.reason}" for s in (old, new) for d in s.bound.dropped),
    )


def _checks(graph, before, after, mechanisms) -> tuple[tuple[str, FitCheck], ...]:
    from mechmap.gcm.evaluation import evaluate

    return tuple(
        (name, check)
        for name, frame in (("before", before), ("after", after))
        for check in evaluate(fit_scm(graph, frame, mechanisms), frame)
    )


def _same_nodes(old: SiteData, new: SiteData) -> None:
    from mechmap.gcm.model import GcmSetupError

    only_old = [c for c in old.frame.columns if c not in new.frame.columns]
    only_new = [c for c in new.frame.columns if c not in old.frame.columns]
    if only_old or only_new:
        parts = []
        if only_old:
            parts.append(f"only the before data have {', '.join(only_old)}")
        if only_new:
            parts.append(f"only the after data have {', '.join(only_new)}")
        raise GcmSetupError(f"before and after must measure the same nodes: {'; '.join(parts)}")
