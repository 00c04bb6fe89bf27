"""The analysis commands end to end, on the bundled maps and on DAGitty's examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_mechmap

ALLIANCE = "maps/yakovchenko-2025-working-alliance.yaml"
CONFOUNDED = """
mechmap: 1
id: confounded
title: A confounded mediator
nodes:
  dose: {role: strategy}
  trust: {role: mechanism}
  uptake: {role: implementation_outcome}
  capacity: {role: context}
  culture: {role: context, latent: true}
edges:
  - dose -> trust -> uptake
  - capacity -> dose
  - capacity -> uptake
  - culture -> trust
  - culture -> uptake
"""


@pytest.fixture()
def confounded(tmp_path: Path) -> Path:
    path = tmp_path / "confounded.yaml"
    path.write_text(CONFOUNDED)
    return path


def _json(*args: str) -> dict:
    result = run_mechmap(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_adjust_lists_minimal_sets_and_never_latent_nodes(confounded: Path) -> None:
    total = _json("adjust", str(confounded), "-x", "dose", "-y", "uptake")
    assert total["adjustment_sets"] == [["capacity"]]
    # the direct effect needs trust blocked, but trust <- culture -> uptake opens: no set
    direct = _json("adjust", str(confounded), "-x", "dose", "-y", "uptake", "--effect", "direct")
    assert direct["adjustment_sets"] == []
    text = run_mechmap(
        "adjust", str(confounded), "-x", "dose", "-y", "uptake", "--effect", "direct"
    ).stdout
    assert text.startswith("No adjustment set exists")


def test_empty_set_and_no_set_are_worded_differently(confounded: Path) -> None:
    empty = run_mechmap("adjust", str(confounded), "-x", "dose", "-y", "trust").stdout
    assert empty.startswith("The empty set suffices")
    none = run_mechmap("adjust", ALLIANCE, "-x", "fidelity", "-y", "screening@impl").stdout
    assert none.startswith("No adjustment set exists")


def test_check_names_the_open_path_and_forbidden_members(confounded: Path) -> None:
    verdict = _json("adjust", str(confounded), "-x", "dose", "-y", "uptake", "--check", "trust")
    assert verdict["valid"] is False
    assert "trust" in verdict["forbidden"]
    assert verdict["open_path"] == ["dose", "capacity", "uptake"]
    text = run_mechmap("adjust", str(confounded), "-x", "dose", "-y", "uptake", "--check", "")
    assert "open biasing path: dose <- capacity -> uptake" in text.stdout
    good = _json("adjust", str(confounded), "-x", "dose", "-y", "uptake", "--check", "capacity")
    assert good["valid"] is True and good["open_path"] is None


def test_dsep_answers_with_the_open_path(confounded: Path) -> None:
    connected = _json("dsep", str(confounded), "capacity", "trust")
    assert connected["d_separated"] is False
    assert connected["open_path"] == ["capacity", "dose", "trust"]
    separated = _json("dsep", str(confounded), "capacity", "trust", "--given", "dose")
    assert separated["d_separated"] is True and separated["open_path"] is None


def test_time_indexed_names_must_say_which_copy() -> None:
    result = run_mechmap("adjust", ALLIANCE, "-x", "wai", "-y", "screening")
    assert result.returncode == 2
    assert "screening@base, screening@impl, screening@sust" in result.stderr
    typo = run_mechmap("dsep", ALLIANCE, "wia", "fidelity")
    assert typo.returncode == 2 and "did you mean 'wai'" in typo.stderr


def test_paths_lists_causal_paths_and_mediators(confounded: Path) -> None:
    found = _json("paths", str(confounded), "--from", "dose", "--to", "uptake")
    assert found["paths"] == [["dose", "trust", "uptake"]]
    assert found["mediators"] == ["trust"]
    every = _json(
        "paths", str(confounded), "--from", "dose", "--to", "uptake", "--all", "--given", "capacity"
    )
    status = {p["text"]: p["status"] for p in every["paths"]}
    assert status["dose <- capacity -> uptake"] == "blocked"
    assert status["dose -> trust -> uptake"] == "open"
    assert status["dose -> trust <- culture -> uptake"] == "blocked"


def test_implications_hold_and_skip_latent_nodes(confounded: Path) -> None:
    found = _json("implications", str(confounded))
    pairs = {(i["x"], y): i["given"] for i in found["implications"] for y in i["y"]}
    assert pairs[("capacity", "trust")] == ["dose"]
    assert all("culture" not in given for given in pairs.values())
    text = run_mechmap("implications", str(confounded)).stdout
    assert "capacity _||_ trust | dose" in text


def test_instruments_and_identify(confounded: Path) -> None:
    found = _json("instruments", str(confounded), "-x", "trust", "-y", "uptake")
    assert {"instrument": "dose", "given": ["capacity"]} in found["instruments"]
    front_door = _json("identify", str(confounded), "-x", "dose", "-y", "uptake")
    assert front_door["identifiable"] is True
    bow = _json("identify", str(confounded), "-x", "trust", "-y", "uptake")
    assert bow["identifiable"] is False


def test_adjust_warns_about_time_varying_confounding_of_the_requested_effect() -> None:
    args = [
        "adjust",
        "maps/kilbourne-2023-facilitation.yaml",
        "-x",
        "intensity@t2",
        "-y",
        "implementation",
    ]
    text = run_mechmap(*args)
    assert text.returncode == 0
    assert "warning: time-varying confounding" in text.stderr and "g-methods" in text.stderr
    assert any("time-varying" in w for w in _json(*args)["warnings"])
    quiet = run_mechmap("adjust", str(ROOT / ALLIANCE), "-x", "wai", "-y", "fidelity")
    assert "time-varying" not in quiet.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["adjust", "-x", "dose", "-y", "dose"],
        ["adjust", "-x", "culture", "-y", "uptake"],
        ["instruments", "-x", "trust", "-y", "trust"],
        ["identify", "-x", "dose", "-y", "culture"],
        ["paths", "--from", "dose", "--to", "dose"],
        ["implications", "--all", "--cap", "0"],
    ],
    ids=[
        "same-node",
        "latent-exposure",
        "instrument-same",
        "latent-outcome",
        "path-to-itself",
        "cap-zero",
    ],
)
def test_senseless_questions_are_usage_errors(confounded: Path, args: list[str]) -> None:
    result = run_mechmap(args[0], str(confounded), *args[1:])
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_measurement_arrows_are_ordinary_dag_arrows_to_every_analysis(tmp_path: Path) -> None:
    """Marking an arrow ``kind: measurement`` changes what it means, not the graph: an
    indicator still depends on what it measures, so paths, adjustment sets and implied
    independencies come out exactly as for the same map with causal arrows only."""
    marked = (ROOT / ALLIANCE).read_text(encoding="utf-8")
    assert marked.count("kind: measurement") == 6
    (tmp_path / "maps").mkdir()
    (tmp_path / "vignettes").symlink_to(ROOT / "vignettes")  # where the map's evidence is
    causal = tmp_path / "maps" / "causal.yaml"
    causal.write_text(
        marked.replace("    kind: measurement\n", "").replace(", kind: measurement", ""),
        encoding="utf-8",
    )
    questions = [
        ["implications"],
        ["implications", "--all"],
        ["adjust", "-x", "goal", "-y", "screening@sust"],
        ["adjust", "-x", "wai", "-y", "fidelity", "--effect", "direct"],
        ["paths", "--from", "wai", "--to", "screening@sust", "--all"],
        ["dsep", "goal", "bond", "--given", "wai"],
    ]
    for question in questions:
        command, *rest = question
        assert _json(command, ALLIANCE, *rest) == _json(command, str(causal), *rest), question


# -- one node-name resolution: one message per mistake, with the fix -------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["adjust", "-x", "wai", "-y", "screening@sst"],
            "--outcome: unknown wave 'sst' of screening (did you mean 'sust'?); its copies: "
            "screening@base, screening@impl, screening@sust",
        ),
        (
            ["identify", "--from", "wai", "--to", "screening"],
            "--outcome: 'screening' has a copy per wave; name one: screening@base, "
            "screening@impl, screening@sust",
        ),
        (
            ["instruments", "-x", "wai@sust", "-y", "fidelity"],
            "--exposure: 'wai' exists only at wave 'impl'; name it 'wai'",
        ),
        (
            ["adjust", "-x", "wai", "-y", "fidelity", "--check", "site_context@impl"],
            "--check: 'site_context' has no waves; name it 'site_context'",
        ),
        (
            ["paths", "--from", "wia", "--to", "fidelity"],
            "--from: unknown node 'wia' (did you mean 'wai'?)",
        ),
        (
            ["paths", "-x", "wai", "-y", "fidelty"],
            "--to: unknown node 'fidelty' (did you mean 'fidelity'?)",
        ),
        (
            ["dsep", "wai", "fidelity", "--given", "gaol"],
            "--given: unknown node 'gaol' (did you mean 'goal'?)",
        ),
        (["dsep", "wai", "screening@bse"], "second: unknown wave 'bse' of screening"),
    ],
    ids=[
        "unknown-wave",
        "missing-wave",
        "one-wave-node",
        "timeless-node",
        "typo-from",
        "typo-to",
        "typo-given",
        "typo-wave-dsep",
    ],
)
def test_a_wrong_name_gets_one_line_saying_what_to_write(args: list[str], message: str) -> None:
    result = run_mechmap(args[0], ALLIANCE, *args[1:])
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith(f"mechmap: {message}"), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["adjust", "-x", "dose", "-y", "dose"], "exposure and outcome are the same node: dose"),
        (["instruments", "--from", "trust", "--to", "trust"], "the same node: trust"),
        (["identify", "-x", "culture", "-y", "uptake"], "culture is latent"),
        (["adjust", "-x", "dose", "-y", "uptake", "--check", "dose,capacity"], "holds neither"),
        (["dsep", "dose", "uptake", "--given", "uptake"], "is in a set and also conditioned on"),
        (["dsep", "dose", "dose"], "dose is in both sets"),
        (["dsep", "", "dose"], "name at least one node on each side"),
        (["adjust", "-x", "dose", "-y", ""], "give at least one exposure and one outcome"),
        (["adjust", "-x", "dose", "-y", "uptake", "--effect", "both"], "effect must be"),
    ],
)
def test_a_question_the_analysis_refuses_is_one_line(
    confounded: Path, args: list[str], message: str
) -> None:
    result = run_mechmap(args[0], str(confounded), *args[1:])
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["adjust", "instruments", "identify", "paths"])
def test_cause_and_effect_are_spelled_alike_on_every_command(
    confounded: Path, command: str
) -> None:
    spellings = [
        ["-x", "dose", "-y", "uptake"],
        ["--exposure", "dose", "--outcome", "uptake"],
        ["--from", "dose", "--to", "uptake"],
    ]
    if command == "instruments":  # dose -> trust -> uptake: trust's instruments
        spellings = [[s[0], "trust", s[2], "uptake"] for s in spellings]
    answers = [_json(command, str(confounded), *spelling) for spelling in spellings]
    assert answers[0] == answers[1] == answers[2]


UAI = """
mechmap: 1
id: uai
title: DAGitty's non-X-ancestor example (Textor & Liskiewicz, UAI 2011)
nodes:
  X1: {role: strategy}
  X2: {role: strategy}
  M1: {role: mechanism}
  M2: {role: mechanism}
  Y: {role: implementation_outcome}
