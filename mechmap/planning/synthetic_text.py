"""The text files of a synthetic study: its measures file and its README, each saying what
was simulated, from which map and how (see :mod:`mechmap.planning.synthetic`)."""

from __future__ import annotations

from mechmap.model import Measure
from mechmap.planning.synthetic import (
    MEASURES_FILE,
    RESPONDENTS_FILE,
    SyntheticStudy,
)


def measures_yaml(study: SyntheticStudy) -> str:
    """The measures file binding the map to the study's tables, marked ``synthetic: true``."""
    import yaml

    nodes = {x.variable: _measure_entry(x) for x in study.measures}
    document = {"measures": {"site": "site", "synthetic": True, "nodes": nodes}}
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    header = [
        f"SYNTHETIC: simulated by 'mechmap simulate' from {_map_name(study)}. Not real data.",
        f"Pass with: --measures {MEASURES_FILE} "
        + " ".join(f"--data {t.file}" for t in study.tables),
    ]
    if study.latent:
        header.append(f"Latent in the map, simulated and not written: {', '.join(study.latent)}")
    return "".join(f"# {line}\n" for line in header) + body


def readme(study: SyntheticStudy) -> str:
    """What the folder holds and the model it was drawn from."""
    design = f"{study.sites} sites"
    if study.respondents is not None:
        design += f", {study.respondents} respondents per site"
    lines = [
        f"# Synthetic study of {study.map_id} (SYNTHETIC: simulated, not real data)",
        "",
        f"Simulated by `mechmap simulate` from {_map_name(study)}: {design}, seed "
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
        lines.append(f"| {table.file} | {what}: {', '.join(table.columns)} |")
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


def _measure_entry(measure: Measure) -> dict[str, object]:
    entry: dict[str, object] = {}
    if measure.score is not None:
        score = measure.score
        entry["score"] = {
            "instrument": score.instrument,
            "subscale": score.subscale,
            "items": score.items,
            **({"dropped": list(score.dropped)} if score.dropped else {}),
        }
    else:
        entry["column"] = measure.column
    entry["level"] = measure.level
    if measure.level == "respondent":
        entry["aggregate"] = measure.aggregate
    if measure.score is None:
        entry["type"] = _type_entry(measure)
    if measure.denominator is not None:
        entry["denominator"] = measure.denominator
    return entry


def _type_entry(measure: Measure) -> object:
    kind = measure.type
    if kind.kind == "likert":
        return {"likert": [kind.low, kind.high]}
    if kind.kind == "category":
        return {"category": list(kind.categories)}
    return kind.kind
