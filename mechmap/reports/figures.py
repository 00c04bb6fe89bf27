"""The report's figures: the map with the tested path coloured by result, a scatter plot per
link and a forest plot of the effects. Each title and caption states n and level, and says
SYNTHETIC DATA when the data are simulated."""

from __future__ import annotations

import itertools

from mechmap.citations import sources_line
from mechmap.reports.blocks import (
    Block,
    Context,
    Figure,
    Heading,
    Items,
    Legend,
    Paragraph,
    in_words,
    number,
    p_value,
)
from mechmap.reports.plots import VERDICT_COLOURS
from mechmap.reports.view import Effect, RankTest


def drawn_map(c: Context) -> list[Block]:
    from mechmap.diagrams.render import RendererMissing, draw, run_engine
    from mechmap.diagrams.viewer import inline_svg

    links = {x.arrow: x for x in c.result.links}
    chains = c.result.path.chains
    # Consecutive chains join last to first (outcome -> exposure), never an arrow of a DAG.
    highlight = [v for chain in chains for v in chain]
    arrows = [a for chain in chains for a in itertools.pairwise(chain) if a in links]
    drawing = draw(
        c.map,
        highlight=highlight,
        edge_colors={a: VERDICT_COLOURS[links[a].verdict][0] for a in arrows},
        edge_labels={a: links[a].verdict for a in arrows},
    )
    caption = c.marked(
        f"The map with the tested path in colour, each arrow coloured and labelled by its "
        f"link's result ({c.n_level}); other arrows are grey. The drawing is fitted to the "
        "page; `mechmap view` shows the map at full size."
        + (f" {cited}" if (cited := sources_line(c.map.sources)) else "")
    )
    try:
        svg: str | None = inline_svg(run_engine(drawing.dot, "svg").decode("utf-8"))
    except RendererMissing as exc:
        svg, caption = None, f"{caption} The map could not be drawn here: {exc}."
    return [
        Heading("The map and the tested path", 3),
        Figure("map", caption, svg),
        Legend(
            tuple((colour, name, verdict) for verdict, (colour, name) in VERDICT_COLOURS.items())
        ),
        Items(
            tuple(
                f"{c.arrow(*a).label}: {links[a].verdict} ({VERDICT_COLOURS[links[a].verdict][1]})"
                for a in arrows
            )
        ),
    ]


def rank_test(test: RankTest) -> str:
    return f"{number(test.statistic)} (p {p_value(test.p_value)}, {test.method})"


def scatters(c: Context) -> list[Block]:
    from mechmap.reports.plots import Scatter, scatter_svg

    blocks: list[Block] = [Heading("Scatter plots", 3)]
    site_means = " Points are site means." if c.level == "respondent" else ""
    for i, x in enumerate(c.result.links, start=1):
        adjusted = x.points.kind == "adjusted"
        covariates = c.labels(x.adjustment_set) if adjusted else None
        arrow = c.arrow(*x.arrow).label
        slope = x.estimated.estimate
        if covariates:
            how = (
                f"Added-variable plot: both axes are residuals after regressing each variable on "
                f"{covariates}, so the slope of the points is the adjusted coefficient."
            )
        else:
            how = "Raw values."
        if x.kind == "measurement":
            slope, line = None, "No line: a measurement link is described by its correlation."
        elif slope is None:
            line = f"No line, because {x.estimated.reason}."
        else:
            line = (
                f"Line: slope {number(slope)} (the estimated coefficient, "
                f"{in_words(x.estimated.ci)}) through the mean of the points."
            )
        svg = scatter_svg(
            Scatter(
                x.points.x,
                x.points.y,
                x.points.labels,
                _axis(c, x.cause, covariates),
                _axis(c, x.effect, covariates),
                c.marked(f"{arrow} ({c.n_level})"),
                slope,
                VERDICT_COLOURS[x.verdict][0],
            ),
            f"scatter-{i}",
        )
        caption = (
            f"{arrow}, {c.n_level}: {x.verdict}. {how}{site_means} {line} "
            f"Kendall tau {rank_test(x.kendall_tau)}."
        )
        blocks.append(Figure(f"scatter-{i}", c.marked(caption), svg))
    return blocks


def _axis(c: Context, variable: str, covariates: str | None) -> str:
    if covariates:
        return f"{c.label(variable)}: residual after adjusting for {covariates}"
    return c.label(variable)


def _standardized_interval(effect: Effect) -> tuple[float, float] | None:
    """The raw estimate's interval in standardized units.

    The result holds the standardized point estimate only; the raw interval scales by the
    same factor (the sample SD ratio of cause to effect), which is ``standardized/estimate``.
    """
    estimate, standardized, ci = effect.estimate, effect.standardized, effect.ci
    if ci is None or standardized is None or not estimate:
        return None
    scale = standardized / estimate
    low, high = sorted((ci[0] * scale, ci[1] * scale))
    return (low, high)


def path_effects(c: Context) -> list[tuple[str, Effect]]:
    """The path's effects by name: indirect (and per chain), direct, total."""
    path = c.result.path
    named = [("indirect effect", path.indirect)]
    named += [
        (f"indirect effect via {', '.join(c.label(v) for v in chain[1:-1])}", effect)
        for chain, effect in path.specific
    ]
    named += [("direct effect", path.direct), ("total effect", path.total)]
    return named


def forest(c: Context) -> list[Block]:
    from mechmap.reports.plots import ForestRow, forest_svg

    path = c.result.path
    rows: list[ForestRow] = []
    not_plotted: list[str] = []
    candidates = [(c.arrow(*x.arrow).label, x, x.verdict) for x in c.result.links]
    candidates = [(name, x.estimated, verdict) for name, x, verdict in candidates]
    candidates += [
        (name, effect, path.verdict if name == "indirect effect" else None)
        for name, effect in path_effects(c)
    ]
    for name, effect, verdict in candidates:
        if verdict == "measurement":
            not_plotted.append(f"{name}: a measurement link, not an effect")
        elif not effect.identifiable:
            not_plotted.append(f"{name}: {effect.reason or 'not identifiable'}")
        elif effect.standardized is None:
            not_plotted.append(f"{name}: no standardized estimate")
        else:
            bar = _standardized_interval(effect)
            rows.append(ForestRow(name, effect.standardized, bar, verdict))
    blocks: list[Block] = []
    caption = c.marked(
        f"Standardized effects ({c.n_level}): links, then the path's indirect, direct and "
        "total effects. Bars: the 95% intervals of the raw estimates, rescaled by the sample "
        "SD ratio. Marks: circle supported, cross contradicted, square inconclusive, diamond "
        "a path effect without a verdict."
    )
    if rows:
        svg = forest_svg(
            rows,
            c.marked(f"Standardized effects with 95% intervals ({c.n_level})"),
            "standardized effect (SD of effect per SD of cause)",
            "forest",
        )
        blocks.append(Figure("forest", caption, svg))
    if not_plotted:
        blocks.append(Paragraph("These effects are not plotted:"))
        blocks.append(Items(tuple(not_plotted)))
    return blocks
