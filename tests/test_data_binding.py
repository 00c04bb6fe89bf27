"""Binding maps to data: the measures block (in the map or a file of its own), tables with
their line numbers (CSV, Parquet, DuckDB), a located error for each kind of bad value,
``--missing drop``, and respondents aggregated to sites with ICCs checked against a direct
one-way ANOVA and published values."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.data import (
    AnalysisData,
    DataError,
    Dropped,
    bind,
    bindable_variables,
    icc,
    load_measures,
    read_tables,
)
from mechmap.mapfile.dump import dumps
from tests.conftest import DATA, ROOT
from tests.test_validate_errors import expectations

FIXTURES = DATA / "measures"
ALL = (
    "hours",
    "wai",
    "goal",
    "alliance_cf",
    "fidelity",
    "screening@base",
    "screening@impl",
    "screening@sust",
    "rural",
)
ITEMS = [n for n in range(1, 13) if n != 5]  # the fixture's WAI-S drops item 5


@pytest.fixture(scope="module")
def gti() -> mechmap.Map:
    return mechmap.load(FIXTURES / "map.yaml")


@pytest.fixture(scope="module")
def measures(gti):
    return load_measures(FIXTURES / "measures.yaml", gti)


@pytest.fixture(scope="module")
def tables():
    return read_tables([FIXTURES / "sites.csv", FIXTURES / "wai.csv"])


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of a fixture table with one piece of text replaced (it must be there)."""
    text = (FIXTURES / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(d) for d in exc.value.diagnostics]


def column_of(path: Path, line: int, field: int) -> int:
    """1-based character column at which field ``field`` (0-based) of a plain CSV line starts."""
    text = path.read_text().split("\n")[line - 1]
    return len(",".join(text.split(",")[:field])) + (1 if field else 0) + 1


# -- the measures block ---------------------------------------------------------------------
def test_measures_file_is_the_same_as_the_block_in_the_map(gti, measures) -> None:
    block = (FIXTURES / "measures.yaml").read_text()
    inline = mechmap.loads((FIXTURES / "map.yaml").read_text() + block, "inline.yaml")
    assert inline.measures == measures
    assert measures.respondent_type == "rater" and not measures.synthetic
    wai = measures.by_variable["wai"]
    assert wai.score.instrument == "wai-s" and wai.score.dropped == (5,)
    assert measures.by_variable["fidelity"].type.categories == ("low", "medium", "high")
    assert gti.design.randomized == ("hours",)


def test_measures_file_errors_are_located() -> None:
    path = FIXTURES / "bad_measures.yaml"
    with pytest.raises(mechmap.MapError) as exc:
        load_measures(path, mechmap.load(FIXTURES / "map.yaml"))
    got = [(d.location.line, d.location.col, d.message) for d in exc.value.diagnostics]
    assert all(d.location.file == str(path) for d in exc.value.diagnostics)
    expected = expectations(path)
    assert len(got) == len(expected), got
    for _, line, col, text in expected:
        assert any((g[0], g[1]) == (line, col) and text in g[2] for g in got), (line, col, got)


def test_a_copy_of_a_node_in_long_data_and_the_round_trip() -> None:
    text = (FIXTURES / "map.yaml").read_text() + (
        "measures:\n  wave: wave\n  synthetic: true\n  nodes:\n"
        "    screening: {column: rate, type: proportion}\n"
        "    fidelity: {where: {rater: CF, final: true}, wave: 12, level: site}\n"
    )
    m = mechmap.loads(text)
    by = m.measures.by_variable
    assert {v for v in by if v.startswith("screening")} == {
        "screening@base",
        "screening@impl",
        "screening@sust",
    }
    assert by["fidelity"].where == (("rater", "CF"), ("final", "true"))
    assert by["fidelity"].wave == "12"
    assert mechmap.loads(dumps(m)) == m
    assert mechmap.loads(dumps(m)).measures == m.measures


# -- values ---------------------------------------------------------------------------------
def wai_scores(subscale_items: list[int]) -> pd.DataFrame:
    """The fixture's WAI-S answers scored directly: reverse 4 and 10, average the items."""
    frame = pd.read_csv(FIXTURES / "wai.csv")
    items = frame[[f"wai_{n}" for n in subscale_items]].astype(float)
    for n in (4, 10):
        if n in subscale_items:
            items[f"wai_{n}"] = 8 - items[f"wai_{n}"]
    return frame.assign(score=items.mean(axis=1))


