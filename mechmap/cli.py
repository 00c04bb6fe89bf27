"""The ``mechmap`` command: a thin shell over the Python API.

Heavy libraries (dowhy, pandas, scipy, networkx) are imported inside the commands that need
them, never here, so that ``--help``, ``validate`` and ``show`` start fast.
"""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from mechmap.validation import Checked

app = typer.Typer(
    name="mechmap",
    help="Mechanism maps for implementation science: validate, show and analyse causal "
    "diagrams of how implementation strategies work.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INVALID = 1
EXIT_USAGE = 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="text for people, json for tools")
]
VignettesOption = Annotated[
    Path | None,
    typer.Option(
        "--vignettes",
        help="Vignette folder (default: vignettes/ in or beside the map's folder)",
        file_okay=False,
    ),
]


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"mechmap: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise _usage_error(f"{path}: no such file")
    if path.is_dir():
        raise _usage_error(f"{path}: is a folder; give map files (e.g. {path}/*.yaml)")
    return path


def _check_output(path: Path) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise _usage_error(f"{folder}: no such folder")
    if path.is_dir():
        raise _usage_error(f"{path}: is a folder; give the file to write")


def _write_output(
    path: Path,
    content: bytes | str,
    overwrite: bool = True,
    exists: str = "add --force to overwrite it",
) -> None:
    """Write a command's output file atomically; problems become one-line errors."""
    from mechmap.files import write_atomically

    _check_output(path)
    try:
        write_atomically(path, content, overwrite)
    except FileExistsError:
        raise _usage_error(f"{path} exists; {exists}") from None
    except OSError as exc:
        typer.echo(f"mechmap: cannot write {path}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INVALID) from None


def _environment_error(exc: Exception) -> typer.Exit:
    """Something this machine lacks (a layout engine): one line naming the fix, exit 1."""
    typer.echo(f"mechmap: {exc}", err=True)
    return typer.Exit(EXIT_INVALID)


def _print_problems(problems: tuple[Diagnostic, ...] | list[Diagnostic], err: bool) -> None:
    for d in problems:
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        typer.secho(str(d), fg=colour, err=err)


def _count(problems, severity: Severity) -> int:
    return sum(d.severity is severity for d in problems)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(checked: Checked) -> str:
    warnings = _count(checked.problems, Severity.WARNING)
    tail = f" ({_plural(warnings, 'warning')})" if warnings else ""
    if not checked.valid:
        errors = _count(checked.problems, Severity.ERROR)
        return f"{checked.file}: invalid: {_plural(errors, 'error')}{tail}"
    if checked.kind == "vignette":
        v = checked.vignette
        cited = _plural(len(v.cites), "cited arrow")
        return f"{checked.file}: valid vignette '{v.id}': {cited}{tail}"
    m = checked.map
    return (
        f"{checked.file}: valid map '{m.id}': {_plural(len(m.nodes), 'node')} "
        f"({_plural(len(m.variables), 'variable')} unrolled), "
        f"{_plural(len(m.links), 'arrow')}, {_plural(len(m.waves), 'wave')}, "
        f"{_plural(len(m.hypotheses), 'hypothesis', 'hypotheses')}"
        f"{tail}"
    )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Map or vignette files", show_default=False)],
    output: FormatOption = OutputFormat.text,
    vignettes: VignettesOption = None,
) -> None:
    """Check map and vignette files; report every problem as FILE:LINE:COL: message.

    Exit status: 0 when every file is valid (warnings allowed), 1 when any is invalid,
    2 for usage errors.
    """
    from mechmap.validation import check_file

    results = [check_file(_existing(f), vignettes) for f in files]
    if output is OutputFormat.json:
        payload = {
            "valid": all(r.valid for r in results),
            "files": [
                {
                    "file": r.file,
                    "kind": r.kind,
                    "valid": r.valid,
                    "errors": _count(r.problems, Severity.ERROR),
                    "warnings": _count(r.problems, Severity.WARNING),
                    "diagnostics": [d.as_dict() for d in r.problems],
                }
                for r in results
            ],
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        for r in results:
            _print_problems(r.problems, err=False)
            typer.secho(_summary(r), fg="green" if r.valid else "red", bold=not r.valid)
    if not all(r.valid for r in results):
        raise typer.Exit(EXIT_INVALID)


def _valid_map(file: Path, vignettes: Path | None) -> Checked:
    from mechmap.validation import check_file

    checked = check_file(_existing(file), vignettes)
    if checked.kind != "map":
        raise _usage_error(f"{file} is a vignette, not a map")
    if not checked.valid:
        _print_problems(checked.problems, err=True)
        typer.echo(f"mechmap: {file} is not a valid map; fix the errors above", err=True)
        raise typer.Exit(EXIT_INVALID)
    return checked


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    vignettes: VignettesOption = None,
) -> None:
    """Print a map: nodes by role and wave, arrows with numbers, provenance and evidence,
    and hypotheses."""
    from mechmap.report import print_map

    checked = _valid_map(file, vignettes)
    _print_problems(checked.problems, err=True)
    print_map(checked.map)


