"""``mechmap test``: a hypothesised path against site data (estimates, refutations,
falsification of the map, the mechanism checklist), for people, tools or a report."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    VignettesOption,
    app,
    check_output,
    existing,
    print_problems,
    usage_error,
    valid_map,
    write_output,
)

PANEL = "Testing against data"


class Level(StrEnum):
    site = "site"
    respondent = "respondent"


class Missing(StrEnum):
    error = "error"
    drop = "drop"


@app.command(rich_help_panel=PANEL)
def test(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    data: Annotated[
        list[Path],
        typer.Option(
            "--data",
            "-d",
            help="Data: CSV, Parquet or DuckDB file (repeat for several tables)",
            show_default=False,
        ),
    ],
    hypothesis: Annotated[
        str | None, typer.Option("--hypothesis", help="A hypothesis id of the map")
    ] = None,
    path: Annotated[
        list[str] | None,
        typer.Option(
            "--path",
            help="A path 'a -> b -> c' (repeat for parallel mediators with the same ends)",
        ),
    ] = None,
    measures: Annotated[
        Path | None,
        typer.Option("--measures", help="YAML file binding nodes to columns (else the map's)"),
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="SQL over the data (DuckDB) giving one table")
    ] = None,
    level: Annotated[Level, typer.Option(help="Level of analysis")] = Level.site,
    missing: Annotated[
        Missing, typer.Option(help="Missing values: stop with an error, or drop the sites")
    ] = Missing.error,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples", min=200)] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed (results are reproducible)")] = 0,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a report: FILE.html or FILE.md")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing report")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools")] = False,
    dowhy_check: Annotated[
        bool,
        typer.Option(
            "--dowhy-check",
            help="Recompute the point estimates through DoWhy with the same adjustment sets "
            "(adds about 3 s for importing DoWhy)",
        ),
    ] = False,
    vignettes: VignettesOption = None,
) -> None:
    """Test a hypothesised path against data: effects with cluster-bootstrap intervals,
    exact and permutation p-values, refutations, the map's implied independencies and
    Kazdin's mechanism-evidence checklist."""
    from mechmap.diagnostics import MapError
    from mechmap.mechanism.estimate import NotEstimable

    m = valid_map(file, vignettes).map
    if report is not None:
        _check_report(report, force)
    chains, expect = _chains(m, hypothesis, path)
    try:
        result = _run(
            m, chains, expect, hypothesis, data, measures, query, level, missing, resamples, seed
        )
    except MapError as exc:
        print_problems(exc.diagnostics, err=True)
        raise typer.Exit(EXIT_INVALID) from None
    except NotEstimable as exc:
        typer.echo(f"mechmap: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    as_dict = result.as_dict()
    if dowhy_check:
        from mechmap.mechanism.dowhy_adapter import cross_check

        as_dict["dowhy_check"] = cross_check(result)
    if as_json:
        typer.echo(json.dumps(as_dict, indent=2))
    else:
        from mechmap.cli.report import print_test

        print_test(as_dict)
    if report is not None:
        from mechmap.reports import report_bytes

        write_output(report, report_bytes(report, m, as_dict), overwrite=force)


def _check_report(report: Path, force: bool) -> None:
    if report.suffix.lower() not in (".html", ".htm", ".md"):
        raise usage_error(f"--report {report}: give a .html or .md file")
    check_output(report)
    if report.exists() and not force:
        raise usage_error(f"{report} exists; add --force to overwrite it")


def _chains(m, hypothesis: str | None, paths: list[str] | None):
    from mechmap.diagnostics import MapError, did_you_mean
    from mechmap.mechanism import parse_chains

    if (hypothesis is None) == (not paths):
        raise usage_error("give either --hypothesis ID or --path 'a -> b -> c'")
    if hypothesis is not None:
        found = {h.id: h for h in m.hypotheses}
        if hypothesis not in found:
            known = ", ".join(found) or "the map has none"
            raise usage_error(
                f"unknown hypothesis '{hypothesis}'{did_you_mean(hypothesis, found)}; "
                f"hypotheses: {known}"
            )
        return found[hypothesis].chains, found[hypothesis].expect
    try:
        chains = parse_chains(m, paths)
    except MapError as exc:
        print_problems(exc.diagnostics, err=True)
        raise typer.Exit(2) from None
    if len({(c[0], c[-1]) for c in chains}) > 1:
        raise usage_error("parallel --path chains must share their first and last node")
    return chains, None


def _run(m, chains, expect, hypothesis, data, measures, query, level, missing, resamples, seed):
    from mechmap.analysis.timing import time_varying_warnings
    from mechmap.data import bind, bindable_variables, load_measures, read_tables
    from mechmap.mechanism import plan_test, run_test

    for table in data:
        existing(table)
    bound = load_measures(existing(measures), m) if measures is not None else m.measures
    tables = read_tables(data, query=query)
    measured = bindable_variables(m, bound, tables)
    plan = plan_test(m, chains, measured, hypothesis, expect)
    missing_path = [v for chain in chains for v in chain if v not in plan.measured]
    if missing_path:
        raise usage_error(
            f"no data for {', '.join(dict.fromkeys(missing_path))}: add a column of that name "
            "or a measure binding it (see docs/map-format.md, 'measures')"
        )
    analysis_data = bind(m, bound, tables, plan.variables, level=level.value, missing=missing.value)
    # The map's implications involve every measured variable, so they are tested on the
    # sites complete for all of them (reported), whatever the path's own sample is.
    everything = [v for v in m.variables if v in plan.measured]
    falsification_data = bind(m, bound, tables, everything, level="site", missing="drop")
    warnings = tuple(time_varying_warnings(m, plan.exposure, plan.outcome))
    return run_test(
        plan,
        analysis_data,
        n_resamples=resamples,
        seed=seed,
        warnings=warnings,
        falsification_data=falsification_data,
    )
