"""How long explain-change, whatif and strength take at 12, 50 and 1,000 sites.

DoWhy's gcm is not fast: every bootstrap resample refits both models and draws ``samples``
values for each of the 2^k mixes of before and after mechanisms. The data are simulated from
the three-node linear map of tests/test_gcm.py (plus the latent node projected out), one
mechanism changed; each command runs in this process after DoWhy is imported (about 3 s,
not counted), with the bootstrap capped at ``--resamples`` (20 by default; the commands'
default is 200, so multiply the bootstrap share by 10). Run::

    python benchmarks/gcm_bench.py                     # 12, 50, 1000 sites
    python benchmarks/gcm_bench.py --sites 12 --resamples 200 --jobs 2

Measured on 2 cores at a quiet moment (load about 1), 20 resamples, one process, 2026-12-07:

    sites  explain-change  whatif  strength   (seconds)
       12             1.3     0.3       2.8
       50             1.2     0.4       4.0
     1000             2.6     1.2       3.0

The same run on the machine while four other jobs ran took 5-7 times as long (explain-change
7.2 s at 12 sites, strength 18.8 s). At the commands' defaults (200 resamples for
explain-change and whatif, 100 for strength) multiply by about 10 and 5: some 13 s and 15 s
at 12 sites. ``--jobs 2`` splits the bootstrap across processes (each imports DoWhy, about
3 s, so it pays only for long runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the simulated study of tests/test_gcm.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="12,50,1000")
    parser.add_argument("--resamples", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    import dowhy.gcm  # noqa: F401  (imported once, outside the timings)

    import mechmap
    from mechmap.gcm.change import explain_change
    from mechmap.gcm.strength import arrow_strengths
    from mechmap.gcm.whatif import what_if
    from tests.test_gcm import MAP, study

    m = mechmap.loads(MAP)
    print(f"{'sites':>6} {'explain-change':>15} {'whatif':>8} {'strength':>9}  (seconds, "
          f"{args.resamples} resamples, {args.jobs} job(s))")  # fmt: skip
    for sites in (int(s) for s in args.sites.split(",")):
        before, after = study(m, sites, 0.0, 1), study(m, sites, 1.0, 2)
        times = []
        for run in (
            lambda b=before, a=after: explain_change(
                m, b, a, "y", n_resamples=args.resamples, jobs=args.jobs
            ),
            lambda b=before: what_if(m, b, {"m": 1.0}, "y", n_resamples=args.resamples),
            lambda b=before: arrow_strengths(m, b, outcome="y", n_resamples=args.resamples),
        ):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        print(f"{sites:>6} {times[0]:>15.1f} {times[1]:>8.1f} {times[2]:>9.1f}")


if __name__ == "__main__":
    main()
