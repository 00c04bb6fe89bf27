"""The report's opening, in plain words for a co-investigator: what was tested, on how many
sites, what was found, what that does and does not show; and, when an effect cannot be
identified, what would make it identifiable and how far an unmeasured confounder would move
the estimate.

The wording never turns "inconclusive" into "no effect", and says that an association at a
dozen sites is what a mechanism predicts, not a proof of it.

Reference: Cinelli C & Hazlett C (2020), Making sense of sensitivity: extending omitted
variable bias, J R Stat Soc B 82:39-67 (the partial R² sensitivity table).
"""

from __future__ import annotations

from collections import Counter

from mechmap.reports.blocks import (
    ARROW,
    Block,
    Code,
    Context,
    Heading,
    Items,
    Paragraph,
    Table,
    in_words,
    interval,
    number,
)
from mechmap.reports.view import Effect, Link, Sensitivity


def summary(c: Context) -> list[Block]:
    return [
        Heading("Summary"),
        *_tested(c),
        *_found(c),
        *_shows(c),
    ]


def _tested(c: Context) -> list[Block]:
    r, path = c.result, c.result.path
    routes = [ARROW.join(c.label(v) for v in chain) for chain in path.chains]
    hypothesis = c.map_hypothesis(path.hypothesis)
    what = (
        f"Whether {c.label(path.exposure)} affects {c.label(path.outcome)}"
        + (
            " through " + ", ".join(c.label(v) for v in _mediators(c))
            if _mediators(c)
            else " directly"
        )
        + (
            f" (hypothesis '{path.hypothesis}'"
            + (f": {hypothesis.rstrip('.')}" if hypothesis else "")
            + ")"
            if path.hypothesis
            else ""
        )
        + "."
    )
    expected = {"+": "a positive effect", "-": "a negative effect"}.get(path.expect or "")
    if r.level == "site":
        sample = f"{r.n_sites} sites, one row per site (site level)"
    else:
        sample = (
            f"{r.n_rows} respondents in {r.n_sites} sites (respondent level; intervals and "
            "p-values treat the sites, not the respondents, as the independent units)"
        )
    items = [
        *(f"Path: {route}" for route in routes),
        f"Expected: {expected}" if expected else "Expected direction: not stated",
        f"Analysed: {sample}",
    ]
    if r.dropped:
        items.append("Left out: " + "; ".join(f"{label} ({reason})" for label, reason in r.dropped))
    return [Heading("What was tested", 3), Paragraph(what), Items(tuple(items))]


def _mediators(c: Context) -> list[str]:
    inner = [v for chain in c.result.path.chains for v in chain[1:-1]]
    return list(dict.fromkeys(inner))


def _effect_words(effect: Effect) -> str:
    return f"estimate {number(effect.estimate)}, {in_words(effect.ci)}"


def _includes_zero(effect: Effect) -> bool:
    return effect.ci is not None and effect.ci[0] <= 0 <= effect.ci[1]


def link_sentence(c: Context, x: Link) -> str:
    """One link's finding in words; a measurement link is never described as a cause."""
    cause, effect = c.label(x.cause), c.label(x.effect)
    if x.kind == "measurement":
        r = x.correlation
        found = f": r = {number(r.r)} ({in_words(r.ci)}, n = {r.n})" if r is not None else ""
        return f"{effect} is read as a measure of {cause}, not as an effect of it{found}."
    e = x.estimated
    if x.verdict == "not identifiable":
        return (
            f"The effect of {cause} on {effect} cannot be estimated from these data under this "
            f"map: {e.reason or 'no adjustment set exists'}."
        )
    if x.verdict == "supported":
        return (
            f"{cause} was associated with {effect} in the expected direction ({_effect_words(e)})."
        )
    if x.verdict == "contradicted":
        return (
            f"{cause} was associated with {effect}, but in the direction opposite to the one "
            f"expected ({_effect_words(e)})."
        )
    why = (
        "the interval includes no effect as well as sizeable ones"
        if _includes_zero(e)
        else "the data do not settle it"
    )
    return (
        f"Whether {cause} affects {effect} stays open ({_effect_words(e)}): {why}. This is not "
        "evidence that there is no effect."
    )


def _path_sentence(c: Context) -> str:
    path = c.result.path
    if not _mediators(c):
        return f"For the path as a whole: {path.verdict}."
    indirect = path.indirect
    if not indirect.identifiable:
        return f"For the path as a whole: {path.verdict}. {path.note}"
    return (
        f"For the path as a whole (the indirect effect through the mediators): {path.verdict}, "
        f"{_effect_words(indirect)}."
    )


