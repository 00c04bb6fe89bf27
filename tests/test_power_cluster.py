"""``mechmap power`` on a real Dask cluster, and its ``--grid`` of scenarios.

The cluster is what a user would start: a ``dask scheduler`` and a ``dask worker`` with two
worker processes, on 127.0.0.1, as subprocesses torn down after the module. A run there must
print exactly the JSON of the same run here: every batch of studies has its own random
stream from the seed (mechmap.planning.runs), whichever process runs it and in whatever
order.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mechmap
from mechmap.data.errors import DataError
from mechmap.planning import power
from mechmap.planning.grid import power_grid, read_grid
from mechmap.planning.power import design
from mechmap.planning.runs import batches, run, run_batch
from tests.conftest import ROOT, run_mechmap
from tests.test_power import write_map

GRID = """\
scenario,sites,respondents,icc,x -> m,m -> y
hopeful,"10,14",,,0.5,0.5
nested,12,3,0.2,0.3,
"""


def _dask(*args: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("w") as out:
        # A session of its own: teardown ends the worker's nanny processes with it.
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> str:
    """The address of a running scheduler with two worker processes on 127.0.0.1."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    common = ("--no-dashboard",)
    started = [
        _dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(file),
              *common, log=folder / "scheduler.log"),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        started.append(
            _dask("worker", address, "--nworkers", "2", "--nthreads", "1", "--local-directory",
                  str(folder), *common, log=folder / "worker.log"),
        )  # fmt: skip
        with Client(address, timeout=10) as client:
            client.wait_for_workers(2, timeout=30)
        yield address
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def power_json(*args: str) -> object:
    result = run_mechmap("power", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_run_on_the_cluster_equals_the_run_here(tmp_path: Path, scheduler: str) -> None:
    args = (str(write_map(tmp_path)), "--hypothesis", "h", "--sites", "10,12,20",
            "--sims", "20", "--seed", "7")  # fmt: skip
    assert power_json(*args, "--scheduler", scheduler) == power_json(*args)


def test_a_grid_on_the_cluster_equals_the_grid_here(tmp_path: Path, scheduler: str) -> None:
    (tmp_path / "grid.csv").write_text(GRID)
    args = (str(write_map(tmp_path)), "--hypothesis", "h", "--grid", str(tmp_path / "grid.csv"),
            "--sims", "20", "--seed", "3")  # fmt: skip
    assert power_json(*args, "--scheduler", scheduler) == power_json(*args)


def test_batches_do_not_depend_on_order_or_on_the_other_site_counts(tmp_path: Path) -> None:
    m = mechmap.load(write_map(tmp_path))
    work = batches([design(m, [10, 12], hypothesis="h", sims=260)], seed=1)
    assert [(b.sites, b.studies) for b in work] == [(10, 250), (10, 10), (12, 250), (12, 10)]
    forward = [run_batch(b) for b in work]
    assert [run_batch(b) for b in reversed(work)] == forward[::-1]
    (alone,) = run([design(m, [12], hypothesis="h", sims=260)], seed=1)
    # The key holds the number of sites, not its place in the list.
    assert alone[12] == {t: forward[2][t] + forward[3][t] for t in forward[2]}


def test_grid_scenarios_carry_their_settings(tmp_path: Path) -> None:
    (tmp_path / "grid.csv").write_text(GRID)
    path = write_map(tmp_path)
    data = power_json(str(path), "--hypothesis", "h", "--grid", str(tmp_path / "grid.csv"),
                      "--sims", "20", "--effect", "m -> y = 0.2")  # fmt: skip
    hopeful, nested = data
    assert hopeful["scenario"] == "hopeful" and nested["scenario"] == "nested"
    assert {r["sites"] for r in hopeful["rows"]} == {10, 14}
    assert hopeful["effects"] == {"m -> y": 0.5, "x -> m": 0.5} and hopeful["respondents"] is None
    # A blank cell keeps the command's setting: --effect for m -> y.
    assert nested["effects"] == {"m -> y": 0.2, "x -> m": 0.3}
    assert (nested["respondents"], nested["icc"]) == (3, 0.2) and "CR2" in nested["method"]
    # The first scenario is seeded as a single run is: the same settings, the same numbers.
    effects = {("x", "m"): 0.5, ("m", "y"): 0.5}
    single = power(mechmap.load(path), [10, 14], hypothesis="h", sims=20, effects=effects)
    assert [r.as_dict() for r in single.rows] == hopeful["rows"]


def test_grid_rows_without_sites_use_the_sites_option(tmp_path: Path) -> None:
    (tmp_path / "grid.csv").write_text("x -> m\n0.3\n0.6\n")
    m = mechmap.load(write_map(tmp_path))
    scenarios = read_grid(tmp_path / "grid.csv", m)
    results = power_grid(m, scenarios, [12], hypothesis="h", sims=10)
    assert [r.name for r in results] == ["row 2", "row 3"]
    assert [r.result.sites for r in results] == [(12,), (12,)]


def grid_problems(tmp_path: Path, text: str) -> list[str]:
    """The diagnostics of a grid file, read and planned as ``mechmap power --grid`` does."""
    (tmp_path / "grid.csv").write_text(text)
    m = mechmap.load(write_map(tmp_path))
    with pytest.raises(DataError) as caught:
        scenarios = read_grid(tmp_path / "grid.csv", m)
        power_grid(m, scenarios, [10], hypothesis="h", sims=10)
    return [
        str(d).replace(str(tmp_path / "grid.csv"), "grid.csv") for d in caught.value.diagnostics
    ]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("scenari,x -> m\na,0.3\n", ["grid.csv:1:1: error: unknown column 'scenari' (did you "
                                     "mean 'scenario'?)"]),
        ("x -> q\n0.3\n", ["grid.csv:1:6: error: unknown node 'q'"]),
        ("sites,y -> x\n10,0.3\n", ["grid.csv:1:12: error: the path is not a directed path of "
                                    "the map: no arrow y -> x"]),
        ("x -> m -> y\n0.3\n", ["grid.csv:1:1: error: 'x -> m -> y' is a chain"]),
        ("scenario,x -> m\na,abc\n", ["grid.csv:2:3: error: x -> m 'abc': not a number"]),
        ("scenario,icc,respondents\na,1.5,4\nb,0.1,1\n",
         ["grid.csv:2:3: error: icc '1.5': an ICC lies in [0, 1)",
          "grid.csv:3:7: error: respondents '1': give a whole number"]),
        ("scenario,sites\na,\"10,x\"\n", ["grid.csv:2:3: error: sites '10,x': give positive"]),
        ("scenario,sites\nok,12\nsmall,\"4,12\"\n",
         ["grid.csv:3:7: error: scenario 'small': 4 sites are too few: the regression of m on x"]),
        ("scenario,x -> m\na,0.3,0.4\n", ["grid.csv:2:1: error: this row has 3 values"]),
        ("scenario,x -> m,x->m\na,0.3,0.4\n", ["grid.csv:1:17: error: column 'x->m' repeats"]),
        ("\n\n", ["grid.csv:1:1: error: the grid is empty"]),
    ],
)  # fmt: skip
def test_bad_grids_are_located(tmp_path: Path, text: str, messages: list[str]) -> None:
    problems = grid_problems(tmp_path, text)
    assert len(problems) == len(messages), problems
    for problem, message in zip(problems, messages, strict=True):
        assert problem.startswith(message), problem


