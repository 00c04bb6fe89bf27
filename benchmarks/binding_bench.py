"""Peak memory and time of binding a large respondent-level CSV file, against pandas and the
previous implementation, at several sizes.

Generates (in a temporary folder, removed afterwards; nothing is committed) the test
fixture's map and measures with ``--sites`` sites and, for each of ``--rows`` (100,000,
300,000 and 1,000,000 by default), a respondent-level WAI-S table of that many rows (a
rater, eleven items and a free-text comment per row). Each of these runs in a fresh process,
so that its peak resident memory (``ru_maxrss`` of that process, from ``wait4``) is its own;
best of ``--runs``:

- ``mechmap bind``: :func:`mechmap.data.read_tables` and :func:`mechmap.data.bind` of every
  variable at level site (respondents aggregated to sites by mean and median, one where),
  and of four at level respondent (where the rows analysed come back to Python);
- ``mechmap test``: the whole command, ``mechmap test --path "hours -> wai -> fidelity"
  --data sites.csv --data wai.csv --json``, which binds twice (the path and the map's
  falsification) and runs the engine at ``--sites`` sites;
- ``pandas``: the same site means done the usual way, ``pandas.read_csv`` of only the
  columns needed and a ``groupby().mean()`` (no checks, no locations, no ICCs, no median);
- with ``--previous DIR`` (a checkout of the previous implementation, such as the main
  branch), ``mechmap bind`` and ``mechmap test`` once more with ``PYTHONPATH=DIR``.

Then the growth exponents: the slope of log(time) and of log(peak memory above the tool's
import baseline, a process that only imports it) against log(rows). Targets: ``mechmap
test`` under 300 MB at 1M rows; the binding within it. With ``--gigabytes G`` also one table
of about G GB (target: under 1 GB for 2 GB). Run::

    python benchmarks/binding_bench.py --previous /work/main   # 10 minutes on 2 busy cores
    python benchmarks/binding_bench.py --rows 100000 300000 --runs 1   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "measures"
ITEMS = [n for n in range(1, 13) if n != 5]  # the fixture's WAI-S drops item 5
VARIABLES = {  # at level respondent, respondent-level variables must share their rows
    "site": ["hours", "wai", "goal", "alliance_cf", "fidelity", "screening@impl", "rural"],
    "respondent": ["hours", "wai", "goal", "fidelity"],
}
BYTES_PER_ROW = 73  # of the generated table, roughly
PATH = "hours -> wai -> fidelity"

MECHMAP = """
import json
import mechmap
from mechmap.data import bind, load_measures, read_tables
m = mechmap.load({map!r})
measures = load_measures({measures!r}, m)
tables = read_tables([{sites!r}, {wai!r}])
data = bind(m, measures, tables, {variables!r}, level={level!r})
wai = data.column("wai")
means = [round(float(v), 9) for v in wai[:3]] if data.level == "site" else None
print(json.dumps({{"rows": data.n_rows, "means": means}}))
"""

PANDAS = """
import json
import pandas as pd
items = [f"wai_{{n}}" for n in {items!r}]
frame = pd.read_csv({wai!r}, usecols=["site", *items])
scored = frame[items].astype(float)
for n in (4, 10):
    scored[f"wai_{{n}}"] = 8 - scored[f"wai_{{n}}"]
