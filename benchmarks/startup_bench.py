"""How fast mechmap starts and loads, against the alternatives, in one run.

    python benchmarks/startup_bench.py [--runs 7] [--nodes 2000] [--compare ../main]

1. Cold start of the commands people run most (``--help``, ``validate``, ``show``,
   ``render``, ``test`` on the bundled synthetic GTI data), each the best of N fresh
   interpreters, against the floor (``python -c pass``), against importing typer, rich and
   yaml (the libraries every command needs), against a one-command typer app that takes a
   path (typer 0.29 parses every parameter with pydantic, so this is the floor of any
   typer command), and against importing dowhy up front. ``--compare DIR`` runs the same
   commands on another checkout of mechmap (e.g. the main branch) in the same run.
2. What ``mechmap test`` imports before it does any work: the sum of ``-X importtime``'s
   top-level imports, and the largest packages.
3. Loading a generated map of N nodes (with time-indexed nodes, ~2 arrows per node):
   ``mechmap.loads`` (parse with positions, schema, unrolling, every check) against the
   do-it-by-hand baseline of ``yaml.safe_load`` + a networkx DiGraph + networkx's cycle
   check, which does none of the validation.
Targets: ``--help`` under 0.15 s; ``validate`` at most 2x importing typer, rich and yaml.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from generated_maps import generated_map

ROOT = Path(__file__).resolve().parent.parent
# Absolute: each tree runs in its own folder (python -m puts the current folder first on
# sys.path, so that is how the compared checkout's code is the one imported).
MAP = str(ROOT / "maps/yakovchenko-2025-working-alliance.yaml")
GTI = str(ROOT / "data/gti-synthetic")
TEST = [
    "test",
    MAP,
    "--measures",
    f"{GTI}/gti-synthetic-measures.yaml",
    "--data",
    f"{GTI}/gti-synthetic-sites.csv",
    "--data",
    f"{GTI}/gti-synthetic-wai-s.csv",
    "--hypothesis",
    "dose-alliance",
    "--missing",
    "drop",
]
COMMANDS = [
    ("mechmap --help", ["--help"]),
    ("mechmap validate (one map)", ["validate", MAP]),
    ("mechmap show (same map)", ["show", MAP]),
    ("mechmap render (same map, SVG)", ["render", MAP, "-o", "/tmp/mechmap-bench.svg", "--force"]),
    ("mechmap test (bundled GTI example)", TEST),
]
TYPER_APP = (
    "import sys, pathlib, typer\n"
    "app = typer.Typer()\n"
    "@app.command()\n"
    "def check(files: list[pathlib.Path], as_json: bool = typer.Option(False, '--json')):\n"
    "    print(len(files))\n"
    "@app.command()\n"
    "def other() -> None: pass\n"
    "app(['check', sys.argv[1]])\n"
)


class Took(NamedTuple):
    """Best wall time and best CPU time (user + system) of a command, in seconds."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall * 1000:5.0f} /{self.cpu * 1000:5.0f} ms"

    def over(self, other: Took) -> str:
        return f"{self.wall / other.wall:5.2f} /{self.cpu / other.cpu:5.2f}x"


def best_cold_start(args: list[str], runs: int, pythonpath: Path = ROOT) -> Took:
    """The fastest of ``runs`` fresh interpreters (the others were slowed by the machine):
    wall time, and CPU time, which a busy machine inflates much less."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, cwd=pythonpath, capture_output=True, check=False, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Took(min(walls), min(cpus))


def best_of(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def imports_before_work(args: list[str], pythonpath: Path) -> tuple[float, Counter]:
    """Seconds ``-X importtime`` counts for a run's imports (the interpreter's own ``site``
    excluded), and how they split by top-level package (each module's own time). SciPy loads
    its submodules through ``importlib``, which importtime does not time apart: ``from scipy
    import stats`` counts as the importing module's own time (mechmap's, here)."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    command = [sys.executable, "-X", "importtime", "-m", "mechmap", *args]
    result = subprocess.run(command, cwd=pythonpath, capture_output=True, text=True, env=env)
    packages: Counter = Counter()
    in_site = True  # site's imports come first and end with site itself
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        if not own.strip().isdigit():
            continue  # the header
        if not in_site:
            packages[name.strip().split(".")[0]] += int(own) / 1e6
        in_site = in_site and name.strip() != "site"
    return sum(packages.values()), packages


def first(pair: tuple) -> object:
    return pair[0]


def cold_starts(options: argparse.Namespace) -> None:
    python, runs = sys.executable, options.runs
    print(f"cold start, best of {runs} fresh interpreters: wall / CPU time")
    floor = best_cold_start([python, "-c", "pass"], runs)
    base = best_cold_start([python, "-c", "import typer, rich, yaml"], runs)
    typer_app = best_cold_start([python, "-c", TYPER_APP, MAP], runs)
    dowhy = best_cold_start([python, "-c", "import dowhy"], max(2, runs // 3))
    for label, took in (
        ("python -c pass (floor)", floor),
        ('python -c "import typer, rich, yaml" (baseline)', base),
        ("a one-command typer app given a path", typer_app),
        ('python -c "import dowhy" (eager import)', dowhy),
    ):
        print(f"  {label:<48} {took}")
    header = f"  {'command':<40} {'this tree':>15} {'x baseline':>15}"
    if options.compare:
        header += f" {'compared':>15} {'x baseline':>15} {'speed-up':>15}"
    print(header)
    for label, args in COMMANDS:
        ours = best_cold_start([python, "-m", "mechmap", *args], runs)
        row = f"  {label:<40} {ours!s:>15} {ours.over(base):>15}"
        if options.compare:
            theirs = best_cold_start([python, "-m", "mechmap", *args], runs, options.compare)
            row += f" {theirs!s:>15} {theirs.over(base):>15} {theirs.over(ours):>15}"
        print(row)

    print("\nwhat `mechmap test` imports before any work (-X importtime, best of 3 runs each)")
    trees = [("this tree", ROOT)] + ([("compared", options.compare)] if options.compare else [])
    for name, tree in trees:
        total, packages = min((imports_before_work(TEST, tree) for _ in range(3)), key=first)
        largest = ", ".join(f"{p} {s:.2f}" for p, s in packages.most_common(8))
        print(f"  {name:<10} {total:5.2f} s; by package (s): {largest}")


def loading(options: argparse.Namespace) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument(
        "--compare", type=Path, help="another checkout of mechmap to time in the same run"
    )
    options = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cold_starts(options)
    loading(options)


if __name__ == "__main__":
    main()