def test_site_level_values_match_a_direct_computation(gti, measures, tables) -> None:
    data = bind(gti, measures, tables, ALL)
    sites = pd.read_csv(FIXTURES / "sites.csv").set_index("site")
    total = wai_scores(ITEMS)
    goal = wai_scores([4, 6, 8, 11])
    expected = {
        "hours": sites["facilitation_hours"],
        "wai": total.groupby("site")["score"].mean(),
        "goal": goal.groupby("site")["score"].median(),
        "alliance_cf": total[total["rater"] == "CF"].set_index("site")["score"],
        "fidelity": sites["gti_fidelity"].map({"low": 1, "medium": 2, "high": 3}),
        "screening@base": sites["screening_base"],
        "screening@impl": sites["screening_impl"],
        "screening@sust": sites["screening_sust"],
        "rural": sites["rural"].map({"no": 1, "yes": 2}),
    }
    assert data.level == "site" and data.columns == ALL
    assert data.site_ids == ("A", "B", "C", "D") and data.row_labels == data.site_ids
    assert (data.n_sites, data.n_rows) == (4, 4)
    assert data.clusters.tolist() == [0, 1, 2, 3]
    for name, series in expected.items():
        assert np.allclose(data.column(name), series.loc[list(data.site_ids)].to_numpy()), name
    assert not data.values.flags.writeable
    assert data.dropped == () and data.respondent_types is None and not data.synthetic
    assert data.sources == (str(FIXTURES / "sites.csv"), str(FIXTURES / "wai.csv"))


def test_aggregation_reports_respondents_and_the_iccs_of_a_one_way_anova(
    gti, measures, tables
) -> None:
    data = bind(gti, measures, tables, ALL)
    by = {a.variable: a for a in data.aggregation}
    assert set(by) == {"wai", "goal"}  # alliance_cf has one CF rater per site: site level
    scores = wai_scores(ITEMS)
    groups = [g["score"].to_numpy() for _, g in scores.groupby("site")]
    f = scipy.stats.f_oneway(*groups).statistic  # MSB / MSW
    k = 3
    assert (by["wai"].respondents_min, by["wai"].respondents_max) == (3, 3)
    assert by["wai"].respondents_median == 3.0
    assert by["wai"].icc1 == pytest.approx((f - 1) / (f + k - 1), rel=1e-12)
    assert by["wai"].icc2 == pytest.approx(1 - 1 / f, rel=1e-12)
    assert by["goal"].aggregate == "median"


def test_scores_at_respondent_level(gti, measures, tables) -> None:
    data = bind(gti, measures, tables, ["hours", "wai", "goal", "fidelity"], level="respondent")
    assert data.level == "respondent" and (data.n_sites, data.n_rows) == (4, 12)
    assert data.clusters.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert data.respondent_types == ("CF", "EF", "site") * 4
    assert data.row_labels[0] == f"{FIXTURES / 'wai.csv'}:2"
    assert np.allclose(data.column("wai"), wai_scores(ITEMS)["score"])
    assert np.allclose(data.column("goal"), wai_scores([4, 6, 8, 11])["score"])
    sites = pd.read_csv(FIXTURES / "sites.csv")
    assert np.allclose(data.column("hours"), np.repeat(sites["facilitation_hours"], 3))
    # ICCs describe the clustering at respondent level too.
    assert {a.variable for a in data.aggregation} == {"wai", "goal"}


def test_respondent_level_needs_respondents_from_the_same_rows(
    gti, measures, tables, tmp_path
) -> None:
    with pytest.raises(DataError, match="needs a respondent-level variable"):
        bind(gti, measures, tables, ["hours", "fidelity"], level="respondent")
    path = edited(
        tmp_path, "measures.yaml", "where: {rater: CF}}", "where: {rater: CF}, level: respondent}"
    )
    with pytest.raises(DataError) as exc:
        bind(gti, load_measures(path, gti), tables, ["wai", "alliance_cf"], level="respondent")
    assert "must come from the same respondents" in problems(exc)[0]
    assert "wai.csv where rater = CF" in problems(exc)[0]


