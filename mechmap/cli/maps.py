"""Commands on map and vignette files: validate, show, evidence, new, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    FormatOption,
    JsonOption,
    OutputFormat,
    VignettesOption,
    app,
    count,
    existing,
    plural,
    print_problems,
    valid_map,
    write_output,
)
from mechmap.diagnostics import Severity

if TYPE_CHECKING:
    from mechmap.mapfile.validation import Checked


def _summary(checked: Checked) -> str:
    warnings = count(checked.problems, Severity.WARNING)
    tail = f" ({plural(warnings, 'warning')})" if warnings else ""
    if not checked.valid:
        errors = count(checked.problems, Severity.ERROR)
        return f"{checked.file}: invalid: {plural(errors, 'error')}{tail}"
    if checked.kind == "vignette":
        v = checked.vignette
        cited = plural(len(v.cites), "cited arrow")
        return f"{checked.file}: valid vignette '{v.id}': {cited}{tail}"
    m = checked.map
    return (
        f"{checked.file}: valid map '{m.id}': {plural(len(m.nodes), 'node')} "
        f"({plural(len(m.variables), 'variable')} unrolled), "
        f"{plural(len(m.links), 'arrow')}, {plural(len(m.waves), 'wave')}, "
        f"{plural(len(m.hypotheses), 'hypothesis', 'hypotheses')}"
        f"{tail}"
    )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Map or vignette files", show_default=False)],
    as_json: JsonOption = False,
    output: FormatOption = OutputFormat.text,
    vignettes: VignettesOption = None,
) -> None:
    """Check map and vignette files; report every problem as FILE:LINE:COL: message.

    Exit status: 0 when every file is valid (warnings allowed), 1 when any is invalid,
    2 for usage errors.
    """
    from mechmap.mapfile.validation import check_file

    results = [check_file(existing(f), vignettes) for f in files]
    if as_json or output is OutputFormat.json:
        payload = {
            "valid": all(r.valid for r in results),
            "files": [
                {
                    "file": r.file,
                    "kind": r.kind,
                    "valid": r.valid,
                    "errors": count(r.problems, Severity.ERROR),
                    "warnings": count(r.problems, Severity.WARNING),
                    "diagnostics": [d.as_dict() for d in r.problems],
                }
                for r in results
            ],
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        for r in results:
            print_problems(r.problems, err=False)
            typer.secho(_summary(r), fg="green" if r.valid else "red", bold=not r.valid)
    if not all(r.valid for r in results):
        raise typer.Exit(EXIT_INVALID)


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Print a map: nodes by role and wave, arrows, provenance, evidence, hypotheses."""
    from mechmap.cli.report import map_as_dict, print_map

    checked = valid_map(file, vignettes)
    if as_json:
        payload = map_as_dict(checked.map)
        payload["warnings"] = [d.as_dict() for d in checked.problems]
        typer.echo(json.dumps(payload, indent=2))
        return
    print_problems(checked.problems, err=True)
    print_map(checked.map)


@app.command()
def evidence(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    as_json: JsonOption = False,
    output: FormatOption = OutputFormat.text,
    vignettes: VignettesOption = None,
) -> None:
    """Print the arrow x vignette evidence matrix and flag arrows with no evidence."""
    from mechmap.cli.report import matrix_as_dict, print_matrix
    from mechmap.mapfile.evidence import evidence_matrix

    checked = valid_map(file, vignettes)
    matrix = evidence_matrix(checked.map, checked.library)
    if as_json or output is OutputFormat.json:
        typer.echo(json.dumps(matrix_as_dict(matrix), indent=2))
    else:
        print_problems(checked.problems, err=True)
        print_matrix(matrix)


@app.command()
def new(
    file: Annotated[
        Path, typer.Argument(help="Where to write the starter map", show_default=False)
    ],
    title: Annotated[str, typer.Option(help="The map's title")] = "My mechanism map",
) -> None:
    """Write a commented starter map (never overwrites an existing file)."""
    from mechmap.mapfile.schema import IDENTIFIER_PATTERN
    from mechmap.mapfile.starter import STARTER_MAP

    map_id = file.stem if re.match(IDENTIFIER_PATTERN, file.stem) else "my-map"
    text = STARTER_MAP.format(file=file, map_id=map_id, title=json.dumps(title))
    write_output(file, text, overwrite=False, exists="mechmap new never overwrites a file")
    typer.echo(f"wrote {file}; edit it, then run: mechmap validate {file}")


@app.command()
def schema(
    vignette: Annotated[bool, typer.Option("--vignette", help="Vignette schema instead")] = False,
) -> None:
    """Print the JSON Schema of map files (or vignette files) for editors and tools."""
    from mechmap.mapfile.schema import json_schema

    typer.echo(json_schema("vignette" if vignette else "map"))