edges: [X1 -> M1 -> M2 -> X2, Y -> M2]
"""


def test_direct_effect_on_an_outcome_no_exposure_affects_agrees_with_dagitty(
    tmp_path: Path,
) -> None:
    """Y is no descendant of X1 or X2: adjusting for M2, below Y, is allowed (DAGitty
    finds {M1, M2}); once X1 -> Y makes Y an effect, it is not, and no set exists."""
    path = tmp_path / "uai.yaml"
    path.write_text(UAI)
    args = ["adjust", str(path), "-x", "X1,X2", "-y", "Y", "--effect", "direct"]
    assert _json(*args)["adjustment_sets"] == [["M1", "M2"]]
    path.write_text(UAI.replace("Y -> M2]", "Y -> M2, X1 -> Y]"))
    assert _json(*args)["adjustment_sets"] == []


# -- caps on listings that can explode ------------------------------------------------------

LADDER = """
mechmap: 1
id: ladder
title: Three back-door paths, each blocked at either of two nodes
nodes:
  x: {role: strategy}
  y: {role: implementation_outcome}
  m1: {role: mechanism}
  m2: {role: mechanism}
  m3: {role: mechanism}
  a1: {role: context}
  a2: {role: context}
  a3: {role: context}
  b1: {role: context}
  b2: {role: context}
  b3: {role: context}
