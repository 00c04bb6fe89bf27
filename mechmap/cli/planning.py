"""``mechmap power`` and ``mechmap simulate``: planning a study from the map's effect sizes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    EXIT_USAGE,
    ForceOption,
    JsonOption,
    VignettesOption,
    app,
    check_output,
    environment_error,
    existing,
    print_problems,
    usage_error,
    valid_map,
    write_output,
    write_outputs,
)

PANEL = "Planning a study"
DEFAULT_SITES = "10,12,15,20,30,40,50,60"


if TYPE_CHECKING:
    from mechmap.diagnostics import MapError

# The options power and simulate share: one declaration, one help text.
EffectOption = Annotated[
    list[str] | None,
    typer.Option("--effect", help="Override an arrow's effect: 'a -> b = 0.3' (repeatable)"),
]
RespondentsOption = Annotated[
    int | None, typer.Option("--respondents", help="Respondents per site (nested design)")
]
IccOption = Annotated[
    float | None,
    typer.Option("--icc", help="ICC of nodes without their own 'icc:' (nested design)"),
]
SeedOption = Annotated[int, typer.Option(help="Random seed (results are reproducible)")]


@app.command(rich_help_panel=PANEL)
def power(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    hypothesis: Annotated[
        str | None, typer.Option("--hypothesis", help="A hypothesis id of the map")
    ] = None,
    path: Annotated[
        list[str] | None,
        typer.Option("--path", help="A path 'a -> b -> c' (repeat for parallel mediators)"),
    ] = None,
    sites: Annotated[
        str, typer.Option("--sites", help="Numbers of sites to plan for, comma-separated")
    ] = DEFAULT_SITES,
    effect: EffectOption = None,
    respondents: RespondentsOption = None,
    icc: IccOption = None,
    sims: Annotated[int, typer.Option(help="Simulated studies per number of sites")] = 1000,
    alpha: Annotated[float, typer.Option(help="Significance level of every test")] = 0.05,
    seed: SeedOption = 0,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw the power curves: FILE.png or FILE.svg")
    ] = None,
    grid: Annotated[
        Path | None,
        typer.Option(
            "--grid",
            help="Scenarios, one a row: FILE.csv with columns scenario, sites, respondents, "
            "icc and arrows 'a -> b' (effects); blank cells keep the options' values",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the simulations on a Dask cluster: tcp://HOST:PORT (same numbers)",
        ),
    ] = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Power of each link test and of the indirect, direct and total effects by number of
    sites, simulated from the map's effect sizes and analysed as 'mechmap test' analyses."""
    from mechmap.diagnostics import MapError
    from mechmap.mechanism.pipeline import TestSetupError
    from mechmap.planning import parse_effect
    from mechmap.planning import power as plan_power
    from mechmap.planning.grid import power_grid, read_grid
    from mechmap.planning.plot import FORMATS, power_figure
    from mechmap.planning.runs import SchedulerError, batch_count
    from mechmap.terminal import progress

    m = valid_map(file, vignettes).map
    counts = _site_counts(sites)
    if plot is not None:
        if grid is not None:
            raise usage_error("--plot draws one scenario: leave it out with --grid")
        if plot.suffix.lower() not in FORMATS:
            raise usage_error(f"--plot {plot}: give a .png or .svg file")
        check_output(plot, overwrite=force)
    options = {"hypothesis": hypothesis, "path": path, "sims": sims, "alpha": alpha}
    try:
        overrides = dict(parse_effect(m, text) for text in effect or [])
        scenarios = read_grid(existing(grid), m) if grid is not None else None
        planned = [len(set(s.sites or counts)) for s in scenarios or ()] or [len(set(counts))]
        with progress("simulating studies", total=batch_count(sims, planned)) as advance:
            run = {"seed": seed, "scheduler": scheduler, "progress": advance}
            if scenarios is None:
                result = plan_power(
                    m, counts, effects=overrides, respondents=respondents, icc=icc,
                    **options, **run,
                )  # fmt: skip
            else:
                results = power_grid(
                    m, scenarios, counts, effects=overrides, respondents=respondents, icc=icc,
                    **options, **run,
                )  # fmt: skip
    except MapError as exc:  # located: in the map's effects, the grid, a typed path or --effect
        raise _located_exit(exc) from None
    except SchedulerError as exc:
        raise environment_error(exc) from None
    except (TestSetupError, ValueError) as exc:
        raise usage_error(str(exc)) from None
    if scenarios is not None:
        if as_json:
            typer.echo(json.dumps([r.as_dict() for r in results], indent=2))
            return
        for r in results:
            _print_table(r.as_dict(), f", scenario {r.name}")
        return
    if plot is not None:
        write_output(plot, power_figure(result, plot.suffix.lower()), overwrite=force)
    data = result.as_dict()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    _print_table(data)


