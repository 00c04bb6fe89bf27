"""The gcm commands' results for people: terminal lines, an HTML report of what changed (the
map with each node coloured by its contribution), and the map with arrows weighted by
strength. Labels are escaped in HTML and DOT and stripped of control characters in the
terminal.

>>> contribution_colour(1.0, 1.0), contribution_colour(-1.0, 1.0), contribution_colour(0.0, 1.0)
('#D55E00', '#0072B2', '#FFFFFF')
"""

from __future__ import annotations

from mechmap.gcm.change import ASSUMPTIONS, ChangeResult
from mechmap.gcm.strength import StrengthResult
from mechmap.gcm.whatif import WhatIfResult
from mechmap.model import Map
from mechmap.reports.blocks import Figure, Heading, Items, Legend, Paragraph, Report, Table
from mechmap.terminal import printable

RISE, FALL = (0xD5, 0x5E, 0x00), (0x00, 0x72, 0xB2)  # vermillion, blue (Okabe-Ito)
SYNTHETIC = "SYNTHETIC DATA: simulated, not real sites."


def contribution_colour(value: float, largest: float) -> str:
    """White for 0, full vermillion for the largest rise, full blue for the largest fall."""
    share = 0.0 if largest <= 0 else min(1.0, abs(value) / largest)
    end = RISE if value >= 0 else FALL
    mixed = (round(255 + (c - 255) * share) for c in end)
    return "#" + "".join(f"{c:02X}" for c in mixed)


def _label(m: Map, variable: str) -> str:
    info = m.variable_info.get(variable)
    return info.node.label if info is not None else variable


def _ci(ci) -> str:
    return f"[{ci[0]:.3g}, {ci[1]:.3g}]"


def _verdict(estimate) -> str:
    return "inconclusive (interval includes 0)" if estimate.inconclusive else "excludes 0"


def _sample(result: ChangeResult) -> str:
    return f"n = {result.n_before} before, {result.n_after} after; {result.level}"


def change_lines(m: Map, r: ChangeResult) -> list[str]:
    level = f"{r.confidence:.0%}"
    lines = [SYNTHETIC] if r.synthetic else []
    lines += [
        f"Change in the mean of {printable(_label(m, r.outcome))} ({r.outcome}): "
        f"{r.change.estimate:+.3g}, {level} interval {_ci(r.change.ci)} ({_sample(r)}); "
        f"observed {r.observed[0]:.3g} -> {r.observed[1]:.3g}",
        "Contributions of each node's change of mechanism (they add up to the change):",
    ]
    for c in sorted(r.contributions, key=lambda c: -abs(c.estimate)):
        lines.append(
            f"  {printable(_label(m, c.node))} ({c.node}): {c.estimate:+.3g}, {level} "
            f"interval {_ci(c.ci)}, {_verdict(c)}"
        )
    lines += [f"Note: {n}" for n in r.notes]
    lines.append(f"Site bootstrap: {r.n_resamples} resamples; mechanisms {r.mechanisms}.")
    lines.append("Assumes: " + "; ".join(ASSUMPTIONS) + ".")
    lines += _fit_lines(r.fit_checks)
    return lines


def whatif_lines(m: Map, r: WhatIfResult) -> list[str]:
    settings = ", ".join(f"{printable(k)} = {v:g}" for k, v in r.settings)
    lines = [SYNTHETIC] if r.synthetic else []
    lines += [
        f"Mean of {printable(_label(m, r.outcome))} ({r.outcome}) if {settings}: "
        f"{r.mean.estimate:.3g}, {r.confidence:.0%} interval {_ci(r.mean.ci)} "
        f"(n = {r.n} {r.level}; observed mean {r.observed_mean:.3g})",
    ]
    lines += [f"Note: {n}" for n in r.notes]
    lines.append(f"Assumes: {'; '.join(r.as_dict()['assumptions'])}; mechanisms {r.mechanisms}.")
    lines += _fit_lines(tuple(("fitted", c) for c in r.fit_checks))
    return lines


def _fit_lines(checks) -> list[str]:
    if not checks:
        return []
    return [
        "DoWhy's evaluate_causal_model (cross-validated):",
        *(f"  {printable(c.line(data))}" for data, c in checks),
    ]