def test_a_node_without_a_measure_binds_the_column_of_its_name(gti, tables, tmp_path) -> None:
    assert bindable_variables(gti, None, tables) == {
        "screening@base",
        "screening@impl",
        "screening@sust",
        "rural",
    }
    path = tmp_path / "plain.csv"
    path.write_text("site,hours,fidelity,screening_impl\nA,10,2,0.3\nB,12,3,0.4\n")
    plain = read_tables([path])
    assert bindable_variables(gti, None, plain) == {"hours", "fidelity", "screening@impl"}
    data = bind(gti, None, plain, ["hours", "fidelity", "screening@impl"])
    assert data.values.tolist() == [[10, 2, 0.3], [12, 3, 0.4]]
    with pytest.raises(DataError) as exc:
        bind(gti, None, plain, ["wai"])
    # Located at the node in the map, naming the tables looked in.
    assert problems(exc)[0].startswith(f"{FIXTURES / 'map.yaml'}:7:3: error: no column 'wai'")
    with pytest.raises(DataError, match="latent"):
        bind(gti, None, plain, ["capacity"])


# -- missing and bad values -----------------------------------------------------------------
def test_a_missing_value_is_one_located_line_naming_the_fix(gti, measures, tmp_path) -> None:
    sites = edited(tmp_path, "sites.csv", "0.38,0.41", "0.38,")
    tables = read_tables([sites, FIXTURES / "wai.csv"])
    with pytest.raises(DataError) as exc:
        bind(gti, measures, tables, ALL)
    assert isinstance(exc.value, mechmap.MapError)
    col = column_of(sites, 3, 5)
    assert problems(exc) == [
        f"{sites}:3:{col}: error: missing value in column 'screening_sust' (site B) for node "
        "screening@sust; fill it, or pass --missing drop to drop the site (1 of 4)"
    ]
    data = bind(gti, measures, tables, ALL, missing="drop")
    assert data.site_ids == ("A", "C", "D") and np.isfinite(data.values).all()
    assert data.dropped == (
        Dropped(
            "site B",
            f"missing value in column 'screening_sust' (site B) for screening@sust "
            f"({sites}:3:{col})",
        ),
    )
    # The respondents of the dropped site are not in the ICCs or the counts either.
    assert {a.respondents_max for a in data.aggregation} == {3}
    scores = wai_scores(ITEMS)
    kept = scores[scores["site"] != "B"]
    f = scipy.stats.f_oneway(*[g["score"] for _, g in kept.groupby("site")]).statistic
    assert data.aggregation[0].icc2 == pytest.approx(1 - 1 / f)


