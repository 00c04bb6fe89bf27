"""The notebooks run top to bottom (their code cells, in order, in one namespace)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# What each notebook must print when its cells run in order.
EXPECTED = {
    "maps-as-data.ipynb": ("variables after unrolling", "screening@sust"),
    "01-testing-a-mechanism.ipynb": (
        "wai -> goal: measurement; r = ",
        "goal -> screening@sust: not identifiable",
        "dropped: ['site 12']",
        "experimental manipulation",
        "report written: out/notebook-gti-synthetic-report.html",
        "test_path gives the same links and path: True",
    ),
    "02-planning-a-study.ipynb": (
        "cannot plan it yet: the path is not identifiable",
        "sites needed for 80% power: {'wai -> fidelity': ",
        "12 respondents x 60 sites: power ",
        "minimum detectable r at 12 sites: 0.76",
        "synthetic study written: ['README.md', 'synthetic-measures.yaml', 'synthetic-respondents",
        "CR2 cluster-robust t interval (12 sites",
        "power curve written: out/notebook-power-curve.png",
    ),
    "03-what-changed.ipynb": (
        "SYNTHETIC: 11 sites with screening data; improved in year 1: 11",
        "refused: 13 node(s) are drawn at one of the two waves only",
        "refused: site_context is latent and a common cause",
        "n = 11 before, 11 after",
        "at 11 sites per data set this attribution is uncertain",
        "report written: out/notebook-what-changed.html",
    ),
}


def test_every_notebook_has_expectations() -> None:
    assert {p.name for p in NOTEBOOKS} == set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "notebooks")
    cells = json.loads(path.read_text())["cells"]
    namespace: dict[str, object] = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for cell in cells:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    printed = output.getvalue()
    for expected in EXPECTED[path.name]:
        assert expected in printed