edges:
  - x -> m1 -> y
  - x -> m2 -> y
  - x -> m3 -> y
  - b1 -> a1 -> x
  - b2 -> a2 -> x
  - b3 -> a3 -> x
  - b1 -> y
  - b2 -> y
  - b3 -> y
"""


@pytest.fixture()
def ladder(tmp_path: Path) -> Path:
    path = tmp_path / "ladder.yaml"
    path.write_text(LADDER)
    return path


@pytest.mark.parametrize(
    ("args", "key", "total", "what"),
    [
        (["adjust", "-x", "x", "-y", "y"], "adjustment_sets", 8, "sets"),
        (["paths", "--from", "x", "--to", "y"], "paths", 3, "paths"),
        (["paths", "--from", "x", "--to", "y", "--all"], "paths", 6, "paths"),
        (["implications", "--all"], "implications", None, "implications"),
    ],
    ids=["adjust", "causal-paths", "all-paths", "all-implications"],
)
def test_listings_stop_at_max_and_say_so(ladder: Path, args, key, total, what) -> None:
    whole = _json(args[0], str(ladder), *args[1:])
    assert whole["truncated"] is False
    if total is not None:
        assert len(whole[key]) == total
    cut = _json(args[0], str(ladder), *args[1:], "--max", "2")
    assert cut["truncated"] is True and 1 <= len(cut[key]) <= 2
    text = run_mechmap(args[0], str(ladder), *args[1:], "--max", "2").stdout
    assert f"(the first 2 {what} of more; raise --max to list more)" in text
    assert "raise --max" not in run_mechmap(args[0], str(ladder), *args[1:]).stdout


def test_implications_group_pairs_and_smallest_takes_the_smallest_sets(ladder: Path) -> None:
    basis = _json("implications", str(ladder))
    pairs = {(i["x"], y): i["given"] for i in basis["implications"] for y in i["y"]}
    assert basis["pairs"] == len(pairs) and len(basis["implications"]) < len(pairs)
    # y is below a1, so y's parents separate them (a1's do not); four nodes are enough
    assert pairs[("y", "a1")] == ["b1", "b2", "b3", "m1", "m2", "m3"]
    smallest = _json("implications", str(ladder), "--smallest")
    assert {"x": "a1", "y": ["y"], "given": ["a2", "a3", "b1", "x"]} in smallest["implications"]
    refused = run_mechmap("implications", str(ladder), "--all", "--smallest")
    assert refused.returncode == 2 and "--smallest" in refused.stderr
