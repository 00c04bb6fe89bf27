"""A synthetic study of a map, as files ``mechmap test`` reads: ``mechmap simulate``.

One study is drawn from the map's standardized linear SEM (:mod:`.sem`) by the same
:func:`~mechmap.planning.simulate.simulate_batch` that ``mechmap power`` uses, so the files
hold data from exactly the model a power analysis assumed. Each measured variable is then
recorded as its measure declares (:mod:`.measurement`):

- without a template, every variable is a ``continuous`` column named like the variable
  (``screening_base`` for ``screening@base``), measured at the site, or on respondents
  nested in sites for every node but strategies when ``respondents`` is given;
- with a template (a measures file of the map), the declared columns, levels, types,
  denominators and instrument scores are written; several scores read from one item
  pattern share the items (each item is written by the narrowest subscale scored from
  it, so a total score is the mean of its subscales' items, as in WAI-S).

A variable measured at the site in a nested design is the mean of its site's simulated
rows (a tracking sheet holds one value per site). ``missing`` blanks each measured cell
independently with that probability. The result is labelled synthetic: file names, the
measures file's ``synthetic: true`` and header, and a README in the folder.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: m
... title: M
... nodes: {x: {role: strategy}, y: {}}
... edges: [{from: x, to: y, effect: 0.5}]
... ''')
>>> study = synthetic_study(m, sites=4, seed=1)
>>> sorted(study.files())
['README.md', 'synthetic-measures.yaml', 'synthetic-sites.csv']
>>> study.files()["synthetic-sites.csv"].splitlines()[0]
'site,x,y'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mechmap.diagnostics import MapError, error
from mechmap.model import STRATEGY_ROLES, Map, Measure, Measures
from mechmap.planning.simulate import variable_iccs

if TYPE_CHECKING:
    import numpy as np

SITES_FILE, RESPONDENTS_FILE = "synthetic-sites.csv", "synthetic-respondents.csv"
MEASURES_FILE, README_FILE = "synthetic-measures.yaml", "README.md"
MIN_SITES = 3


class SimulationSetupError(ValueError):
    """A study that cannot be simulated as asked (the message says what to change)."""


@dataclass(frozen=True)
class SyntheticTable:
    """One CSV file: its name and its columns' cells, as written."""

    file: str
    columns: Mapping[str, tuple[str, ...]]

    def csv(self) -> str:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(zip(*self.columns.values(), strict=True))
        return out.getvalue()


@dataclass(frozen=True)
class SyntheticStudy:
    """A simulated study of a map: its tables, the measures binding them, and how it was made."""

    map_id: str
    map_file: str | None
    sites: int
    respondents: int | None
    seed: int
    missing: float
    tables: tuple[SyntheticTable, ...]
    measures: tuple[Measure, ...]
    effects: Mapping[tuple[str, str], float]
    latent: tuple[str, ...]

    def files(self) -> dict[str, str]:
        """File name -> content, for every file of the study's folder."""
        from mechmap.planning.synthetic_text import measures_yaml, readme

        return {
            **{t.file: t.csv() for t in self.tables},
            MEASURES_FILE: measures_yaml(self),
            README_FILE: readme(self),
        }


