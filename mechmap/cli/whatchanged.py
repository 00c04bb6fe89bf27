"""``mechmap explain-change``, ``whatif`` and ``strength``: the map as DoWhy's graphical causal
model (``dowhy.gcm``), fitted on site data. DoWhy is imported inside the commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    app,
    check_output,
    existing,
    print_problems,
    usage_error,
    valid_map,
    write_output,
)

PANEL = "Testing against data"

DataOption = Annotated[
    list[Path] | None,
    typer.Option("--data", "-d", help="Data: CSV, Parquet or DuckDB file (repeatable)"),
]
MeasuresOption = Annotated[
    Path | None,
    typer.Option("--measures", help="YAML file binding nodes to columns (else the map's)"),
]
OutcomeOption = Annotated[str, typer.Option("--outcome", "-y", help="The outcome node")]
MechanismsOption = Annotated[
    str,
    typer.Option(
        "--mechanisms",
        help="Mechanisms: 'linear' (linear additive noise) or 'auto' (DoWhy's gcm.auto picks)",
    ),
]
ResamplesOption = Annotated[
    int, typer.Option("--resamples", help="Site-bootstrap resamples (DoWhy is slow)", min=10)
]
JobsOption = Annotated[int, typer.Option("--jobs", help="Processes for the bootstrap", min=1)]
SeedOption = Annotated[int, typer.Option(help="Random seed (results are reproducible)")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for tools")]


def _run(call):
    """Run a library call, turning its setup and data errors into one-line errors."""
    from mechmap.diagnostics import MapError
    from mechmap.gcm.model import GcmSetupError
    from mechmap.terminal import progress

    try:
        with progress("fitting DoWhy's graphical causal model"):
            return call()
    except GcmSetupError as exc:
        raise usage_error(str(exc)) from None
    except MapError as exc:
        print_problems(exc.diagnostics, err=True)
        raise typer.Exit(EXIT_INVALID) from None


def _print(result, as_json: bool, lines: Callable[[], Iterable[str]]) -> None:
    """The result as JSON for tools, else the ``lines`` written for people."""
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    for line in lines():
        typer.echo(line)


def _files(paths: list[Path] | None, option: str) -> list[Path]:
    if not paths:
        raise usage_error(f"give {option} FILE (repeat for several tables)")
    return [existing(p) for p in paths]


def _mechanisms(value: str) -> str:
    if value not in ("linear", "auto"):
        raise usage_error(f"--mechanisms is 'linear' or 'auto', not '{value}'")
    return value


@app.command("explain-change", rich_help_panel=PANEL)
def explain_change(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    outcome: OutcomeOption,
    before: Annotated[
        list[Path] | None, typer.Option("--before", help="Data before (repeatable)")
    ] = None,
    after: Annotated[
        list[Path] | None, typer.Option("--after", help="Data after (repeatable)")
    ] = None,
    data: DataOption = None,
    wave_before: Annotated[
        str | None, typer.Option("--wave-before", help="With --data: the wave that is before")
    ] = None,
    wave_after: Annotated[
        str | None, typer.Option("--wave-after", help="With --data: the wave that is after")
    ] = None,
    measures: MeasuresOption = None,
    mechanisms: MechanismsOption = "linear",
    resamples: ResamplesOption = 200,
    jobs: JobsOption = 1,
    seed: SeedOption = 0,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a report: FILE.html")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing report")] = False,
    as_json: JsonOption = False,
) -> None:
    """What changed between two data sets (waves, arms, early and late sites): the change in
    the outcome's mean attributed to the nodes whose mechanisms changed, with site-bootstrap
    intervals (Budhathoki et al. 2021, through DoWhy's gcm)."""
    from mechmap.gcm.change import explain_change as run

    m = valid_map(file, None).map
    if report is not None:
        if report.suffix.lower() not in (".html", ".htm"):
            raise usage_error(f"--report {report}: give a .html file")
        check_output(report, overwrite=force)
    if wave_before is not None or wave_after is not None:
        if wave_before is None or wave_after is None or before or after:
            raise usage_error("give --data FILE with both --wave-before and --wave-after")
        old = new = _files(data, "--data")
    else:
        if data:
            raise usage_error(
                "--data goes with --wave-before/--wave-after; else use --before/--after"
            )
        old, new = _files(before, "--before"), _files(after, "--after")
    result = _run(
        lambda: run(
            m,
            old,
            new,
            outcome,
            measures=existing(measures) if measures is not None else None,
            wave_before=wave_before,
            wave_after=wave_after,
            mechanisms=_mechanisms(mechanisms),
            n_resamples=resamples,
            seed=seed,
            jobs=jobs,
        )
    )
    from mechmap.gcm.report import change_lines

    _print(result, as_json, lambda: change_lines(m, result))
    if report is not None:
        from mechmap.gcm.report import change_report

        write_output(report, change_report(m, result), overwrite=force)


@app.command(rich_help_panel=PANEL)
def whatif(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    outcome: OutcomeOption,
    setting: Annotated[
        list[str] | None, typer.Option("--set", help="A node held at a value: 'node=value'")
    ] = None,
    data: DataOption = None,
    measures: MeasuresOption = None,
    mechanisms: MechanismsOption = "linear",
    resamples: ResamplesOption = 200,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """The outcome's mean if some nodes were set to stated values (an intervention), from the
    map's mechanisms fitted on the data, with a site-bootstrap interval."""
    from mechmap.gcm.whatif import parse_setting, what_if

    m = valid_map(file, None).map
    files = _files(data, "--data")
    settings = dict(_run(lambda: [parse_setting(s) for s in setting or []]))
    result = _run(
        lambda: what_if(
            m,
            files,
            settings,
            outcome,
            measures=existing(measures) if measures is not None else None,
            mechanisms=_mechanisms(mechanisms),
            n_resamples=resamples,
            seed=seed,
        )
    )
    from mechmap.gcm.report import whatif_lines

    _print(result, as_json, lambda: whatif_lines(m, result))


@app.command(rich_help_panel=PANEL)
def strength(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    data: DataOption = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", "-y", help="Also each node's intrinsic influence on it"),
    ] = None,
    measures: MeasuresOption = None,
    mechanisms: MechanismsOption = "linear",
    resamples: ResamplesOption = 100,
    jobs: JobsOption = 1,
    seed: SeedOption = 0,
    drawing: Annotated[
        Path | None,
        typer.Option("--draw", help="Draw the map with arrows weighted by strength: FILE.svg"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing drawing")] = False,
    as_json: JsonOption = False,
) -> None:
    """The strength of every measured arrow (and each node's intrinsic causal influence on an
    outcome), from the map's mechanisms fitted on the data, with site-bootstrap intervals."""
    from mechmap.gcm.strength import arrow_strengths

    m = valid_map(file, None).map
    files = _files(data, "--data")
    if drawing is not None:
        if drawing.suffix.lower() != ".svg":
            raise usage_error(f"--draw {drawing}: give a .svg file")
        check_output(drawing, overwrite=force)
    result = _run(
        lambda: arrow_strengths(
            m,
            files,
            outcome=outcome,
            measures=existing(measures) if measures is not None else None,
            mechanisms=_mechanisms(mechanisms),
            n_resamples=resamples,
            seed=seed,
            jobs=jobs,
        )
    )
    from mechmap.gcm.report import strength_lines

    _print(result, as_json, lambda: strength_lines(m, result))
    if drawing is not None:
        from mechmap.gcm.report import strength_svg

        write_output(drawing, strength_svg(m, result), overwrite=force)
