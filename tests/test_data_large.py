"""Binding a large respondent file: 200,000 rows (with a value spanning two lines and blank
lines on the way) aggregated to 500 sites give pandas' means and medians, and a bad cell on
the file's last line is still located at its exact line and column, by the library and by
``mechmap test``. No time or memory is asserted here: benchmarks/binding_bench.py prints those.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mechmap
from mechmap.data import DataError, bind, read_tables
from tests.conftest import run_mechmap

SITES, PER_SITE = 500, 400  # 200,000 respondent rows
MAP = """
mechmap: 1
id: large-binding
title: Many respondents per site
nodes:
  a: {role: strategy}
  m: {role: mechanism}
  y: {role: clinical_outcome}
edges:
  - a -> m -> y
measures:
  nodes:
    a: {column: hours, level: site}
    m: {column: alliance, type: {likert: [1, 7]}, level: respondent}
    y: {column: score, level: respondent, aggregate: median}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The map, a site table and a respondent table of 200,000 rows. Its second record's
    note spans two lines and two blank lines sit in the middle, so a record's line is not
    its row number plus two."""
    folder = tmp_path_factory.mktemp("large")
    rng = np.random.default_rng(14)
    n = SITES * PER_SITE
    frame = pd.DataFrame(
        {
            "site": [f"S{k:03d}" for k in rng.permutation(np.arange(n) % SITES)],
            "alliance": rng.integers(1, 8, n),
            "score": np.round(rng.normal(50, 10, n), 2),
            "note": "",
        }
    )
    frame.loc[1, "note"] = "first line\nsecond line"
    text = frame.to_csv(index=False, lineterminator="\n").split("\n")
    middle = len(text) // 2
    text[middle:middle] = ["", ""]
    respondents = folder / "respondents.csv"
    respondents.write_text("\n".join(text))
    sites = folder / "sites.csv"
    sites.write_text("site,hours\n" + "".join(f"S{k:03d},{k % 30}\n" for k in range(SITES)))
    map_file = folder / "map.yaml"
    map_file.write_text(MAP)
    return map_file, sites, respondents


def test_site_means_and_medians_are_pandas_own(files) -> None:
    map_file, sites, respondents = files
    m = mechmap.load(map_file)
    data = bind(m, m.measures, read_tables([sites, respondents]), ["a", "m", "y"])
    expected = pd.read_csv(respondents, usecols=["site", "alliance", "score"]).groupby("site")
    order = list(data.site_ids)
    assert sorted(order) == sorted(expected.groups)
    np.testing.assert_allclose(
        data.column("m"), expected["alliance"].mean()[order].to_numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        data.column("y"), expected["score"].median()[order].to_numpy(), rtol=1e-12
    )
    (alliance, score) = data.aggregation
    assert (alliance.respondents_min, alliance.respondents_max) == (PER_SITE, PER_SITE)
    assert score.variable == "y"


def _last_line(path: Path) -> tuple[int, list[str]]:
    """The last line of ``path`` (1-based) and its fields, counted by Python's csv module."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        last = None
        for fields in reader:
            if fields:
                last = (reader.line_num, fields)
    assert last is not None
    return last


def test_a_bad_cell_on_the_last_line_is_located_exactly(files, tmp_path: Path) -> None:
    map_file, sites, respondents = files
    broken = tmp_path / "respondents.csv"
    text = respondents.read_text().rstrip("\n").split("\n")
    site, _, score, note = text[-1].split(",")
    text[-1] = f"{site},9,{score},{note}"  # 9 on a scale of 1 to 7
    broken.write_text("\n".join(text) + "\n")
    line, _ = _last_line(broken)
    assert line > SITES * PER_SITE + 1 + 2  # past the spanning value and the blank lines
    col = len(site) + 2
    with pytest.raises(DataError) as caught:
        m = mechmap.load(map_file)
        bind(m, m.measures, read_tables([sites, broken]), ["a", "m", "y"])
    (problem,) = caught.value.diagnostics
    where = problem.location
    assert (where.file, where.line, where.col) == (str(broken), line, col)
    assert problem.message.startswith("9 is outside the Likert range 1-7 for m (site ")

    result = run_mechmap(
        "test", str(map_file), "--path", "a -> m -> y", "--data", str(sites), "--data", str(broken)
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{broken}:{line}:{col}: error:" in result.stderr