def synthetic_study(
    m: Map,
    sites: int,
    *,
    respondents: int | None = None,
    icc: float | None = None,
    missing: float = 0.0,
    seed: int = 0,
    effects: Mapping[tuple[str, str], float] | None = None,
    template: Measures | None = None,
) -> SyntheticStudy:
    """One synthetic study of ``m`` at ``sites`` sites (see the module docstring).

    Raises :class:`SimulationSetupError` for a design that cannot be simulated and
    :class:`~mechmap.diagnostics.MapError` (located) for impossible effects.
    """
    import numpy as np

    from mechmap.planning.sem import linear_sem
    from mechmap.planning.simulate import simulate_batch

    if sites < MIN_SITES:
        raise SimulationSetupError(f"--sites {sites}: simulate at least {MIN_SITES} sites")
    if respondents is not None and respondents < 2:
        raise SimulationSetupError("--respondents must be at least 2 per site")
    if not 0 <= missing < 1:
        raise SimulationSetupError(f"--missing {missing:g}: give a share in [0, 1), e.g. 0.05")
    sem = linear_sem(m, effects)
    measures = _measures(m, sem, template, respondents)
    site_level = {x.variable for x in measures if x.level == "site"}
    shares = variable_iccs(m, sem, icc, site_level=site_level) if respondents is not None else None
    rng = np.random.default_rng(seed)
    values, clusters = simulate_batch(sem, sites, 1, rng, respondents, shares)
    column_of = {v: i for i, v in enumerate(sem.variables)}
    rows = values[0]
    site_means = np.stack([rows[clusters == j].mean(axis=0) for j in range(sites)])
    tables = _tables(
        measures,
        lambda variable, level: (site_means if level == "site" else rows)[:, column_of[variable]],
        sites,
        clusters if respondents is not None else None,
        missing,
        rng,
    )
    overrides = dict(effects or {})
    sized = {
        arrow: overrides.get(arrow, sem.effect(*arrow))
        for arrow, edge in m.edge_of.items()
        if arrow in overrides or (edge is not None and edge.effect is not None)
    }
    latent = tuple(v for v, seen in zip(sem.variables, sem.observed, strict=True) if not seen)
    return SyntheticStudy(
        m.id, m.file, sites, respondents, seed, missing, tables, tuple(measures), sized, latent
    )


def _measures(m: Map, sem, template: Measures | None, respondents: int | None) -> list[Measure]:
    """The measure of every observed variable: the template's, else a continuous column.
    Raises :class:`MapError` at the template's measures simulate cannot write."""
    from dataclasses import replace

    template = template or Measures()
    problems = []
    if template.wave is not None:
        problems.append(
            error(
                template.location,
                "the template reads waves from long tables ('wave:'); simulate writes one "
                "column per wave: remove 'wave:' from the template",
            )
        )
    chosen = []
    observed = {v for v, seen in zip(sem.variables, sem.observed, strict=True) if seen}
    for variable in (v for v in m.variables if v in observed):  # the map's order
        given = template.by_variable.get(variable)
        if given is None:
            node = m.variable_info[variable].node
            nested = respondents is not None and node.role not in STRATEGY_ROLES
            node_id, _, copy = variable.partition("@")
            column = f"{node_id}_{copy}" if copy else variable
            chosen.append(Measure(variable, column, level="respondent" if nested else "site"))
            continue
        level = given.level or ("respondent" if given.score is not None else "site")
        problem = _unwritable(given, variable, level, respondents)
        if problem:
            problems.append(error(given.location, problem))
        chosen.append(replace(given, level=level))
    if problems:
        raise MapError(problems)
    return chosen


def _unwritable(given: Measure, variable: str, level: str, respondents: int | None) -> str:
    if given.where:
        return (
            f"{variable} keeps rows by 'where:', which simulate cannot write (it does not "
            "simulate respondent types): remove 'where:' from the template"
        )
    if given.denominator is not None and level != "site":
        return (
            f"{variable}: a denominator counts what a site's proportion is a share of: "
            "set 'level: site', or remove 'denominator'"
        )
    if level == "respondent" and respondents is None:
        return f"{variable} is measured on respondents: give --respondents K"
    if level == "site" and given.score is not None:
        return (
            f"{variable} is scored from survey items, which simulate writes per respondent: "
            "set 'level: respondent' and give --respondents K"
        )
    return ""


