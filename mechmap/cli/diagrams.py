"""Commands that draw or convert maps: render, view, teach, export, import."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mechmap.cli.app import (
    EXIT_INVALID,
    EXIT_USAGE,
    ForceOption,
    VignettesOption,
    app,
    check_output,
    environment_error,
    existing,
    plural,
    print_problems,
    usage_error,
    valid_map,
    write_output,
    write_outputs,
)


class Theme(StrEnum):
    print = "print"
    slides = "slides"


class LegendChoice(StrEnum):
    compact = "compact"
    none = "none"
    separate = "separate"


_UNITS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54}
# Below this size printed type is hard to read (journals ask for 6-8 pt at final size).
_SMALLEST_PRINT = 6.0


def figure_width(text: str) -> float:
    """A width such as ``85mm``, ``3.5in`` or ``500pt``, in points."""
    number, unit = text.strip()[:-2], text.strip()[-2:].lower()
    try:
        value = float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        raise typer.BadParameter(
            f"'{text}' is not a width: write a number and a unit, e.g. 85mm, 3.5in or 500pt"
        ) from None
    if not 36 <= value <= 7200:
        raise typer.BadParameter(f"'{text}' is not between 0.5 in and 100 in")
    return value


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
        str | None,
        typer.Option(help="Draw only this node's neighbourhood (see --depth)"),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="With --focus: only nodes within this many arrows (default: all ancestors "
            "and descendants)",
        ),
    ] = None,
    rolled_up: Annotated[
        bool, typer.Option("--rolled-up", help="One node per concept instead of one per wave")
    ] = False,
    theme: Annotated[
        Theme, typer.Option(help="print (compact) or slides (16:9, large type)")
    ] = Theme.print,
    legend: Annotated[
        LegendChoice,
        typer.Option(help="compact (under the map), none, or separate (FILE-legend.EXT)"),
    ] = LegendChoice.compact,
    width: Annotated[
        str | None,
        typer.Option(
            "--width", "--size", help="Figure width for a journal column, e.g. 85mm, 174mm, 7in"
        ),
    ] = None,
    sources: Annotated[
        bool,
        typer.Option(
            "--sources/--no-sources",
            help="A caption naming the map's sources (Sources: Kilbourne et al. 2023; ...)",
        ),
    ] = True,
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Draw a map as SVG, PNG, PDF or DOT (format from the file name).

    The caption names the publications the map rests on (--no-sources leaves it out). An
    existing file (or, with --legend separate, legend file) is kept unless --force.
    """
    from mechmap.citations import sources_line
    from mechmap.diagnostics import MapError
    from mechmap.diagrams.engines import DrawingTooSlow
    from mechmap.diagrams.render import FORMATS, RendererMissing, draw, run_engine
    from mechmap.diagrams.style import THEMES
    from mechmap.mapfile.loader import resolve_path
    from mechmap.terminal import progress

    fmt = output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise usage_error(f"{output}: say which format by the file name ({', '.join(FORMATS)})")
    points = figure_width(width) if width is not None else None
    legend_file = output.with_name(f"{output.stem}-legend{output.suffix}")
    outputs = [output, legend_file] if legend is LegendChoice.separate else [output]
    for name in outputs:
        check_output(name, overwrite=force)
    m = valid_map(file, vignettes).map
    options = dict(rolled_up=rolled_up, theme=theme.value, focus=focus, depth=depth)
    try:
        path = resolve_path(m, highlight, "--highlight") if highlight else ()
        shown = "none" if legend is LegendChoice.separate else legend.value
        with progress(f"laying out {file.name}") as advance:
            caption = sources_line(m.sources) if sources else None
            drawing = draw(
                m, highlight=path, legend=shown, width=points, caption=caption, **options
            )
            drawings = {output: drawing}
            if legend is LegendChoice.separate:
                drawings[legend_file] = draw(m, legend="only", title="", **options)
            drawn = {}
            for name, d in drawings.items():
                advance(f"drawing {name.name}")
                drawn[name] = d.dot.encode("utf-8") if fmt == "dot" else run_engine(d.dot, fmt)
    except MapError as exc:
        print_problems(exc.diagnostics, err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError as exc:  # an unknown --focus node
        raise usage_error(str(exc)) from None
    except DrawingTooSlow as exc:
        raise environment_error(f"{exc} (or draw part of it: --focus NODE --depth 2)") from None
    except RendererMissing as exc:
        raise environment_error(exc) from None
    if points is not None:
        smallest = THEMES[theme.value].edge_font * points / drawing.size[0]
        if smallest < _SMALLEST_PRINT:
            typer.echo(
                f"warning: at {width} the labels print at {smallest:.1f} pt; try a wider "
                "figure, --rolled-up, or --focus NODE --depth 2",
                err=True,
            )
    write_outputs(drawn, overwrite=force)
    for name in drawn:
        typer.echo(f"wrote {name}")


@app.command()
def view(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The HTML file to write", show_default=False)
    ],
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write an interactive HTML viewer of a map: one file that works offline.

    Click a node for its upstream and downstream paths, hover for details and evidence,
    step through the arrows in teaching order, filter by role and wave. An existing file is
    kept unless --force.
    """
    from mechmap.diagrams.render import RendererMissing
    from mechmap.diagrams.viewer import build_page
    from mechmap.terminal import progress

    check_output(output, overwrite=force)
    checked = valid_map(file, vignettes)
    try:
        with progress(f"drawing {file.name}"):
            page = build_page(checked.map, checked.library)
    except RendererMissing as exc:
        raise environment_error(exc) from None
    write_output(output, page, overwrite=force)
    typer.echo(f"wrote {output}")


@app.command()
def teach(
    file: Annotated[Path, typer.Argument(help="Map file", show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the slides, outline.md and deck.pptx",
            show_default=False,
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
    """Write 16:9 slides, one SVG and one PNG per teaching step (step-01.svg, ...), with
    outline.md and deck.pptx (one PowerPoint slide per step, with speaker notes)."""
    from mechmap.diagrams.deck import DeckUnavailable
    from mechmap.diagrams.render import RendererMissing
    from mechmap.diagrams.teach import TeachError, write_teaching
    from mechmap.terminal import progress

    checked = valid_map(file, vignettes)
    steps = len(checked.map.teaching_steps())
    try:
        with progress("drawing slides", total=steps) as advance:
            written = write_teaching(
                checked.map,
                checked.library,
                output,
                force=force,
                theme=theme.value,
                on_slide=advance,
            )
    except TeachError as exc:
        raise usage_error(str(exc)) from None
    except (RendererMissing, DeckUnavailable) as exc:
        raise environment_error(exc) from None
    except OSError as exc:
        typer.echo(f"mechmap: cannot write into {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(f"wrote {plural(steps, 'step')} ({len(written)} files) to {output}")


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
    force: ForceOption = False,
    vignettes: VignettesOption = None,
) -> None:
    """Write a map for other tools: Mermaid, DAGitty, DOT, GraphML or node-link JSON.

    All describe the time-unrolled DAG unless --rolled-up (Mermaid and DOT only). An
    existing --output file is kept unless --force.
    """
    from mechmap.diagrams.exports import export_text

    if output is not None:
        check_output(output, overwrite=force)
    m = valid_map(file, vignettes).map
    try:
        text = export_text(m, to.value, rolled_up=rolled_up)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    write_output(output, text, overwrite=force)
    typer.echo(f"wrote {output}")


@app.command("import")
def import_model(
    model: Annotated[Path, typer.Argument(help="DAGitty model file", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Map file to write (default: standard output)"),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Turn a DAGitty model (dag { ... }) into a map file, checked by loading it.

    exposure becomes role strategy, outcome implementation_outcome, latent 'latent: true';
    'a <-> b' becomes a latent confounder with arrows to both. Problems are reported as
    FILE:LINE:COL (exit 1); an existing file is kept unless --force.
    """
    from mechmap.diagrams.dagitty import import_dagitty
    from mechmap.mapfile.yamlsafe import read_text

    if output is not None:
        check_output(output, overwrite=force)
    try:
        raw = existing(model).read_bytes()
    except OSError as exc:
        typer.echo(f"mechmap: cannot read {model}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    text, problems = read_text(raw, str(model))
    result = None
    if text is not None:
        result, problems = import_dagitty(text, str(model))
    print_problems(problems, err=True)
    if result is None:
        typer.echo(f"mechmap: {model} cannot be imported; fix the errors above", err=True)
        raise typer.Exit(EXIT_INVALID)
    if output is None:
        typer.echo(result, nl=False)
        return
    write_output(output, result, overwrite=force)
    typer.echo(f"wrote {output}; check it with: mechmap validate {output}")
