"""Where drawing a big map spends its time, against Graphviz laying out the same graph.

    python benchmarks/render_bench.py [--nodes 200 1000] [--cap 120]

For generated maps (a third of the nodes time-indexed over three waves, about two arrows
per node, most arrows numbered and signed), in one run:

1. mechmap's own layout (``draw``: columns, crossing reduction, heights, routes, labels);
2. drawing the positioned DOT (Graphviz's ``nop2`` engine: graphviz-pure, or system ``dot``
   when it is on PATH) to SVG;
3. the whole ``mechmap render`` and ``mechmap view`` commands (fresh processes);
4. the alternative: Graphviz's own layered layout (``dot``) of the same graph with its
   waves as clusters (the bare DOT of ``mechmap export --to dot``), with graphviz-pure and,
   where installed, system Graphviz, each stopped at ``--cap`` seconds.

Targets from the figures issue: a 1,000-node map renders and views in under 60 s each, a
200-node map in under 5 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generated_maps import generated_map

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def command(args: list[str], cap: float, stdin: bytes | None = None) -> float | None:
    start = time.perf_counter()
    try:
        done = subprocess.run(args, input=stdin, capture_output=True, timeout=cap, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed: {done.stderr.decode()[:300]}")
    return time.perf_counter() - start


def seconds(value: float | None, cap: float) -> str:
    return f"> {cap:.0f} s (stopped)" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--cap", type=float, default=120.0)
    options = parser.parse_args()

    import mechmap
    from mechmap.diagrams.dotwriter import plain_dot
    from mechmap.diagrams.engines import engines
    from mechmap.diagrams.render import draw, run_engine

    pure = next((e.program for e in engines() if e.name == "graphviz-pure"), None)
    system = shutil.which("dot")
    with tempfile.TemporaryDirectory() as folder:
        for n in options.nodes:
            path = Path(folder) / f"generated-{n}.yaml"
            path.write_text(generated_map(n, reach=40, numbered=True))
            m = mechmap.load(path)
            layout_s, drawing = timed(lambda m=m: draw(m))
            engine_s, svg = timed(lambda d=drawing: run_engine(d.dot, "svg"))
            cli = [PYTHON, "-m", "mechmap"]
            render_s = command([*cli, "render", str(path), "-o", f"{folder}/m{n}.svg"], 600)
            view_s = command([*cli, "view", str(path), "-o", f"{folder}/m{n}.html"], 600)
            bare = plain_dot(m).encode()
            theirs = {}
            for name, program in (("graphviz-pure dot", pure), ("system dot", system)):
                if program:
                    theirs[name] = command([program, "-Kdot", "-Tsvg"], options.cap, bare)
            print(f"\n{n} nodes: {len(m.variables)} variables, {len(m.links)} arrows")
            print(f"  mechmap layout (draw)           {layout_s:8.2f} s")
            size = f"({len(svg) / 1e6:.1f} MB SVG)"
            print(f"  drawing positioned DOT (nop2)   {engine_s:8.2f} s  {size}")
            print(f"  mechmap render, end to end      {seconds(render_s, 600):>10}")
            print(f"  mechmap view, end to end        {seconds(view_s, 600):>10}")
            for name, value in theirs.items():
                ratio = "" if value is None else f"  ({value / (layout_s + engine_s):.1f}x ours)"
                print(
                    f"  {name + ' layout of the graph':32s}{seconds(value, options.cap):>10}{ratio}"
                )
            if not system:
                print("  system dot: not installed (apt-get install graphviz to compare)")


if __name__ == "__main__":
    main()