def strength_lines(m: Map, r: StrengthResult) -> list[str]:
    level = f"{r.confidence:.0%}"
    lines = [SYNTHETIC] if r.synthetic else []
    lines.append(
        f"Arrow strength (n = {r.n} {r.level}; mechanisms {r.mechanisms}; {level} intervals "
        f"from {r.n_resamples} site-bootstrap resamples):"
    )
    lines += [
        f"  {printable(_label(m, a.cause))} -> {printable(_label(m, a.effect))}: "
        f"{a.strength:.3g} {_ci(a.ci)}"
        for a in r.arrows
    ]
    if r.outcome is not None:
        lines.append(f"Intrinsic causal influence on {printable(r.outcome)} (variance shares):")
        lines += [f"  {printable(_label(m, v))}: {x:.3g} {_ci(ci)}" for v, x, ci in r.influence]
    lines += [f"Note: {n}" for n in r.notes]
    return lines


def _svg(dot: str) -> str | None:
    from mechmap.diagrams.render import RendererMissing, run_engine
    from mechmap.diagrams.viewer import inline_svg

    try:
        return inline_svg(run_engine(dot, "svg").decode("utf-8"))
    except RendererMissing:
        return None


def change_report(m: Map, r: ChangeResult) -> bytes:
    """An offline HTML page: the result, the map coloured by contribution, the fit checks."""
    from mechmap.diagrams.render import draw
    from mechmap.reports.html import to_html

    level = f"{r.confidence:.0%}"
    largest = max((abs(c.estimate) for c in r.contributions), default=0.0)
    # Compared wave against wave, a contribution is a node's: each of its copies shows it.
    colour = {c.node: contribution_colour(c.estimate, largest) for c in r.contributions}
    fills = {
        v: colour.get(v) or colour[v.partition("@")[0]]
        for v in m.variables
        if v in colour or v.partition("@")[0] in colour
    }
    svg = _svg(
        draw(
            m,
            node_fill=fills,
            key_notes=(
                "fill: contribution to the change (vermillion raised the mean, blue lowered "
                "it, white none; the deeper, the larger)",
            ),
        ).dot
    )
    caption = (
        f"The map with each node of the outcome's measured graph filled by its contribution "
        f"to the change in {_label(m, r.outcome)} ({_sample(r)}): vermillion raised the mean, "
        "blue lowered it, white contributed nothing; other nodes keep their role's colour."
    )
    rows = tuple(
        (_label(m, c.node), c.node, f"{c.estimate:+.3g}", _ci(c.ci), _verdict(c))
        for c in sorted(r.contributions, key=lambda c: -abs(c.estimate))
    )
    blocks = [
        Paragraph(
            f"The mean of {_label(m, r.outcome)} went from {r.observed[0]:.3g} to "
            f"{r.observed[1]:.3g}; the fitted models put the change at {r.change.estimate:+.3g} "
            f"({level} interval {_ci(r.change.ci)}; {_sample(r)}).",
            lead="Result:",
        ),
        Items(tuple(r.notes)),
        Heading("The map, coloured by contribution", 3),
        Figure("map", caption if svg else f"{caption} The map could not be drawn here.", svg),
        Legend(
            (
                ("#D55E00", "vermillion", "raised the outcome's mean"),
                ("#0072B2", "blue", "lowered it"),
            ),
            "Node fills",
        ),
        Table(
            f"Contributions of each node's change of mechanism ({_sample(r)}; site bootstrap, "
            f"{r.n_resamples} resamples; {level} percentile intervals). They add up to the change.",
            ("Node", "Id", "Contribution", f"{level} interval", "Reading"),
            rows,
            frozenset({2}),
        ),
        Heading("Are the fitted mechanisms believable?", 3),
        Items(tuple(c.line(data) for data, c in r.fit_checks) or ("not evaluated",)),
        Heading("What this rests on", 3),
        Items(ASSUMPTIONS),
    ]
    report = Report(f"What changed: {m.title}", SYNTHETIC if r.synthetic else None, tuple(blocks))
    return to_html(report, "what changed").encode("utf-8")


def strength_svg(m: Map, r: StrengthResult) -> bytes:
    """The map with each measured arrow's line width proportional to its strength."""
    from mechmap.diagrams.render import draw

    largest = max((a.strength for a in r.arrows), default=0.0)
    widths = {
        (a.cause, a.effect): 0.5 + 5.5 * max(a.strength, 0) / largest
        for a in r.arrows
        if largest > 0 and (a.cause, a.effect) in m.edge_of
    }
    drawing = draw(
        m,
        caption=f"Arrow strength fitted on n = {r.n} {r.level}.",
        edge_width=widths,
        key_notes=(
            "line width: arrow strength (the thickest is the strongest; compare arrows "
            "into the same node)",
        ),
    )
    svg = _svg(drawing.dot)
    if svg is None:
        from mechmap.diagrams.render import RendererMissing

        raise RendererMissing("cannot draw the map here")
    return svg.encode("utf-8")
