"""The typer application and what every command shares: options, output, errors.

The app's group looks commands up lazily (:class:`_LazyCommands`): a command's module is
imported, and its click command built, when that command runs or help lists it in full.

Every command reports for people by default and for tools with ``--json``; every file it
writes is refused if it exists, unless ``--force``; every error is one line on stderr.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_command_name
from typer.models import CommandInfo

from mechmap.cli.commands import APP_HELP, BY_NAME, VERSION_HELP, import_command_module
from mechmap.diagnostics import Diagnostic, Severity
from mechmap.terminal import printable

if TYPE_CHECKING:
    from mechmap.mapfile.validation import Checked


class _HonestHelp:
    """``--help`` that shows what each option takes: nothing for a flag (typer would show
    ``<bool>``), and the one value an option or argument takes each time it is repeated
    (``<path>``, not ``<list[Path]>``)."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if param.metavar is not None:
                continue
            if param.param_type_name == "option" and param.is_flag:
                param.metavar = ""
            elif param.multiple or param.nargs != 1:
                one = re.fullmatch(r"<list\[(.+)\]>", param.display_type(ctx))
                if one is not None:  # typer's rich help asks the parameter for its type
                    label = f"<{one.group(1).lower()}>"
                    param.display_type_rich = lambda ctx, label=label: label
        return params


class _Command(_HonestHelp, TyperCommand):
    pass


class _LazyCommands(MutableMapping):
    """The group's commands by name, in :data:`mechmap.cli.commands.COMMANDS` order: a
    command's module is imported the first time the command is looked up, so that a run
    builds only the command it runs (and ``did you mean`` still knows every name)."""

    def __init__(self, built: Mapping[str, TyperCommand]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> TyperCommand:
        if name not in self._built:
            if name not in BY_NAME:
                raise KeyError(name)
            import_command_module(name)
            info = next(i for i in app.registered_commands if _name_of(i) == name)
            self._built[name] = get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return self._built[name]

    def __setitem__(self, name: str, command: TyperCommand) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from BY_NAME
        yield from (name for name in self._built if name not in BY_NAME)

    def __len__(self) -> int:
        return len(BY_NAME.keys() | self._built.keys())


def _name_of(info: CommandInfo) -> str:
    return info.name or get_command_name(info.callback.__name__)


class _Group(_HonestHelp, TyperGroup):
    def __init__(self, *args: Any, commands=None, **kwargs: Any) -> None:
        super().__init__(*args, commands=_LazyCommands(commands or {}), **kwargs)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # names only: listing imports no command module


class _App(typer.Typer):
    """The typer app whose commands all get :class:`_HonestHelp`."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any):
        return super().command(*args, cls=cls or _Command, **kwargs)


app = _App(
    name="mechmap",
    help=APP_HELP,
    no_args_is_help=True,
    cls=_Group,
    pretty_exceptions_enable=False,
)

EXIT_INVALID = 1
EXIT_USAGE = 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="text for people, json for tools (as --json)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for tools")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file")]
VignettesOption = Annotated[
    Path | None,
    typer.Option(
        "--vignettes",
        help="Vignette folder (default: vignettes/ in or beside the map's folder)",
        file_okay=False,
    ),
]


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"mechmap: {printable(message)}", err=True)
    return typer.Exit(EXIT_USAGE)


def existing(path: Path) -> Path:
    if not path.exists():
        raise usage_error(f"{path}: no such file")
    if path.is_dir():
        raise usage_error(f"{path}: is a folder; give map files (e.g. {path}/*.yaml)")
    return path


OVERWRITE_HINT = "add --force to overwrite it"


def check_output(path: Path, overwrite: bool = True, exists: str = OVERWRITE_HINT) -> None:
    """Refuse an output path that cannot be written (or, without ``overwrite``, a file that
    exists) before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise usage_error(f"{folder}: no such folder")
    if path.is_dir():
        raise usage_error(f"{path}: is a folder; give the file to write")
    if not overwrite and path.exists():
        raise usage_error(f"{path} exists; {exists}")


def write_output(
    path: Path, content: bytes | str, overwrite: bool = True, exists: str = OVERWRITE_HINT
) -> None:
    """Write a command's output file atomically; problems become one-line errors."""
    write_outputs({path: content}, overwrite, exists)


def write_outputs(
    files: Mapping[Path, bytes | str], overwrite: bool = True, exists: str = OVERWRITE_HINT
) -> None:
    """Write a command's output files, all or none (a full disk leaves none and no temporary
    file); problems become one-line errors."""
    from mechmap.files import write_all_atomically

    for path in files:
        check_output(path, overwrite, exists)
    try:
        write_all_atomically(files, overwrite)
    except FileExistsError as exc:  # appeared since check_output looked
        raise usage_error(f"{exc.filename2 or exc.filename} exists; {exists}") from None
    except OSError as exc:
        # A link or rename names its target second; a failed write has no name, or a
        # temporary file's: then say which files were being written.
        where = exc.filename2 or ", ".join(map(str, files))
        typer.echo(f"mechmap: cannot write {where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None


def environment_error(exc: Exception | str) -> typer.Exit:
    """Something this machine lacks (a layout engine): one line naming the fix, exit 1."""
    typer.echo(f"mechmap: {printable(str(exc))}", err=True)
    return typer.Exit(EXIT_INVALID)


def print_problems(problems: tuple[Diagnostic, ...] | list[Diagnostic], err: bool) -> None:
    for d in problems:
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        typer.secho(printable(str(d)), fg=colour, err=err)


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
        typer.Option("--version", callback=version_callback, is_eager=True, help=VERSION_HELP),
    ] = False,
) -> None:
    pass


def main() -> None:
    """Console entry point: never shows a traceback for bad input."""
    try:
        # One name however it was started (``python -m mechmap`` too), so that shell
        # completion installs for the ``mechmap`` command.
        app(prog_name="mechmap", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug of ours, not the user's input: say so briefly
        typer.echo(
            f"mechmap: internal error ({type(exc).__name__}: {exc}); please report it "
            "with the command you ran",
            err=True,
        )
        sys.exit(70)
