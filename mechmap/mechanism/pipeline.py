"""The whole path test in one call: map and data in, :class:`PathResult` out.

``mechmap test`` is this function plus argument parsing and formatting, so a script or a
notebook gets exactly what ``mechmap test --json`` prints::

    import mechmap
    result = mechmap.test_path(
        "maps/yakovchenko-2025-working-alliance.yaml",
        ["data/gti-synthetic/gti-synthetic-sites.csv",
         "data/gti-synthetic/gti-synthetic-wai-s.csv"],
        hypothesis="alliance-fidelity-screening",
        measures="data/gti-synthetic/gti-synthetic-measures.yaml",
    )
    result.as_dict()

The steps are the library's own, in DoWhy's order: :func:`~mechmap.mechanism.plan_test`
(identify each link), :func:`~mechmap.data.bind` (the variables as one checked matrix per
site or respondent), :func:`~mechmap.mechanism.run_test` (estimate, refute, falsify, judge).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mechmap.diagnostics import MapError, did_you_mean
from mechmap.mechanism.reproduce import is_frame
from mechmap.model import Map, Measures

if TYPE_CHECKING:
    import pandas as pd

    from mechmap.data import Table
    from mechmap.mechanism.result import PathResult


class TestSetupError(ValueError):
    """The test cannot be set up as asked (no path, unknown hypothesis, no data for a
    variable of the path); the message says what to give instead."""

    __test__ = False  # a library error, not a test for pytest to collect


class PathSyntaxError(MapError):
    """A typed path (``"a -> b -> c"``) that names no path of the map; located diagnostics."""


def resolve_chains(
    m: Map, hypothesis: str | None = None, path: str | Sequence[str] | None = None
) -> tuple[tuple[tuple[str, ...], ...], str | None]:
    """The chains to test and their expected sign: a hypothesis of the map, or typed paths
    (several for parallel mediators, sharing their ends)."""
    from mechmap.mechanism.plan import parse_chains

    paths = [path] if isinstance(path, str) else list(path or [])
    if (hypothesis is None) == (not paths):
        raise TestSetupError("give either --hypothesis ID or --path 'a -> b -> c'")
    if hypothesis is not None:
        found = {h.id: h for h in m.hypotheses}
        if hypothesis not in found:
            known = ", ".join(found) or "the map has none"
            raise TestSetupError(
                f"unknown hypothesis '{hypothesis}'{did_you_mean(hypothesis, found)}; "
                f"hypotheses: {known}"
            )
        return found[hypothesis].chains, found[hypothesis].expect
    try:
        chains = parse_chains(m, paths)
    except MapError as exc:
        raise PathSyntaxError(exc.diagnostics) from None
    if len({(c[0], c[-1]) for c in chains}) > 1:
        raise TestSetupError("parallel --path chains must share their first and last node")
    return chains, None


def test_path(
    map: Map | str | Path,  # the name users know, though it shadows the builtin
    data: str | Path | pd.DataFrame | Sequence[str | Path | pd.DataFrame],
    *,
    hypothesis: str | None = None,
    path: str | Sequence[str] | None = None,
    measures: Measures | str | Path | None = None,
    query: str | None = None,
    level: str = "site",
    missing: str = "error",
    n_resamples: int = 2000,
    seed: int = 0,
    refutations: bool = True,
    falsification: bool = True,
) -> PathResult:
    """Test a hypothesised path of ``map`` against ``data`` (see the module docstring).

    ``data``: CSV, Parquet or DuckDB files, or pandas DataFrames (one row per site, or per
    respondent with a site column), or a list of them; ``query``: SQL over the files (DuckDB)
    giving one table. ``measures``: a measures file or object binding nodes to columns (else
    the map's own). Raises :class:`TestSetupError` for a test that cannot be set up, and
    :class:`~mechmap.diagnostics.MapError` (located) for problems in the map or the data.
    """
    from mechmap.analysis.timing import time_varying_warnings
    from mechmap.data import bind, bindable_variables
    from mechmap.mapfile.loader import load
    from mechmap.mechanism import plan_test, run_test
    from mechmap.mechanism.reproduce import reproduction
    from mechmap.mechanism.unidentified import sensitivity_variables

    m = map if isinstance(map, Map) else load(map)
    chains, expect = resolve_chains(m, hypothesis, path)
    bound = measures_of(m, measures)
    sources = as_sources(data)
    tables = read_data(sources, query)
    plan = plan_test(m, chains, bindable_variables(m, bound, tables), hypothesis, expect)
    missing_path = [v for chain in chains for v in chain if v not in plan.measured]
    if missing_path:
        raise TestSetupError(
            f"no data for {', '.join(dict.fromkeys(missing_path))}: add a column of that name "
            "or a measure binding it (see docs/map-format.md, 'measures')"
        )
    analysis_data = bind(m, bound, tables, plan.variables, level=level, missing=missing)
    # The map's implications involve every measured variable, so they are tested on the
    # sites complete for all of them (reported), whatever the path's own sample is.
    everything = [v for v in m.variables if v in plan.measured]
    falsification_data = bind(m, bound, tables, everything, level="site", missing="drop")
    # A link that cannot be identified is fitted on the measured part of a valid set for its
    # sensitivity analysis; those covariates may be ones the estimates do not bind, so they
    # get the test's rows minus any site that lacks them (they must not stop the test).
    extra = sensitivity_variables(plan)
    identification_data = (
        bind(m, bound, tables, [*plan.variables, *extra], level=level, missing="drop")
        if extra
        else None
    )
    # Everything is read: DuckDB's memory (about 70 MB after a million rows) is freed
    # before the engine takes its own.
    for table in tables:
        table.database.close()
    result = run_test(
        plan,
        analysis_data,
        n_resamples=n_resamples,
        seed=seed,
        refutations=refutations,
        falsification=falsification,
        warnings=tuple(time_varying_warnings(m, plan.exposure, plan.outcome)),
        falsification_data=falsification_data,
        identification_data=identification_data,
    )
    reproduce = reproduction(
        m,
        None if isinstance(map, Map) else map,
        sources,
        hypothesis=hypothesis,
        paths=[path] if isinstance(path, str) else list(path or []),
        measures=measures,
        query=query,
        level=level,
        missing=missing,
        n_resamples=n_resamples,
        seed=seed,
        refutations=refutations,
        falsification=falsification,
    )
    return dataclasses.replace(result, reproduction=reproduce)


def measures_of(m: Map, measures: Measures | str | Path | None) -> Measures | None:
    """The measures that bind ``m``'s nodes: a measures file (checked against the map), a
    ``Measures`` given as it is, else the map's own ``measures`` block. ``mechmap test`` and the
    gcm commands take their measures through this one function."""
    from mechmap.data import load_measures

    if isinstance(measures, str | Path):
        return load_measures(Path(measures), m)
    return measures if measures is not None else m.measures


def as_sources(data) -> list:
    """``data`` as a list of files and data frames (one of them alone is a list of one), the
    form every command that reads data takes: CSV, Parquet or DuckDB paths and DataFrames."""
    return [data] if isinstance(data, str | Path) or is_frame(data) else list(data)


def read_data(data, query: str | None = None) -> list[Table]:
    """The tables of ``data`` (files or data frames, alone or in a list; see
    :func:`as_sources`): files read by :func:`mechmap.data.read_tables` (``query``: one SQL
    SELECT over them), data frames taken as they are with rows numbered from 2, as in a CSV
    file under its header, so that located errors point at the row. ``mechmap test`` and the
    gcm commands read their data through this one function."""
    from mechmap.data import Table, read_tables

    sources = as_sources(data)
    frames = [s for s in sources if is_frame(s)]
    files = [Path(s) for s in sources if not is_frame(s)]
    if frames and query is not None:
        raise TestSetupError("a query runs over data files; give files, not data frames")
    tables = read_tables(files, query=query) if files else []
    tables += [Table.from_frame(frame, f"<data frame {i}>") for i, frame in enumerate(frames, 1)]
    return tables


test_path.__test__ = False  # a library function, not a test for pytest to collect