def test_every_problem_is_counted_and_the_first_ones_listed(gti, measures, tmp_path) -> None:
    sites = edited(tmp_path, "sites.csv", "A,14,low,0.21", "A,14h,low,")
    wai = edited(tmp_path, "wai.csv", "C,EF,6,7,7", "C,EF,6,,7")
    with pytest.raises(DataError) as exc:
        bind(gti, measures, read_tables([sites, wai]), ALL)
    (message,) = problems(exc)
    first = f"{sites}:2:{column_of(sites, 2, 1)}"
    assert message.startswith(
        f"{first}: error: '14h' in column 'facilitation_hours' is not a number (site A) "
        "for node hours; 2 more: "
    )
    assert f"{sites}:2:{column_of(sites, 2, 3)} missing value in column 'screening_base'" in message
    assert f"{wai}:9:{column_of(wai, 9, 3)} missing value in column 'wai_2' (site C)" in message
    assert message.endswith(
        "fill or fix them, or pass --missing drop to drop the site (1 of 4) and 1 respondent row"
    )
    data = bind(gti, measures, read_tables([sites, wai]), ALL, missing="drop")
    assert data.site_ids == ("B", "C", "D")
    labels = [d.label for d in data.dropped]
    assert labels == ["site A", f"{wai}:9"]
    assert data.dropped[1].reason.endswith("; left out of wai")  # goal has no item 2
    by = {a.variable: a for a in data.aggregation}
    assert (by["wai"].respondents_min, by["goal"].respondents_min) == (2, 3)
    scores = wai_scores(ITEMS).drop(index=7)  # file line 9 is row 7
    expected = scores[scores["site"] != "A"].groupby("site")["score"].mean()
    assert np.allclose(data.column("wai"), expected.to_numpy())


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("wai.csv", "C,EF,6,7,7", "C,EF,6,7,9", "9 is outside the Likert range 1-7 for wai"),
        ("sites.csv", "0.47", "47", "47 is not a proportion (0 to 1) for screening@impl"),
        ("sites.csv", "D,27", "D,-2", "-2 is not a count (a whole number, 0 or more) for hours"),
        ("sites.csv", "D,27", "D,2.5", "2.5 is not a count"),
        (
            "sites.csv",
            "medium",
            "hgh",
            "'hgh' is not a category of fidelity (did you mean 'high'?)",
        ),
    ],
)
def test_values_are_range_checked_by_type_and_never_dropped(
    gti, measures, tmp_path, name, old, new, message
) -> None:
    path = edited(tmp_path, name, old, new)
    others = [FIXTURES / n for n in ("sites.csv", "wai.csv") if n != name]
    tables = read_tables([path, *others])
    for missing in ("error", "drop"):
        with pytest.raises(DataError) as exc:
            bind(gti, measures, tables, ALL, missing=missing)
        (found,) = problems(exc)
        assert message in found
    line = next(i for i, t in enumerate(path.read_text().split("\n"), 1) if new in t)
    assert found.startswith(f"{path}:{line}:")


def test_percentages_get_a_hint(gti, measures, tmp_path) -> None:
    path = edited(tmp_path, "sites.csv", "0.27", "27")
    path.write_text(path.read_text().replace("0.38", "38"))
    with pytest.raises(DataError) as exc:
        bind(gti, measures, read_tables([path, FIXTURES / "wai.csv"]), ALL)
    assert problems(exc) == [
        f"{path}:2:{column_of(path, 2, 4)}: error: 27 is not a proportion (0 to 1) for "
        "screening@impl (site A); 1 more in this column (line 3); percentages? divide them by 100"
    ]


def test_a_site_missing_from_one_table_is_named(gti, measures, tmp_path) -> None:
    text = (FIXTURES / "wai.csv").read_text().split("\n")
    wai = tmp_path / "wai.csv"
    wai.write_text("\n".join(line for line in text if not line.startswith("D,")))
    tables = read_tables([FIXTURES / "sites.csv", wai])
    with pytest.raises(DataError) as exc:
        bind(gti, measures, tables, ALL)
    assert problems(exc)[0].startswith(f"{wai}:1:1: error: site D has no row in {wai}")
    data = bind(gti, measures, tables, ALL, missing="drop")
    assert data.site_ids == ("A", "B", "C")
    assert data.dropped[0].label == "site D"
    renamed = edited(tmp_path, "sites.csv", "\nD,", "\nd,")
    with pytest.raises(DataError) as exc:
        bind(gti, measures, read_tables([renamed, FIXTURES / "wai.csv"]), ["hours", "wai"])
    assert f"site d has no row in {FIXTURES / 'wai.csv'} (did you mean 'D'?" in problems(exc)[0]


def test_duplicate_rows_of_a_site_level_measure(gti, tmp_path) -> None:
    sites = edited(tmp_path, "sites.csv", "B,19", "A,19")
    measures = tmp_path / "measures.yaml"
    measures.write_text(
        "measures:\n  nodes:\n    hours: {column: facilitation_hours, level: site}\n"
    )
    with pytest.raises(DataError) as exc:
        bind(gti, load_measures(measures, gti), read_tables([sites]), ["hours"])
    assert problems(exc) == [
        f"{sites}:3:1: error: site A has 2 rows in {sites} (lines 2, 3) for site-level hours; "
        "remove the duplicates, or set 'level: respondent' to aggregate them"
    ]


