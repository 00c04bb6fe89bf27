"""How fast the basis of testable implications is, against the alternatives, in one run.

    python benchmarks/implications_bench.py [--sizes 20,50,100,200,500,1000] [--runs 3]

On graph_bench's seeded random DAGs (two arrows per node, every node measured), each size
times, in the same run:

- mechmap's basis (``basis_implications``: the parents of one end, or nothing, per pair);
- the previous basis (``basis_implications(smallest=True)``: a minimum cut per pair, still
  there for falsification), up to the first size where it passes ``--limit`` seconds;
- networkx ``find_minimal_d_separator`` for every pair (the same job, one pair at a time),
  timed on the pairs it gets through in ``--limit`` seconds and scaled up to every pair
  when it does not finish (marked "≈");
- pgmpy ``DAG.local_independencies`` (the local Markov statements: the same job when
  every node is measured), up to ``--limit`` seconds.

Then the growth exponent of each (the slope of log time against log nodes over the sizes
timed), a soundness check (every statement of a sample holds by networkx's d-separation),
and ``mechmap implications`` end to end (text and ``--json``, best of ``--runs`` real
processes) on generated maps (benchmarks/generated_maps.py) of 200, 500 and 1,000 nodes,
next to ``mechmap validate`` of the same map (starting, loading and checking it: the floor).
No assertion is made on times; this script only prints them.
"""

from __future__ import annotations

import argparse
import itertools
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generated_maps import generated_map  # noqa: E402
from graph_bench import best_of, capped, random_dag  # noqa: E402

from mechmap.analysis.implications import basis_implications  # noqa: E402


def networkx_per_pair(g: nx.DiGraph, seconds: float) -> tuple[float, bool]:
    """networkx's smallest separator for every unjoined pair: the time, and whether it
    finished (otherwise the time of the pairs done, scaled up to every pair)."""
    pairs = [
        (a, b)
        for a, b in itertools.combinations(sorted(g), 2)
        if not g.has_edge(a, b) and not g.has_edge(b, a)
    ]
    start, done = time.perf_counter(), 0
    for a, b in pairs:
        nx.find_minimal_d_separator(g, {a}, {b})
        done += 1
        if time.perf_counter() - start > seconds:
            break
    took = time.perf_counter() - start
    return took * len(pairs) / done, done == len(pairs)


def pgmpy_local(g: nx.DiGraph) -> None:
    from pgmpy.base import DAG  # imported once before the timings (see main)

    dag = DAG(g.edges)
    dag.add_nodes_from(g)
    dag.local_independencies(list(g))


def exponent(sizes: list[int], times: list[float | None]) -> str:
    """Least-squares slope of log(time) against log(size), over the sizes timed."""
    points = [(math.log(n), math.log(t)) for n, t in zip(sizes, times, strict=True) if t]
    if len(points) < 3:
        return "-"
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return f"{slope:.2f}"


def seconds_text(t: float | None, estimated: bool = False) -> str:
    if t is None:
        return "-"
    text = f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"
    return ("≈ " if estimated else "") + text


def in_process(sizes: list[int], runs: int, limit: float) -> None:
    print(
        "| nodes | pairs | statements | mechmap basis | previous (min cut per pair) | "
        "networkx per pair | pgmpy local_independencies |"
    )
    print("|---|---|---|---|---|---|---|")
    columns: dict[str, list[float | None]] = {k: [] for k in ("ours", "old", "nx", "pgmpy")}
    old_on = pgmpy_on = True
    for n in sizes:
        g = random_dag(n, seed=1)
        basis = basis_implications(g)
        ours, _ = best_of(lambda g=g: basis_implications(g), runs, budget=5)
        old = (
            capped(lambda g=g: basis_implications(g, smallest=True), limit, runs)[0]
            if old_on
            else None
        )
        old_on = old is not None
        networkx, finished = networkx_per_pair(g, limit)
        pgmpy = capped(lambda g=g: pgmpy_local(g), limit, runs)[0] if pgmpy_on else None
        pgmpy_on = pgmpy is not None
        for key, t in (("ours", ours), ("old", old), ("nx", networkx), ("pgmpy", pgmpy)):
            columns[key].append(t)

        def versus(t, estimated=False, ours=ours):
            return f"{seconds_text(t, estimated)} ({t / ours:,.0f}x)" if t else "-"

        print(
            f"| {n:,} | {basis.pair_count:,} | {len(basis.statements):,} | {seconds_text(ours)} "
            f"| {versus(old) if old else f'over {limit:g} s'} | {versus(networkx, not finished)} "
            f"| {versus(pgmpy) if pgmpy else f'over {limit:g} s'} |",
            flush=True,
        )
    print(
        f"| growth exponent | | | {exponent(sizes, columns['ours'])} | "
        f"{exponent(sizes, columns['old'])} | {exponent(sizes, columns['nx'])} | "
        f"{exponent(sizes, columns['pgmpy'])} |"
    )


def soundness(n: int, sample: int = 2000) -> None:
    g = random_dag(n, seed=2)
    found = basis_implications(g).implications
    checked = found[:: max(1, len(found) // sample)]
    wrong = sum(not nx.is_d_separator(g, {i.x}, {i.y}, set(i.given)) for i in checked)
    print(
        f"\nsoundness at {n} nodes: {len(checked)} of {len(found):,} statements checked "
        f"with networkx is_d_separator, {wrong} wrong"
    )


def end_to_end(sizes: list[int], runs: int) -> None:
    print(
        "\n| generated map | variables | `mechmap validate` (the floor) | "
        "`mechmap implications` | `--json` |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = Path(folder) / f"map{n}.yaml"
            path.write_text(generated_map(n))
            timed = []
            for args in (["validate"], ["implications"], ["implications", "--json"]):
                command = [sys.executable, "-m", "mechmap", *args, str(path)]

                def run(command=command):
                    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

                timed.append(best_of(run, runs, budget=60)[0])
            variables = len(__import__("mechmap").load(path).variables)
            print(f"| {n:,} nodes | {variables:,} | {' | '.join(map(seconds_text, timed))} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,50,100,200,500,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per alternative")
    parser.add_argument("--cli-only", action="store_true", help="only the end-to-end table")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    if not options.cli_only:
        import pgmpy.base  # noqa: F401  (its import, seconds long, is not what is timed)

        in_process(sizes, options.runs, options.limit)
        soundness(max(sizes))
    end_to_end([n for n in (200, 500, 1000) if n <= max(sizes)], options.runs)


if __name__ == "__main__":
    main()
