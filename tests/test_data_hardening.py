"""Bad data files and hostile queries, through ``mechmap test`` as a user runs it: each gets
one clear located error, a non-zero exit and no traceback, and a query can touch nothing but
the files it was given (no file written, no database created, no other file read, no
extension installed)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, run_mechmap

MAP = str(ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml")
GTI = ROOT / "data" / "gti-synthetic"
SITES = GTI / "gti-synthetic-sites.csv"
WAI = GTI / "gti-synthetic-wai-s.csv"
PATIENTS = GTI / "gti-synthetic-patients.csv"
MEASURES = str(GTI / "gti-synthetic-measures.yaml")


def dose_alliance(*data: Path, cwd: Path = ROOT, env=None):
    """``mechmap test`` of the dose -> alliance hypothesis on ``data``."""
    data_args = [arg for path in data for arg in ("--data", str(path))]
    return run_mechmap(
        "test", MAP, "--measures", MEASURES, *data_args, "--hypothesis", "dose-alliance",
        "--resamples", "200", cwd=cwd, env=env,
    )  # fmt: skip


def edited(tmp_path: Path, source: Path, line: int, old: str, new: str) -> Path:
    """A copy of ``source`` with ``old`` replaced by ``new`` on line ``line`` (1-based)."""
    lines = source.read_text().split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text("\n".join(lines))
    return path


def fails_with(result, start: str, *words: str) -> str:
    """The one error line of a failed run: it starts with ``start`` and has ``words``."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith(start), line
    for word in words:
        assert word in line, (word, line)
    return line


# -- values that are not what they seem ----------------------------------------------------
def test_a_huge_value_is_out_of_range_not_a_singular_regression(tmp_path: Path) -> None:
    sites = edited(tmp_path, SITES, 3, "2,16.8,", "2,1e308,")
    line = fails_with(
        dose_alliance(sites, WAI), f"{sites}:3:3: error: 1e+308 is too large to analyse",
        "facilitation_hours", "(site 2)", "rescale",
    )  # fmt: skip
    assert "singular" not in line


@pytest.mark.parametrize("code", ["-99", "-999", "999"])
def test_a_missing_value_code_is_a_located_error(tmp_path: Path, code: str) -> None:
    sites = edited(tmp_path, SITES, 5, "4,27.6,", f"4,{code},")
    fails_with(
        dose_alliance(sites, WAI), f"{sites}:5:3: error: {code} looks like a missing-value code",
        "for facilitation_hours", "(site 4)", "leave missing values empty",
    )  # fmt: skip


def test_a_value_like_a_code_that_fits_the_column_is_a_value(tmp_path: Path) -> None:
    """99 among values up to 28 is far out (a code); among values up to 100 it is a value."""
    frame = pd.read_csv(SITES)
    frame.loc[1, "facilitation_hours"] = 99
    frame.loc[2, "facilitation_hours"] = 100
    path = tmp_path / "sites.csv"
    frame.to_csv(path, index=False)
    result = dose_alliance(path, WAI)
    assert result.returncode == 0, result.stderr


def test_a_wai_answer_of_six_and_a_half_is_an_error(tmp_path: Path) -> None:
    wai = edited(tmp_path, WAI, 2, "1,1,CF,6,", "1,1,CF,6.5,")
    fails_with(
        dose_alliance(SITES, wai), f"{wai}:2:8: error: 6.5 is not a whole answer for wai",
        "WAI-S items are answered 1, 2, ... 7", "(site 1)",
    )  # fmt: skip


def test_a_likert_answer_of_99_is_called_a_code(tmp_path: Path) -> None:
    wai = edited(tmp_path, WAI, 2, "1,1,CF,6,", "1,1,CF,99,")
    fails_with(
        dose_alliance(SITES, wai), f"{wai}:2:8: error: 99 is outside the Likert range 1-7",
        "99 looks like a missing-value code",
    )  # fmt: skip


# -- files that are not tables -------------------------------------------------------------
def test_a_header_only_csv_is_a_located_error(tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES.read_text().split("\n")[0] + "\n")
    fails_with(dose_alliance(sites, WAI), f"{sites}:1:1: error: the file has a header but no rows")


