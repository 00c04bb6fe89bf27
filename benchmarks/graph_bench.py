"""How fast mechmap's graph analyses are, against networkx, pgmpy and DoWhy, in one run.

    python benchmarks/graph_bench.py [--quick] [--runs 5] [--seed 1]

Seeded uniformly random DAGs of 20, 50, 100 and 200 nodes with two arrows per node
(200 nodes / 400 arrows is the size of DAGitty's published timing figure: all minimal
adjustment sets in ~50 ms, a basis of implications in ~16 ms, in JavaScript). For each, an
exposure and outcome with a causal path through a mediator and an open back-door path. Each
mechmap analysis is timed (best of ``--runs``) next to the real alternative, in the same run:

- every minimal adjustment set: pgmpy ``get_all_backdoor_adjustment_sets`` (which tries
  every subset of the candidates);
- one smallest set (``smallest_adjustment_set``): networkx ``find_minimal_d_separator`` on
  the proper back-door graph built by hand, and pgmpy ``get_minimal_adjustment_set``;
- checking a set: pgmpy ``is_valid_adjustment_set``;
- d-separation: networkx ``is_d_separator`` and pgmpy ``is_dconnected`` (yes or no only;
  mechmap also gives the open path);
- implications (one per missing arrow): networkx ``find_minimal_d_separator`` per pair, and
  pgmpy ``get_independencies()`` (every independence);
- instruments: DoWhy ``get_instruments`` (unconditional instruments among the parents only);
- causal paths: networkx ``all_simple_paths``;
- identification: DoWhy's ``AutoIdentifier.identify_effect``.

pgmpy and DoWhy calls that may hang run in a forked process with a time limit and are
reported as "did not finish in N s"; once one has not finished, it is not run on the larger
graphs. A second part checks that the answers agree where both tools answer, and counts
the cases where they do not. Target: every mechmap analysis of the 200-node DAG under 100 ms.
No assertion is made on times; this script only prints them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mechmap.analysis.adjustment import (  # noqa: E402
    adjustment_problem,
    adjustment_sets,
    check_adjustment,
)
from mechmap.analysis.dsep import open_path  # noqa: E402
from mechmap.analysis.identify import identify, smallest_adjustment_set  # noqa: E402
from mechmap.analysis.implications import basis_implications  # noqa: E402
from mechmap.analysis.instrumental import instruments  # noqa: E402
from mechmap.analysis.paths import causal_paths, path_status  # noqa: E402

TARGET = 0.100  # seconds, for every analysis of the 200-node DAG
DID_NOT_FINISH = "did not finish"


# --- graphs and questions ---------------------------------------------------------------------


def random_dag(n: int, seed: int, arrows_per_node: int = 2) -> nx.DiGraph:
    """A uniformly random DAG on ``v0 .. v{n-1}`` (arrows go from lower to higher numbers)."""
    rng = random.Random(seed)
    edges: set[tuple[int, int]] = set()
    while len(edges) < arrows_per_node * n:
        a, b = sorted(rng.sample(range(n), 2))
        edges.add((a, b))
    g = nx.DiGraph()
    g.add_nodes_from(f"v{i}" for i in range(n))
    g.add_edges_from((f"v{a}", f"v{b}") for a, b in sorted(edges))
    return g


def confounded_pairs(g: nx.DiGraph, rng: random.Random):
    """Exposure-outcome pairs (exposure in the second quarter of the order, outcome in the
    last) with a mediated causal path, an open back-door path, and an adjustment set."""
    n = len(g)
    early = [f"v{i}" for i in range(n // 4, n // 2)]
    late = [f"v{i}" for i in range(3 * n // 4, n)]
    candidates = list(itertools.product(early, late))
    rng.shuffle(candidates)
    for x, y in candidates:
        if not nx.has_path(g, x, y) or not (nx.descendants(g, x) & nx.ancestors(g, y)):
            continue
        problem = adjustment_problem(g, [x], [y])
        if open_path(problem.graph, [x], [y]) is None:
            continue
        if adjustment_sets(g, [x], [y]).sets:
            yield x, y


def proper_backdoor_graph(g: nx.DiGraph, x: str, y: str) -> tuple[nx.DiGraph, set[str]]:
    """What a networkx user writes by hand: the proper back-door graph, and the nodes a
    valid set may contain (not on or below a causal path)."""
    problem = adjustment_problem(g, [x], [y])
    return problem.graph, set(g) - set(problem.forbidden) - {x, y}


# --- timing -----------------------------------------------------------------------------------


def best_of(function, runs: int, budget: float = 2.0):
    """Best time of up to ``runs`` calls (fewer once ``budget`` seconds are spent)."""
    best, spent, result = math.inf, 0.0, None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        took = time.perf_counter() - start
        best, spent = min(best, took), spent + took
        if spent > budget:
            break
    return best, result


def capped(function, seconds: float, runs: int = 1):
    """``best_of`` in a forked process, killed after ``seconds``: ``(time, result)``, or
    ``(None, message)`` when it did not finish or raised."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def work() -> None:
        try:
            sender.send(("ok", *best_of(function, runs, budget=seconds / 3)))
        except Exception as exc:  # reported, not raised: the alternative failed
            sender.send(("error", None, f"raised {type(exc).__name__}: {str(exc)[:80]}"))

    process = context.Process(target=work, daemon=True)
    process.start()
    if receiver.poll(seconds):
        status, took, result = receiver.recv()
    else:
        status, took, result = "timeout", None, f"{DID_NOT_FINISH} in {seconds:g} s"
    process.kill()
    process.join()
    return (took, result) if status == "ok" else (None, result)


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