frame["score"] = scored.mean(axis=1)
means = frame.groupby("site", sort=False)["score"].mean()
print(json.dumps({{"rows": len(means), "means": [round(float(v), 9) for v in means.iloc[:3]]}}))
"""


def generate(folder: Path, rows: int, sites: int, name: str) -> Path:
    """A respondent-level WAI-S table of ``rows`` rows over ``sites`` sites, written by
    DuckDB (fast, and in constant memory)."""
    import duckdb

    path = folder / name
    items = ", ".join(f"1 + (hash(i * 13 + {n}) % 7) AS wai_{n}" for n in ITEMS)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"""COPY (SELECT 'S' || lpad(CAST(i % {sites} AS VARCHAR), 4, '0') AS site,
                ['CF', 'EF', 'site'][1 + (i // {sites}) % 3] AS rater, {items},
                'respondent ' || CAST(i AS VARCHAR) || ' wrote a short comment' AS comment
                FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""
        )
    return path


def site_table(folder: Path, sites: int) -> Path:
    path = folder / "sites.csv"
    lines = [
        "site,facilitation_hours,gti_fidelity,screening_base,screening_impl,screening_sust,rural"
    ]
    for k in range(sites):
        lines.append(
            f"S{k:04d},{10 + k % 30},{('low', 'medium', 'high')[k % 3]},0.2,"
            f"{0.2 + (k % 50) / 100:.2f},0.3,{('no', 'yes')[k % 2]}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def run(arguments: list[str], code_root: Path) -> dict:
    """Run ``arguments`` (after the Python executable) in a fresh process importing mechmap
    from ``code_root``: its wall time, peak resident memory and last line of output (JSON)."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    started = time.perf_counter()
    # Output to files, not pipes, so that the child can be reaped here by wait4, which
    # gives its own resource usage (Popen's wait would not).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # cwd: python -c and -m put the working directory first on sys.path, ahead of
        # PYTHONPATH, so it must be the code's own folder for the previous code to be run.
        process = subprocess.Popen(
            [sys.executable, *arguments], stdout=out, stderr=err, env=env, cwd=code_root
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        printed, complaint = out.read().decode(), err.read().decode()
    seconds = time.perf_counter() - started
    if process.returncode:
        lines = complaint.strip().splitlines() or ["failed"]
        return {"error": lines[-1]}
    lines = printed.strip().splitlines()
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "result": json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {},
    }


def best(arguments: list[str], code_root: Path, runs: int) -> dict:
    """The fastest of ``runs`` runs, with the smallest peak memory among them."""
    found = [run(arguments, code_root) for _ in range(runs)]
    failed = [f for f in found if "error" in f]
    if failed:
        return failed[0]
    fastest = min(found, key=lambda f: f["seconds"])
    return {**fastest, "peak_mb": min(f["peak_mb"] for f in found)}


def exponent(sizes: list[int], values: list[float]) -> float:
    """The slope of log(value) against log(size): 1 is linear growth, 0 none."""
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(np.maximum(values, 1e-9)), 1)[0])


class Bench:
    """The tools measured (label, code root, arguments per table) and their figures."""

    def __init__(self, folder: Path, sites: Path, runs: int):
        self.folder, self.runs = folder, runs
        self.common = {
            "map": str(FIXTURES / "map.yaml"),
            "measures": str(FIXTURES / "measures.yaml"),
            "sites": str(sites),
        }
        self.figures: dict[str, list[dict]] = {}

    def tools(self, wai: Path, previous: Path | None, skip_pandas: bool):
        roots = [("", ROOT)] + ([(" (previous)", previous)] if previous else [])
        for suffix, root in roots:
            for level in ("site", "respondent"):
                code = MECHMAP.format(
                    **self.common, wai=str(wai), level=level, variables=VARIABLES[level]
                )
                yield f"mechmap bind, level {level}{suffix}", root, ["-c", code]
            command = ["-m", "mechmap", "test", self.common["map"], "--path", PATH]
            command += ["--measures", self.common["measures"], "--json"]
            command += ["--data", self.common["sites"], "--data", str(wai)]
            yield f"mechmap test{suffix}", root, command
        if not skip_pandas:
            yield (
                "pandas read_csv + groupby().mean()",
                ROOT,
                ["-c", PANDAS.format(items=ITEMS, wai=str(wai))],
            )

    def measure(self, label: str, root: Path, arguments: list[str]) -> dict:
        found = best(arguments, root, self.runs)
        self.figures.setdefault(label, []).append(found)
        if "error" in found:
            print(f"  {label:<44} failed: {found['error']}")
        else:
            means = found["result"].get("means")
            shown = f"  first site means {means}" if means else ""
            print(
                f"  {label:<44} peak {found['peak_mb']:6.0f} MB  {found['seconds']:6.2f} s{shown}"
            )
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs")
    parser.add_argument("--previous", type=Path, help="a checkout of the previous implementation")
    parser.add_argument("--gigabytes", type=float, default=0.0, help="also one table this big")
    parser.add_argument("--skip-pandas", action="store_true", help="skip the pandas reading")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mechmap-bench-"))
    try:
        bench = Bench(folder, site_table(folder, args.sites), args.runs)
        baselines = {
            "mechmap": best(["-c", "import mechmap.data, duckdb"], ROOT, 1)["peak_mb"],
            "pandas": best(["-c", "import pandas"], ROOT, 1)["peak_mb"],
        }
        print(
            f"import baselines: mechmap.data + duckdb {baselines['mechmap']:.0f} MB, "
            f"pandas {baselines['pandas']:.0f} MB; {args.sites} sites, best of {args.runs}"
        )
        for rows in args.rows:
            wai = generate(folder, rows, args.sites, "wai.csv")
            print(f"{rows:,} rows ({wai.stat().st_size / 1e6:.0f} MB of CSV)")
            for label, root, arguments in bench.tools(wai, args.previous, args.skip_pandas):
                bench.measure(label, root, arguments)
            wai.unlink()
        if len(args.rows) >= 3:
            print("growth exponents against rows (time; peak memory above the import baseline)")
            for label, found in bench.figures.items():
                if any("error" in f for f in found):
                    continue
                base = baselines["pandas" if label.startswith("pandas") else "mechmap"]
                above = [max(f["peak_mb"] - base, 1.0) for f in found]
                print(
                    f"  {label:<44} time {exponent(args.rows, [f['seconds'] for f in found]):5.2f}"
                    f"   memory {exponent(args.rows, above):5.2f}"
                )
        if args.gigabytes:
            rows = int(args.gigabytes * 1e9 / BYTES_PER_ROW)
            big = generate(folder, rows, args.sites, "wai_big.csv")
            print(f"{big.stat().st_size / 1e9:.2f} GB, {rows:,} rows")
            code = MECHMAP.format(
                **bench.common, wai=str(big), level="site", variables=VARIABLES["site"]
            )
            bench.measure("mechmap bind, level site", ROOT, ["-c", code])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
