"""What a path-test report says, as plain blocks that the HTML and Markdown writers format.

All text here is plain and unescaped: each writer escapes it for its own format. The blocks
follow the ``mechmap test --json`` result (``TestResult.as_dict()``) section by section, and
every table and figure states its n and level of analysis, because at 11 or 12 sites the n is
half of the story. Synthetic results say so in a banner and in every figure title and caption.

References: Kazdin AE (2007), Mediators and mechanisms of change in psychotherapy research,
Annu Rev Clin Psychol 3:1-27 (the checklist's criteria); Bliese PD (2000), Within-group
agreement, non-independence, and reliability (ICC(1), ICC(2)); Okabe M & Ito K (2008), Color
Universal Design (the verdict colours).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mechmap.model import Map
from mechmap.reports.plots import VERDICT_COLOURS

SYNTHETIC = "SYNTHETIC DATA"
ARROW = " → "


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str | None = None  # a bold lead-in such as "Result:"
    kind: str = ""  # "verdict" (the path's result) or "" (plain)


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns to right-align


@dataclass(frozen=True)
class Figure:
    name: str  # a slug, unique in the report (HTML id "fig-NAME"; prefix of its SVG ids)
    caption: str
    svg: str | None  # None when it could not be drawn; the caption then says why


@dataclass(frozen=True)
class Legend:
    entries: tuple[tuple[str, str, str], ...]  # (colour, colour's name, meaning)


Block = Heading | Paragraph | Items | Table | Figure | Legend


@dataclass(frozen=True)
class Report:
    title: str
    banner: str | None  # shown above everything when set (synthetic data)
    blocks: tuple[Block, ...]


# -- numbers -----------------------------------------------------------------------------


def number(value: float | None) -> str:
    """Three significant digits; an em dash for a missing value.

    >>> number(1.13812), number(-0.0613), number(None)
    ('1.14', '-0.0613', '—')
    """
    return "—" if value is None else f"{value:.3g}"


def interval(bounds: Sequence[float] | None) -> str:
    """``[lo, hi]`` with three significant digits each.

    >>> interval([0.7787, 1.284])
    '[0.779, 1.28]'
    """
    return "—" if bounds is None else f"[{number(bounds[0])}, {number(bounds[1])}]"


def p_value(p: float | None) -> str:
    """A p-value with three significant digits; below 0.001 as a bound (a permutation p of
    1/10,000 says no more than that), never as a rounded "0.000".

    >>> p_value(0.04961), p_value(0.0001), p_value(0.0)
    ('0.0496', '< 0.001', '< 0.001')
    """
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def sample_size(level: str, n_rows: int, n_sites: int) -> str:
    """The n of an analysis in words, sites first: sites are the independent units.

    >>> sample_size("site", 11, 11), sample_size("respondent", 40, 12)
    ('n = 11 sites', 'n = 40 respondents in 12 sites')
    """
    if level == "site":
        return f"n = {n_sites} sites"
    return f"n = {n_rows} respondents in {n_sites} sites"


def check_finite(value: object, where: str = "result") -> None:
    """Refuse a result holding NaN or infinity, naming where, rather than print it.

    >>> check_finite({"links": [{"estimate": float("nan")}]})
    Traceback (most recent call last):
    ...
    ValueError: result['links'][0]['estimate'] is nan, not a finite number
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is {value}, not a finite number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            check_finite(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_finite(item, f"{where}[{i}]")


# -- the report ----------------------------------------------------------------------------

_REQUIRED = ("map", "data", "path", "links", "refutations", "checklist", "power", "warnings")


class _Context:
    """The result with the few facts every section needs (n, level, synthetic label)."""

    def __init__(self, m: Map, result: Mapping) -> None:
        missing = [key for key in _REQUIRED if key not in result]
        if missing:
            raise ValueError(
                f"the result has no {', '.join(repr(k) for k in missing)}: give the dictionary "
                "that `mechmap test --json` prints (TestResult.as_dict())"
            )
        if result["map"] != m.id:
            raise ValueError(f"the result is for map '{result['map']}', not for '{m.id}'")
        check_finite(result)
        self.map, self.result = m, result
        data = result["data"]
        self.level = data["level"]
        self.n_sites, self.n_rows = data["n_sites"], data["n_rows"]
        self.synthetic = bool(result.get("synthetic"))
        named = {v for chain in result["path"]["chains"] for v in chain}
        named |= {v for x in result["links"] for v in (x["from"], x["to"])}
        unknown = sorted(named - set(m.variable_info))
        if unknown:
            raise ValueError(
                f"the result names {', '.join(unknown)}, which map '{m.id}' does not have"
            )

    @property
    def n(self) -> str:
        return sample_size(self.level, self.n_rows, self.n_sites)

    @property
    def n_level(self) -> str:
        return f"{self.n}, {self.level} level"

    def marked(self, text: str) -> str:
        """A figure title or caption, labelled when the data are synthetic."""
        return f"{SYNTHETIC}: {text}" if self.synthetic else text

    def label(self, variable: str) -> str:
        info = self.map.variable_info[variable]
        wave = f" @{info.wave}" if info.wave else ""
        return f"{info.node.label}{wave}"


def build(m: Map, result: Mapping) -> Report:
    """The report on a path test of ``m`` (``result``: ``mechmap test --json``), as blocks."""
    c = _Context(m, result)
    blocks: list[Block] = []
    for section in (
        _summary,
        _data,
        _drawn_map,
        _links,
        _scatters,
        _effects,
        _refutations,
        _falsification,
        _checklist,
        _power,
    ):
        blocks += section(c)
    banner = (
        f"{SYNTHETIC}: these results come from simulated data, not from real sites. They show "
        "how the method works and are no evidence about the mechanism."
        if c.synthetic
        else None
    )
    return Report(result.get("title") or m.title, banner, tuple(blocks))


def _chain_text(chain: Sequence[str]) -> str:
    return ARROW.join(chain)


def _summary(c: _Context) -> list[Block]:
    path, data = c.result["path"], c.result["data"]
    hypothesis = path.get("hypothesis")
    expect = path.get("expect")
    items = [
        f"Map: {c.result['map']}",
        f"Hypothesis: {hypothesis}" if hypothesis else "Path given on the command line",
        *(f"Path: {_chain_text(chain)}" for chain in path["chains"]),
        f"Expected sign of the path: {expect}" if expect else "Expected sign: not stated",
        f"Data sources: {', '.join(data['sources']) or 'none named'}",
        f"Level of analysis: {c.level} ({c.n})",
    ]
    if c.level == "respondent":
        items.append("Intervals resample whole sites (cluster bootstrap)")
    if "n_resamples" in data:
        items.append(f"Bootstrap resamples: {data['n_resamples']:,}")
    return [
        Items(tuple(items)),
        Paragraph(path["note"], lead=f"Result: {path['verdict']}.", kind="verdict"),
    ]


def _data(c: _Context) -> list[Block]:
    data = c.result["data"]
    blocks: list[Block] = [Heading("Data")]
    dropped = data["dropped"]
    if dropped:
        blocks.append(
            Table(
                f"Dropped before the analysis ({len(dropped)}); analysed: {c.n}",
                ("dropped", "reason"),
                tuple((d["label"], d["reason"]) for d in dropped),
            )
        )
    else:
        blocks.append(Paragraph(f"No site or row was dropped ({c.n})."))
    aggregation = data["aggregation"]
    if aggregation:
        blocks.append(
            Table(
                f"Respondent answers averaged to sites ({c.n}). ICC(1): share of the variance "
                "that lies between sites; ICC(2): reliability of a site's mean (Bliese 2000)"
                + (
                    "; — where it cannot be computed (one respondent per site)"
                    if any(a["icc1"] is None or a["icc2"] is None for a in aggregation)
                    else ""
                ),
                ("variable", "respondents per site (min / median / max)", "ICC(1)", "ICC(2)"),
                tuple(
                    (
                        a["variable"],
                        f"{a['respondents_min']} / {number(a['respondents_median'])} / "
                        f"{a['respondents_max']}",
                        number(a["icc1"]),
                        number(a["icc2"]),
                    )
                    for a in aggregation
                ),
                frozenset({2, 3}),
            )
        )
    variables = dict.fromkeys(v for chain in c.result["path"]["chains"] for v in chain)
    blocks.append(
        Table(
            f"Variables on the path ({c.n_level})",
            ("variable", "label", "role", "wave"),
            tuple(
                (
                    v,
                    c.map.variable_info[v].node.label,
                    c.map.variable_info[v].node.role.replace("_", " "),
                    c.map.variable_info[v].wave or "—",
                )
                for v in variables
            ),
        )
    )
    return blocks


def _links_by_arrow(c: _Context) -> dict[tuple[str, str], Mapping]:
    return {(x["from"], x["to"]): x for x in c.result["links"]}


def _drawn_map(c: _Context) -> list[Block]:
    from mechmap.diagrams.render import RendererMissing, draw, run_engine
    from mechmap.diagrams.viewer import inline_svg

    links = _links_by_arrow(c)
    chains = c.result["path"]["chains"]
    # Consecutive chains join last to first (outcome -> exposure), never an arrow of a DAG.
    highlight = [v for chain in chains for v in chain]
    arrows = [a for chain in chains for a in itertools.pairwise(chain) if a in links]
    drawing = draw(
        c.map,
        highlight=highlight,
        edge_colors={a: VERDICT_COLOURS[links[a]["verdict"]][0] for a in arrows},
        edge_labels={a: links[a]["verdict"] for a in arrows},
    )
    caption = c.marked(
        f"The map with the tested path in colour, each arrow coloured and labelled by its "
        f"link's result ({c.n_level}); other arrows are grey."
    )
    try:
        svg: str | None = inline_svg(run_engine(drawing.dot, "svg").decode("utf-8"))
    except RendererMissing as exc:
        svg, caption = None, f"{caption} The map could not be drawn here: {exc}."
    return [
        Heading("The map and the tested path"),
        Figure("map", caption, svg),
        Legend(
            tuple((colour, name, verdict) for verdict, (colour, name) in VERDICT_COLOURS.items())
        ),
        Items(
            tuple(
                f"{a}{ARROW}{b}: {links[(a, b)]['verdict']} "
                f"({VERDICT_COLOURS[links[(a, b)]['verdict']][1]})"
                for a, b in arrows
            )
        ),
    ]


def _test(test: Mapping) -> str:
    return f"{number(test['statistic'])} (p {p_value(test['p_value'])}, {test['method']})"


def _links(c: _Context) -> list[Block]:
    links = c.result["links"]
    rows = tuple(
        (
            f"{x['from']}{ARROW}{x['to']}",
            number(x["estimate"]),
            number(x["standardized"]),
            interval(x["ci"]),
            interval(x["ci_bca"]),
            f"{p_value(x['p_value'])} ({x['method']})",
            _test(x["kendall_tau"]),
            _test(x["spearman_rho"]),
            number(x["minimum_detectable_r"]),
            x["verdict"],
        )
        for x in links
    )
    identification = tuple(
        (
            f"{x['from']}{ARROW}{x['to']}",
            ", ".join(x["adjustment_set"]) or "nothing",
            x["estimand"] if x["identifiable"] else x["reason"],
        )
        for x in links
    )
    return [
        Heading("Links"),
        Table(
            f"Each arrow of the path ({c.n_level}). "
            "Estimate: the regression coefficient in raw units; 95% intervals from the "
            "bootstrap over sites (percentile and BCa); Kendall's tau and Spearman's rho are "
            "computed over site means; minimum detectable r: the smallest correlation "
            "found with 80% power at this n",
            (
                "link",
                "estimate",
                "standardized",
                "95% CI",
                "95% CI (BCa)",
                "p (method)",
                "Kendall tau (p, method)",
                "Spearman rho (p, method)",
                "min. detectable r",
                "verdict",
            ),
            rows,
            frozenset({1, 2, 8}),
        ),
        Table(
            f"How each link is identified ({c.n_level})",
            ("link", "adjusted for", "estimand, or why there is none"),
            identification,
        ),
    ]


def _scatters(c: _Context) -> list[Block]:
    from mechmap.reports.plots import Scatter, scatter_svg

    blocks: list[Block] = [Heading("Scatter plots")]
    site_means = " Points are site means." if c.level == "respondent" else ""
    for i, x in enumerate(c.result["links"], start=1):
        points = x["points"]
        covariates = ", ".join(x["adjustment_set"]) if points["kind"] == "adjusted" else None
        arrow = f"{x['from']}{ARROW}{x['to']}"
        verdict = x["verdict"]
        slope = x["estimate"]
        if covariates:
            how = (
                f"Added-variable plot: both axes are residuals after regressing each variable on "
                f"{covariates}, so the slope of the points is the adjusted coefficient."
            )
        else:
            how = "Raw values."
        if slope is None:
            line = f"No line, because {x['reason']}."
        else:
            line = (
                f"Line: slope {number(slope)} (the estimated coefficient, 95% CI "
                f"{interval(x['ci'])}) through the mean of the points."
            )
        svg = scatter_svg(
            Scatter(
                points["x"],
                points["y"],
                points["labels"],
                _axis(c, x["from"], covariates),
                _axis(c, x["to"], covariates),
                c.marked(f"{arrow} ({c.n_level})"),
                slope,
                VERDICT_COLOURS[verdict][0],
            ),
            f"scatter-{i}",
        )
        blocks.append(
            Figure(
                f"scatter-{i}",
                c.marked(
                    f"{arrow}, {c.n_level}: {verdict}. {how}{site_means} {line} Kendall tau "
                    f"{_test(x['kendall_tau'])}."
                ),
                svg,
            )
        )
    return blocks


def _axis(c: _Context, variable: str, covariates: str | None) -> str:
    if covariates:
        return f"{c.label(variable)}: residual after adjusting for {covariates}"
    return c.label(variable)


def _standardized_interval(effect: Mapping) -> tuple[float, float] | None:
    """The percentile interval of the raw estimate in standardized units.

    The result holds the standardized point estimate only; the raw interval scales by the
    same factor (the sample SD ratio of cause to effect), which is ``standardized/estimate``.
    """
    estimate, standardized, ci = effect["estimate"], effect["standardized"], effect["ci"]
    if ci is None or standardized is None or not estimate:
        return None
    scale = standardized / estimate
    low, high = sorted((ci[0] * scale, ci[1] * scale))
    return (low, high)


def _path_effects(c: _Context) -> list[tuple[str, Mapping]]:
    path = c.result["path"]
    named = [("indirect effect", path["indirect_effect"])]
    named += [
        (f"indirect effect via {', '.join(s['chain'][1:-1])}", s)
        for s in path.get("specific_indirect_effects", [])
    ]
    named += [("direct effect", path["direct_effect"]), ("total effect", path["total_effect"])]
    return named


def _effects(c: _Context) -> list[Block]:
    from mechmap.reports.plots import ForestRow, forest_svg

    path = c.result["path"]
    rows: list[ForestRow] = []
    not_plotted: list[str] = []
    candidates = [(f"{x['from']}{ARROW}{x['to']}", x, x["verdict"]) for x in c.result["links"]]
    candidates += [
        (name, effect, path["verdict"] if name == "indirect effect" else None)
        for name, effect in _path_effects(c)
    ]
    for name, effect, verdict in candidates:
        if not effect["identifiable"]:
            not_plotted.append(f"{name}: {effect['reason'] or 'not identifiable'}")
        elif effect["standardized"] is None:
            not_plotted.append(f"{name}: no standardized estimate")
        else:
            bar = _standardized_interval(effect)
            rows.append(ForestRow(name, effect["standardized"], bar, verdict))
    blocks: list[Block] = [Heading("Effects")]
    caption = c.marked(
        f"Standardized effects ({c.n_level}): links, then the path's indirect, direct and "
        "total effects. Bars: 95% percentile bootstrap intervals of the raw estimates, rescaled "
        "by the sample SD ratio. Marks: circle supported, cross contradicted, square "
        "inconclusive, diamond a path effect without a verdict."
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
    blocks.append(
        Table(
            f"The path's effects ({c.n_level}). Indirect: the product of the link "
            "coefficients along each chain, summed over chains; total: the exposure's "
            "coefficient with its back-door adjustment set; direct: total minus indirect, the "
            "part of the effect that does not travel along the path",
            (
                "effect",
                "estimate",
                "standardized",
                "95% CI",
                "95% CI (BCa)",
                "identifiable",
                "why not",
            ),
            tuple(
                (
                    name,
                    number(e["estimate"]),
                    number(e["standardized"]),
                    interval(e["ci"]),
                    interval(e["ci_bca"]),
                    "yes" if e["identifiable"] else "no",
                    e["reason"] or "—",
                )
                for name, e in _path_effects(c)
            ),
            frozenset({1, 2}),
        )
    )
    return blocks


def _passed(value: bool | None) -> str:
    return "—" if value is None else "passed" if value else "failed"


def _refutations(c: _Context) -> list[Block]:
    refutations = c.result["refutations"]
    blocks: list[Block] = [Heading("Refutations")]
    if not refutations:
        return [*blocks, Paragraph(f"No refutation was run: nothing is identifiable ({c.n}).")]
    blocks.append(
        Table(
            f"Refutation tests ({c.n_level}). A placebo cause should drive the estimate to "
            "about 0; a random common cause should leave it in place; leaving one site out "
            "shows how much a single site carries",
            ("refutation", "target", "original", "new", "interval", "result", "detail"),
            tuple(
                (
                    r["name"],
                    r["target"],
                    number(r["original"]),
                    number(r["new"]),
                    interval(r["ci"]),
                    _passed(r["passed"]),
                    r["detail"],
                )
                for r in refutations
            ),
            frozenset({2, 3}),
        )
    )
    for r in refutations:
        if not r.get("per_site"):
            continue
        blocks.append(
            Table(
                f"Leave one site out, {r['target']}: the estimate without each site "
                f"(all {c.n}: {number(r['original'])})",
                ("site left out", "estimate", "change"),
                tuple(
                    (s["site"], number(s["estimate"]), f"{s['estimate'] - r['original']:+.3g}")
                    for s in r["per_site"]
                ),
                frozenset({1, 2}),
            )
        )
    return blocks


def _falsification(c: _Context) -> list[Block]:
    falsification = c.result.get("falsification")
    blocks: list[Block] = [Heading("Do the data contradict the map?")]
    if not falsification:
        return [*blocks, Paragraph("The map's implied independencies were not tested.")]
    tests = falsification["tests"]
    if tests:
        n_tested = {t["n"] for t in tests}
        blocks.append(
            Table(
                "Independencies the map implies among measured variables, tested by partial "
                f"correlation over site means (n = {', '.join(map(str, sorted(n_tested)))} "
                f"sites, site level); p-values Holm-adjusted at alpha {falsification['alpha']}",
                (
                    "independence",
                    "partial r",
                    "p",
                    "p (Holm)",
                    "method",
                    "n",
                    "violated",
                    "what would explain it",
                ),
                tuple(
                    (
                        f"{t['x']} ⊥ {t['y']}"
                        + (f" | {', '.join(t['given'])}" if t["given"] else ""),
                        number(t["partial_r"]),
                        p_value(t["p_value"]),
                        p_value(t["p_holm"]),
                        t["method"],
                        str(t["n"]),
                        "yes" if t["violated"] else "no",
                        "; ".join(t["explanations"]) or "—",
                    )
                    for t in tests
                ),
                frozenset({1, 2, 3, 5}),
            )
        )
    blocks.append(Paragraph(falsification["summary"]))
    return blocks


def _checklist(c: _Context) -> list[Block]:
    return [
        Heading("Mechanism evidence checklist"),
        Table(
            f"Kazdin's (2007) criteria for a mechanism, for this path ({c.n_level})",
            ("criterion", "status", "reason"),
            tuple((x["criterion"], x["status"], x["reason"]) for x in c.result["checklist"]),
        ),
    ]


def _power(c: _Context) -> list[Block]:
    power = c.result["power"]
    warnings = tuple(c.result["warnings"])
    return [
        Heading("Power"),
        Paragraph(
            power["note"],
            lead=f"Minimum detectable r = {number(power['minimum_detectable_r'])} "
            f"(n = {power['n']} sites).",
        ),
        Heading("Warnings"),
        Items(warnings) if warnings else Paragraph("None."),
    ]
