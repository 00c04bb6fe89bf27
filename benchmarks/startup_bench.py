"""How fast mechmap starts and loads, against the alternatives, in one run.

    python benchmarks/startup_bench.py [--runs 7] [--nodes 2000]

1. Cold start of the commands people run most (``--help``, ``validate``, ``show``), each a
   fresh interpreter, against the floor (``python -c pass``) and against what importing
   dowhy up front would cost (``python -c "import dowhy"``).
2. Loading a generated map of N nodes (with time-indexed nodes, ~2 arrows per node):
   ``mechmap.loads`` (parse with positions, schema, unrolling, every check) against the
   do-it-by-hand baseline of ``yaml.safe_load`` + a networkx DiGraph + networkx's cycle
   check, which does none of the validation.
Targets: every cold start and the 2,000-node load well under 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generated_maps import generated_map

ROOT = Path(__file__).resolve().parent.parent
MAP = "maps/yakovchenko-2025-working-alliance.yaml"


def cold_start(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def best_of(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--nodes", type=int, default=2000)
    options = parser.parse_args()
    python = sys.executable

    print(f"cold start, median of {options.runs} fresh interpreters")
    floor = cold_start([python, "-c", "pass"], options.runs)
    dowhy = cold_start([python, "-c", "import dowhy"], max(2, options.runs // 3))
    print(f"  {'python -c pass (floor)':<44} {floor * 1000:7.0f} ms")
    eager = 'python -c "import dowhy" (eager import)'
    print(f"  {eager:<44} {dowhy * 1000:7.0f} ms")
    commands = [
        ("mechmap --help", ["--help"]),
        (f"mechmap validate {MAP}", ["validate", MAP]),
        ("mechmap show (same map)", ["show", MAP]),
        (
            "mechmap render (same map, SVG)",
            ["render", MAP, "-o", "/tmp/mechmap-bench.svg", "--force"],
        ),
    ]
    for label, args in commands:
        took = cold_start([python, "-m", "mechmap", *args], options.runs)
        print(
            f"  {label[:44]:<44} {took * 1000:7.0f} ms   {took / dowhy:5.2f}x dowhy import, "
            f"{took - floor:5.3f} s above the floor"
        )

    import networkx as nx
    import yaml

    import mechmap

    text = generated_map(options.nodes)
    m = mechmap.loads(text)
    print(
        f"\nload a generated map: {len(m.nodes)} nodes, {len(m.variables)} variables, "
        f"{len(m.links)} arrows ({len(text) / 1e3:.0f} kB), best of {options.runs}"
    )

    def by_hand() -> None:
        data = yaml.safe_load(text)
        graph = nx.DiGraph()
        graph.add_nodes_from(data["nodes"])
        graph.add_edges_from(tuple(e.split(" -> ")) for e in data["edges"])
        nx.is_directed_acyclic_graph(graph)

    ours = best_of(lambda: mechmap.loads(text), options.runs)
    theirs = best_of(by_hand, options.runs)
    print(f"  {'mechmap.loads (parse, schema, unroll, checks)':<50} {ours * 1000:7.0f} ms")
    print(f"  {'yaml.safe_load + networkx DiGraph + DAG check':<50} {theirs * 1000:7.0f} ms")
    print(f"  ratio mechmap / by-hand baseline: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