class Theme(StrEnum):
    print = "print"
    slides = "slides"


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="svg, png, pdf or dot file", show_default=False)
    ],
    highlight: Annotated[
        str | None, typer.Option(help="A path to show in full colour: 'a -> b -> c'")
    ] = None,
    focus: Annotated[
        str | None, typer.Option(help="Draw only this node's ancestors and descendants")
    ] = None,
    rolled_up: Annotated[
        bool, typer.Option("--rolled-up", help="One node per concept instead of one per wave")
    ] = False,
    theme: Annotated[Theme, typer.Option(help="print (compact) or slides (large type)")] = (
        Theme.print
    ),
    vignettes: VignettesOption = None,
) -> None:
    """Draw a map as SVG, PNG, PDF or DOT (format from the file name)."""
    from mechmap.diagnostics import MapError
    from mechmap.loader import resolve_path
    from mechmap.render import FORMATS, RendererMissing
    from mechmap.render import render as render_map

    fmt = output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise _usage_error(f"{output}: say which format by the file name ({', '.join(FORMATS)})")
    _check_output(output)
    m = _valid_map(file, vignettes).map
    try:
        path = resolve_path(m, highlight, "--highlight") if highlight else ()
        drawn = render_map(
            m, fmt, highlight=path, focus=focus, rolled_up=rolled_up, theme=theme.value
        )
    except MapError as exc:
        _print_problems(exc.diagnostics, err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError as exc:  # an unknown --focus node
        raise _usage_error(str(exc)) from None
    except RendererMissing as exc:
        raise _environment_error(exc) from None
    _write_output(output, drawn)
    typer.echo(f"wrote {output}")


@app.command()
def view(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The HTML file to write", show_default=False)
    ],
    vignettes: VignettesOption = None,
) -> None:
    """Write an interactive HTML viewer of a map: one file that works offline.

    Click a node for its upstream and downstream paths, hover for details and evidence,
    step through the arrows in teaching order, filter by role and wave.
    """
    from mechmap.render import RendererMissing
    from mechmap.viewer import build_page

    _check_output(output)
    checked = _valid_map(file, vignettes)
    try:
        page = build_page(checked.map, checked.library)
    except RendererMissing as exc:
        raise _environment_error(exc) from None
    _write_output(output, page)
    typer.echo(f"wrote {output}")


