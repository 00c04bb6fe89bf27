"""How much cheaper a simulated study is in ``mechmap power`` than one ``mechmap test``.

    python benchmarks/power_bench.py [--sims 1000] [--sites 10,12,15,20,30,40,50,60]
                                     [--respondents 10] [--icc 0.2] [--before 100]

A three-link path w -> x -> m -> y (with a confounder c of m and y, so one link is adjusted)
is planned at every number of sites with ``--sims`` studies each, and the time per simulated
study is set against one in-process :func:`mechmap.mechanism.run_test` (estimate, refute,
falsify: what ``mechmap test`` runs on a data set) on one simulated study of the median size.
The ratio is the point: power analysis is only affordable because a study costs a small
fraction of a test.

The nested design (``--respondents`` per site, ICC ``--icc``) is planned over the same site
counts, and at 20 sites its time per study is set against the per-study path it replaced:
``coefficient_inference(..., nested=True)`` and ``monte_carlo_draws`` called study by study
on ``--before`` studies (CR2 and the Bell-McCaffrey df differ from study to study, which is
why they were once not batched). Times are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

import mechmap

MAP = """\
mechmap: 1
id: bench
title: Power benchmark
nodes: {w: {role: strategy}, x: {}, m: {}, c: {role: confounder}, y: {role: clinical_outcome}}
edges:
  - {from: w, to: x, effect: 0.5}
  - {from: x, to: m, effect: 0.45}
  - {from: m, to: y, effect: 0.4}
  - {from: c, to: m, effect: 0.3}
  - {from: c, to: y, effect: 0.3}
  - {from: w, to: y, effect: 0.1}
hypotheses: [{id: chain, path: w -> x -> m -> y}]
"""


def main() -> None:
    import numpy as np

    from mechmap.data import AnalysisData
    from mechmap.mechanism import plan_test, run_test
    from mechmap.planning import linear_sem, power
    from mechmap.planning.simulate import simulate_batch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=1000)
    parser.add_argument("--sites", default="10,12,15,20,30,40,50,60")
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--icc", type=float, default=0.2)
    parser.add_argument("--before", type=int, default=100, help="studies on the per-study path")
    args = parser.parse_args()
    sites = [int(s) for s in args.sites.split(",")]
    m = mechmap.loads(MAP)

    start = time.perf_counter()
    power(m, sites, hypothesis="chain", sims=args.sims)
    planning = time.perf_counter() - start
    per_study = planning / (args.sims * len(sites))

    n = int(statistics.median(sites))
    sem = linear_sem(m)
    values, clusters = simulate_batch(sem, n, 1, np.random.default_rng(0))
    order = [sem.variables.index(v) for v in m.variables]
    data = AnalysisData(
        "site", m.variables, values[0][:, order], clusters,
        tuple(f"s{i}" for i in range(n)), tuple(f"s{i}" for i in range(n)),
    )  # fmt: skip
    plan = plan_test(m, m.hypotheses[0].chains, set(m.variables), "chain")
    start = time.perf_counter()
    run_test(plan, data)
    one_test = time.perf_counter() - start

    print(f"mechmap power: {args.sims:,} studies x {len(sites)} site counts in {planning:.1f} s")
    print(f"  per simulated study: {per_study * 1000:.2f} ms")
    print(f"one run_test at {n} sites: {one_test * 1000:.0f} ms")
    print(f"  ratio: a test costs {one_test / per_study:,.0f} simulated studies")
    nested(m, sites, args)


def nested(m, sites: list[int], args: argparse.Namespace) -> None:
    """The nested design: the whole sweep, and one site count against the per-study path."""
    import numpy as np

    from mechmap.mechanism import plan_test
    from mechmap.planning import linear_sem, power
    from mechmap.planning.power import PLAN_DRAWS, _fits
    from mechmap.planning.simulate import simulate_batch, variable_iccs
    from mechmap.stats.inference import coefficient_inference, monte_carlo_draws

    design = {"respondents": args.respondents, "icc": args.icc}
    start = time.perf_counter()
    power(m, sites, hypothesis="chain", sims=args.sims, **design)
    sweep = time.perf_counter() - start
    print(
        f"nested ({args.respondents} respondents per site, ICC {args.icc}): {args.sims:,} "
        f"studies x {len(sites)} site counts in {sweep:.1f} s"
    )

    n = 20
    start = time.perf_counter()
    power(m, [n], hypothesis="chain", sims=args.sims, **design)
    after = (time.perf_counter() - start) / args.sims

    sem = linear_sem(m)
    rng = np.random.default_rng(0)
    shares = variable_iccs(m, sem, args.icc)
    values, clusters = simulate_batch(sem, n, args.before, rng, args.respondents, shares)
    plan = plan_test(m, m.hypotheses[0].chains, set(m.variables), "chain")
    fits = _fits(plan, n * args.respondents).values()
    column = {v: i for i, v in enumerate(sem.variables)}
    start = time.perf_counter()
    for study in values:
        one = [
            coefficient_inference(study[:, column[y]], study[:, [column[x] for x in xs]],
                                  clusters, nested=True)
            for y, xs in fits
        ]  # fmt: skip
        monte_carlo_draws(one, rng, PLAN_DRAWS)
    before = (time.perf_counter() - start) / args.before
    print(f"  per nested study at {n} sites: {after * 1000:.2f} ms batched (whole power run)")
    print(f"  per-study path (fits and draws only): {before * 1000:.2f} ms")
    print(f"  ratio: batched is {before / after:,.0f} times faster")


if __name__ == "__main__":
    main()
