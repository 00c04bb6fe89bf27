"""A power curve per test of the path, with the 80% line, as PNG or SVG bytes."""

from __future__ import annotations

from mechmap.planning.power import PowerResult

FORMATS = (".png", ".svg")


def power_figure(result: PowerResult, suffix: str) -> bytes:
    """The curves of ``result`` drawn with matplotlib (Agg, no display needed) as the
    bytes of a ``suffix`` file (``.png`` or ``.svg``)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if suffix not in FORMATS:
        raise ValueError(f"a plot is {' or '.join(FORMATS)}, not {suffix or 'no suffix'}")
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for target in result.targets:
        rows = [r for r in result.rows if r.target == target]
        sites = [r.sites for r in rows]
        axes.plot(sites, [r.power for r in rows], marker="o", label=target.replace("_", " "))
        axes.fill_between(sites, [r.ci[0] for r in rows], [r.ci[1] for r in rows], alpha=0.15)
    axes.axhline(0.8, color="grey", linestyle="--", linewidth=1, label="80% power")
    axes.set_ylim(0, 1)
    axes.set_xlabel("number of sites")
    axes.set_ylabel("power")
    design = (
        f"{result.respondents} respondents per site" if result.respondents else "one row per site"
    )
    axes.set_title(
        f"{result.hypothesis}: power at alpha = {result.alpha:g} "
        f"({result.sims:,} simulated studies per n, {design})",
        fontsize=9,
    )
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=suffix[1:])
    plt.close(figure)
    return buffer.getvalue()
