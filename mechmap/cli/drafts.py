"""Commands for drafting a map with others: ``diff`` (what changed between two drafts).

``diff`` also serves git as an external diff driver (``--git``): git hands it the path and
the two versions of a changed file, ``/dev/null`` for a side that does not exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    JsonOption,
    VignettesOption,
    app,
    existing,
    print_problems,
    usage_error,
)
from mechmap.terminal import printable

if TYPE_CHECKING:
    from mechmap.diagnostics import Diagnostic
    from mechmap.drafting.consequences import Consequences
    from mechmap.drafting.diff import FieldChange, MapDiff, Section
    from mechmap.model import Map

PANEL = "Drafting"
NO_FILE = "/dev/null"  # how git names the missing side of a file added or deleted
_MAP_FILE = re.compile(rb"^mechmap\s*:", re.MULTILINE)  # the key every map file has
_COLOURS = {"+": "green", "-": "red", "~": "yellow"}


def _checked(file: Path, vignettes: Path | None) -> tuple[Map | None, tuple[Diagnostic, ...]]:
    """The map in ``file`` and, when it is not valid, everything validate says about it."""
    from mechmap.mapfile.validation import check_file

    if str(file) == NO_FILE:
        return None, ()
    checked = check_file(existing(file), vignettes)
    if checked.kind != "map":
        raise usage_error(f"{file} is a vignette, not a map")
    return checked.map, () if checked.valid else checked.problems


def _git_side(file: str, name: str) -> tuple[Map | None, tuple[Diagnostic, ...] | None]:
    """One version git hands over, checked on its own (that version's vignettes are not at
    hand, so evidence ids are not looked up): the map, or ``None`` and its errors; ``None``
    for both when the file is not a map at all (no ``mechmap:`` key)."""
    from mechmap.diagnostics import has_errors
    from mechmap.mapfile.loader import parse_map

    if file == NO_FILE:
        return None, ()
    raw = existing(Path(file)).read_bytes()
    if not _MAP_FILE.search(raw):
        return None, None
    m, problems = parse_map(raw, name, None)
    return (m, ()) if m is not None and not has_errors(problems) else (None, tuple(problems))


def _line_diff(old: str, new: str, names: tuple[str, str]) -> None:
    import difflib

    def lines(file: str) -> list[str]:
        if file == NO_FILE:
            return []
        return Path(file).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)

    shown = (NO_FILE if old == NO_FILE else names[0], NO_FILE if new == NO_FILE else names[1])
    for line in difflib.unified_diff(lines(old), lines(new), *shown):
        typer.echo(printable(line), nl=not line.endswith("\n"))


def _git(arguments: list[str], as_json: bool) -> None:
    """git's external diff: ``path old-file old-hex old-mode new-file new-hex new-mode``,
    then ``new-path rename-message`` when the file was renamed."""
    if len(arguments) not in (7, 9):
        raise usage_error(
            f"--git takes the 7 arguments git passes a diff driver (9 for a rename), "
            f"not {len(arguments)}; set it up with: git config diff.mechmap.command "
            "'mechmap diff --git'"
        )
    path, old, new = arguments[0], arguments[1], arguments[4]
    names = (f"a/{path}", f"b/{arguments[7] if len(arguments) == 9 else path}")
    (before, old_problems), (after, new_problems) = (
        _git_side(old, names[0]),
        _git_side(new, names[1]),
    )
    if (old_problems, new_problems) != ((), ()):
        # Not a map, or not a valid one: git still gets a diff, and not an error that
        # would stop it at this file.
        if old_problems or new_problems:
            typer.echo(f"mechmap: a draft of {printable(path)} is not a valid map; line diff:")
            print_problems((*(old_problems or ()), *(new_problems or ())), err=False)
        _line_diff(old, new, names)
        return
    _report(before, after, names, as_json)


@app.command(rich_help_panel=PANEL)
def diff(
    drafts: Annotated[
        list[Path],
        typer.Argument(
            help="OLD NEW: two drafts of a map (/dev/null for none); with --git, what git passes",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
    git: Annotated[
        bool,
        typer.Option("--git", help="Take the arguments git gives a diff driver (see README)"),
    ] = False,
    vignettes: VignettesOption = None,
) -> None:
    """What changed between two drafts of a map, and what follows for its analyses.

    Nodes, arrows, hypotheses and the other blocks field by field; then the
    testable implications added and removed, and the hypotheses' adjustment
    sets and identification that changed.

    Exit status: 0 whether or not the drafts differ; 1 when one is not a valid
    map (its errors printed as validate prints them); 2 for usage errors (a
    missing file). With --git a draft that is not a valid map gets its errors
    and a line diff, exit 0, so that git goes on to the next file.
    """
    if git:
        _git([str(d) for d in drafts], as_json)
        return
    if len(drafts) != 2:
        raise usage_error(f"give two drafts, OLD NEW, not {len(drafts)} file(s)")
    checked = [_checked(d, vignettes) for d in drafts]
    for file, (_, problems) in zip(drafts, checked, strict=True):
        if problems:
            print_problems(problems, err=True)
            typer.echo(
                f"mechmap: {printable(str(file))} is not a valid map; fix the errors above",
                err=True,
            )
    if any(problems for _, problems in checked):
        raise typer.Exit(EXIT_INVALID)
    _report(checked[0][0], checked[1][0], (str(drafts[0]), str(drafts[1])), as_json)


def _report(before: Map | None, after: Map | None, names: tuple[str, str], as_json: bool) -> None:
    from mechmap.drafting.diff import diff_maps

    found = diff_maps(before, after)
    if as_json:
        typer.echo(json.dumps(found.as_dict(), indent=2))
        return
    for line in diff_lines(found, names):
        mark = line.lstrip()[:1]
        typer.secho(printable(line), fg=_COLOURS.get(mark) if line.startswith("  ") else None)


# -- the text for people ---------------------------------------------------------------------


def diff_lines(found: MapDiff, names: tuple[str, str]) -> list[str]:
    """The diff as people read it: a heading, then each block that changed, with ``+``
    added, ``-`` removed, ``~`` changed (each changed field as ``old → new``)."""
    heading = f"mechmap diff {names[0]} {names[1]}"
    if found.identical:
        return [f"{heading}: no differences"]
    lines = [heading]
    if found.before is None or found.after is None:
        lines.append(
            f"map '{found.after or found.before}' {'added' if found.before is None else 'deleted'}"
        )
    if found.map:
        lines += ["map", *_fields(found.map, "  ")]
    for name, section in found.sections:
        if not section.empty:
            lines += [name, *_section(section, found)]
    lines += _consequences(found.consequences)
    return lines


def _section(section: Section, found: MapDiff) -> list[str]:
    def named(key: str) -> str:
        label = found.labels.get(key) if section.noun == "node" else None
        return f"{key} {_value(label)}" if label and label != key else key

    lines = [f"  + {named(k)}" for k in section.added]
    lines += [f"  - {named(k)}" for k in section.removed]
    for change in section.changed:
        lines += [f"  ~ {named(change.key)}", *_fields(change.fields, "      ")]
    if section.reordered:
        lines.append("  ~ (the order changed)")
    return lines


def _fields(fields: tuple[tuple[str, FieldChange], ...], indent: str) -> list[str]:
    return [f"{indent}{k}: {_value(c.before)} → {_value(c.after)}" for k, c in fields]


def _value(value: object) -> str:
    """A value on one line: text quoted (line breaks as \\n), lists and mappings spelled."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _sets(found: tuple[tuple[str, ...], ...] | None) -> str:
    if found is None:
        return "not asked (an end is latent)"
    if not found:
        return "none exists"
    return " or ".join(
        "{" + ", ".join(s) + "}" if s else "{} (nothing to adjust for)" for s in found
    )


def _identifiable(state: bool | None) -> str:
    return {True: "identifiable", False: "not identifiable", None: "not asked or undecided"}[state]


def _consequences(found: Consequences) -> list[str]:
    if found.empty:
        return []
    lines = ["what follows"]
    if found.implications_added or found.implications_removed:
        lines.append("  testable implications (among the variables both drafts have)")
        lines += [f"    + {s}" for s in found.implications_added]
        lines += [f"    - {s}" for s in found.implications_removed]
    if found.adjustment:
        lines.append("  adjustment sets of a hypothesis' link (its own effect)")
        lines += [
            f"    ~ {c.hypothesis}: {c.link}: {_sets(c.before)} → {_sets(c.after)}"
            for c in found.adjustment
        ]
    if found.identification:
        lines.append("  identification of a hypothesis' effects")
        for c in found.identification:
            lines.append(
                f"    ~ {c.hypothesis}: {c.kind} {c.effect}: "
                f"{_identifiable(c.before)} → {_identifiable(c.after)}"
                + (f" ({c.method})" if c.after and c.method else "")
            )
            if c.note and c.after is False:
                lines.append(f"        {c.note}")
    return lines
