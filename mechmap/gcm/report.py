"""The gcm commands' results for people: terminal lines, an HTML report of what changed (the
map with each node coloured by its contribution), and the map with arrows weighted by
strength. Labels are escaped in HTML and DOT and stripped of control characters in the
terminal.

>>> contribution_colour(1.0, 1.0), contribution_colour(-1.0, 1.0), contribution_colour(0.0, 1.0)
('#D55E00', '#0072B2', '#FFFFFF')
"""

from __future__ import annotations

import re

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
    if r.fit_checks:
        lines.append("DoWhy's evaluate_causal_model (3-fold cross-validation):")
        lines += [f"  {printable(c.line(data))}" for data, c in r.fit_checks]
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
    return lines


def strength_lines(m: Map, r: StrengthResult) -> list[str]:
    lines = [SYNTHETIC] if r.synthetic else []
    lines.append(f"Arrow strength (n = {r.n} {r.level}; mechanisms {r.mechanisms}):")
    lines += [
        f"  {printable(_label(m, a.cause))} -> {printable(_label(m, a.effect))}: {a.strength:.3g}"
        for a in r.arrows
    ]
    if r.outcome is not None:
        lines.append(f"Intrinsic causal influence on {printable(r.outcome)} (variance shares):")
        lines += [f"  {printable(_label(m, v))}: {x:.3g}" for v, x in r.influence]
    lines += [f"Note: {n}" for n in r.notes]
    return lines


def _restyled(dot: str, ids: dict[str, str], attribute: str) -> str:
    """``dot`` with ``attribute`` set to a new value on the statements of the given ids."""
    lines = []
    for line in dot.splitlines():
        found = re.search(r'id="([^"]+)"', line)
        if found and found.group(1) in ids:
            value = ids[found.group(1)]
            if f"{attribute}=" in line:
                line = re.sub(rf'\b{attribute}="[^"]*"', f'{attribute}="{value}"', line)
            else:
                line = line.replace(
                    f'id="{found.group(1)}"', f'{attribute}="{value}", id="{found.group(1)}"'
                )
        lines.append(line)
    return "\n".join(lines) + "\n"


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
    drawing = draw(m)
    colours = {
        drawing.node_ids[c.node]: contribution_colour(c.estimate, largest)
        for c in r.contributions
        if c.node in drawing.node_ids
    }
    svg = _svg(_restyled(drawing.dot, colours, "fillcolor"))
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
            )
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
    return to_html(report).encode("utf-8")


def strength_svg(m: Map, r: StrengthResult) -> bytes:
    """The map with each measured arrow's line width proportional to its strength."""
    from mechmap.diagrams.render import draw

    drawing = draw(m, caption=f"Line width: arrow strength (n = {r.n} {r.level}).")
    largest = max((a.strength for a in r.arrows), default=0.0)
    widths = {
        drawing.edge_ids[(a.cause, a.effect)]: f"{0.5 + 5.5 * max(a.strength, 0) / largest:.2f}"
        for a in r.arrows
        if largest > 0 and (a.cause, a.effect) in drawing.edge_ids
    }
    svg = _svg(_restyled(drawing.dot, widths, "penwidth"))
    if svg is None:
        from mechmap.diagrams.render import RendererMissing

        raise RendererMissing("cannot draw the map here")
    return svg.encode("utf-8")
