"""The panel's consensus as one self-contained HTML page (``mechmap consensus --report``).

One section per arrow: its description in words, then per round a small bar chart of how
many panelists gave each rating 1-9 (inline SVG, shaded by the method's three bands), with
n, the median, the IPR, the disagreement index and the verdict, and what changed since the
round before. A table at the top lists every arrow's latest verdict. The page loads nothing
(no script, no fonts, no images from anywhere) and every label and note is HTML-escaped.

>>> import mechmap
>>> from mechmap.consensus.ram import appraise
>>> chart = rating_chart(appraise([7, 8, 8, 9, None]), "round 1")
>>> chart.count("<rect"), "n = 4, 1 abstained" in chart  # 9 bands, 9 bars
(18, True)
"""

from __future__ import annotations

from html import escape

from mechmap.consensus.forms import form_row
from mechmap.consensus.panel import Panel
from mechmap.consensus.ram import (
    EXCLUDE_AT,
    HIGHEST,
    INCLUDE_AT,
    LOWEST,
    REFERENCE,
    Appraisal,
    ArrowRound,
)
from mechmap.model import Map

_BAND = {"exclude": "#F4D6CC", "uncertain": "#F2F2F2", "include": "#D4EDE2"}
_VERDICT_COLOUR = {"include": "#1B7F5B", "uncertain": "#8A6D00", "exclude": "#B2182B"}
_BAR = "#3B6EA8"
_W, _H, _PAD, _TOP, _BOTTOM = 270, 146, 18, 30, 44  # _TOP: room for the counts


def _band(rating: int) -> str:
    if rating <= EXCLUDE_AT:
        return "exclude"
    return "include" if rating >= INCLUDE_AT else "uncertain"


def rating_chart(a: Appraisal, title: str) -> str:
    """An inline SVG bar chart of the counts of ratings 1-9, the median marked."""
    slot = (_W - 2 * _PAD) / (HIGHEST - LOWEST + 1)
    top = max(a.counts, default=0) or 1
    plot_h = _H - _TOP - _BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" '
        f'aria-label="{escape(title)}: ratings 1 to 9, n = {a.n}">'
    ]
    for k, count in enumerate(a.counts):
        rating, x = k + LOWEST, _PAD + k * slot
        parts.append(
            f'<rect x="{x:.1f}" y="{_TOP}" width="{slot:.1f}" height="{plot_h}" '
            f'fill="{_BAND[_band(rating)]}"/>'
        )
        h = plot_h * count / top
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{_TOP + plot_h - h:.1f}" width="{slot - 6:.1f}" '
            f'height="{h:.1f}" fill="{_BAR}"><title>{count} rated {rating}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{_TOP + plot_h - h - 3:.1f}" '
                f'class="count">{count}</text>'
            )
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{_H - _BOTTOM + 22}">{rating}</text>')
    if a.median is not None:  # a triangle under the axis, pointing up at the median
        mx, base = _PAD + (a.median - LOWEST + 0.5) * slot, _TOP + plot_h
        parts.append(
            f'<polygon points="{mx:.1f},{base + 1} {mx - 5:.1f},{base + 9} {mx + 5:.1f},'
            f'{base + 9}" fill="#000"><title>median {a.median:g}</title></polygon>'
        )
    abstained = f", {a.abstained} abstained" if a.abstained else ""
    parts.append(
        f'<text x="{_W / 2}" y="{_H - 4}" class="caption">{escape(title)}: n = {a.n}'
        f"{abstained}</text>"
    )
    parts.append(
        f'<text x="{_PAD}" y="12" class="axis">how many gave each rating (▲ median)</text></svg>'
    )
    return "".join(parts)


def _figure(a: Appraisal) -> str:
    if a.median is None:
        return f"n = 0 ({a.abstained} abstained): no verdict"
    verdict = a.verdict or ""
    return (
        f"n = {a.n} · median {a.median:g} · IPR {a.ipr:.2f} · IPRAS {a.ipras:.2f} · "
        f"DI {a.disagreement_index:.2f} · "
        f'<b style="color:{_VERDICT_COLOUR[verdict]}">{verdict}</b>'
    )


def _change(row: ArrowRound) -> str:
    if row.previous is None or row.median_change is None:
        return ""
    moved = "median unchanged" if row.median_change == 0 else f"median {row.median_change:+g}"
    was = row.previous.appraisal.verdict
    verdict = f"verdict was {was}" if row.verdict_changed else "verdict unchanged"
    return f"since round {row.previous.round}: {moved}, {verdict}"


