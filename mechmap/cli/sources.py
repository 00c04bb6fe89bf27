"""Commands on a map's sources: cite (BibTeX, RIS, CSL-JSON)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    ForceOption,
    VignettesOption,
    app,
    check_output,
    print_problems,
    valid_map,
    write_output,
)
from mechmap.diagnostics import warning
from mechmap.terminal import printable


class CitationFormat(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


@app.command()
def cite(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    fmt: Annotated[
        CitationFormat,
        typer.Option("--format", "-f", help="bibtex, ris or csl-json"),
    ] = CitationFormat.bibtex,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)"),
    ] = None,
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write the map's sources as references: BibTeX, RIS or CSL-JSON.

    A source with structured fields (authors, title, journal, year, volume, issue, pages)
    becomes a full entry; one with only its free-text citation becomes an entry whose title
    is that citation, with a warning on stderr. An existing --output file is kept unless
    --force.
    """
    from mechmap.citations import citation_only
    from mechmap.citations import cite as cite_sources

    if output is not None:
        check_output(output, overwrite=force)
    m = valid_map(file, vignettes).map
    if not m.sources:
        typer.echo(
            f"mechmap: {printable(str(file))} has no sources; list the publications it rests "
            "on under 'sources:' (see docs/map-format.md)",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)
    print_problems(
        [
            warning(
                source.location,
                f"source '{source.id}' has only a free-text citation; its entry uses the "
                "citation as its title (add authors, title, journal, year... for a full entry)",
            )
            for source in citation_only(m)
        ],
        err=True,
    )
    text = cite_sources(m, fmt.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_output(output, text, overwrite=force)
    typer.echo(f"wrote {output}")