def test_the_command_prints_every_grid_problem(tmp_path: Path) -> None:
    (tmp_path / "grid.csv").write_text("scenario,icc,x -> m\na,1.5,0.3\nb,0.1,abc\n")
    result = run_mechmap("power", str(write_map(tmp_path)), "--hypothesis", "h",
                         "--grid", "grid.csv", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line.split(": error: ")[0] for line in result.stderr.splitlines()] == [
        "grid.csv:2:3",
        "grid.csv:3:7",
    ]


def test_a_problem_of_every_row_is_the_commands(tmp_path: Path) -> None:
    (tmp_path / "grid.csv").write_text("x -> m\n0.3\n0.5\n")
    result = run_mechmap("power", str(write_map(tmp_path)), "--hypothesis", "hh",
                         "--grid", str(tmp_path / "grid.csv"))  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "mechmap: unknown hypothesis 'hh' (did you mean 'h'?); hypotheses: h"
    )


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as free:  # a port nobody listens on once closed
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    args = ("power", str(write_map(tmp_path)), "--hypothesis", "h", "--sims", "20")
    result = run_mechmap(*args, "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 1
    assert result.stderr.startswith(f"mechmap: --scheduler tcp://127.0.0.1:{port}: no Dask "
                                    "scheduler answered within 3 s")  # fmt: skip
    assert len(result.stderr.splitlines()) == 1
    m = mechmap.load(write_map(tmp_path))
    with pytest.raises(ValueError, match=r"--scheduler '127.0.0.1': write it as tcp://HOST:PORT"):
        power(m, [12], hypothesis="h", sims=10, scheduler="127.0.0.1")


def test_plot_is_refused_with_a_grid(tmp_path: Path) -> None:
    (tmp_path / "grid.csv").write_text(GRID)
    args = ("--grid", str(tmp_path / "grid.csv"), "--plot", "p.png")
    result = run_mechmap("power", str(write_map(tmp_path)), "--hypothesis", "h", *args)
    assert result.returncode == 2 and "--plot draws one scenario" in result.stderr
