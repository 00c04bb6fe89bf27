"""Commands that analyse a map's time-unrolled DAG: paths, adjust, implications,
instruments, dsep, identify. Each prints for people, or JSON with ``--json``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechmap.cli.app import JsonOption, VignettesOption, app, usage_error, valid_map

if TYPE_CHECKING:
    import networkx as nx

    from mechmap.model import Map

PANEL = "Graph analysis"
MapArgument = Annotated[Path, typer.Argument(help="Map file", show_default=False)]
# Cause and effect are spelled -x/--exposure or --from, -y/--outcome or --to, on every command
ExposureOption = Annotated[
    str,
    typer.Option(
        "--exposure",
        "-x",
        "--from",
        help="Cause: node, or 'a,b' (name@wave for a time-indexed copy)",
        show_default=False,
    ),
]
OutcomeOption = Annotated[
    str,
    typer.Option(
        "--outcome", "-y", "--to", help="Effect: node, or 'a,b' (name@wave)", show_default=False
    ),
]


def variables(m: Map, text: str, option: str) -> list[str]:
    """Comma-separated names as variables of the unrolled DAG (see :mod:`mechmap.names`:
    a node with one copy may be named plainly), or a usage error naming the option."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    try:
        return list(dict.fromkeys(m.names.resolve(name) for name in names))
    except ValueError as exc:
        raise usage_error(f"{option}: {exc}") from None


@contextmanager
def asked() -> Iterator[None]:
    """An analysis refusing its question (``ValueError``: a latent exposure, an exposure
    that is also the outcome...) is a mistake in the command: one line, exit 2."""
    try:
        yield
    except ValueError as exc:
        raise usage_error(str(exc)) from None


def _load(file: Path, vignettes: Path | None) -> tuple[Map, nx.DiGraph]:
    m = valid_map(file, vignettes).map
    return m, m.to_networkx()


def _emit(
    result: dict[str, object],
    as_json: bool,
    lines: list[str],
    warnings: list[str] = (),
    rows: str | None = None,
) -> None:
    """Print for people, or JSON; with ``rows``, that list's entries one per line."""
    if as_json:
        result = {**result, "warnings": list(warnings)} if warnings else result
        typer.echo(_json_text(result, rows))
        return
    for line in lines:
        typer.echo(line)
    for text in warnings:
        typer.secho(f"warning: {text}", fg="yellow", err=True)


def _json_text(result: dict[str, object], rows: str | None) -> str:
    """Indented JSON, but the entries of ``rows`` one per line: as readable for a long
    list, and written by json's C encoder (indenting is pure Python: seconds for a basis of
    a million pairs)."""
    if rows is None or not result[rows]:
        return json.dumps(result, indent=2)
    text = json.dumps({**result, rows: []}, indent=2)
    body = ",\n".join(f"    {json.dumps(row)}" for row in result[rows])
    return text.replace(f"{json.dumps(rows)}: []", f"{json.dumps(rows)}: [\n{body}\n  ]", 1)


def _timing(m: Map, exposures: list[str], outcomes: list[str]) -> list[str]:
    """Time-varying confounding around the requested effect (see analysis.timing)."""
    from mechmap.analysis.timing import time_varying_warnings

    return [w for x in exposures for y in outcomes for w in time_varying_warnings(m, x, y)]


def _braces(names: list[str]) -> str:
    return "{" + ", ".join(names) + "}" if names else "{} (the empty set)"


MaxOption = Annotated[
    int,
    typer.Option("--max", "--cap", min=1, help="List at most this many (the listing can explode)"),
]


def _cut(truncated: bool, shown: int, what: str) -> list[str]:
    """The line that says a listing stopped at ``--max``."""
    return [f"(the first {shown} {what} of more; raise --max to list more)"] if truncated else []