def _found(c: Context) -> list[Block]:
    sentences = [link_sentence(c, x) for x in c.result.links]
    return [
        Heading("What was found", 3),
        Items(tuple(sentences)),
        Paragraph(_path_sentence(c), lead=f"Result: {c.result.path.verdict}.", kind="verdict"),
    ]


def _shows(c: Context) -> list[Block]:
    r = c.result
    verdicts = Counter(x.verdict for x in r.links)
    points: list[str] = []
    if verdicts["supported"] or verdicts["contradicted"]:
        points.append(
            f"An association at {c.n} is what the mechanism predicts, not proof of it: an "
            "unmeasured common cause, a reversed order in time or chance across several tests "
            "could give the same numbers. The checklist below says which of Kazdin's criteria "
            "for a mechanism the data meet."
        )
    if verdicts["inconclusive"]:
        points.append(
            f"'Inconclusive' means the data cannot tell, not that there is no effect: with "
            f"{r.n_sites} sites only correlations of about |r| = {number(r.minimum_detectable_r)}"
            " or more are detected reliably (80% power)."
        )
    if verdicts["not identifiable"]:
        points.append(
            "'Not identifiable' is about the map, not the data: more sites would not help, a "
            "measured variable or a shorter path would (see 'What would make it identifiable')."
        )
    status = Counter(status for _, status, _ in r.checklist)
    points.append(
        "Kazdin's seven criteria for a mechanism: "
        + ", ".join(f"{n} {s}" for s, n in status.items())
        + "."
    )
    if r.falsification is not None:
        points.append(f"The map's testable implications: {r.falsification.summary}")
    blocks: list[Block] = [Heading("What this does and does not show", 3), Items(tuple(points))]
    if r.assumptions:
        blocks += [Paragraph("The result rests on these assumptions:"), Items(r.assumptions)]
    else:
        blocks.append(
            Paragraph(
                "The result rests on the map being right: the arrows it draws and, above all, "
                "the ones it leaves out (no unmeasured common cause beyond those it shows)."
            )
        )
    if r.warnings:
        blocks.append(
            Paragraph(f"{len(r.warnings)} warning(s) about this run are listed under Warnings.")
        )
    return blocks


def identification(c: Context) -> list[Block]:
    """What would make the unidentifiable effects identifiable; empty when all are."""
    r = c.result
    if all(x.estimated.identifiable for x in r.links) and r.path.indirect.identifiable:
        return []
    blocks: list[Block] = [Heading("What would make it identifiable")]
    found = r.identification
    if found is None:
        return [
            *blocks,
            Paragraph(
                "This result does not say which measurement would help. `mechmap adjust` and "
                "`mechmap identify` on the map show which paths stay open for each arrow."
            ),
        ]
    if found.suggestions:
        blocks.append(
            Items(
                tuple(
                    f"Measuring {c.label(variable)} ({variable}) would make "
                    + ", ".join(
                        c.arrow(*a).label if isinstance(a, tuple) else f"the {a}" for a in arrows
                    )
                    + " identifiable."
                    for variable, arrows in found.suggestions
                )
            )
        )
    else:
        blocks.append(Paragraph("No single measured variable would make it identifiable."))
    if found.subpaths:
        blocks.append(Paragraph("Parts of this path the map can answer with these data:"))
        blocks.append(Items(tuple(c.chain(p).label for p in found.subpaths)))
        blocks.append(
            Code(
                "\n".join(
                    f"mechmap test ... --path {_quoted(' -> '.join(p))}" for p in found.subpaths
                )
            )
        )
    if found.hypotheses:
        blocks.append(Paragraph("Hypotheses of the map these data can answer:"))
        blocks.append(
            Items(
                tuple(
                    f"{h}: {c.map_hypothesis(h)}" if c.map_hypothesis(h) else h
                    for h in found.hypotheses
                )
            )
        )
    for s in found.sensitivity:
        blocks.append(_sensitivity(c, s))
    return blocks


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _sensitivity(c: Context, s: Sensitivity) -> Table:
    arrow = c.arrow(*s.arrow).label
    return Table(
        f"{arrow} if an unmeasured confounder were added ({c.n_level}). Adjusted for "
        f"{c.labels(s.adjusted_for)}, the estimate is {number(s.estimate)} (SE {number(s.se)}, "
        f"df = {s.df}); each row assumes a confounder that explains the given share of the "
        "cause's and of the effect's remaining variance (partial R²; Cinelli & Hazlett 2020)",
        ("partial R² with the cause", "partial R² with the effect", "estimate", "95% interval"),
        tuple(
            (number(row.r2_cause), number(row.r2_effect), number(row.estimate), interval(row.ci))
            for row in s.rows
        ),
        frozenset({0, 1, 2}),
    )
