"""How fast ``mechmap test`` is against DoWhy 0.14 doing the same work, in one run.

    python benchmarks/test_bench.py [--quick] [--resamples 2000] [--runs 3] [--seed 0]

A script, not a test module despite its name: pytest collects only ``tests/`` and
``mechmap/`` (``testpaths`` in pyproject.toml), and nothing runs unless it is executed.

Data are simulated from a linear model over the map ``c -> a``, ``a -> f -> y``, ``a -> y``,
``c -> y`` (paths 0.5, 0.6, 0.5, 0.2, 0.4, unit noise) at 12, 50 and 1,000 sites, one row per
site, and the path ``a -> f -> y`` is tested. For each size:

- **mechmap**: ``plan_test`` and ``run_test`` with ``--resamples`` bootstrap resamples: each
  link's coefficient with its t interval, the indirect, direct and total effects with Monte
  Carlo and bootstrap-percentile intervals, Kendall and Spearman tests, Freedman-Lane
  permutation p-values, placebo, random-common-cause, leave-one-site-out and
  robustness-value refutations, and the map's implied independencies. Best of ``--runs``.
- **DoWhy**, through :mod:`mechmap.mechanism.dowhy_adapter` with mechmap's adjustment sets:
  ``backdoor.linear_regression`` for each link and the total effect and two-stage mediation
  for the indirect and direct effects, each with DoWhy's bootstrap interval over the same
  number of resamples; on each link and on the indirect effect the placebo and
  random-common-cause refuters with as many simulations as mechmap runs, the data-subset
  refuter with one simulation per site of all sites but one (mechmap leaves each site out
  once), and a simulated unobserved confounder. Run once: it takes minutes.

DoWhy still does less than mechmap here (no rank or permutation tests, no small-sample
intervals, no map falsification), so the ratios understate the difference. The point
estimates of both must agree to 1e-9; the script checks and prints it. Target: DoWhy/mechmap
>= 100 end to end. No assertion is made on times; this script only prints them.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mechmap  # noqa: E402
from mechmap.data import AnalysisData  # noqa: E402
from mechmap.mechanism import plan_test, run_test  # noqa: E402
from mechmap.mechanism.dowhy_adapter import (  # noqa: E402
    dowhy_bootstrap,
    dowhy_refuters,
    link_effect,
    mediation_effect,
)
from mechmap.mechanism.refute import refute  # noqa: E402

MAP = mechmap.loads(
    """
mechmap: 1
id: bench
title: Confounded mediation (benchmark)
nodes:
  c: {label: Site context, role: context}
  a: {label: Facilitation, role: strategy}
  f: {label: Fidelity, role: proximal_outcome}
  y: {label: Screening, role: clinical_outcome}
edges:
  - {from: c, to: a, sign: "+"}
  - {from: a, to: f, sign: "+"}
  - {from: f, to: y, sign: "+"}
  - {from: a, to: y, sign: "+"}
  - {from: c, to: y, sign: "+"}
"""
)
CHAIN = ("a", "f", "y")
AGREE = 1e-9
TARGET = 100.0
# As many placebo and random-common-cause simulations as mechmap's refute step runs.
SIMULATIONS = inspect.signature(refute).parameters["n_simulations"].default


def simulate(n: int, seed: int) -> AnalysisData:
    """One row per site from the benchmark's linear model."""
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    a = 0.5 * c + rng.normal(size=n)
    f = 0.6 * a + rng.normal(size=n)
    y = 0.5 * f + 0.2 * a + 0.4 * c + rng.normal(size=n)
    sites = tuple(f"site {i + 1}" for i in range(n))
    return AnalysisData(
        level="site",
        columns=("c", "a", "f", "y"),
        values=np.column_stack([c, a, f, y]),
        clusters=np.arange(n),
        site_ids=sites,
        row_labels=sites,
        respondent_types=None,
        dropped=(),
        aggregation=(),
        synthetic=True,
        sources=("simulated in benchmarks/test_bench.py",),
    )


def best_of(function, runs: int):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def mechmap_test(data: AnalysisData, resamples: int, seed: int, full: bool):
    plan = plan_test(MAP, chains=[list(CHAIN)], measured=set(data.columns))
    return run_test(
        plan, data, n_resamples=resamples, seed=seed, refutations=full, falsification=full
    )


