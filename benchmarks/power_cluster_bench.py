"""A grid of ``mechmap power`` scenarios run here against a local two-worker Dask cluster.

    python benchmarks/power_cluster_bench.py [--sims 500] [--sites 10,20,40] [--workers 2]
        [--repeat 3]

Six effect-size scenarios of the three-link path of ``power_bench.py`` are planned with
:func:`mechmap.planning.grid.power_grid`, once in this process and once with
``scheduler=`` a ``distributed.LocalCluster`` of ``--workers`` single-threaded worker
processes on 127.0.0.1 (started before the clock, and warmed with one small run so that
the workers' imports are not counted). The two alternate ``--repeat`` times and the best
time of each is kept, as the machine may be shared. The two must give the same numbers; the
ratio of their times is the point. On a machine with as many cores as workers, or fewer, the
cluster can only win by running batches side by side where this process runs them one
after another; it pays for pickling each batch's design and for the scheduler's
round-trips. A real cluster wins by having more cores. Times are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import time

from power_bench import MAP

import mechmap

EFFECTS = [(0.3, 0.3), (0.3, 0.45), (0.45, 0.3), (0.45, 0.45), (0.45, 0.6), (0.6, 0.6)]


def main() -> None:
    from distributed import LocalCluster

    from mechmap.diagnostics import Location
    from mechmap.planning.grid import Scenario, power_grid

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=500)
    parser.add_argument("--sites", default="10,20,40")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sites = [int(s) for s in args.sites.split(",")]
    m = mechmap.loads(MAP)
    scenarios = [
        Scenario(f"x->m {a}, m->y {b}", Location("bench"), effects={("x", "m"): a, ("m", "y"): b})
        for a, b in EFFECTS
    ]
    options = {"hypothesis": "chain", "sims": args.sims, "seed": 1}

    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        power_grid(m, scenarios[:1], sites[:1], hypothesis="chain", sims=10, scheduler=address)
        local, remote = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            here = power_grid(m, scenarios, sites, **options)
            local.append(time.perf_counter() - start)
            start = time.perf_counter()
            there = power_grid(m, scenarios, sites, scheduler=address, **options)
            remote.append(time.perf_counter() - start)
    local, remote = min(local), min(remote)

    same = [r.as_dict() for r in here] == [r.as_dict() for r in there]
    studies = len(scenarios) * len(sites) * args.sims
    print(f"{len(scenarios)} scenarios x {len(sites)} site counts x {args.sims:,} studies "
          f"({studies:,} studies) on {os.cpu_count()} cores")  # fmt: skip
    best = f"best of {args.repeat}"
    print(f"  here:            {local:6.1f} s ({best})")
    print(f"  {args.workers} Dask workers:  {remote:6.1f} s ({best}, warm; same numbers: {same})")
    print(f"  ratio here / cluster: {local / remote:.2f} (above 1: the cluster is faster)")


if __name__ == "__main__":
    main()