def test_a_parquet_list_column_is_a_located_error(tmp_path: Path) -> None:
    frame = pd.read_csv(SITES)
    frame["facilitation_hours"] = [[x, x] for x in frame["facilitation_hours"]]
    path = tmp_path / "sites.parquet"
    frame.to_parquet(path)
    fails_with(
        dose_alliance(path, WAI), f"{path}:1:2: error: column 'facilitation_hours'",
        "holds DOUBLE[] values (lists or records)", "one value per row",
    )  # fmt: skip


@pytest.mark.parametrize(("separator", "called"), [(";", "';'"), ("\t", "tabs")])
def test_a_file_with_another_separator_says_so(tmp_path: Path, separator, called) -> None:
    path = tmp_path / "sites.csv"
    text = SITES.read_text().replace(",", separator)
    path.write_text(text.replace(".", ",") if separator == ";" else text)
    fails_with(
        dose_alliance(path, WAI), f"{path}:1:5: error: this file seems to use {called} between",
        "save it as CSV with commas", "0,25, becomes 0.25",
    )  # fmt: skip


def test_a_decimal_comma_gets_a_hint(tmp_path: Path) -> None:
    quoted = edited(tmp_path, SITES, 3, "2,16.8,", '2,"16,8",')
    fails_with(
        dose_alliance(quoted, WAI), f"{quoted}:3:3: error: '16,8' in column 'facilitation_hours'",
        "is not a number (a decimal comma? write 0.25, not 0,25)",
    )  # fmt: skip
    bare = edited(tmp_path, SITES, 3, "2,16.8,", "2,16,8,")
    fails_with(
        dose_alliance(bare, WAI), f"{bare}:3:1: error: not a CSV table: this line has 12 values",
        "a decimal comma?",
    )  # fmt: skip


# -- queries that try to do more than read ---------------------------------------------------
def run_query(tmp_path: Path, query: str):
    """``mechmap test`` with ``query`` over a copy of the patients table, in an empty
    folder with a home of its own (where DuckDB would install extensions)."""
    folder = tmp_path / "work"
    home = tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    (folder / "patients.csv").write_bytes(PATIENTS.read_bytes())
    env = {**os.environ, "HOME": str(home)}
    result = run_mechmap(
        "test", MAP, "--data", "patients.csv", "--query", query, "--hypothesis",
        "alliance-fidelity", cwd=folder, env=env,
    )  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == ["patients.csv"], "a file was written"
    assert not any(home.iterdir()), "something was installed"
    return result


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ("COPY (SELECT * FROM patients) TO 'copy.csv'", "query:1:1: error: the query is a COPY"),
        ("ATTACH 'new.duckdb' AS db", "query:1:1: error: the query is an ATTACH statement"),
        ("INSTALL httpfs", "query:1:1: error: the query is an INSTALL statement"),
        ("LOAD httpfs", "query:1:1: error: the query is a LOAD statement"),
        (
            "SELECT * FROM patients; COPY patients TO 'copy.csv'",
            "query:1:25: error: the query has 2 statements",
        ),
        ("SET enable_external_access = true", "query:1:1: error: the query is a SET"),
    ],
)
def test_a_query_is_one_select_and_nothing_else(tmp_path: Path, query: str, start: str) -> None:
    line = fails_with(run_query(tmp_path, query), start, "one SELECT over the data files")
    assert "(their tables: patients)" in line


ONLY_GIVEN = "query:1:1: error: the query may read only the data files given (patients)"


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", ONLY_GIVEN),
        ("SELECT * FROM read_text('/etc/passwd')", ONLY_GIVEN),
        ("SELECT * FROM glob('/etc/*')", ONLY_GIVEN),
        ("SELECT * FROM read_parquet('https://example.com/data.parquet')", ONLY_GIVEN),
        # A file named as a table is not even looked for.
        ("SELECT * FROM '/etc/passwd'", "query:1:1: error: the query failed: Catalog Error"),
    ],
)
def test_a_select_reads_only_the_files_given(tmp_path: Path, query: str, start: str) -> None:
    result = run_query(tmp_path, query)
    fails_with(result, start)
    assert "root:" not in result.stdout + result.stderr


def test_a_query_still_turns_patients_into_site_rates(tmp_path: Path) -> None:
    result = run_query(
        tmp_path, "SELECT site, wave, avg(screened) AS rate FROM patients GROUP BY ALL"
    )
    # The query ran: what stops the test is the map's variables missing from its result.
    assert result.returncode == 2 and "no data for wai" in result.stderr, result.stderr
