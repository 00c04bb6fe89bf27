"""Binding through DuckDB checked against direct computations: per-site means, medians and
proportions, ICCs and respondent rows against pandas on random small files (with gaps, a
``where`` and rows without a site), the line of every record of odd CSV files against
Python's csv module, and a data frame, a Parquet file and a CSV file binding alike."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.data import DataError, Table, bind, read_tables

MAP = """
mechmap: 1
id: binding-check
title: Respondents aggregated to sites
nodes:
  a: {role: strategy}
  m: {role: mechanism}
  y: {role: clinical_outcome}
edges:
  - a -> m -> y
measures:
  respondent_type: rater
  nodes:
    a: {column: x, level: respondent}
    m: {column: z, level: respondent, aggregate: median}
    y: {column: done, level: respondent, aggregate: proportion, where: {rater: CF}}
"""
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def m() -> mechmap.Map:
    return mechmap.loads(MAP)


def respondents(draw) -> pd.DataFrame:
    """A respondent table: 3 to 6 sites, a CF row and 1 to 6 others each, values with gaps."""
    rows = []
    for site in range(draw(st.integers(3, 6))):
        for k in range(1 + draw(st.integers(1, 6))):
            rows.append(
                {
                    "site": f"s{site}",
                    "rater": "CF" if k == 0 else draw(st.sampled_from(["CF", "EF"])),
                    "x": draw(st.one_of(st.integers(0, 20), st.just(None))),
                    "z": draw(st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 3))),
                    "done": draw(st.integers(0, 1)),
                }
            )
    return pd.DataFrame(rows)


@SLOW
@given(st.data())
def test_site_values_and_iccs_match_pandas(m, data) -> None:
    frame = respondents(data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "respondents.csv"
        frame.to_csv(path, index=False)
        bound = bind(m, m.measures, read_tables([path]), ["a", "m", "y"], missing="drop")
    # A site without any x is dropped; a respondent without x is left out of a only.
    having = frame.dropna(subset=["x"]).groupby("site")["x"]
    kept = [s for s in dict.fromkeys(frame["site"]) if s in having.groups]
    assert bound.site_ids == tuple(kept)
    assert np.allclose(bound.column("a"), having.mean().loc[kept])
    assert np.allclose(bound.column("m"), frame.groupby("site")["z"].median().loc[kept])
    cf = frame[frame["rater"] == "CF"].groupby("site")["done"].mean()
    assert np.allclose(bound.column("y"), cf.loc[kept])
    dropped = [d.label for d in bound.dropped]
    assert dropped == [f"site {s}" for s in dict.fromkeys(frame["site"]) if s not in kept] + [
        f"{path}:{i + 2}" for i in frame.index[frame["x"].isna()] if frame["site"][i] in kept
    ]
    by = {a.variable: a for a in bound.aggregation}
    groups = [g.to_numpy(dtype=float) for _, g in having if len(g)]
    groups = [g for s, g in zip(having.groups, groups, strict=True) if s in kept]
    sizes = [len(g) for g in groups]
    assert (by["a"].respondents_min, by["a"].respondents_max) == (min(sizes), max(sizes))
    # The one-way ANOVA needs two sites; with one left (the others lacked every x) the ICC
    # has nothing to compare.
    if len(groups) > 1 and sum(sizes) > len(sizes) and len({v for g in groups for v in g}) > 1:
        f = scipy.stats.f_oneway(*groups).statistic
        n, k = sum(sizes), len(sizes)
        n0 = (n - sum(s * s for s in sizes) / n) / (k - 1)
        if np.isfinite(f) and by["a"].icc1 is not None:
            assert by["a"].icc1 == pytest.approx((f - 1) / (f + n0 - 1), rel=1e-8, abs=1e-10)


@SLOW
@given(st.data())
def test_respondent_rows_match_pandas(m, data) -> None:
    frame = respondents(data.draw)
    frame.loc[data.draw(st.sampled_from(list(frame.index))), "site"] = None  # a row without site
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "respondents.csv"
        frame.to_csv(path, index=False)
        bound = bind(
            m, m.measures, read_tables([path]), ["a", "m"], level="respondent", missing="drop"
        )
    used = frame.dropna(subset=["site", "x"])
    order = {s: i for i, s in enumerate(dict.fromkeys(frame["site"].dropna()))}
    used = used.assign(rank=used["site"].map(order)).sort_values("rank", kind="stable")
    sites = [s for s in order if s in set(used["site"])]
    assert bound.site_ids == tuple(sites)
    assert bound.row_labels == tuple(f"{path}:{i + 2}" for i in used.index)
    assert np.array_equal(bound.column("a"), used["x"].to_numpy(dtype=float))
    assert np.array_equal(bound.column("m"), used["z"].to_numpy(dtype=float))
    assert bound.respondent_types == tuple(used["rater"])
    assert bound.clusters.tolist() == [sites.index(s) for s in used["site"]]


def record_lines(text: str) -> list[int]:
    """The line each data record of ``text`` starts on, by Python's csv module (blank
    records skipped), the header's excluded."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    starts, previous_end = [], 0
    for record in reader:
        if any(value.strip() for value in record):
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts[1:]


