"""The other commands, end to end: show, evidence, new, schema, --help, and start-up cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, run_mechmap

MAPS = sorted((ROOT / "maps").glob("*.yaml"))
HEAVY = (
    "dowhy",
    "pandas",
    "scipy",
    "pgmpy",
    "networkx",
    "numpy",
    "sklearn",
    "statsmodels",
    "dask",
    "distributed",
)


def test_help_lists_the_commands() -> None:
    result = run_mechmap("--help")
    assert result.returncode == 0
    for command in ("validate", "show", "evidence", "new", "schema"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["validate", "maps/yakovchenko-2025-working-alliance.yaml"],
        ["show", "maps/yakovchenko-2025-working-alliance.yaml"],
        # --force: the file is there from the last run, and render must run in full.
        [
            "render",
            "maps/yakovchenko-2025-working-alliance.yaml",
            "-o",
            "/tmp/mm-startup.svg",
            "--force",
        ],
        ["diff", "--help"],
    ],
    ids=["help", "validate", "show", "render", "diff-help"],
)
def test_fast_commands_import_no_heavy_library(args: list[str]) -> None:
    code = (
        "import sys, runpy; sys.argv = ['mechmap', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('mechmap', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "LOADED []" in result.stdout, result.stdout[-500:] + result.stderr


def test_show_prints_nodes_arrows_and_hypotheses() -> None:
    result = run_mechmap("show", "maps/yakovchenko-2025-working-alliance.yaml")
    assert result.returncode == 0, result.stderr
    m = yaml.safe_load((ROOT / "maps/yakovchenko-2025-working-alliance.yaml").read_text())
    for node_id in m["nodes"]:
        assert node_id in result.stdout
    for hypothesis in m["hypotheses"]:
        assert hypothesis["id"] in result.stdout
    assert "screening@impl" in result.stdout


def test_show_prints_hostile_labels_as_text(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        "mechmap: 1\nid: hostile\ntitle: '[bold red]not markup[/]'\nnodes:\n"
        "  a: {label: '[link=http://x]click[/link] <script>alert(1)</script>', role: strategy}\n"
        "  b: {role: implementation_outcome}\nedges: [a -> b]\n"
    )
    result = run_mechmap("show", str(hostile))
    assert result.returncode == 0, result.stderr
    assert "[bold red]not markup[/]" in result.stdout
    assert "[link=http://x]click[/link]" in result.stdout


def test_evidence_matrix_flags_arrows_without_evidence() -> None:
    result = run_mechmap("evidence", "--format", "json", "maps/kilbourne-2023-facilitation.yaml")
    assert result.returncode == 0, result.stderr
    matrix = json.loads(result.stdout)
    assert set(matrix["vignettes"]) == {
        "vha-mental-health",
        "aiep",
        "evidencenow-nyc",
        "zambia-pcc",
    }
    by_arrow = {a["arrow"]: a for a in matrix["arrows"] if a["arrow"] is not None}
    assert by_arrow["13"]["evidence"]["aiep"] == "supports"
    assert by_arrow["8"]["evidence"]["vha-mental-health"] == "supports"
    unsupported = {f"{a['from']} -> {a['to']}" for a in matrix["arrows"] if not a["evidence"]}
    flagged = set(matrix["without_evidence"])
    assert len(flagged) == len(unsupported) > 0
    text = run_mechmap("evidence", "maps/kilbourne-2023-facilitation.yaml").stdout
    assert f"{len(flagged)} of {len(matrix['arrows'])} arrows have no evidence" in text


def test_new_writes_a_valid_map_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    assert run_mechmap("new", str(target), "--title", "Trust: a draft").returncode == 0
    checked = run_mechmap("validate", str(target))
    assert checked.returncode == 0, checked.stdout
    assert "#" in target.read_text()  # commented for people
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not a temporary file's 0600
    target.write_text("mine")
    again = run_mechmap("new", str(target))
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert target.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.yaml"]  # no temp left over


def test_schema_accepts_every_bundled_map_and_rejects_typos() -> None:
    result = run_mechmap("schema")
    schema = json.loads(result.stdout)
    for path in MAPS:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"mechmap": 1, "id": "x", "title": "t", "nodes": {"a": {"rol": "strategy"}}}, schema
        )
    vignette_schema = json.loads(run_mechmap("schema", "--vignette").stdout)
    for path in sorted((ROOT / "vignettes").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), vignette_schema)


def test_python_dash_m_and_console_script_agree() -> None:
    script = Path(sys.executable).with_name("mechmap")
    direct = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert direct.returncode == 0
    assert direct.stdout == run_mechmap("--version").stdout