def test_a_where_that_matches_nothing(gti, tmp_path, tables) -> None:
    path = edited(tmp_path, "measures.yaml", "{rater: CF}", "{rater: Cf}")
    with pytest.raises(DataError) as exc:
        bind(gti, load_measures(path, gti), tables, ["alliance_cf"])
    assert problems(exc) == [
        f"{path}:9:5: error: alliance_cf: no row of {FIXTURES / 'wai.csv'} has rater = Cf "
        "(did you mean 'CF'? labels must match exactly); values there: CF, EF, site"
    ]


def test_a_column_in_two_tables(gti, measures, tmp_path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text("site,gti_fidelity\nA,low\n")
    with pytest.raises(DataError, match="'gti_fidelity' for fidelity is in both"):
        bind(gti, measures, read_tables([FIXTURES / "sites.csv", extra]), ["fidelity"])


def test_missing_site_ids_and_respondent_types(gti, measures, tmp_path) -> None:
    wai = edited(tmp_path, "wai.csv", "B,EF,", ",EF,")
    wai.write_text(wai.read_text().replace("C,site,", "C,,"))
    tables = read_tables([FIXTURES / "sites.csv", wai])
    with pytest.raises(DataError) as exc:
        bind(gti, measures, tables, ["wai", "hours"], level="respondent")
    (message,) = problems(exc)
    assert message.startswith(f"{wai}:6:1: error: missing site id in column 'site'; 1 more: ")
    assert f"{wai}:10:3 missing respondent type in column 'rater' (site C)" in message
    data = bind(gti, measures, tables, ["wai", "hours"], level="respondent", missing="drop")
    assert data.n_rows == 10 and data.respondent_types.count("site") == 3
    assert {d.label for d in data.dropped} == {f"{wai}:6", f"{wai}:10"}


# -- long tables: a row per site and wave -----------------------------------------------------
LONG_MEASURES = """
measures:
  wave: wave
  nodes:
    screening: {column: rate, type: proportion}
    fidelity: {type: {category: [low, medium, high]}}
"""


def long_table(tmp_path: Path, rural_at_c: tuple[str, str, str] = ("0", "0", "0")) -> Path:
    rows = ["site,wave,rate,fidelity,rural"]
    rates = {"A": (0.2, 0.3, 0.3), "B": (0.1, 0.2, 0.25), "C": (0.3, 0.4, 0.5)}
    for site, values in rates.items():
        for k, wave in enumerate(("base", "impl", "sust")):
            fidelity = {"A": "low", "B": "high", "C": "medium"}[site] if wave == "impl" else ""
            rural = rural_at_c[k] if site == "C" else "1"
            rows.append(f"{site},{wave},{values[k]},{fidelity},{rural}")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_long_tables_select_each_copy_by_its_wave(gti, tmp_path) -> None:
    m = mechmap.loads((FIXTURES / "map.yaml").read_text() + LONG_MEASURES)
    tables = read_tables([long_table(tmp_path)])
    names = ["rural", "fidelity", "screening@base", "screening@impl", "screening@sust"]
    data = bind(m, m.measures, tables, names)
    assert data.site_ids == ("A", "B", "C")
    # rural is timeless: the same value on each wave's row is one site-level value.
    assert data.values.tolist() == [
        [1, 1, 0.2, 0.3, 0.3],
        [1, 3, 0.1, 0.2, 0.25],
        [0, 2, 0.3, 0.4, 0.5],
    ]
    assert data.aggregation == ()
    with pytest.raises(DataError) as exc:
        bind(m, m.measures, read_tables([long_table(tmp_path, ("0", "1", "0"))]), names)
    assert (
        "rural is timeless in the map but column 'rural' differs between waves at site C"
        in (problems(exc)[0])
    )


def test_patient_rows_become_site_rates_through_duckdb(gti, tmp_path) -> None:
    rng = np.random.default_rng(3)
    patients = pd.DataFrame(
        {
            "site": rng.choice(["A", "B", "C", "D"], 400),
            "wave": rng.choice(["base", "impl", "sust"], 400),
            "screened": rng.integers(0, 2, 400),
        }
    )
    path = tmp_path / "patients.csv"
    patients.to_csv(path, index=False)
    query = "SELECT site, wave, avg(screened) AS rate FROM patients GROUP BY ALL ORDER BY ALL"
    (table,) = read_tables([path], query=query)
    assert table.name == "query" and table.sources == (str(path),)
    expected = patients.groupby(["site", "wave"])["screened"].mean()
    got = table.frame.set_index(["site", "wave"])["rate"]
    assert np.allclose(got.sort_index(), expected.sort_index())
    m = mechmap.loads((FIXTURES / "map.yaml").read_text() + LONG_MEASURES)
    copies = ["screening@base", "screening@impl", "screening@sust"]
    data = bind(m, m.measures, [table], copies)
    for j, copy in enumerate(copies):
        wave = copy.partition("@")[2]
        assert np.allclose(data.values[:, j], [expected[(s, wave)] for s in data.site_ids])
    # The same rows from a DuckDB database, and the same aggregation done by bind itself.
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE patients AS SELECT * FROM read_csv_auto(?)", [str(path)])
    (again,) = read_tables([database], query=query)
    assert np.allclose(again.frame["rate"], table.frame["rate"])
    rows = read_tables([path])
    per_patient = mechmap.loads(
        (FIXTURES / "map.yaml").read_text() + "measures:\n  wave: wave\n  nodes:\n"
        "    screening: {column: screened, aggregate: proportion}\n"
    )
    aggregated = bind(per_patient, per_patient.measures, rows, copies)
    order = [aggregated.site_ids.index(site) for site in data.site_ids]
    assert np.allclose(aggregated.values[order], data.values)
    assert [a.variable for a in aggregated.aggregation] == copies


def test_duckdb_needs_a_query_and_reports_sql_errors(tmp_path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE sites AS SELECT 1 AS site")
    with pytest.raises(DataError) as exc:
        read_tables([database])
    assert problems(exc) == [
        f'{database}:1:1: error: a DuckDB database is read with a query (--query "SELECT ..."); '
        "its tables: sites"
    ]
    with pytest.raises(DataError) as exc:
        read_tables([database], query="SELECT nope FROM sites")
    assert problems(exc)[0].startswith("query:1:1: error: the query failed: Binder Error")
    other = tmp_path / "other"
    other.mkdir()
    (other / "warehouse.csv").write_text("site\n1\n")
    with pytest.raises(DataError, match="two tables would be called 'warehouse'"):
        read_tables([database, other / "warehouse.csv"], query="SELECT 1")


# -- tables ---------------------------------------------------------------------------------
def test_csv_rows_keep_their_file_lines(gti, tmp_path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text('site,note,hours\nA,"two\nlines",10\n\n   \nB,"a, b",\nC,plain,12\n')
    (table,) = read_tables([path])
    assert table.lines.tolist() == [2, 6, 7]
    with pytest.raises(DataError) as exc:
        bind(gti, None, [table], ["hours"])
    assert problems(exc)[0].startswith(f"{path}:6:10: error: missing value in column 'hours'")


def test_parquet_rows_are_numbered(gti, measures, tmp_path) -> None:
    frame = pd.read_csv(FIXTURES / "sites.csv")
    frame.loc[2, "facilitation_hours"] = None
    path = tmp_path / "sites.parquet"
    frame.to_parquet(path)
    tables = read_tables([path, FIXTURES / "wai.csv"])
    with pytest.raises(DataError) as exc:
        bind(gti, measures, tables, ["hours", "wai"])
    assert problems(exc)[0].startswith(
        f"{path}:3:2: error: missing value in column 'facilitation_hours' (site C)"
    )
    csv_data = bind(gti, measures, read_tables(FIXTURES / n for n in ("sites.csv", "wai.csv")), ALL)
    frame.loc[2, "facilitation_hours"] = 22
    frame.to_parquet(path)
    parquet_data = bind(gti, measures, read_tables([path, FIXTURES / "wai.csv"]), ALL)
    assert np.array_equal(parquet_data.values, csv_data.values)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", b"site,x\n1,2\n3,4,5\n", "bad.csv:3:1: error: not a CSV table"),
        ("latin.csv", b"site,x\n1,caf\xe9\n", "latin.csv:2:6: error: file is not UTF-8 text"),
        ("empty.csv", b"\n\n", "empty.csv:1:1: error: file is empty"),
        ("twice.csv", b"site,x,x\n1,2,3\n", "twice.csv:1:8: error: column 'x' appears twice"),
        ("sites.xlsx", b"", "sites.xlsx:1:1: error: cannot read '.xlsx' files"),
        ("broken.parquet", b"PAR1 not really", "broken.parquet:1:1: error: not a Parquet table"),
    ],
)
def test_unreadable_tables_are_located(tmp_path, name, content, message) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as exc:
        read_tables([path])
    assert problems(exc)[0].startswith(f"{tmp_path}/{message}")


def test_a_table_without_the_site_column(gti, tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Site,hours\nA,1\n")
    with pytest.raises(DataError) as exc:
        bind(gti, None, read_tables([path]), ["hours"])
    assert problems(exc) == [
        f"{path}:1:1: error: {path} has no site column 'site' (did you mean 'Site'?); name the "
        "column that identifies sites with 'site:' in the measures"
    ]


# -- ICC(1) and ICC(2) ----------------------------------------------------------------------
def test_icc_matches_shrout_and_fleiss() -> None:
    """Shrout & Fleiss (1979), Table 2: six targets rated by four judges; their one-way
    model gives ICC(1,1) = .17 and ICC(1,4) = .44 (Bliese's ICC(1) and ICC(2))."""
    ratings = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    values = np.ravel(ratings)
    targets = np.repeat(np.arange(6), 4)
    result = icc(values, targets)
    assert round(result.icc1, 2) == 0.17 and round(result.icc2, 2) == 0.44
    assert result.n0 == 4


def test_icc_by_hand_for_unequal_sites() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 6.0, 5.0, 7.0, 9.0]
    sites = ["a", "a", "b", "b", "b", "c", "c", "c"]
    # Site means 1.5, 13/3, 7; grand mean 37/8.
    grand = 37 / 8
    msb = (2 * (1.5 - grand) ** 2 + 3 * (13 / 3 - grand) ** 2 + 3 * (7 - grand) ** 2) / 2
    ssw = (0.25 + 0.25) + ((3 - 13 / 3) ** 2 + (4 - 13 / 3) ** 2 + (6 - 13 / 3) ** 2) + (4 + 0 + 4)
    msw = ssw / 5
    n0 = (8 - (4 + 9 + 9) / 8) / 2
    result = icc(values, sites)
    assert result.n0 == pytest.approx(n0)
    assert result.icc1 == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))
    assert result.icc2 == pytest.approx((msb - msw) / msb)


