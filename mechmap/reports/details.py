"""The report's detail tables: data, links, path effects, refutations, the map's implied
independencies, the mechanism checklist, power, warnings, and what reproduces the result.

Every caption states n and level; variables and arrows are :class:`Named` cells (label, then
id in small type).

References: Kazdin AE (2007), Mediators and mechanisms of change in psychotherapy research,
Annu Rev Clin Psychol 3:1-27 (the checklist's criteria); Bliese PD (2000), Within-group
agreement, non-independence, and reliability (ICC(1), ICC(2)).
"""

from __future__ import annotations

from mechmap.model import Node
from mechmap.reports.blocks import (
    Block,
    Code,
    Collapsed,
    Context,
    Heading,
    Items,
    Named,
    Paragraph,
    Table,
    interval,
    number,
    p_value,
)
from mechmap.reports.figures import path_effects, rank_test
from mechmap.reports.view import Independence, Link


def data(c: Context) -> list[Block]:
    r = c.result
    blocks: list[Block] = [Heading("Data", 3)]
    if r.dropped:
        blocks.append(
            Table(
                f"Dropped before the analysis ({len(r.dropped)}); analysed: {c.n}",
                ("dropped", "reason"),
                r.dropped,
            )
        )
    else:
        blocks.append(Paragraph(f"No site or row was dropped ({c.n})."))
    if r.aggregation:
        uncomputable = any(a["icc1"] is None or a["icc2"] is None for a in r.aggregation)
        blocks.append(
            Table(
                f"Respondent answers averaged to sites ({c.n}). ICC(1): share of the variance "
                "that lies between sites; ICC(2): reliability of a site's mean (Bliese 2000)"
                + (
                    "; — where it cannot be computed (one respondent per site)"
                    if uncomputable
                    else ""
                ),
                ("variable", "respondents per site (min / median / max)", "ICC(1)", "ICC(2)"),
                tuple(
                    (
                        c.named(a["variable"]),
                        f"{a['respondents_min']} / {number(a['respondents_median'])} / "
                        f"{a['respondents_max']}",
                        number(a["icc1"]),
                        number(a["icc2"]),
                    )
                    for a in r.aggregation
                ),
                frozenset({2, 3}),
            )
        )
    variables = dict.fromkeys(v for chain in r.path.chains for v in chain)
    info = c.map.variable_info
    tagged = any(info[v].node.eric or info[v].node.cfir for v in variables)
    blocks.append(
        Table(
            f"Variables on the path ({c.n_level})",
            ("variable", "role", "wave", *(("ERIC / CFIR 2.0",) if tagged else ())),
            tuple(
                (
                    c.named(v),
                    info[v].node.role.replace("_", " "),
                    info[v].wave or "—",
                    *((_vocabulary_tags(info[v].node),) if tagged else ()),
                )
                for v in variables
            ),
        )
    )
    blocks.append(Paragraph(f"Data sources: {', '.join(r.sources) or 'none named'}."))
    return blocks


def _vocabulary_tags(node: Node) -> str:
    """``ERIC: Facilitation (ERIC 33); CFIR 2.0: Individuals: ...``, or a dash."""
    from mechmap.vocabularies import label

    tags = [f"ERIC: {label('eric', t)}" for t in node.eric]
    tags += [f"CFIR 2.0: {t}" for t in node.cfir]
    return "; ".join(tags) or "—"


def _estimate(x: Link) -> tuple[str, str, str]:
    """Estimate, standardized estimate and interval; a measurement link's correlation."""
    if x.kind == "measurement" and x.correlation is not None:
        r = x.correlation
        return f"r = {number(r.r)}", "—", interval(r.ci)
    e = x.estimated
    return number(e.estimate), number(e.standardized), interval(e.ci)


