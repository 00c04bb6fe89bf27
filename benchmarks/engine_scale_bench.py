"""How the path-test engine grows with sites and respondents: time and peak memory of the full
test against the previous implementation, and its estimates against DoWhy's, in one run.

    python benchmarks/engine_scale_bench.py [--quick] [--runs 3] [--previous REV]
                                            [--dowhy-resamples 100] [--no-dowhy]

A script, not a test module (pytest collects only ``tests/`` and ``mechmap/``). The data
are those of ``benchmarks/test_bench.py`` (the confounded mediation map, path
``a -> f -> y``) at 1,000, 3,000 and 10,000 sites, one row per site, and at 2,000, 5,000 and
10,000 respondents, 20 per site (100, 250 and 500 sites; ``a``, ``f`` and ``y`` vary within
sites, ``c`` is a site's context), tested at ``--level respondent``. ``--quick``: the two
smaller sizes of each.

- **full test**: ``run_test`` with 2,000 bootstrap resamples, refutations and falsification,
  each size in a fresh process: peak resident memory of that process (``ru_maxrss``, the
  interpreter and its imports included; the line says how much that baseline is) and the
  best of ``--runs`` wall times after a warm-up at 12 sites. The same process is run on this
  tree and on ``--previous`` (default: the last commit before the engine went linear in
  sites, whose leave-one-site-out built a dense sites x sites weight matrix and whose
  refutations fitted (200, rows, variables) copies of the data), extracted by ``git archive``.
- **DoWhy 0.14**, site level only: ``backdoor.linear_regression`` for ``a -> f``, ``f -> y``
  and the total effect, each with DoWhy's bootstrap over ``--dowhy-resamples`` row resamples
  (default 100: DoWhy refits statsmodels per resample, about 25 s for the three at any size),
  against mechmap's estimate step (every effect with the same number of bootstrap resamples)
  in the same process. DoWhy's model set-up and identification are not counted.

Growth exponents are the least-squares slope of log(time) or log(memory) against log(size).
Estimates of both implementations must agree to 1e-12 (the script checks and prints it). No
assertion is made on times; this script only prints them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = "6919512"  # the engine before leave-one-out, bootstrap and refutations went linear
SITE_SIZES = (1_000, 3_000, 10_000)
RESPONDENT_SIZES = (2_000, 5_000, 10_000)
PER_SITE = 20
RESAMPLES = 2000
AGREE = 1e-12


def simulate(level: str, rows: int, seed: int):
    """The benchmark's linear model: a row per site, or ``PER_SITE`` respondents per site."""
    import numpy as np

    from mechmap.data import AnalysisData

    rng = np.random.default_rng(seed)
    per = 1 if level == "site" else PER_SITE
    sites = rows // per
    site = np.repeat(np.arange(sites), per)
    within = (lambda: rng.normal(size=rows)) if per > 1 else (lambda: 0.0)
    c = rng.normal(size=sites)[site]
    a = 0.5 * c + rng.normal(size=sites)[site] + within()
    f = 0.6 * a + rng.normal(size=rows)
    y = 0.5 * f + 0.2 * a + 0.4 * c + rng.normal(size=rows)
    ids = tuple(f"site {i + 1}" for i in range(sites))
    return AnalysisData(
        level=level,
        columns=("c", "a", "f", "y"),
        values=np.column_stack([c, a, f, y]),
        clusters=site,
        site_ids=ids,
        row_labels=tuple(f"row {i + 2}" for i in range(rows)),
        synthetic=True,
        sources=("simulated in benchmarks/engine_scale_bench.py",),
    )


def child(options: argparse.Namespace) -> None:
    """One size in this process, on the mechmap found at ``--implementation``; prints JSON."""
    # The implementation measured goes first on the path, before test_bench adds this tree.
    sys.path.insert(0, options.implementation)
    import mechmap

    sys.path.insert(1, str(ROOT / "benchmarks"))
    from test_bench import CHAIN, MAP

    from mechmap.mechanism import plan_test, run_test

    def test(data, resamples: int, full: bool):
        plan = plan_test(MAP, chains=[list(CHAIN)], measured=set(data.columns))
        return run_test(plan, data, resamples, 0, refutations=full, falsification=full)

    test(simulate("site", 12, 0), 100, True)  # warm-up: lazy imports, caches
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = simulate(options.level, options.rows, options.rows)
    best = float("inf")
    for _ in range(options.runs):
        start = time.perf_counter()
        result = test(data, options.resamples, not options.estimate_only)
        best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = {
        "time": best,
        "peak_mb": peak,
        "baseline_mb": baseline,
        "mechmap": mechmap.__file__,
        "estimates": estimates_of(result),
    }
    if options.dowhy:
        found["dowhy"] = dowhy_time(data, result, options.resamples)
    print(json.dumps(found))


def estimates_of(result) -> dict[str, object]:
    """Every number the two implementations must agree on: link and path estimates and
    intervals, each site left out, the refutations' summaries."""
    as_dict = result.as_dict()
    found: dict[str, object] = {}
    for x in as_dict["links"]:
        found[f"{x['from']} -> {x['to']}"] = [x["estimate"], *x["ci"], *x["ci_bootstrap"]]
    for part in ("indirect", "direct", "total"):
        effect = as_dict["path"][f"{part}_effect"]
        found[f"{part} effect"] = [effect["estimate"], *effect["ci"], *effect["ci_bootstrap"]]
    for r in as_dict.get("refutations", []):
        values = [r["new"], *(r["ci"] or []), *(s["estimate"] for s in r.get("per_site", []))]
        found[f"{r['name']}: {r['target']}"] = [v for v in values if v is not None]
    return found