@given(
    st.lists(st.integers(2, 6), min_size=2, max_size=8),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_icc_agrees_with_scipy_anova_and_spearman_brown(sizes, seed, balanced) -> None:
    rng = np.random.default_rng(seed)
    sizes = [sizes[0]] * len(sizes) if balanced else sizes
    sites = np.repeat(np.arange(len(sizes)), sizes)
    values = rng.normal(size=len(sizes))[sites] * rng.uniform(0, 2) + rng.normal(size=len(sites))
    result = icc(values, sites)
    f = scipy.stats.f_oneway(*[values[sites == j] for j in range(len(sizes))]).statistic
    n, g = len(sites), len(sizes)
    n0 = (n - sum(k * k for k in sizes) / n) / (g - 1)
    assert result.icc2 == pytest.approx(1 - 1 / f, rel=1e-9, abs=1e-12)
    assert result.icc1 == pytest.approx((f - 1) / (f + n0 - 1), rel=1e-9, abs=1e-12)
    if balanced:
        k, r1 = sizes[0], result.icc1
        assert result.icc2 == pytest.approx(k * r1 / (1 + (k - 1) * r1), rel=1e-9, abs=1e-12)


def test_icc_is_none_where_undefined() -> None:
    assert icc([1, 2, 3], ["a", "a", "a"]).icc1 is None  # one site
    assert icc([1, 2, 3], ["a", "b", "c"]).icc1 is None  # one respondent per site
    constant = icc([0.1] * 6, list("aabbcc"))
    assert (constant.icc1, constant.icc2) == (None, None)
    same_means = icc([1, 3, 1, 3, 2, 2], list("aabbcc"))
    assert same_means.icc2 is None and same_means.icc1 == pytest.approx(-1.0)


# -- never NaN, never silent ----------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_drop_leaves_finite_values_and_lists_exactly_the_sites_dropped(gti, data) -> None:
    n = data.draw(st.integers(2, 8))
    cells = st.one_of(st.floats(0, 50).map(lambda x: f"{x:.3f}"), st.sampled_from(["", "x?"]))
    rows = [[data.draw(cells) for _ in range(3)] for _ in range(n)]
    text = "site,hours,fidelity,screening_impl\n" + "".join(
        f"s{i},{','.join(row)}\n" for i, row in enumerate(rows)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sites.csv"
        path.write_text(text)
        tables = read_tables([path])
        names = ["hours", "fidelity", "screening@impl"]
        bad = [f"s{i}" for i, row in enumerate(rows) if any(c in ("", "x?") for c in row)]
        if len(bad) == n:
            with pytest.raises(DataError):
                bind(gti, None, tables, names, missing="drop")
            return
        result = bind(gti, None, tables, names, missing="drop")
        assert isinstance(result, AnalysisData) and np.isfinite(result.values).all()
        assert [d.label for d in result.dropped] == [f"site {s}" for s in bad]
        kept = [i for i in range(n) if f"s{i}" not in bad]
        assert result.site_ids == tuple(f"s{i}" for i in kept)
        assert result.values.tolist() == [[float(c) for c in rows[i]] for i in kept]
        if bad:
            with pytest.raises(DataError) as exc:
                bind(gti, None, tables, names)
            assert f"drop {'the site' if len(bad) == 1 else f'{len(bad)} sites'}" in str(exc.value)


def test_loading_a_map_with_measures_imports_no_data_libraries() -> None:
    code = (
        "import sys, mechmap\n"
        "m = mechmap.load('tests/data/measures/map.yaml')\n"
        "from mechmap.mapfile.loader import load_measures\n"
        "load_measures('tests/data/measures/measures.yaml', m)\n"
        "heavy = {'numpy', 'pandas', 'duckdb', 'pyarrow', 'scipy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_bad_arguments() -> None:
    m = mechmap.load(FIXTURES / "map.yaml")
    with pytest.raises(ValueError, match="level"):
        bind(m, None, [], ["hours"], level="sites")
    with pytest.raises(ValueError, match="missing"):
        bind(m, None, [], ["hours"], missing="ignore")
    with pytest.raises(DataError, match="no variable 'nope'"):
        bind(m, None, [], ["nope"])


def test_a_where_that_leaves_a_site_without_rows(gti, measures, tmp_path) -> None:
    wai = edited(tmp_path, "wai.csv", "D,CF,", "D,EF,")
    tables = read_tables([FIXTURES / "sites.csv", wai])
    with pytest.raises(DataError) as exc:
        bind(gti, measures, tables, ["alliance_cf", "hours"])
    assert problems(exc) == [
        f"{FIXTURES / 'measures.yaml'}:9:5: error: no row of {wai} has rater = CF (site D) for "
        "node alliance_cf; fix it, or pass --missing drop to drop the site (1 of 4)"
    ]
    data = bind(gti, measures, tables, ["alliance_cf", "hours"], missing="drop")
    assert data.site_ids == ("A", "B", "C")


def test_proportion_aggregates_zero_one_answers(gti, tmp_path) -> None:
    path = tmp_path / "patients.parquet"
    pd.DataFrame({"site": list("AABBB"), "done": [1, 0, 1, 1, 0]}).to_parquet(path)
    m = mechmap.loads(
        (FIXTURES / "map.yaml").read_text()
        + "measures:\n  nodes:\n    fidelity: {column: done, aggregate: proportion}\n"
    )
    data = bind(m, m.measures, read_tables([path]), ["fidelity"])
    assert data.values.ravel().tolist() == [0.5, 2 / 3]
    by_sql = read_tables([path], query="SELECT site, 2 * done AS done FROM patients")
    with pytest.raises(DataError) as exc:
        bind(m, m.measures, by_sql, ["fidelity"])
    assert problems(exc) == [
        "query:1:2: error: 2 is not 0 or 1, but fidelity aggregates by 'proportion' (the share "
        "of respondents with 1) (site A); 2 more in this column (lines 3, 4); code the column "
        "0/1, or aggregate by mean"
    ]