def dowhy_effects(data: AnalysisData, result) -> dict:
    """Every effect mechmap estimated, set up in DoWhy with mechmap's adjustment sets."""
    import pandas as pd

    estimates = result.estimates
    if estimates.dropped_covariates:
        raise SystemExit("mechmap dropped precision covariates; the sets would differ")
    frame = pd.DataFrame(data.values, columns=list(data.columns))
    sets = {(x.plan.cause, x.plan.effect): list(x.plan.covariates) for x in estimates.links}
    exposure, mediator, outcome = CHAIN
    total_set = list(estimates.plan.total.covariates)
    stages = (sets[(exposure, mediator)], sets[(mediator, outcome)], total_set)
    return {
        **{f"{u} -> {v}": link_effect(MAP, frame, u, v, s) for (u, v), s in sets.items()},
        "indirect effect": mediation_effect(MAP, frame, *CHAIN, *stages, "indirect"),
        "direct effect": mediation_effect(MAP, frame, *CHAIN, *stages, "direct"),
        "total effect": link_effect(MAP, frame, exposure, outcome, total_set),
    }


def dowhy_refutations(effects: dict, n_sites: int, seed: int) -> None:
    """DoWhy's refuters of what mechmap refutes: each link and the indirect effect."""
    for name, effect in effects.items():
        if name not in ("direct effect", "total effect"):
            dowhy_refuters(
                effect,
                n_simulations=SIMULATIONS,
                seed=seed,
                subset_fraction=(n_sites - 1) / n_sites,
                subset_simulations=n_sites,
            )


def mechmap_estimates(result) -> dict[str, float]:
    as_dict = result.as_dict()
    found = {f"{x['from']} -> {x['to']}": x["estimate"] for x in as_dict["links"]}
    for part in ("indirect", "direct", "total"):
        found[f"{part} effect"] = as_dict["path"][f"{part}_effect"]["estimate"]
    return found


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 resamples, 12 and 50 sites")
    parser.add_argument("--resamples", type=int, default=None, help="default 2000 (200 quick)")
    parser.add_argument("--runs", type=int, default=3, help="mechmap: best of this many")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    resamples = options.resamples or (200 if options.quick else 2000)
    sizes = (12, 50) if options.quick else (12, 50, 1000)

    start = time.perf_counter()
    import dowhy  # noqa: F401  (timed apart: the adapter imports it lazily, on first use)

    print(
        f"import dowhy: {time.perf_counter() - start:.1f} s (not counted below); "
        f"{resamples:,} bootstrap resamples, {SIMULATIONS} placebo and random-common-cause "
        f"simulations per target; path {' -> '.join(CHAIN)}"
    )
    header = f"{'sites':>6}  {'work':<38} {'mechmap':>9} {'DoWhy':>9} {'DoWhy/mechmap':>14}"
    print(f"\n{header}\n{'-' * len(header)}")
    worst_ratio, worst_gap = float("inf"), 0.0
    for n in sizes:
        data = simulate(n, options.seed + n)
        mechmap_test(data, resamples, options.seed, full=True)  # warm-up: imports, caches
        ours = {}
        for full in (False, True):
            ours[full], result = best_of(
                lambda data=data, full=full: mechmap_test(data, resamples, options.seed, full),
                options.runs,
            )
        start = time.perf_counter()
        effects = dowhy_effects(data, result)
        theirs = {
            name: dowhy_bootstrap(effect, resamples, options.seed)["estimate"]
            for name, effect in effects.items()
        }
        bootstrapped = time.perf_counter() - start
        start = time.perf_counter()
        dowhy_refutations(effects, n, options.seed)
        refuted = time.perf_counter() - start
        rows = (
            ("effects with bootstrap intervals", ours[False], bootstrapped),
            ("full test (+ refutations)", ours[True], bootstrapped + refuted),
        )
        for label, mine, took in rows:
            print(
                f"{n:>6}  {label:<38} {seconds(mine):>9} {seconds(took):>9} {took / mine:>13.0f}x",
                flush=True,
            )
        worst_ratio = min(worst_ratio, (bootstrapped + refuted) / ours[True])
        found = mechmap_estimates(result)
        gap = max(abs(found[name] - theirs[name]) for name in theirs)
        worst_gap = max(worst_gap, gap)
        print(
            f"{'':>6}  point estimates ({', '.join(theirs)}): largest difference {gap:.1e}"
            + ("" if gap <= AGREE else f"  NOT within {AGREE:g}")
        )
    print(
        f"\nidentical point estimates (within {AGREE:g}): "
        + ("yes" if worst_gap <= AGREE else f"NO, largest difference {worst_gap:.1e}")
        + f"\ntarget: full test >= {TARGET:.0f}x faster than DoWhy at every size: "
        + ("met" if worst_ratio >= TARGET else f"missed (slowest ratio {worst_ratio:.0f}x)")
    )


if __name__ == "__main__":
    main()
