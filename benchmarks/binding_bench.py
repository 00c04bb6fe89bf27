"""Peak memory of binding a large respondent-level CSV file, next to reading it with pandas.

Generates (in a temporary folder, removed afterwards; nothing is committed) the test
fixture's map and measures with ``--sites`` sites and a respondent-level WAI-S table of
about ``--gigabytes`` GB (a rater, eleven items and a free-text comment per row), then
measures, each in a fresh process so that its peak resident memory is its own:

- ``mechmap``: :func:`mechmap.data.read_tables` and :func:`mechmap.data.bind` of every
  variable at level site (respondents aggregated to sites by mean and median, one where);
- ``pandas``: the previous approach at its most frugal, ``pandas.read_csv`` of only the
  columns needed and a groupby (the old code read every column, and the text first);
- the same binding of a table of ``--rows`` respondent rows (1,000,000 by default), at
  level site and at level respondent (where the rows analysed come back to Python).

Targets: under 1 GB for the 2 GB file, under 300 MB for the million rows. Run::

    python benchmarks/binding_bench.py                 # about 2 GB: takes a few minutes
    python benchmarks/binding_bench.py --gigabytes 0.2 --rows 100000   # a quick look
"""

from __future__ import annotations

import argparse
import json
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

MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "result": result}}))
"""

MECHMAP = """
import mechmap
from mechmap.data import bind, load_measures, read_tables
m = mechmap.load({map!r})
measures = load_measures({measures!r}, m)
tables = read_tables([{sites!r}, {wai!r}])
data = bind(m, measures, tables, {variables!r}, level={level!r})
result = {{"rows": data.n_rows, "sites": data.n_sites,
          "wai": [round(float(v), 6) for v in data.column("wai")[:3]]}}
"""

PANDAS = """
import pandas as pd
items = [f"wai_{{n}}" for n in {items!r}]
frame = pd.read_csv({wai!r}, usecols=["site", "rater", *items])
scored = frame[items].astype(float)
for n in (4, 10):
    scored[f"wai_{{n}}"] = 8 - scored[f"wai_{{n}}"]
frame["score"] = scored.mean(axis=1)
means = frame.groupby("site")["score"].mean()
result = {{"rows": len(means), "sites": len(means),
          "wai": [round(float(v), 6) for v in means.iloc[:3]]}}
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


def measure(body: str) -> dict:
    """Run ``body`` in a fresh Python process; its time, peak memory and result."""
    code = MEASURE.format(body=body)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(label: str, found: dict, target_mb: float | None = None) -> None:
    if "error" in found:
        print(f"  {label:<40} failed: {found['error']}")
        return
    verdict = ""
    if target_mb is not None:
        met = "met" if found["peak_mb"] < target_mb else "MISSED"
        verdict = f"  (target < {target_mb:.0f} MB: {met})"
    print(
        f"  {label:<40} peak {found['peak_mb']:7.0f} MB  {found['seconds']:6.1f} s  "
        f"{found['result']['rows']} rows bound{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--skip-pandas", action="store_true", help="skip the pandas reading")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mechmap-bench-"))
    try:
        sites = site_table(folder, args.sites)
        common = {
            "map": str(FIXTURES / "map.yaml"),
            "measures": str(FIXTURES / "measures.yaml"),
            "sites": str(sites),
        }
        started = time.perf_counter()
        big = generate(folder, int(args.gigabytes * 1e9 / BYTES_PER_ROW), args.sites, "wai.csv")
        size = big.stat().st_size
        print(
            f"{big.name}: {size / 1e9:.2f} GB, {int(args.gigabytes * 1e9 / BYTES_PER_ROW):,} "
            f"rows, {args.sites} sites (generated in {time.perf_counter() - started:.0f} s)"
        )
        report(
            "mechmap bind, level site",
            measure(
                MECHMAP.format(**common, wai=str(big), level="site", variables=VARIABLES["site"])
            ),
            1024,
        )
        if not args.skip_pandas:
            report(
                "pandas read_csv (needed columns only)",
                measure(PANDAS.format(items=ITEMS, wai=str(big))),
            )
        big.unlink()
        rows = generate(folder, args.rows, args.sites, "wai_rows.csv")
        print(f"{rows.name}: {rows.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows")
        for level in ("site", "respondent"):
            report(
                f"mechmap bind, level {level}",
                measure(
                    MECHMAP.format(**common, wai=str(rows), level=level, variables=VARIABLES[level])
                ),
                300,
            )
        if not args.skip_pandas:
            report(
                "pandas read_csv (needed columns only)",
                measure(PANDAS.format(items=ITEMS, wai=str(rows))),
            )
        baseline = measure("import mechmap.data, pandas, duckdb\nresult = {'rows': 0}")
        print(
            f"  (a process that only imports mechmap.data, pandas and duckdb: "
            f"{baseline['peak_mb']:.0f} MB)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