def _site_counts(text: str) -> tuple[int, ...]:
    from mechmap.planning.grid import parse_sites

    try:
        return parse_sites(text)
    except ValueError as exc:
        raise usage_error(f"--sites '{text}': {exc}") from None


def _print_table(data: dict, scenario: str = "") -> None:
    from rich.table import Table

    from mechmap.terminal import console, printable

    rows = data["rows"]
    targets = list(dict.fromkeys(r["target"] for r in rows))
    sites = list(dict.fromkeys(r["sites"] for r in rows))
    power_of = {(r["sites"], r["target"]): r for r in rows}
    table = Table(
        title=printable(f"Power of {data['hypothesis']}{scenario} (alpha = {data['alpha']:g})")
    )
    table.add_column("sites", justify="right")
    for target in targets:
        table.add_column(printable(target.replace("_", " ")), justify="right")
    table.add_column("min. detectable r", justify="right")
    for n in sites:
        cells = []
        for target in targets:
            row = power_of[(n, target)]
            cells.append(f"{row['power']:.2f} ({row['ci'][0]:.2f}-{row['ci'][1]:.2f})")
        table.add_row(str(n), *cells, f"{data['minimum_detectable_r'][str(n)]:.2f}")
    out = console()
    out.print(table)
    for level, needed in data["sites_needed"].items():
        text = ", ".join(f"{t.replace('_', ' ')} {n}" for t, n in needed.items())
        out.print(printable(f"Sites needed for {float(level):.0%} power: {text}"))
    out.print(printable(data["method"]), style="dim")


@app.command(rich_help_panel=PANEL)
def simulate(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    sites: Annotated[int, typer.Option("--sites", help="Number of sites", show_default=False)],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder to write the study into", show_default=False),
    ],
    respondents: RespondentsOption = None,
    icc: IccOption = None,
    missing: Annotated[
        float, typer.Option("--missing", help="Share of measured cells left blank at random")
    ] = 0.0,
    effect: EffectOption = None,
    measures: Annotated[
        Path | None,
        typer.Option("--measures", help="Measures file whose columns, levels and types to write"),
    ] = None,
    seed: SeedOption = 0,
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write a synthetic study of the map (CSV tables and a measures file), drawn from its
    effect sizes, ready for 'mechmap test'."""
    from mechmap.diagnostics import MapError
    from mechmap.mapfile.loader import load_measures
    from mechmap.mechanism.pipeline import TestSetupError
    from mechmap.planning import parse_effect
    from mechmap.planning.synthetic import MEASURES_FILE, SimulationSetupError, synthetic_study

    m = valid_map(file, vignettes).map
    if output.exists() and not output.is_dir():
        raise usage_error(f"-o {output}: is a file; give a folder to write the study into")
    if not output.parent.is_dir():
        raise usage_error(f"-o {output}: no such folder {output.parent}")
    try:
        template = load_measures(existing(measures), m) if measures is not None else None
        overrides = dict(parse_effect(m, text) for text in effect or [])
        study = synthetic_study(
            m,
            sites,
            respondents=respondents,
            icc=icc,
            missing=missing,
            seed=seed,
            effects=overrides,
            template=template,
        )
    except MapError as exc:
        raise _located_exit(exc) from None
    except (SimulationSetupError, TestSetupError, ValueError) as exc:
        raise usage_error(str(exc)) from None
    files = study.files()
    if not force:  # before the folder is made: a refused run leaves nothing behind
        for name in files:
            if (output / name).exists():
                raise usage_error(f"{output / name} exists; add --force to overwrite it")
    output.mkdir(exist_ok=True)
    write_outputs({output / name: text for name, text in files.items()}, overwrite=force)
    written = ", ".join(files)
    typer.echo(f"wrote a SYNTHETIC study of {m.id} to {output}/: {written}")
    data = " ".join(f"--data {output / t.file}" for t in study.tables)
    which = f"--hypothesis {m.hypotheses[0].id}" if m.hypotheses else "--path 'a -> b'"
    typer.echo(f"test it: mechmap test {file} {which} --measures {output / MEASURES_FILE} {data}")


def _located_exit(exc: MapError) -> typer.Exit:
    """Print a located error; exit 2 when it is in what was typed (--effect, --path), 1 when
    it is in a file (the map's effects, a grid, a template)."""
    from mechmap.mechanism.pipeline import PathSyntaxError

    print_problems(exc.diagnostics, err=True)
    typed = isinstance(exc, PathSyntaxError) or any(
        d.location.file in ("--effect", "--path") for d in exc.diagnostics
    )
    return typer.Exit(EXIT_USAGE if typed else EXIT_INVALID)
