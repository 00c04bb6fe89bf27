"""How much cheaper a simulated study is in ``mechmap power`` than one ``mechmap test``.

    python benchmarks/power_bench.py [--sims 1000] [--sites 10,12,15,20,30,40,50,60]

A three-link path w -> x -> m -> y (with a confounder c of m and y, so one link is adjusted)
is planned at every number of sites with ``--sims`` studies each, and the time per simulated
study is set against one in-process :func:`mechmap.mechanism.run_test` (estimate, refute,
falsify: what ``mechmap test`` runs on a data set) on one simulated study of the median size.
The ratio is the point: power analysis is only affordable because a study costs a small
fraction of a test. Times are printed, not asserted.
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


if __name__ == "__main__":
    main()