field = st.one_of(
    st.from_regex(r"[a-z0-9 .]{0,6}", fullmatch=True).map(str.strip),
    st.from_regex(r'[a-z ,\n"]{0,8}', fullmatch=True).map(
        lambda v: '"' + v.replace('"', '""') + '"'
    ),
)


@SLOW
@given(
    st.lists(st.tuples(field, field, field), min_size=1, max_size=8),
    st.lists(st.sampled_from(["", "   ", " \t"]), max_size=3),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_every_record_keeps_its_line(records, blanks, newline, bom) -> None:
    records = [r for r in records if "".join(r).strip('" ')]  # a record that is not blank
    lines = ["id,note,value"]
    for i, record in enumerate(records):
        lines.append(",".join(record))
        if blanks and i % 2 == 0:
            lines.append(blanks[i % len(blanks)])
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode())
        if not records:
            with pytest.raises(DataError, match="header but no rows"):
                read_tables([path])
            return
        (table,) = read_tables([path])
        assert table.n_rows == len(records)
        assert table.lines.tolist() == record_lines(text.replace("\r\n", "\n"))
        expected = list(
            csv.reader(io.StringIO(newline.join(lines[:1] + [",".join(r) for r in records])))
        )
        values = table.frame.fillna("").to_numpy().tolist()
        assert values == [[v.replace("\r\n", "\n") for v in row] for row in expected[1:]]


def test_a_frame_a_parquet_file_and_a_csv_file_bind_alike(m, tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "site": ["a", "a", "b", "b", "b", "c", "c"],
            "rater": ["CF", "EF", "CF", "EF", "EF", "CF", "CF"],
            "x": [1.0, 2.0, 3.0, None, 5.0, 6.0, 8.0],
            "z": [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
            "done": [1, 0, 1, 1, 0, 0, 1],
        }
    )
    frame.to_csv(tmp_path / "r.csv", index=False)
    frame.to_parquet(tmp_path / "r.parquet")
    found = [
        bind(m, m.measures, tables, ["a", "m", "y"], missing="drop")
        for tables in (
            read_tables([tmp_path / "r.csv"]),
            read_tables([tmp_path / "r.parquet"]),
            [Table.from_frame(frame, "<data frame 1>")],
        )
    ]
    for other in found[1:]:
        assert np.array_equal(other.values, found[0].values)
        assert other.site_ids == found[0].site_ids
    assert found[0].values.tolist() == [[1.5, 1.0, 1.0], [4.0, 3.5, 1.0], [7.0, 6.0, 0.5]]
    assert [d.label for d in found[2].dropped] == ["<data frame 1>:5"]  # a frame's row 3
