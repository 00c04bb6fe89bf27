"""Report figures drawn with matplotlib as SVG text: a scatter plot per link, a forest plot.

matplotlib is imported inside the functions (``import mechmap.reports`` stays light) and used
through its object API (``Figure``, never ``pyplot``), so no GUI backend is chosen and no
global figure state is touched; settings apply only inside ``rc_context``. Output is
byte-for-byte reproducible: a fixed ``svg.hashsalt`` for the clip-path ids, no date in the
metadata, text kept as ``<text>`` (``svg.fonttype: none``), which matplotlib XML-escapes.
Every id in a figure carries the figure's name, so several figures can share one HTML page.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

# Okabe & Ito's colour-blind-safe palette; every use also names the verdict in words.
VERDICT_COLOURS: dict[str, tuple[str, str]] = {  # verdict -> (colour, its name for text)
    "supported": ("#0072B2", "blue"),
    "contradicted": ("#D55E00", "vermillion"),
    "inconclusive": ("#CC79A7", "reddish purple"),
    "not identifiable": ("#999999", "grey"),
    "measurement": ("#009E73", "bluish green"),  # a measure of its cause, not an effect of it
}
# Marker shapes tell verdicts apart in greyscale too.
_MARKERS = {"supported": "o", "contradicted": "X", "inconclusive": "s"}
_RC = {
    "svg.hashsalt": "mechmap",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",  # ships with matplotlib, so text is measured the same anywhere
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_STYLE = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.S)


def literal(text: str) -> str:
    """``text`` as matplotlib shows it literally: a ``$`` would otherwise start mathtext.

    >>> literal("costs $5 and $6")
    'costs \\\\$5 and \\\\$6'
    """
    return text.replace("$", r"\$")


def _wrapped(text: str, width: int = 60) -> str:
    return "\n".join(textwrap.wrap(literal(text), width)) or " "


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _title(figure, text: str) -> None:
    # A figure title, not an axes title: long tick labels would push an axes title off the edge.
    width = int(figure.get_figwidth() * 13)  # characters of 9-point text per line
    figure.suptitle(_wrapped(text, width), x=0.01, ha="left", fontsize=9)


def _svg(figure, name: str) -> str:
    """The figure as an ``<svg>`` element whose ids all start with ``name``."""
    buffer = io.StringIO()
    figure.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # The stylesheet matplotlib adds uses a `*` selector, which inline would restyle the page.
    svg = _STYLE.sub("", svg, count=1)
    ids = set(_ID.findall(svg))

    def renamed(match: re.Match[str]) -> str:
        kind, old = match.groups()
        return f"{kind}{name}-{old}" if old in ids else match.group()

    return _REFERENCE.sub(renamed, svg).strip()


@dataclass(frozen=True)
class Scatter:
    """What a link's scatter plot shows; the caller has composed every text."""

    x: Sequence[float]
    y: Sequence[float]
    labels: Sequence[str]
    x_label: str
    y_label: str
    title: str
    slope: float | None  # drawn through the mean of the points; None: no line
    colour: str


def scatter_svg(plot: Scatter, name: str) -> str:
    """A labelled scatter plot of sites, with the fitted slope through the points' mean."""
    from matplotlib import rc_context

    with rc_context(_RC):
        figure = _figure(5.6, 4.4)
        axes = figure.subplots()
        axes.scatter(plot.x, plot.y, s=22, color=plot.colour, zorder=3, gid="sites")
        for x, y, label in zip(plot.x, plot.y, plot.labels, strict=True):
            axes.annotate(
                literal(label),
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color="#333333",
            )
        if plot.slope is not None and len(plot.x) > 0:
            mean_x, mean_y = sum(plot.x) / len(plot.x), sum(plot.y) / len(plot.y)
            low, high = min(plot.x), max(plot.x)
            axes.plot(
                [low, high],
                [mean_y + plot.slope * (low - mean_x), mean_y + plot.slope * (high - mean_x)],
                color="#333333",
                linewidth=1.2,
                zorder=2,
                gid="slope",
            )
        axes.set_xlabel(_wrapped(plot.x_label))
        axes.set_ylabel(_wrapped(plot.y_label, 45))
        _title(figure, plot.title)
        return _svg(figure, name)


@dataclass(frozen=True)
class ForestRow:
    label: str
    estimate: float
    interval: tuple[float, float] | None
    verdict: str | None  # colours and marks the point; None: a path effect without one


def forest_svg(rows: Sequence[ForestRow], title: str, x_label: str, name: str) -> str:
    """Estimates with their intervals, one row each from the top, and a line at zero."""
    from matplotlib import rc_context

    # Labels are the map's, often long: wrapped, each row as tall as its label's lines.
    labels = [_wrapped(r.label, 34) for r in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    with rc_context(_RC):
        figure = _figure(6.4, 1.4 + 0.2 * lines + 0.18 * len(rows))
        axes = figure.subplots()
        for i, row in enumerate(rows):
            colour = VERDICT_COLOURS[row.verdict][0] if row.verdict else "#000000"
            if row.interval is not None:
                axes.plot(row.interval, [i, i], color=colour, linewidth=1.6)
            axes.plot(
                [row.estimate],
                [i],
                marker=_MARKERS.get(row.verdict or "", "D"),
                markersize=6,
                color=colour,
                linestyle="none",
            )
        axes.axvline(0, color="#666666", linewidth=0.8, linestyle="--")
        axes.set_yticks(range(len(rows)), labels)
        axes.set_ylim(len(rows) - 0.5, -0.5)
        ends = [abs(v) for r in rows for v in (r.interval or (r.estimate,))]
        reach = max([*ends, 0.1]) * 1.1
        axes.set_xlim(-reach, reach)
        axes.set_xlabel(_wrapped(x_label, 80))
        _title(figure, title)
        return _svg(figure, name)
