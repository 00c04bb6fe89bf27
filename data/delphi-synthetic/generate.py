"""SYNTHETIC Delphi panel: 9 invented raters rate arrows of the Kilbourne map over 2 rounds.

Run ``python data/delphi-synthetic/generate.py [OUT_DIR]``: it writes
``delphi-synthetic-ratings.csv`` next to itself (or into OUT_DIR), byte for byte the same on
every run. No panelist and no rating is real: the Kilbourne et al. (2023) map was drafted by
nine experts over five meetings, and this file only imitates the shape such a panel's ratings
take, so that ``mechmap consensus`` has something to show.

Each arrow gets a scenario per round, a centre and a spread (or a split panel: a share of the
raters near one value, the rest near another). A rater's rating is the centre plus the rater's
own lean (drawn once, between -0.6 and 0.6) plus noise of that spread, rounded and kept in
1-9. Round 2 converges: spreads shrink, and the split arrow closes ranks after discussion.
A few ratings are left blank (abstentions).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SEED = 2023
RATERS = [f"P{i}" for i in range(1, 10)]
# arrow: (round 1, round 2); a round is (centre, spread) or ("split", share, low, high).
SCENARIOS = {
    "#1": ((8.0, 1.0), (8.2, 0.5)),
    "#2": ((7.2, 1.4), (7.6, 0.7)),
    "#3": ((6.8, 1.6), (7.4, 0.8)),
    "#4": ((7.8, 1.0), (8.0, 0.5)),
    "#5": ((7.4, 1.2), (7.8, 0.6)),
    "#6": ((8.2, 0.8), (8.4, 0.5)),
    "#7": ((6.0, 1.5), (6.2, 1.0)),  # stays uncertain: the panel is lukewarm
    "#8": ((7.6, 1.2), (7.9, 0.6)),
    "#9": (("split", 4 / 9, 2.5, 8.0), (7.4, 0.8)),  # disagreement, resolved in round 2
    "#10": ((7.9, 1.0), (8.1, 0.5)),
    "#11": ((7.0, 1.5), (7.5, 0.7)),
    "#12": ((8.4, 0.7), (8.5, 0.4)),
    "#13": ((8.0, 1.0), (8.3, 0.5)),
    "#14": (("split", 4 / 9, 3.0, 7.5), ("split", 4 / 9, 3.0, 7.5)),  # still split
    "#15": ((7.7, 1.1), (8.0, 0.6)),
    "intensity -> traction": ((7.5, 1.3), (7.8, 0.6)),
    "capacity -> intensity@t2": ((5.0, 1.8), (5.2, 1.0)),  # uncertain: middling median
    "policy_payment -> implementation": ((3.4, 1.6), (2.2, 0.7)),  # excluded in round 2
}
ABSTAIN = {("P4", 1, "#7"), ("P8", 2, "capacity -> intensity@t2")}


def rating(scenario: tuple, lean: float, raters_seen: int, draw: random.Random) -> int:
    if scenario[0] == "split":
        _, share, low, high = scenario
        centre = low if raters_seen < round(share * len(RATERS)) else high
        value = centre + lean + draw.gauss(0, 0.6)
    else:
        centre, spread = scenario
        value = centre + lean + draw.gauss(0, spread)
    return min(9, max(1, round(value)))


def generate(out: Path) -> Path:
    draw = random.Random(SEED)
    lean = {r: draw.uniform(-0.6, 0.6) for r in RATERS}
    rows = []
    for round_number in (1, 2):
        for arrow, rounds in SCENARIOS.items():
            for i, rater in enumerate(RATERS):
                value = rating(rounds[round_number - 1], lean[rater], i, draw)
                blank = (rater, round_number, arrow) in ABSTAIN
                rows.append([rater, round_number, arrow, "" if blank else value])
    path = out / "delphi-synthetic-ratings.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["rater", "round", "arrow", "rating"])
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    print(f"wrote {generate(folder)} (SYNTHETIC: invented raters and ratings)")
