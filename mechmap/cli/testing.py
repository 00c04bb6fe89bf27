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
    EXIT_USAGE,
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
        str | None,
        typer.Option(
            "--query",
            help="One SQL SELECT over the data files (DuckDB; each file a table named after "
            "it) giving one table; it can read nothing else",
        ),
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
            "(adds a few seconds, up to about 10 on a busy machine: DoWhy is imported and run)",
        ),
    ] = False,
    vignettes: VignettesOption = None,
) -> None:
    """Test a hypothesised path against data: effects with cluster-bootstrap intervals,
    exact and permutation p-values, refutations, the map's implied independencies and
    Kazdin's mechanism-evidence checklist."""
    from mechmap.diagnostics import MapError
    from mechmap.mechanism.estimate import NotEstimable
    from mechmap.mechanism.pipeline import PathSyntaxError, TestSetupError, test_path
    from mechmap.terminal import progress

    m = valid_map(file, vignettes).map
    if report is not None:
        _check_report(report, force)
    for table in data:
        existing(table)
    try:
        with progress("testing the path"):
            result = test_path(
                m,
                data,
                hypothesis=hypothesis,
                path=path,
                measures=existing(measures) if measures is not None else None,
                query=query,
                level=level.value,
                missing=missing.value,
                n_resamples=resamples,
                seed=seed,
            )
    except TestSetupError as exc:
        raise usage_error(str(exc)) from None
    except PathSyntaxError as exc:
        print_problems(exc.diagnostics, err=True)
        raise typer.Exit(EXIT_USAGE) from None
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
        from mechmap.reports import print_report

        print_report(m, as_dict)
    if report is not None:
        from mechmap.reports import report_bytes

        write_output(report, report_bytes(report, m, as_dict), overwrite=force)


def _check_report(report: Path, force: bool) -> None:
    if report.suffix.lower() not in (".html", ".htm", ".md"):
        raise usage_error(f"--report {report}: give a .html or .md file")
    check_output(report)
    if report.exists() and not force:
        raise usage_error(f"{report} exists; add --force to overwrite it")