def links(c: Context) -> list[Block]:
    rows = tuple(
        (c.arrow(*x.arrow), *_estimate(x), p_value(x.p_value), x.verdict) for x in c.result.links
    )
    how = tuple(
        (
            c.arrow(*x.arrow),
            x.model or x.estimand or "—",
            "; ".join(
                part
                for part in (
                    x.estimated.ci_method,
                    f"cluster bootstrap check {interval(x.estimated.ci_bootstrap)}"
                    if x.estimated.ci_bootstrap
                    else None,
                    f"df = {x.df}" if x.df is not None else None,
                )
                if part
            )
            or "—",
            f"{p_value(x.p_value)} ({x.method})"
            + (
                f"; permutation check {p_value(x.p_permutation)}"
                if x.p_permutation is not None
                else ""
            ),
            rank_test(x.kendall_tau),
            rank_test(x.spearman_rho),
            number(x.minimum_detectable_r),
        )
        for x in c.result.links
    )
    identification = tuple(
        (
            c.arrow(*x.arrow),
            c.labels(x.adjustment_set),
            (x.estimand or "—") if x.estimated.identifiable else (x.estimated.reason or "—"),
        )
        for x in c.result.links
    )
    blocks: list[Block] = [
        Heading("Links", 3),
        Table(
            f"Each arrow of the path ({c.n_level}). Estimate: the regression coefficient in "
            "raw units (a measurement link: its correlation r), with its 95% interval",
            ("link", "estimate", "standardized", "95% interval", "p", "verdict"),
            rows,
            frozenset({1, 2, 4}),
        ),
        Table(
            f"How each link was estimated ({c.n_level}). Kendall's tau and Spearman's rho are "
            "computed over site means; minimum detectable r: the smallest correlation found "
            "with 80% power at this n",
            ("link", "model", "interval", "p (method)", "Kendall tau", "Spearman rho", "min. r"),
            how,
            frozenset({6}),
        ),
        Table(
            f"How each link is identified ({c.n_level})",
            ("link", "adjusted for", "estimand, or why there is none"),
            identification,
        ),
    ]
    assumed = [
        f"{c.arrow(*x.arrow).label}: {'; '.join(x.assumptions)}"
        for x in c.result.links
        if x.assumptions
    ]
    if assumed:
        blocks += [Paragraph("What each link's estimate assumes:"), Items(tuple(assumed))]
    return blocks


def effects(c: Context) -> list[Block]:
    return [
        Heading("Effects", 3),
        Table(
            f"The path's effects ({c.n_level}). Indirect: the product of the link "
            "coefficients along each chain, summed over chains; total: the exposure's "
            "coefficient with its back-door adjustment set; direct: total minus indirect, the "
            "part of the effect that does not travel along the path",
            ("effect", "estimate", "standardized", "95% interval", "interval method", "why not"),
            tuple(
                (
                    name,
                    number(e.estimate),
                    number(e.standardized),
                    interval(e.ci),
                    "; ".join(
                        part
                        for part in (
                            e.ci_method,
                            f"bootstrap check {interval(e.ci_bootstrap)}"
                            if e.ci_bootstrap
                            else None,
                        )
                        if part
                    )
                    or "—",
                    "—" if e.identifiable else (e.reason or "not identifiable"),
                )
                for name, e in path_effects(c)
            ),
            frozenset({1, 2}),
        ),
    ]


def _passed(value: bool | None) -> str:
    return "—" if value is None else "passed" if value else "failed"


def refutations(c: Context) -> list[Block]:
    refuted = c.result.refutations
    blocks: list[Block] = [Heading("Refutations", 3)]
    if not refuted:
        return [*blocks, Paragraph(f"No refutation was run: nothing is identifiable ({c.n}).")]
    blocks.append(
        Table(
            f"Refutation tests ({c.n_level}). A placebo cause should drive the estimate to "
            "about 0; a random common cause should leave it in place; leaving one site out "
            "shows how much a single site carries. Share: the share of simulated estimates at "
            "least as large as the real one",
            ("refutation", "target", "original", "new", "share", "result", "rule and detail"),
            tuple(
                (
                    r.name,
                    _target(c, r.target),
                    number(r.original),
                    number(r.new),
                    number(r.share),
                    _passed(r.passed),
                    " ".join(
                        part
                        for part in (
                            f"Rule: {r.rule}." if r.rule else None,
                            f"E-value {number(r.e_value)}." if r.e_value is not None else None,
                            r.detail,
                        )
                        if part
                    ),
                )
                for r in refuted
            ),
            frozenset({2, 3, 4}),
        )
    )
    for r in refuted:
        if r.per_site and r.original is not None:
            blocks.append(
                Table(
                    f"Leave one site out, {r.target}: the estimate without each site "
                    f"(all {c.n}: {number(r.original)})",
                    ("site left out", "estimate", "change"),
                    tuple(
                        (site, number(estimate), f"{estimate - r.original:+.3g}")
                        for site, estimate in r.per_site
                    ),
                    frozenset({1, 2}),
                )
            )
    return blocks