@app.command()
def teach(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder for the slides and outline.md", show_default=False
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that is not empty")
    ] = False,
    theme: Annotated[Theme, typer.Option(help="slides (large type) or print (compact)")] = (
        Theme.slides
    ),
    vignettes: VignettesOption = None,
) -> None:
    """Write one SVG and one PNG per teaching step (step-01.svg, ...) and outline.md."""
    from mechmap.render import RendererMissing
    from mechmap.teach import TeachError, write_teaching

    checked = _valid_map(file, vignettes)
    try:
        written = write_teaching(
            checked.map, checked.library, output, force=force, theme=theme.value
        )
    except TeachError as exc:
        raise _usage_error(str(exc)) from None
    except RendererMissing as exc:
        raise _environment_error(exc) from None
    except OSError as exc:
        typer.echo(f"mechmap: cannot write into {output}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    steps = (len(written) - 1) // 2
    typer.echo(f"wrote {_plural(steps, 'step')} ({len(written)} files) to {output}")


@app.command()
def evidence(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: FormatOption = OutputFormat.text,
    vignettes: VignettesOption = None,
) -> None:
    """Print the arrow x vignette evidence matrix and flag arrows with no evidence."""
    from mechmap.evidence import evidence_matrix
    from mechmap.report import matrix_as_dict, print_matrix

    checked = _valid_map(file, vignettes)
    matrix = evidence_matrix(checked.map, checked.library)
    if output is OutputFormat.json:
        typer.echo(json.dumps(matrix_as_dict(matrix), indent=2))
    else:
        _print_problems(checked.problems, err=True)
        print_matrix(matrix)


@app.command()
def new(
    file: Annotated[
        Path, typer.Argument(help="Where to write the starter map", show_default=False)
    ],
    title: Annotated[str, typer.Option(help="The map's title")] = "My mechanism map",
) -> None:
    """Write a commented starter map (never overwrites an existing file)."""
    from mechmap.schema import IDENTIFIER_PATTERN
    from mechmap.starter import STARTER_MAP

    map_id = file.stem if re.match(IDENTIFIER_PATTERN, file.stem) else "my-map"
    text = STARTER_MAP.format(file=file, map_id=map_id, title=json.dumps(title))
    _write_output(file, text, overwrite=False, exists="mechmap new never overwrites a file")
    typer.echo(f"wrote {file}; edit it, then run: mechmap validate {file}")


@app.command()
def schema(
    vignette: Annotated[bool, typer.Option("--vignette", help="Vignette schema instead")] = False,
) -> None:
    """Print the JSON Schema of map files (or vignette files) for editors and tools."""
    from mechmap.schema import json_schema

    typer.echo(json_schema("vignette" if vignette else "map"))


class ExportFormat(StrEnum):
    mermaid = "mermaid"
    dagitty = "dagitty"
    dot = "dot"
    graphml = "graphml"
    json = "json"


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    to: Annotated[
        ExportFormat,
        typer.Option(
            "--to", "-t", help="mermaid, dagitty, dot, graphml or json", show_default=False
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)"),
    ] = None,
    rolled_up: Annotated[
        bool, typer.Option("--rolled-up", help="One node per concept (mermaid and dot only)")
    ] = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write a map for other tools: Mermaid (GitHub renders it), DAGitty, DOT, GraphML or
    node-link JSON, all of the time-unrolled DAG unless --rolled-up."""
    from mechmap.exports import export_text

    m = _valid_map(file, vignettes).map
    try:
        text = export_text(m, to.value, rolled_up=rolled_up)
    except ValueError as exc:
        raise _usage_error(str(exc)) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    _write_output(output, text)
    typer.echo(f"wrote {output}")


@app.command("import")
def import_model(
    model: Annotated[Path, typer.Argument(help="DAGitty model file", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Map file to write (default: standard output)"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """Turn a DAGitty model (dag { ... }) into a map file, checked by loading it.

    exposure becomes role strategy, outcome implementation_outcome, latent 'latent: true';
    'a <-> b' becomes a latent confounder with arrows to both. Problems are reported as
    FILE:LINE:COL (exit 1); an existing file is kept unless --force.
    """
    from mechmap.dagitty import import_dagitty
    from mechmap.yamlsafe import read_text

    if output is not None and output.exists() and not force:
        raise _usage_error(f"{output} exists; add --force to overwrite it")
    try:
        raw = _existing(model).read_bytes()
    except OSError as exc:
        typer.echo(f"mechmap: cannot read {model}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    text, problems = read_text(raw, str(model))
    result = None
    if text is not None:
        result, problems = import_dagitty(text, str(model))
    _print_problems(problems, err=True)
    if result is None:
        typer.echo(f"mechmap: {model} cannot be imported; fix the errors above", err=True)
        raise typer.Exit(EXIT_INVALID)
    if output is None:
        typer.echo(result, nl=False)
        return
    _write_output(output, result, overwrite=force)
    typer.echo(f"wrote {output}; check it with: mechmap validate {output}")


def version_callback(value: bool) -> None:
    if value:
        from mechmap import __version__

        typer.echo(f"mechmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version"
        ),
    ] = False,
) -> None:
    pass


def main() -> None:
    """Console entry point: never shows a traceback for bad input."""
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug of ours, not the user's input: say so briefly
        typer.echo(
            f"mechmap: internal error ({type(exc).__name__}: {exc}); please report it "
            "with the command you ran",
            err=True,
        )
        sys.exit(70)