@app.command(rich_help_panel=PANEL)
def adjust(
    file: MapArgument,
    exposure: ExposureOption,
    outcome: OutcomeOption,
    effect: Annotated[str, typer.Option(help="total or direct")] = "total",
    check: Annotated[
        str | None, typer.Option(help="Check this set instead: 'a,b,c' (empty: '')")
    ] = None,
    cap: MaxOption = 1000,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Minimal sufficient adjustment sets for an effect (latent nodes never chosen)."""
    from mechmap.analysis.adjustment import adjustment_sets, check_adjustment
    from mechmap.analysis.paths import path_text

    m, graph = _load(file, vignettes)
    xs, ys = variables(m, exposure, "--exposure"), variables(m, outcome, "--outcome")
    latent = m.latent_variables
    if check is not None:
        given = variables(m, check, "--check")
        with asked():
            verdict = check_adjustment(graph, xs, ys, given, latent, effect)
        lines = [
            f"{_braces(given)} is {'a valid' if verdict.valid else 'not a valid'} "
            f"adjustment set for the {effect} effect of {', '.join(xs)} on {', '.join(ys)}."
        ]
        lines += [f"  {v} may not be adjusted for: {why}" for v, why in verdict.forbidden.items()]
        if verdict.open_path:
            lines.append(f"  open biasing path: {path_text(graph, verdict.open_path)}")
        _emit(verdict.as_dict(), as_json, lines)
        return
    with asked():
        found = adjustment_sets(graph, xs, ys, latent, effect, cap=cap)
    lines = [found.summary] + [f"  {_braces(s)}" for s in found.sets if s]
    lines += _cut(found.truncated, len(found.sets), "sets")
    _emit(found.as_dict(), as_json, lines, _timing(m, xs, ys))


@app.command(rich_help_panel=PANEL)
def dsep(
    file: MapArgument,
    first: Annotated[str, typer.Argument(help="Node(s): 'a' or 'a,b'", show_default=False)],
    second: Annotated[str, typer.Argument(help="Node(s)", show_default=False)],
    given: Annotated[str, typer.Option(help="Conditioning set: 'c,d'")] = "",
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Are two sets of nodes d-separated given a third? If not, the open path."""
    from mechmap.analysis.dsep import open_path
    from mechmap.analysis.paths import path_text

    m, graph = _load(file, vignettes)
    xs, ys = variables(m, first, "first"), variables(m, second, "second")
    if not xs or not ys:
        raise usage_error("name at least one node on each side")
    zs = variables(m, given, "--given")
    with asked():
        path = open_path(graph, xs, ys, zs)
    given_text = f" given {_braces(zs)}" if zs else ""
    if path is None:
        lines = [f"{', '.join(xs)} and {', '.join(ys)} are d-separated{given_text}."]
    else:
        lines = [
            f"{', '.join(xs)} and {', '.join(ys)} are d-connected{given_text}.",
            f"  open path: {path_text(graph, path)}",
        ]
    _emit(
        {"x": xs, "y": ys, "given": zs, "d_separated": path is None, "open_path": path},
        as_json,
        lines,
    )


def _single(m: Map, text: str, option: str) -> str:
    names = variables(m, text, option)
    if len(names) != 1:
        raise usage_error(f"{option}: give one node, not {len(names)}")
    return names[0]


@app.command(rich_help_panel=PANEL)
def paths(
    file: MapArgument,
    source: Annotated[
        str,
        typer.Option(
            "--from", "-x", "--exposure", help="Start node (name@wave)", show_default=False
        ),
    ],
    target: Annotated[
        str,
        typer.Option("--to", "-y", "--outcome", help="End node (name@wave)", show_default=False),
    ],
    given: Annotated[str, typer.Option(help="Conditioning set for --all: 'c,d'")] = "",
    every: Annotated[
        bool, typer.Option("--all", help="Every path, open or blocked, not only causal ones")
    ] = False,
    cap: MaxOption = 1000,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Causal paths between two nodes, their mediators, ancestors and descendants; with
    --all every path with its open/blocked status given --given."""
    from mechmap.analysis.paths import (
        all_paths,
        ancestors,
        causal_paths,
        descendants,
        mediators,
        path_text,
    )

    m, graph = _load(file, vignettes)
    x, y = _single(m, source, "--from"), _single(m, target, "--to")
    if x == y:
        raise usage_error("--from and --to must name different nodes")
    zs = variables(m, given, "--given")
    if every:
        with asked():
            found = all_paths(graph, x, y, zs, cap=cap)
        lines = [found.summary] + [
            f"  {'open   ' if p.open else 'blocked'}  {p.text}"
            + (f"   (at {p.blocked_by}: {p.reason})" if p.blocked_by else "")
            for p in found.paths
        ]
        _emit(found.as_dict(), as_json, lines + _cut(found.truncated, cap, "paths"))
        return
    causal = causal_paths(graph, x, y, cap=cap + 1)  # two variables of a valid map: no error
    truncated, causal = len(causal) > cap, causal[:cap]
    result = {
        "from": x,
        "to": y,
        "paths": causal,
        "truncated": truncated,
        "mediators": mediators(graph, x, y),
        "ancestors": ancestors(graph, [x]),
        "descendants": descendants(graph, [x]),
    }
    lines = [f"{len(causal)} causal path(s) from {x} to {y}."]
    lines += [f"  {path_text(graph, p)}" for p in causal] + _cut(truncated, cap, "paths")
    for key in ("mediators", "ancestors", "descendants"):
        named = result[key]
        lines.append(
            f"{key}{'' if key == 'mediators' else ' of ' + x}: "
            f"{', '.join(named) if named else 'none'}"
        )
    _emit(result, as_json, lines)


@app.command(rich_help_panel=PANEL)
def implications(
    file: MapArgument,
    every: Annotated[
        bool, typer.Option("--all", help="Every minimal separating set, not only a basis")
    ] = False,
    smallest: Annotated[
        bool,
        typer.Option(
            "--smallest", help="A smallest set for every pair, not the parents of one end (slower)"
        ),
    ] = False,
    cap: Annotated[
        int, typer.Option("--max", "--cap", min=1, help="With --all, list at most this many")
    ] = 1000,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Conditional independencies the map implies among measured nodes: what data could
    refute.

    A basis gives each unjoined pair once: `x _||_ y1, y2 | z` says x is independent of y1
    and of y2 given z."""
    from mechmap.analysis.implications import all_implications, basis_implications

    if every and smallest:
        raise usage_error("--smallest is for the basis; --all lists every minimal set anyway")
    m, graph = _load(file, vignettes)
    latent = m.latent_variables
    if every:
        found = all_implications(graph, latent, cap=cap)
    else:
        found = basis_implications(graph, latent, smallest=smallest)
    lines = [found.summary] + [f"  {s}" for s in found.statements]
    cut = _cut(found.truncated, found.pair_count, "implications")
    _emit(found.as_dict(), as_json, lines + cut, rows="implications")


@app.command(rich_help_panel=PANEL)
def instruments(
    file: MapArgument,
    exposure: ExposureOption,
    outcome: OutcomeOption,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Instruments and conditional instruments for an effect."""
    from mechmap.analysis.instrumental import instruments as find_instruments

    m, graph = _load(file, vignettes)
    x, y = _single(m, exposure, "--exposure"), _single(m, outcome, "--outcome")
    with asked():
        found = find_instruments(graph, x, y, m.latent_variables)
    lines = [found.summary] + [
        f"  {i.instrument}" + (f" given {_braces(list(i.given))}" if i.given else "")
        for i in found.instruments
    ]
    _emit(found.as_dict(), as_json, lines)


@app.command(rich_help_panel=PANEL)
def identify(
    file: MapArgument,
    exposure: ExposureOption,
    outcome: OutcomeOption,
    as_json: JsonOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Is an effect identifiable with the map's latent nodes unmeasured? Back-door,
    front-door or the ID algorithm, with the estimand."""
    from mechmap.analysis.identify import identify as identify_effect

    m, graph = _load(file, vignettes)
    xs, ys = variables(m, exposure, "--exposure"), variables(m, outcome, "--outcome")
    with asked():
        found = identify_effect(graph, xs, ys, m.latent_variables)
    extra = [found.note] if found.note and found.note not in found.summary else []
    _emit(found.as_dict(), as_json, [found.summary, *extra], _timing(m, xs, ys))