def _target(c: Context, target: str) -> Named | str:
    """A refutation's target, an arrow "a -> b" when it is one (else as written)."""
    parts = [p.strip() for p in target.split("->")]
    if len(parts) == 2 and all(p in c.map.variable_info for p in parts):
        return c.arrow(*parts)
    return target


def _independence(c: Context, t: Independence) -> Named:
    given = f" | {c.labels(t.given)}" if t.given else ""
    ids = f" | {', '.join(t.given)}" if t.given else ""
    return Named(f"{c.label(t.x)} ⊥ {c.label(t.y)}{given}", f"{t.x} ⊥ {t.y}{ids}")


def falsification(c: Context) -> list[Block]:
    tested = c.result.falsification
    blocks: list[Block] = [Heading("Do the data contradict the map?", 3)]
    if tested is None:
        return [*blocks, Paragraph("The map's implied independencies were not tested.")]
    if not tested.tests:
        return [*blocks, Paragraph(tested.summary)]
    sizes = ", ".join(str(n) for n in sorted({t.n for t in tested.tests}))
    header = (
        "independence",
        "partial r",
        "p",
        "p (Holm)",
        "n",
        "violated",
        "what would explain it",
    )

    def rows(tests: tuple[Independence, ...]) -> tuple[tuple[Named | str, ...], ...]:
        return tuple(
            (
                _independence(c, t),
                number(t.partial_r),
                p_value(t.p_value),
                p_value(t.p_holm),
                str(t.n),
                "yes" if t.violated else "no",
                "; ".join(t.explanations) or "—",
            )
            for t in tests
        )

    caption = (
        "Independencies the map implies among measured variables, tested by partial "
        f"correlation over site means (n = {sizes} sites, site level; "
        f"{tested.tests[0].method}); p-values Holm-adjusted at alpha {tested.alpha}"
    )
    violated = tuple(t for t in tested.tests if t.violated)
    count = f"{len(violated)} of {len(tested.tests)} implied independencies violated"
    brief = (
        (Table(f"The violated ones (n = {sizes} sites, site level)", header, rows(violated)),)
        if violated
        else ()
    )
    full = Table(caption, header, rows(tested.tests), frozenset({1, 2, 3, 4}))
    blocks += [Paragraph(tested.summary), Collapsed(f"{count}: the table", (full,), brief)]
    return blocks


def checklist(c: Context) -> list[Block]:
    return [
        Heading("Mechanism evidence checklist", 3),
        Table(
            f"Kazdin's (2007) criteria for a mechanism, for this path ({c.n_level})",
            ("criterion", "status", "reason"),
            c.result.checklist,
        ),
    ]


def power_and_warnings(c: Context) -> list[Block]:
    r = c.result
    blocks: list[Block] = [
        Heading("Power", 3),
        Paragraph(
            r.power_note,
            lead=f"Minimum detectable r = {number(r.minimum_detectable_r)} "
            f"(n = {c.n_sites} sites).",
        ),
        Heading("Warnings", 3),
        Items(r.warnings) if r.warnings else Paragraph("None."),
    ]
    check = r.dowhy_check
    if check is not None:
        largest = max((e["difference"] for e in check["estimates"]), default=0.0)
        blocks += [
            Heading("DoWhy cross-check", 3),
            Paragraph(
                f"{len(check['estimates'])} point estimate(s) recomputed through DoWhy "
                f"{'agree' if check['agree'] else 'DISAGREE'} (largest difference "
                f"{largest:.1e}, tolerance {check['tolerance']:g})."
            ),
        ]
        skipped = check.get("skipped", ())
        if skipped:
            blocks.append(
                Items(tuple(f"Not compared: {e['estimate']}: {e['reason']}." for e in skipped))
            )
    return blocks


def reproduction(c: Context) -> list[Block]:
    r = c.result.reproduce
    if r is None:
        return []
    return [
        Heading("What reproduces this result"),
        Paragraph("Run from the folder it was run in:"),
        Code(r.command),
        Items(
            (
                f"mechmap version: {r.mechmap_version}",
                f"random seed: {r.seed}",
                f"date: {r.date}",
            )
        ),
        Table(
            "The inputs' SHA-256 hashes: the same hashes mean the same files",
            ("input", "path", "SHA-256"),
            tuple(
                (what, path, digest or "— (a map object, not a file)")
                for what, path, digest in r.files
            ),
        ),
    ]
