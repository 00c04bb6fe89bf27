"""The typer application and what every command shares: options, output, errors."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from mechmap.mapfile.validation import Checked

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


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"mechmap: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def existing(path: Path) -> Path:
    if not path.exists():
        raise usage_error(f"{path}: no such file")
    if path.is_dir():
        raise usage_error(f"{path}: is a folder; give map files (e.g. {path}/*.yaml)")
    return path


def check_output(path: Path) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise usage_error(f"{folder}: no such folder")
    if path.is_dir():
        raise usage_error(f"{path}: is a folder; give the file to write")


def write_output(
    path: Path,
    content: bytes | str,
    overwrite: bool = True,
    exists: str = "add --force to overwrite it",
) -> None:
    """Write a command's output file atomically; problems become one-line errors."""
    from mechmap.files import write_atomically

    check_output(path)
    try:
        write_atomically(path, content, overwrite)
    except FileExistsError:
        raise usage_error(f"{path} exists; {exists}") from None
    except OSError as exc:
        typer.echo(f"mechmap: cannot write {path}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INVALID) from None


def environment_error(exc: Exception) -> typer.Exit:
    """Something this machine lacks (a layout engine): one line naming the fix, exit 1."""
    typer.echo(f"mechmap: {exc}", err=True)
    return typer.Exit(EXIT_INVALID)


def print_problems(problems: tuple[Diagnostic, ...] | list[Diagnostic], err: bool) -> None:
    for d in problems:
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        typer.secho(str(d), fg=colour, err=err)


def count(problems, severity: Severity) -> int:
    return sum(d.severity is severity for d in problems)


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def valid_map(file: Path, vignettes: Path | None) -> Checked:
    from mechmap.mapfile.validation import check_file

    checked = check_file(existing(file), vignettes)
    if checked.kind != "map":
        raise usage_error(f"{file} is a vignette, not a map")
    if not checked.valid:
        print_problems(checked.problems, err=True)
        typer.echo(f"mechmap: {file} is not a valid map; fix the errors above", err=True)
        raise typer.Exit(EXIT_INVALID)
    return checked


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