def _summary_row(row: ArrowRound, description: str) -> str:
    a = row.appraisal
    cells = [escape(row.arrow), escape(description), str(row.round), str(a.n)]
    if a.median is None:
        cells += ["—", "—", "—", "no ratings"]
    else:
        colour = _VERDICT_COLOUR[a.verdict or "uncertain"]
        cells += [f"{a.median:g}", f"{a.ipr:.2f}", f"{a.disagreement_index:.2f}"]
        cells.append(f'<b style="color:{colour}">{a.verdict}</b>')
    cells.append(escape(_change(row)))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def consensus_report(m: Map, panel: Panel) -> str:
    """The report page as HTML text."""
    rows = {e.name: form_row(m, e) for e in m.edges}
    sizes = ", ".join(f"round {r}: {n} panelists" for r, n in panel.raters.items())
    latest = {row.arrow: row for row in panel.arrows}
    summary = "".join(_summary_row(row, rows[name].description) for name, row in latest.items())
    sections = []
    for name in latest:
        rounds = [row for row in panel.arrows if row.arrow == name]
        charts = []
        for row in rounds:
            change = f"<p class='change'>{escape(_change(row))}</p>" if row.previous else ""
            charts.append(
                f"<figure>{rating_chart(row.appraisal, f'Round {row.round}')}"
                f"<figcaption>{_figure(row.appraisal)}{change}</figcaption></figure>"
            )
        note = rows[name].note
        sections.append(
            f"<section><h3>{escape(name)}: {escape(rows[name].description)}</h3>"
            + (f"<p class='note'>{escape(note)}</p>" if note else "")
            + f"<div class='rounds'>{''.join(charts)}</div></section>"
        )
    proposals = "".join(
        f"<li>{escape(p.source)} → {escape(p.target)} (rater {escape(p.rater)}, round "
        f"{p.round}){': ' + escape(p.rationale) if p.rationale else ''}</li>"
        for p in panel.proposals
    )
    unrated = ", ".join(escape(n) for n in panel.unrated)
    return _PAGE.format(
        title=escape(m.title),
        sizes=escape(sizes),
        arrows=len(latest),
        summary=summary,
        sections="".join(sections),
        proposals=f"<h2>Proposed new arrows</h2><ul>{proposals}</ul>" if proposals else "",
        unrated=f"<p>Not rated by anyone: {unrated}.</p>" if unrated else "",
        reference=escape(REFERENCE),
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Panel consensus: {title}</title>
<style>
body {{ font: 15px/1.45 Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
  padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
section {{ border-top: 1px solid #ccc; margin-top: 1.5em; }}
.rounds {{ display: flex; flex-wrap: wrap; gap: 1.5em; }}
figure {{ margin: 0; }}
figcaption {{ font-size: 13px; max-width: 290px; }}
.note, .change, .method {{ color: #555; font-size: 13px; }}
svg text {{ font: 11px Helvetica, Arial, sans-serif; text-anchor: middle; fill: #333; }}
svg text.axis {{ text-anchor: start; fill: #777; }}
svg text.caption {{ font-weight: bold; }}
</style></head><body>
<h1>Panel consensus: {title}</h1>
<p>{arrows} arrows rated; {sizes}.</p>
<p class="method">Method: RAND/UCLA appropriateness method. Each panelist rated each arrow 1
(clearly not a step of the mechanism) to 9 (clearly one); blank ratings are abstentions and
are not counted in n. Per round: the median; the interpercentile range IPR (70th minus 30th
percentile, linear interpolation); IPRAS = 2.35 + 1.5 &times; |5 − (P30 + P70)/2|; the
disagreement index DI = IPR / IPRAS. Verdict: uncertain when DI &gt; 1 or 3.5 &lt; median
&lt; 6.5, else include (median ≥ 6.5) or exclude (median ≤ 3.5). Bars are shaded by these
bands (red: exclude, grey: uncertain, green: include). Reference: {reference}.</p>
<h2>Latest round per arrow</h2>
<table><tr><th>arrow</th><th>from → to</th><th>round</th><th>n</th><th>median</th><th>IPR</th>
<th>DI</th><th>verdict</th><th>change</th></tr>
{summary}</table>
{unrated}
{proposals}
<h2>Ratings by round</h2>
{sections}
</body></html>
"""
