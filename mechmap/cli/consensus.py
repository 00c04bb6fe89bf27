"""Commands for an expert panel (modified Delphi, RAND/UCLA): rate, consensus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    ForceOption,
    JsonOption,
    VignettesOption,
    app,
    check_output,
    plural,
    print_problems,
    usage_error,
    valid_map,
    write_output,
    write_outputs,
)
from mechmap.terminal import printable

if TYPE_CHECKING:
    from mechmap.consensus.panel import Panel
    from mechmap.consensus.ram import ArrowRound

FORM_SUFFIXES = (".csv", ".xlsx")
PANEL = "Expert panels (modified Delphi)"


@app.command(rich_help_panel=PANEL)
def rate(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The form to write: .csv or .xlsx", show_default=False),
    ],
    round_number: Annotated[
        int, typer.Option("--round", min=1, help="The Delphi round this form is for")
    ] = 1,
    rater: Annotated[str, typer.Option(help="Fill in the rater field (a panelist's code)")] = "",
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write a rating form for one panelist: every arrow of the map, rated 1-9.

    Collect the filled forms and run `mechmap consensus MAP --ratings FORM...`.
    """
    from mechmap.consensus.forms import form_csv, form_rows, form_xlsx

    suffix = output.suffix.lower()
    if suffix not in FORM_SUFFIXES:
        raise usage_error(f"{output}: a form is written as .csv or .xlsx, not '{suffix}'")
    check_output(output, overwrite=force)
    m = valid_map(file, vignettes).map
    write = form_xlsx if suffix == ".xlsx" else form_csv
    write_output(output, write(m, round_number, rater), overwrite=force)
    arrows = plural(len(form_rows(m)), "arrow")
    typer.echo(f"wrote {output}: a round-{round_number} rating form for {arrows} of '{m.id}'")


@app.command(rich_help_panel=PANEL)
def consensus(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    ratings: Annotated[
        list[Path],
        typer.Option(
            "--ratings",
            help="Filled forms, or a long table (rater, round, arrow, rating); csv or xlsx",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
    report: Annotated[
        Path | None, typer.Option(help="Write an HTML report (rating charts per round)")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the map with each rated arrow's consensus"),
    ] = None,
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Panel consensus per arrow and round: median, IPR, disagreement index, verdict.

    RAND/UCLA appropriateness method (Fitch et al. 2001): an arrow is uncertain when the
    panel disagrees (DI > 1) or the median lies between 3.5 and 6.5, else include
    (median >= 6.5) or exclude (median <= 3.5). Exit 1 when a ratings file has problems.
    """
    from mechmap.consensus.panel import panel_consensus
    from mechmap.diagnostics import MapError

    for path in ratings:
        if not path.is_file():
            raise usage_error(f"{path}: no such file")
    outputs = [p for p in (report, output) if p is not None]
    for path in outputs:
        check_output(path, overwrite=force)
    if len(set(outputs)) < len(outputs):
        raise usage_error("--report and -o name the same file")
    checked = valid_map(file, vignettes)
    m = checked.map
    try:
        panel = panel_consensus(m, ratings)
    except MapError as exc:
        print_problems(exc.diagnostics, err=True)
        typer.echo("mechmap: the ratings have problems; fix the cells named above", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    files: dict[Path, str] = {}
    if report is not None:
        from mechmap.consensus.report import consensus_report

        files[report] = consensus_report(m, panel)
    if output is not None:
        from mechmap.consensus.annotate import with_consensus

        text = file.read_text(encoding="utf-8-sig")
        files[output] = with_consensus(text, m, panel.latest())
    if files:
        write_outputs(files, overwrite=force)
    if as_json:
        typer.echo(json.dumps(panel_as_dict(m.id, panel), indent=2))
        return
    _print_panel(m.id, panel)
    for path in files:
        typer.echo(f"wrote {path}")


def _row(row: ArrowRound) -> dict[str, object]:
    a = row.appraisal
    return {
        "arrow": row.arrow,
        "round": row.round,
        "n": a.n,
        "abstained": a.abstained,
        "median": a.median,
        "p30": a.p30,
        "p70": a.p70,
        "ipr": a.ipr,
        "ipras": a.ipras,
        "disagreement_index": a.disagreement_index,
        "verdict": a.verdict,
        "counts": dict(zip(range(1, 10), a.counts, strict=True)),
        "previous_round": row.previous.round if row.previous else None,
        "median_change": row.median_change,
        "verdict_changed": row.verdict_changed,
    }


def panel_as_dict(map_id: str, panel: Panel) -> dict[str, object]:
    """The ``--json`` payload."""
    return {
        "map": map_id,
        "rounds": [{"round": r, "raters": n} for r, n in panel.raters.items()],
        "arrows": [_row(row) for row in panel.arrows],
        "unrated": list(panel.unrated),
        "proposals": [
            {
                "rater": p.rater,
                "round": p.round,
                "from": p.source,
                "to": p.target,
                "rationale": p.rationale,
            }
            for p in panel.proposals
        ],
    }


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _print_panel(map_id: str, panel: Panel) -> None:
    from rich.table import Table
    from rich.text import Text

    from mechmap.terminal import console

    sizes = ", ".join(f"round {r}: {plural(n, 'rater')}" for r, n in panel.raters.items())
    typer.echo(f"panel consensus on '{printable(map_id)}' ({sizes})")
    table = Table("arrow", "round", "n", "median", "IPR", "IPRAS", "DI", "verdict", "change")
    colours = {"include": "green", "exclude": "red", "uncertain": "yellow"}
    for row in panel.arrows:
        a = row.appraisal
        n = f"{a.n}" + (f" (+{a.abstained} abstained)" if a.abstained else "")
        verdict = a.verdict or "no ratings"
        change = ""
        if row.previous is not None:
            before = row.previous.appraisal.verdict or "no ratings"
            moved = row.median_change
            said = "median unchanged" if moved == 0 else f"median {moved:+g}"
            change = ("" if moved is None else said) + (
                f"; was {before}" if row.verdict_changed else ""
            )
        table.add_row(
            Text(row.arrow),
            str(row.round),
            n,
            _number(a.median, 1),
            _number(a.ipr),
            _number(a.ipras),
            _number(a.disagreement_index),
            Text(verdict, style=colours.get(verdict, "")),
            change,
        )
    console().print(table)
    if panel.unrated:
        shown = ", ".join(panel.unrated[:5]) + (", ..." if len(panel.unrated) > 5 else "")
        count = plural(len(panel.unrated), "arrow")
        typer.echo(printable(f"not rated: {count} of the map ({shown}; --json lists them all)"))
    if panel.proposals:
        typer.echo(f"proposed new arrows for the next round ({len(panel.proposals)}):")
        for p in panel.proposals:
            said = f": {p.rationale}" if p.rationale else ""
            line = f"  {p.source} -> {p.target} (rater {p.rater}, round {p.round}){said}"
            typer.echo(printable(line))