def dowhy_time(data, result, resamples: int) -> float:
    """DoWhy's linear regression with its bootstrap for the two links and the total effect."""
    sys.path.insert(1, str(ROOT / "benchmarks"))
    from test_bench import dowhy_effects

    from mechmap.mechanism.dowhy_adapter import dowhy_bootstrap

    effects = dowhy_effects(data, result)
    start = time.perf_counter()
    for name in ("a -> f", "f -> y", "total effect"):
        dowhy_bootstrap(effects[name], resamples, 0)
    return time.perf_counter() - start


def measure(implementation: Path, level: str, rows: int, runs: int, *extra: str) -> dict:
    command = [
        sys.executable, __file__, "--child", "--implementation", str(implementation),
        "--level", level, "--rows", str(rows), "--runs", str(runs), *extra,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{level} {rows}: {done.stderr.strip().splitlines()[-1]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if not found["mechmap"].startswith(str(implementation)):
        raise SystemExit(f"measured {found['mechmap']}, not the mechmap in {implementation}")
    return found


def extract(revision: str, folder: Path) -> Path:
    """``mechmap/`` as of ``revision``, unpacked into ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "mechmap"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def exponent(sizes, values) -> float:
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def largest_gap(ours: dict, theirs: dict) -> float:
    gap = 0.0
    for name, values in theirs.items():
        for mine, other in zip(ours[name], values, strict=True):
            gap = max(gap, abs(mine - other) / max(1.0, abs(other)))
    return gap


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def compare(level: str, sizes, runs: int, previous: Path) -> float:
    unit = "sites" if level == "site" else "respondents"
    header = (
        f"{unit:>20}  {'now: time':>10} {'peak':>8}  {'before: time':>12} {'peak':>8}  "
        f"{'time ratio':>10} {'memory ratio':>12}"
    )
    print(f"\nfull test at level {level} ({RESAMPLES:,} resamples, refutations, falsification)")
    print(f"{header}\n{'-' * len(header)}")
    rows: dict[str, list] = {"now": [], "before": []}
    worst = 0.0
    for size in sizes:
        now = measure(ROOT, level, size, runs)
        before = measure(previous, level, size, runs)
        rows["now"].append(now)
        rows["before"].append(before)
        worst = max(worst, largest_gap(now["estimates"], before["estimates"]))
        label = f"{size:,}" + ("" if level == "site" else f" in {size // PER_SITE} sites")
        print(
            f"{label:>20}  {seconds(now['time']):>10} {now['peak_mb']:>6.0f}MB  "
            f"{seconds(before['time']):>12} {before['peak_mb']:>6.0f}MB  "
            f"{before['time'] / now['time']:>9.1f}x {before['peak_mb'] / now['peak_mb']:>11.1f}x",
            flush=True,
        )
    for name, found in rows.items():
        times = [r["time"] for r in found]
        above = [r["peak_mb"] - r["baseline_mb"] for r in found]
        print(
            f"growth exponent, {name}: time {exponent(sizes, times):.2f}, memory above the "
            f"{found[0]['baseline_mb']:.0f} MB baseline "
            f"{exponent(sizes, [max(m, 1.0) for m in above]):.2f}"
        )
    return worst


def against_dowhy(sizes, runs: int, resamples: int) -> None:
    print(
        f"\nestimates with bootstrap intervals, site level, {resamples} resamples: mechmap's "
        "estimate step against DoWhy's linear regression + bootstrap (2 links, total effect)"
    )
    header = f"{'sites':>7}  {'mechmap':>9} {'DoWhy':>9} {'DoWhy/mechmap':>14}"
    print(f"{header}\n{'-' * len(header)}")
    ours, theirs = [], []
    for size in sizes:
        extra = ("--resamples", str(resamples), "--estimate-only", "--dowhy")
        found = measure(ROOT, "site", size, runs, *extra)
        ours.append(found["time"])
        theirs.append(found["dowhy"])
        print(
            f"{size:>7,}  {seconds(found['time']):>9} {seconds(found['dowhy']):>9} "
            f"{found['dowhy'] / found['time']:>13.0f}x",
            flush=True,
        )
    print(
        f"growth exponent of time: mechmap {exponent(sizes, ours):.2f}, "
        f"DoWhy {exponent(sizes, theirs):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smaller sizes of each")
    parser.add_argument("--runs", type=int, default=3, help="best of this many")
    parser.add_argument("--previous", default=PREVIOUS, help=f"revision (default {PREVIOUS})")
    parser.add_argument("--dowhy-resamples", type=int, default=100)
    parser.add_argument("--no-dowhy", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--implementation", help=argparse.SUPPRESS)
    parser.add_argument("--level", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--resamples", type=int, default=RESAMPLES, help=argparse.SUPPRESS)
    parser.add_argument("--estimate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dowhy", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options)
        return
    cut = 2 if options.quick else 3
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as folder:
        previous = extract(options.previous, Path(folder))
        worst = max(
            compare("site", SITE_SIZES[:cut], options.runs, previous),
            compare("respondent", RESPONDENT_SIZES[:cut], options.runs, previous),
        )
    print(
        f"\nsame estimates, intervals, bootstrap intervals and refutations as {options.previous} "
        f"(within {AGREE:g}): "
        + ("yes" if worst <= AGREE else "NO")
        + f", largest relative difference {worst:.1e}"
    )
    if not options.no_dowhy:
        against_dowhy(SITE_SIZES[:cut], options.runs, options.dowhy_resamples)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