def _tables(measures, value_of, sites, clusters, missing, rng) -> tuple[SyntheticTable, ...]:
    """The site table and, when a measure is on respondents, the respondent table."""

    from mechmap.planning.measurement import denominators, record

    site_columns: dict[str, list[str]] = {"site": [str(j + 1) for j in range(sites)]}
    respondent_columns: dict[str, list[str]] = {}
    if clusters is not None and any(x.level == "respondent" for x in measures):
        respondent_columns["site"] = [str(j + 1) for j in clusters]
        respondent_columns["respondent"] = [str(i + 1) for i in range(len(clusters))]
    drawn_counts: dict[str, np.ndarray] = {}
    measured: set[str] = set()  # the columns blanked by ``missing`` (not keys or counts)
    for measure in measures:
        columns = site_columns if measure.level == "site" else respondent_columns
        z = value_of(measure.variable, measure.level)
        if measure.score is not None:
            continue  # items are written together below: scores may share them
        counts = None
        if measure.denominator is not None:
            if measure.denominator not in drawn_counts:
                drawn_counts[measure.denominator] = denominators(sites, rng)
                site_columns[measure.denominator] = [
                    str(n) for n in drawn_counts[measure.denominator]
                ]
            counts = drawn_counts[measure.denominator]
        columns[measure.column] = _cells(record(z, measure.type, rng, counts))
        measured.add(measure.column)
    for column, answers in _items(measures, value_of, rng).items():
        respondent_columns[column] = [str(a) for a in answers]
        measured.add(column)
    for columns in (site_columns, respondent_columns):
        for column, cells in columns.items():
            if column in measured and missing > 0:
                kept = rng.random(len(cells)) >= missing
                columns[column] = [c if k else "" for k, c in zip(kept, cells, strict=True)]
    tables = [SyntheticTable(SITES_FILE, {c: tuple(v) for c, v in site_columns.items()})]
    if respondent_columns:
        frozen = {c: tuple(v) for c, v in respondent_columns.items()}
        tables.append(SyntheticTable(RESPONDENTS_FILE, frozen))
    return tuple(tables)


def _items(measures, value_of, rng) -> dict[str, np.ndarray]:
    """Item answers of every score, by column. Scores read from one item pattern share its
    items: each item is answered from the narrowest scored subscale that contains it."""
    from mechmap.instruments.wai import FORMS, item_column, subscale_items
    from mechmap.planning.measurement import item_answers

    by_pattern: dict[str, list[Measure]] = {}
    for measure in measures:
        if measure.score is not None:
            by_pattern.setdefault(measure.score.items, []).append(measure)
    answers = []
    for order, (pattern, scored) in enumerate(by_pattern.items()):
        _check_shared(pattern, scored)
        owner: dict[int, Measure] = {}
        for measure in sorted(scored, key=lambda x: len(subscale_items(x.score.subscale))):
            for item in subscale_items(measure.score.subscale, measure.score.dropped):
                owner.setdefault(item, measure)
        for measure in scored:
            items = sorted(i for i, o in owner.items() if o is measure)
            if not items:
                continue  # a total answered entirely by its subscales' items
            form = FORMS[measure.score.instrument]
            z = value_of(measure.variable, "respondent")
            for item, column in zip(items, item_answers(z, items, form, rng).T, strict=True):
                answers.append((order, item, item_column(pattern, item), column))
    return {column: values for *_, column, values in sorted(answers, key=lambda a: a[:2])}


def _check_shared(pattern: str, scored: list[Measure]) -> None:
    instruments = {x.score.instrument for x in scored}
    problems = []
    if len(instruments) > 1:
        problems.append(
            error(
                scored[1].location,
                f"{scored[0].variable} and {scored[1].variable} read items '{pattern}' of "
                "different instruments: give them different item patterns",
            )
        )
    seen: dict[str, Measure] = {}
    for measure in scored:
        earlier = seen.setdefault(measure.score.subscale, measure)
        if earlier is not measure:
            problems.append(
                error(
                    measure.location,
                    f"{earlier.variable} and {measure.variable} are both the "
                    f"{measure.score.subscale} score of items '{pattern}', so simulate cannot "
                    "give them different values: give one of them its own item pattern",
                )
            )
    if problems:
        raise MapError(problems)


def _cells(values: np.ndarray) -> list[str]:
    import numpy as np

    if values.dtype.kind in "iu":
        return [str(int(v)) for v in values]
    if values.dtype.kind == "f":
        if np.all(values == np.rint(values)) and np.all(np.abs(values) < 1e15):
            return [str(int(v)) for v in values]  # whole numbers (Likert answers)
        return [f"{v:.4f}" for v in values]
    return [str(v) for v in values]
