"""The text files of a synthetic study: its measures file and its README, each saying what
was simulated, from which map and how (see :mod:`mechmap.planning.synthetic`)."""

from __future__ import annotations

from mechmap.model import Measures
from mechmap.planning.synthetic import (
    MEASURES_FILE,
    RESPONDENTS_FILE,
    SyntheticStudy,
)
from mechmap.reports.markdown import escape
from mechmap.terminal import printable


def measures_yaml(study: SyntheticStudy) -> str:
    """The measures file binding the map to the study's tables, marked ``synthetic: true``."""
    from mechmap.mapfile.dump import dump_yaml, measures_data

    measures = Measures(synthetic=True, nodes=study.measures)
    body = dump_yaml({"measures": measures_data(measures)})
    header = [
        f"SYNTHETIC: simulated by 'mechmap simulate' from {_map_name(study)}. Not real data.",
        f"Pass with: --measures {MEASURES_FILE} "
        + " ".join(f"--data {t.file}" for t in study.tables),
    ]
    if study.latent:
        header.append(f"Latent in the map, simulated and not written: {', '.join(study.latent)}")
    # A comment is one line whatever a file name holds: a line break would end the comment.
    return "".join(f"# {printable(' '.join(line.split()))}\n" for line in header) + body


def readme(study: SyntheticStudy) -> str:
    """What the folder holds and the model it was drawn from."""
    design = f"{study.sites} sites"
    if study.respondents is not None:
        design += f", {study.respondents} respondents per site"
    lines = [
        f"# Synthetic study of {study.map_id} (SYNTHETIC: simulated, not real data)",
        "",
        f"Simulated by `mechmap simulate` from {escape(_map_name(study))}: {design}, seed "
        f"{study.seed}, {study.missing:.0%} of measured cells left blank at random.",
        "Every variable is drawn from the map's standardized linear model (unit variances; "
        "each arrow's `effect:`, or 0) and recorded as its measure declares; see "
        "docs/map-format.md for how each type is recorded.",
        "",
        "| file | holds |",
        "|---|---|",
    ]
    for table in study.tables:
        what = "one row per respondent" if table.file == RESPONDENTS_FILE else "one row per site"
        lines.append(f"| {table.file} | {what}: {escape(', '.join(table.columns))} |")
    lines.append(f"| {MEASURES_FILE} | binds the map's nodes to these columns |")
    lines += ["", "Effects simulated (standardized path coefficients):", ""]
    if study.effects:
        lines += [f"- {u} -> {v}: {e:g}" for (u, v), e in study.effects.items()]
    else:
        lines.append("- none: no arrow has an effect, so every variable is independent noise")
    if study.latent:
        lines += ["", f"Latent (simulated, not written): {', '.join(study.latent)}."]
    data = " ".join(f"--data {t.file}" for t in study.tables)
    command = f"    mechmap test MAP --measures {MEASURES_FILE} {data}"
    lines += ["", "Test a path on it:", "", command]
    return "\n".join(lines) + "\n"


def _map_name(study: SyntheticStudy) -> str:
    return f"{study.map_file} (map {study.map_id})" if study.map_file else f"map {study.map_id}"