class Table:
    """Rows of: size, analysis, mechmap time, alternative, its time, ratio."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, float | None, str, float | None, str]] = []
        self.mechmap: dict[tuple[int, str], float] = {}

    def add(self, n, analysis, ours, alternative="", theirs=None, note=""):
        self.mechmap[(n, analysis)] = ours
        ratio = f"{ours / theirs:.2g}x" if ours is not None and theirs else ""
        self.rows.append((n, analysis, ours, alternative, theirs, note or ratio))
        print(
            f"  {analysis:<32} {ms(ours):>10}   {alternative:<44} "
            f"{ms(theirs) if theirs is not None else '':>10}   {note or ratio}",
            flush=True,
        )


# --- the alternatives, imported once before forking -------------------------------------------


def quiet_imports():
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    start = time.perf_counter()
    from pgmpy.base import DAG
    from pgmpy.inference import CausalInference

    pgmpy_import = time.perf_counter() - start
    start = time.perf_counter()
    import dowhy.graph
    from dowhy.causal_identifier import AutoIdentifier, EstimandType

    dowhy_import = time.perf_counter() - start
    return {
        "DAG": DAG,
        "CausalInference": CausalInference,
        "get_instruments": dowhy.graph.get_instruments,
        "AutoIdentifier": AutoIdentifier,
        "EstimandType": EstimandType,
        "pgmpy_import": pgmpy_import,
        "dowhy_import": dowhy_import,
    }


# --- part 1: times ----------------------------------------------------------------------------


def time_size(n, g, x, y, lib, options, table, gave_up):
    runs, cap = options.runs, options.cap
    dag = lib["DAG"](g.edges())
    inference = lib["CausalInference"](dag)
    sets = adjustment_sets(g, [x], [y]).sets
    chosen = min(sets, key=lambda s: (len(s), s))

    def alternative(name, function, seconds=cap):
        """Run a capped alternative unless it already failed on a smaller graph."""
        if name in gave_up:
            return None, f"not run ({DID_NOT_FINISH} at {gave_up[name]} nodes)"
        took, result = capped(function, seconds, runs)
        if took is None and DID_NOT_FINISH in str(result):
            gave_up[name] = n
        return took, result if took is None else ""

    # adjustment sets: all of them, and one smallest
    ours, _ = best_of(lambda: adjustment_sets(g, [x], [y]), runs)
    took, note = alternative(
        "pgmpy all", lambda: inference.get_all_backdoor_adjustment_sets(x, y), options.cap
    )
    label = f"adjustment sets (all {len(sets)})"
    table.add(n, label, ours, "pgmpy get_all_backdoor_adjustment_sets", took, note)
    ours, _ = best_of(lambda: smallest_adjustment_set(g, [x], [y]), runs)
    backdoor, allowed = proper_backdoor_graph(g, x, y)
    theirs, _ = best_of(
        lambda: nx.find_minimal_d_separator(backdoor, x, y, restricted=allowed), runs
    )
    label = "one smallest adjustment set"
    table.add(n, label, ours, "networkx find_minimal_d_separator (by hand)", theirs)
    took, note = alternative("pgmpy min", lambda: inference.get_minimal_adjustment_set(x, y))
    table.add(n, label, ours, "pgmpy get_minimal_adjustment_set", took, note)

    # checking a set
    ours, _ = best_of(lambda: check_adjustment(g, [x], [y], chosen), runs)
    took, note = alternative(
        "pgmpy check", lambda: inference.is_valid_adjustment_set([x], [y], chosen)
    )
    table.add(n, "check one set", ours, "pgmpy is_valid_adjustment_set", took, note)

    # d-separation: separated (the search visits everything) and connected
    a, b = separated_pair(g)
    given = set(g.predecessors(b))
    ours, _ = best_of(lambda: open_path(g, [a], [b], given), runs)
    theirs, _ = best_of(lambda: nx.is_d_separator(g, {a}, {b}, given), runs)
    table.add(n, "d-separated (open path or none)", ours, "networkx is_d_separator", theirs)
    took, note = alternative("pgmpy dsep", lambda: dag.is_dconnected(a, b, list(given)))
    table.add(n, "d-separated (open path or none)", ours, "pgmpy is_dconnected", took, note)
    ours, _ = best_of(lambda: open_path(g, [x], [y], chosen), runs)
    theirs, _ = best_of(lambda: nx.is_d_separator(g, {x}, {y}, set(chosen)), runs)
    table.add(n, "d-connected (with the path)", ours, "networkx is_d_separator", theirs)

    # implications
    ours, basis = best_of(lambda: basis_implications(g), runs)
    label = f"implications ({len(basis.implications)})"
    missing = [(i.x, i.y) for i in basis.implications]
    took, note = alternative(
        "nx basis", lambda: [nx.find_minimal_d_separator(g, p, q) for p, q in missing], 60
    )
    table.add(n, label, ours, "networkx find_minimal_d_separator per pair", took, note)
    took, note = alternative(
        "pgmpy independencies", lambda: dag.get_independencies(), options.independencies_cap
    )
    table.add(n, label, ours, "pgmpy get_independencies()", took, note)

    # instruments
    ours, found = best_of(lambda: instruments(g, x, y), runs)
    theirs, _ = best_of(lambda: lib["get_instruments"](g, [x], [y]), runs)
    label = f"instruments ({len(found.instruments)})"
    table.add(n, label, ours, "DoWhy get_instruments (parents only)", theirs)

    # causal paths
    ours, paths = best_of(lambda: causal_paths(g, x, y), runs)
    theirs, _ = best_of(lambda: list(nx.all_simple_paths(g, x, y)), runs)
    table.add(n, f"causal paths ({len(paths)})", ours, "networkx all_simple_paths", theirs)

    # identification
    ours, _ = best_of(lambda: identify(g, x, y), runs)
    identifier = lib["AutoIdentifier"](lib["EstimandType"].NONPARAMETRIC_ATE)
    took, note = alternative(
        "dowhy identify",
        lambda: identifier.identify_effect(g, [x], [y], list(g.nodes)),
        options.dowhy_cap,
    )
    table.add(
        n, "identify (back-door here)", ours, "DoWhy AutoIdentifier.identify_effect", took, note
    )
    hidden = g.copy()
    hidden.add_edges_from([("u", x), ("u", y)])
    ours, found = best_of(lambda: identify(hidden, x, y, ["u"]), runs)
    how = found.method if found.identifiable else "not identifiable"
    table.add(
        n,
        "identify, latent u -> x, y",
        ours,
        "DoWhy IDIdentifier",
        None,
        f"{how}; not compared: DoWhy's ID treats latent nodes as measured (dowhy#824)",
    )


def separated_pair(g: nx.DiGraph) -> tuple[str, str]:
    """A late node and an earlier node that is neither its parent nor its child, which the
    parents of the late node d-separate."""
    order = list(nx.topological_sort(g))
    b = order[-1]
    a = next(v for v in order if not g.has_edge(v, b) and v != b)
    return a, b


def adjustment_spread(n: int, seed: int, pairs: int) -> None:
    """All minimal adjustment sets for many confounded pairs of one graph: how the time
    follows the number of sets (the listing has polynomial delay)."""
    g = random_dag(n, seed)
    rng = random.Random(seed)
    rows = []
    for x, y in itertools.islice(confounded_pairs(g, rng), pairs):
        took, result = best_of(lambda x=x, y=y: adjustment_sets(g, [x], [y]), 3)
        rows.append((took, len(result.sets)))
    times = sorted(t for t, _ in rows)
    slowest = max(rows)
    print(
        f"\nadjustment sets for {len(rows)} confounded pairs of the {n}-node DAG: "
        f"median {ms(statistics.median(times))}, slowest {ms(slowest[0])} "
        f"({slowest[1]} sets, {slowest[0] / slowest[1] * 1000:.2f} ms per set); "
        f"{sum(t > TARGET for t in times)} over {TARGET * 1000:.0f} ms"
    )


# --- part 2: agreement ------------------------------------------------------------------------


def pgmpy_worker() -> None:
    """Run pgmpy's minimal adjustment sets on graphs read as JSON (for the stability check
    under another hash seed)."""
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from pgmpy.base import DAG
    from pgmpy.inference import CausalInference

    answers = []
    for edges, x, y in json.load(sys.stdin):
        found = CausalInference(DAG([tuple(e) for e in edges])).get_minimal_adjustment_set(x, y)
        answers.append(None if found is None else sorted(found))
    json.dump(answers, sys.stdout)


def agreement(options, lib, graphs) -> None:
    print("\nagreement where both answer")
    cases = []
    rng = random.Random(options.seed)
    for i in range(options.agreement_graphs):
        g = random_dag(20, options.seed * 1000 + i)
        pair = next(confounded_pairs(g, rng), None)
        if pair is not None:
            cases.append((g, *pair))

    payload = json.dumps([(sorted(g.edges()), x, y) for g, x, y in cases])
    by_seed = {}
    for seed in ("0", "12345"):
        worker = subprocess.run(
            [sys.executable, __file__, "--pgmpy-worker"],
            input=payload,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        by_seed[seed] = json.loads(worker.stdout)
        invalid = missing = not_minimal = 0
        for (g, x, y), theirs in zip(cases, by_seed[seed], strict=True):
            ours = adjustment_sets(g, [x], [y]).sets
            if theirs is None:
                missing += bool(ours)
            elif not check_adjustment(g, [x], [y], theirs).valid:
                invalid += 1
            elif theirs not in ours:
                not_minimal += 1
        print(
            f"  pgmpy get_minimal_adjustment_set, {len(cases)} random 20-node DAGs, "
            f"PYTHONHASHSEED={seed}: {invalid} invalid by check_adjustment, {not_minimal} "
            f"valid but not minimal, {missing} None although a set exists"
        )
    changed = sum(a != b for a, b in zip(*by_seed.values(), strict=True))
    print(f"  pgmpy's answer differs between the two hash seeds in {changed} of {len(cases)}")

    bad = 0
    for g, x, y in cases:
        backdoor, allowed = proper_backdoor_graph(g, x, y)
        theirs = nx.find_minimal_d_separator(backdoor, x, y, restricted=allowed)
        ours = adjustment_sets(g, [x], [y]).sets
        bad += theirs is None or sorted(theirs) not in ours
    print(
        f"  networkx find_minimal_d_separator on the proper back-door graph: "
        f"{len(cases) - bad} of {len(cases)} among mechmap's minimal sets"
    )

    queries = disagree = bad_paths = 0
    for n, (g, _, _) in graphs.items():
        rng = random.Random(n)
        nodes = list(g)
        for _ in range(options.dsep_queries):
            a, b = rng.sample(nodes, 2)
            given = set(rng.sample([v for v in nodes if v not in (a, b)], rng.randint(0, 5)))
            path = open_path(g, [a], [b], given)
            queries += 1
            disagree += (path is None) != nx.is_d_separator(g, {a}, {b}, given)
            if path is not None and not path_status(g, path, given).open:
                bad_paths += 1
    print(
        f"  d-separation, {queries} random queries: {disagree} disagree with networkx "
        f"is_d_separator; {bad_paths} open paths that are not open"
    )

    for n, (g, x, y) in graphs.items():
        ours = causal_paths(g, x, y)
        theirs = sorted(nx.all_simple_paths(g, x, y))
        basis = basis_implications(g)
        sample = basis.implications[:: max(1, len(basis.implications) // 500)]
        wrong = sum(not nx.is_d_separator(g, {i.x}, {i.y}, set(i.given)) for i in sample)
        missing_arrows = len(g) * (len(g) - 1) // 2 - g.number_of_edges()
        dowhy_iv = set(lib["get_instruments"](g, [x], [y]))
        ours_iv = {i.instrument for i in instruments(g, x, y).instruments}
        print(
            f"  {n} nodes: causal paths {'same' if ours == theirs else 'DIFFER'} as networkx "
            f"({len(ours)}); implications {len(basis.implications)} for {missing_arrows} "
            f"missing arrows, {wrong} of {len(sample)} checked not d-separated; DoWhy's "
            f"{len(dowhy_iv)} instruments {'all' if dowhy_iv <= ours_iv else 'NOT all'} "
            f"among mechmap's {len(ours_iv)}"
        )

    identifier = lib["AutoIdentifier"](lib["EstimandType"].NONPARAMETRIC_ATE)
    for n, (g, x, y) in graphs.items():
        if n > 50:
            continue
        took, estimand = capped(
            lambda g=g, x=x, y=y: identifier.identify_effect(
                g, [x], [y], list(g.nodes)
            ).get_backdoor_variables(),
            options.dowhy_cap,
        )
        if took is None:
            print(f"  DoWhy identify_effect, {n} nodes: {estimand}")
            continue
        valid = check_adjustment(g, [x], [y], estimand).valid
        print(
            f"  DoWhy identify_effect, {n} nodes: back-door set of {len(estimand)} "
            f"{'valid' if valid else 'INVALID'} by check_adjustment; mechmap's smallest has "
            f"{len(identify(g, x, y).adjustment_set)}"
        )


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 and 50 nodes, short caps")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pgmpy-worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.pgmpy_worker:
        pgmpy_worker()
        return
    sizes = (20, 50) if options.quick else (20, 50, 100, 200)
    options.cap = 5.0 if options.quick else 20.0
    options.dowhy_cap = 5.0 if options.quick else 20.0
    options.independencies_cap = 10.0 if options.quick else 60.0
    options.agreement_graphs = 30 if options.quick else 120
    options.dsep_queries = 100 if options.quick else 500
    if options.quick:
        options.runs = min(options.runs, 3)

    lib = quiet_imports()
    print(
        f"imports: pgmpy {lib['pgmpy_import']:.1f} s, dowhy {lib['dowhy_import']:.1f} s "
        "(mechmap.analysis imports neither)"
    )
    table, gave_up, graphs = Table(), {}, {}
    for n in sizes:
        g = random_dag(n, options.seed * 100 + n)
        x, y = next(confounded_pairs(g, random.Random(options.seed + n)))
        graphs[n] = (g, x, y)
        print(
            f"\n{n} nodes, {g.number_of_edges()} arrows: effect of {x} on {y}, best of "
            f"{options.runs}\n  {'analysis':<32} {'mechmap':>10}   {'alternative':<44} "
            f"{'time':>10}   mechmap/alternative"
        )
        time_size(n, g, x, y, lib, options, table, gave_up)

    largest = sizes[-1]
    summary(table, sizes)
    slow = sorted({a for (n, a), t in table.mechmap.items() if n == largest and t > TARGET})
    missed = []
    for analysis in slow:
        took = table.mechmap[(largest, analysis)]
        count = re.search(r"\((?:all )?(\d+)\)", analysis)
        each = f", {took / int(count[1]) * 1e6:.0f} µs per item listed" if count else ""
        missed.append(f"{analysis} ({ms(took)}{each})")
    print(
        f"\ntarget: every analysis of the {largest}-node DAG under {TARGET * 1000:.0f} ms: "
        + ("met" if not missed else "missed by " + "; ".join(missed))
    )
    adjustment_spread(largest, options.seed, 10 if options.quick else 40)

    small = random_dag(12, options.seed)
    ours, _ = best_of(lambda: basis_implications(small), options.runs)
    theirs, note = capped(lambda: small_independencies(lib, small), options.independencies_cap)
    print(
        f"12-node DAG, implications: mechmap {ms(ours)}, pgmpy get_independencies() "
        + (f"{theirs:.1f} s ({theirs / ours:.0f}x)" if theirs else note)
    )
    agreement(options, lib, graphs)


def summary(table: Table, sizes) -> None:
    """mechmap's times, one row per analysis, one column per size."""
    rows: dict[str, dict[int, float]] = {}
    for (n, analysis), took in table.mechmap.items():
        rows.setdefault(analysis.split(" (")[0], {})[n] = took
    print(f"\nmechmap, best of runs\n  {'analysis':<32}" + "".join(f"{n:>8} nodes" for n in sizes))
    for analysis, times in rows.items():
        print(f"  {analysis:<32}" + "".join(f"{ms(times.get(n)):>14}" for n in sizes))


def small_independencies(lib, g):
    return lib["DAG"](g.edges()).get_independencies()


if __name__ == "__main__":
    main()
