"""The shipped maps' figures, measured on the SVG that `mechmap render` draws.

    .venv/bin/python scripts/figure_report.py

For each map and theme: pairs of crossing arrows, the largest distance of an arrow label from
its own arrow, the figure's size, and its smallest node label when the whole figure is shown
on a 1920x1080 screen. tests/test_figures.py holds these to the figures issue's targets.
"""

from __future__ import annotations

from pathlib import Path

import mechmap
from mechmap.diagrams.figure_check import check_figure
from mechmap.diagrams.render import render

MAPS = Path(__file__).resolve().parent.parent / "maps"


def main() -> None:
    columns = ("crossings", "label gap", "labels hit", "headings hit", "size", "type at 1080p")
    print(f"{'map':36s} {'theme':7s} " + " ".join(f"{c:>13s}" for c in columns))
    for path in sorted(MAPS.glob("*.yaml")):
        m = mechmap.load(path)
        for theme in ("print", "slides"):
            check = check_figure(render(m, "svg", theme=theme))
            fit = min(1920 / check.width, 1080 / check.height)
            gap = max(check.label_distances.values(), default=0.0)
            size = f"{check.width:.0f}x{check.height:.0f}"
            px = f"{min(check.node_font_sizes) * fit:.1f} px"
            hit = f"{len(check.labels_crossed)}/{len(check.label_distances)}"
            values = (check.crossings, f"{gap:.1f}", hit, len(check.headings_crossed), size, px)
            cells = " ".join(f"{v:>13}" for v in values)
            print(f"{path.stem:36s} {theme:7s} {cells}")


if __name__ == "__main__":
    main()
