"""``mechmap diff``: two drafts of the shipped maps, edited as a panel would edit them, run
through the real command; its JSON checked against a schema; and the command as git's
external diff driver in a real repository."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

import mechmap
from mechmap.drafting.diff import diff_maps
from mechmap.model import Node
from tests.conftest import ROOT, run_mechmap

KILBOURNE = "kilbourne-2023-facilitation.yaml"
ALLIANCE = "yakovchenko-2025-working-alliance.yaml"

_NAMES = {"type": "array", "items": {"type": "string"}}
_FIELDS = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["before", "after"],
        "properties": {"before": {}, "after": {}},
        "additionalProperties": False,
    },
}


def _block(noun: str, reordered: bool = False) -> dict:
    changed = {
        "type": "object",
        "required": [noun, "fields"],
        "additionalProperties": False,
        "properties": {noun: {"type": "string"}, "fields": _FIELDS},
    }
    properties = {
        "added": _NAMES,
        "removed": _NAMES,
        "changed": {"type": "array", "items": changed},
    }
    if reordered:
        properties["reordered"] = {"type": "boolean"}
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


_SETS = {"type": ["array", "null"], "items": _NAMES}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["nodes", "arrows", "hypotheses", "implications", "adjustment", "identification"],
    "properties": {
        "nodes": _block("node"),
        "arrows": _block("arrow"),
        "hypotheses": _block("hypothesis"),
        "implications": {
            "type": "object",
            "required": ["added", "removed"],
            "additionalProperties": False,
            "properties": {
                "added": {"type": "array", "items": {"type": "string", "pattern": " ⫫ "}},
                "removed": {"type": "array", "items": {"type": "string", "pattern": " ⫫ "}},
            },
        },
        "adjustment": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hypothesis", "link", "before", "after"],
                "additionalProperties": False,
                "properties": {
                    "hypothesis": {"type": "string"},
                    "link": {"type": "string", "pattern": " -> "},
                    "before": _SETS,
                    "after": _SETS,
                },
            },
        },
        "identification": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hypothesis", "effect", "kind", "before", "after", "method", "note"],
                "additionalProperties": False,
                "properties": {
                    "hypothesis": {"type": "string"},
                    "effect": {"type": "string", "pattern": " -> "},
                    "method": {"type": ["string", "null"]},
                    "note": {"type": "string"},
                    "kind": {"enum": ["link", "path"]},
                    "before": {"type": ["boolean", "null"]},
                    "after": {"type": ["boolean", "null"]},
                },
            },
        },
        "waves": _block("wave", reordered=True),
        "sources": _block("source"),
        "teaching": _block("step", reordered=True),
        "layout": _block("target"),
        "measures": _block("variable"),
        "map": {
            "type": "object",
            "required": ["fields"],
            "properties": {"fields": {"type": "object"}},
        },
        "identical": {"type": "boolean"},
    },
}


def _drafts(
    tmp_path: Path,
    name: str,
    edit: Callable[[str], str],
    edit_vignettes: Callable[[str], str] | None = None,
) -> tuple[str, str]:
    """Two checkouts, old/ and new/, each with maps/NAME and its vignettes/; the new map
    (and the new vignettes, when they name what the edit removed) edited."""
    paths = []
    for side in ("old", "new"):
        (tmp_path / side / "maps").mkdir(parents=True)
        shutil.copytree(ROOT / "vignettes", tmp_path / side / "vignettes")
        target = tmp_path / side / "maps" / name
        text = (ROOT / "maps" / name).read_text(encoding="utf-8")
        target.write_text(edit(text) if side == "new" else text, encoding="utf-8")
        paths.append(str(target))
    if edit_vignettes is not None:
        gti = tmp_path / "new" / "vignettes" / "gti.yaml"
        gti.write_text(edit_vignettes(gti.read_text(encoding="utf-8")), encoding="utf-8")
    return paths[0], paths[1]


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _json(*args: str) -> dict:
    result = run_mechmap("diff", "--json", *args)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    jsonschema.validate(found, SCHEMA)
    return found


# -- Kilbourne: a node added, a label with control characters, arrows renumbered -----------

HOSTILE_LABEL = "Trust \\e[2J\\a [bold red]across[/] leadership \\u202edrow"


def _edit_kilbourne(text: str) -> str:
    text = _replace(text, "    arrow: 14\n", "    arrow: 16\n")
    text = _replace(
        text,
        "  trust: {label: Trust across leadership and practitioners,",
        "  champion: {label: Practice champion, role: actor, wave: t2}\n"
        f'  trust: {{label: "{HOSTILE_LABEL}",',
    )
    text = _replace(
        text, "edges:\n", 'edges:\n  - {from: champion, to: normalization, sign: "+"}\n'
    )
    moderator = "  - from: competing_priorities\n    modifies: sense_making -> capacity\n    sign: "
    text = _replace(text, moderator + '"-"', moderator + '"?"')
    external = "normalization -> implementation -> patient_outcomes\n    expect: "
    return _replace(text, external + '"+"', external + '"?"')


@pytest.fixture(scope="module")
def kilbourne(tmp_path_factory) -> tuple[str, str]:
    return _drafts(tmp_path_factory.mktemp("kilbourne"), KILBOURNE, _edit_kilbourne)


def test_a_renumbered_arrow_is_changed_not_removed_and_added(kilbourne) -> None:
    found = _json(*kilbourne)
    assert found["nodes"]["added"] == ["champion"]
    assert found["nodes"]["removed"] == []
    assert found["arrows"]["added"] == ["champion -> normalization"]
    assert found["arrows"]["removed"] == []
    changed = {c["arrow"]: c["fields"] for c in found["arrows"]["changed"]}
    assert changed["trust -> normalization"] == {"arrow": {"before": "14", "after": "16"}}
    # a moderator arrow is named by the arrow it modifies
    assert changed["competing_priorities -> (sense_making -> capacity)"] == {
        "sign": {"before": "-", "after": "?"}
    }
    assert found["hypotheses"]["changed"] == [
        {"hypothesis": "external-trust", "fields": {"expect": {"before": "+", "after": "?"}}}
    ]
    trust = next(c for c in found["nodes"]["changed"] if c["node"] == "trust")
    assert trust["fields"]["label"]["after"].startswith("Trust \x1b[2J\x07 [bold red]")
    # champion is new: what it implies is not a change of what both drafts define
    assert not [s for s in found["implications"]["added"] if "champion" in s]
    assert found["identical"] is False


def test_the_text_marks_each_change_and_escapes_labels(kilbourne) -> None:
    result = run_mechmap("diff", *kilbourne)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"mechmap diff {kilbourne[0]} {kilbourne[1]}" in out
    assert '  + champion "Practice champion"' in out
    assert '  ~ trust -> normalization\n      arrow: "14" → "16"' in out
    assert '      sign: "-" → "?"' in out
    assert '      expect: "+" → "?"' in out
    # no control character reaches the terminal; rich markup stays text
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[bold red]across[/]" in out


# -- the working-alliance map: what follows from a change -----------------------------------


def _edit_alliance(text: str) -> str:
    alliance_fidelity = "  - from: wai\n    to: fidelity\n    sign: "
    text = _replace(text, alliance_fidelity + '"+"', alliance_fidelity + '"-"')
    start = text.index("  - from: bond\n    to: leadership_support\n")
    text = text[:start] + text[text.index("  - from: leadership_support") :]
    start, end = text.index("  cf_live_hours:"), text.index("  # --- working alliance")
    text = text[:start] + text[end:]
    start, end = text.index("  - from: cf_live_hours"), text.index("  # --- structure of")
    text = text[:start] + text[end:]
    # a confounder of facilitation dose and the alliance that nobody measured
    text = _replace(
        text,
        "  # --- context ---\n",
        "  # --- context ---\n"
        "  enthusiasm: {label: Team enthusiasm, role: confounder, wave: impl, latent: true}\n",
    )
    return _replace(
        text,
        "\nhypotheses:",
        "  - enthusiasm -> facilitation_hours\n  - enthusiasm -> wai\n\nhypotheses:",
    )


def _edit_gti(text: str) -> str:
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if "cf_live_hours -> alliance_cf" not in line and "bond -> leadership_support" not in line
    ]
    return "".join(kept)


@pytest.fixture(scope="module")
def alliance(tmp_path_factory) -> tuple[str, str]:
    return _drafts(tmp_path_factory.mktemp("alliance"), ALLIANCE, _edit_alliance, _edit_gti)


def test_what_follows_implications_adjustment_identification(alliance) -> None:
    found = _json(*alliance)
    assert found["nodes"]["added"] == ["enthusiasm"]
    assert found["nodes"]["removed"] == ["cf_live_hours"]
    assert found["arrows"]["removed"] == [
        "cf_live_hours -> alliance_cf",
        "bond -> leadership_support",
    ]
    assert {"arrow": "wai -> fidelity", "fields": {"sign": {"before": "+", "after": "-"}}} in found[
        "arrows"
    ]["changed"]
    # without the arrow, leadership support is independent of the alliance's facets
    assert "bond ⫫ leadership_support" in found["implications"]["added"]
    assert "leadership_support ⫫ wai | bond" in found["implications"]["removed"]
    # the unmeasured enthusiasm confounds dose and alliance
    assert {
        "hypothesis": "dose-alliance",
        "link": "facilitation_hours -> wai",
        "before": [["site_initiated_share"]],
        "after": [],
    } in found["adjustment"]
    became = {(c["hypothesis"], c["kind"]): c for c in found["identification"]}
    link = became["dose-alliance", "link"]
    assert (link["effect"], link["before"], link["after"]) == (
        "facilitation_hours -> wai",
        True,
        False,
    )
    assert link["method"] == "back-door" and "hedge" in link["note"]
    assert became["dose-alliance-fidelity-screening", "path"]["after"] is False
    # the alliance-fidelity link was not identifiable before either: not reported
    assert not [c for c in found["identification"] if c["effect"] == "wai -> fidelity"]


def test_what_follows_is_printed_for_people(alliance) -> None:
    result = run_mechmap("diff", *alliance)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "what follows\n  testable implications (among the variables both drafts have)\n" in out
    assert "    + bond ⫫ leadership_support\n" in out
    assert (
        "    ~ dose-alliance: facilitation_hours -> wai: {site_initiated_share} → none exists"
        in out
    )
    assert (
        "    ~ dose-alliance: link facilitation_hours -> wai: identifiable → not identifiable\n"
        "        No adjustment set" in out
    )


def test_identical_drafts_have_no_differences() -> None:
    path = f"maps/{KILBOURNE}"
    result = run_mechmap("diff", path, path)
    assert (result.returncode, result.stdout) == (
        0,
        f"mechmap diff {path} {path}: no differences\n",
    )
    found = _json(f"maps/{ALLIANCE}", f"maps/{ALLIANCE}")
    assert found["identical"] is True
    assert not any(found[key]["added"] or found[key]["changed"] for key in ("nodes", "arrows"))
    assert found["implications"] == {"added": [], "removed": []}


# -- errors ----------------------------------------------------------------------------------


def test_an_invalid_draft_gets_the_errors_validate_prints(tmp_path: Path) -> None:
    old, new = _drafts(
        tmp_path,
        ALLIANCE,
        lambda t: _replace(t, "    role: proximal_outcome\n", "    role: outcome\n"),
    )
    result = run_mechmap("diff", old, new)
    assert result.returncode == 1
    assert result.stdout == ""
    validated = run_mechmap("validate", new)
    errors = [line for line in validated.stdout.splitlines() if ": error: " in line]
    assert errors and errors[0].startswith(f"{new}:")
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == errors
    assert result.stderr.splitlines()[-1] == (
        f"mechmap: {new} is not a valid map; fix the errors above"
    )
    # both drafts bad: both are reported, the old one first
    both = run_mechmap("diff", new, new)
    assert both.returncode == 1 and both.stderr.count("is not a valid map") == 2


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = run_mechmap("diff", str(tmp_path / "gone.yaml"), f"maps/{KILBOURNE}")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"mechmap: {tmp_path / 'gone.yaml'}: no such file\n"
    wrong = run_mechmap("diff", f"maps/{KILBOURNE}")
    assert wrong.returncode == 2 and "give two drafts" in wrong.stderr


def test_dev_null_stands_for_no_draft() -> None:
    found = _json("/dev/null", f"maps/{ALLIANCE}")
    assert "wai" in found["nodes"]["added"] and found["nodes"]["removed"] == []
    assert found["implications"] == {"added": [], "removed": []}  # nothing both define
    result = run_mechmap("diff", f"maps/{ALLIANCE}", "/dev/null")
    assert "map 'yakovchenko-2025-working-alliance' deleted\n" in result.stdout
    assert "  - wai " in result.stdout


# -- fields the model gains are compared without a change to diff ----------------------------


def test_every_field_of_the_model_is_compared() -> None:
    @dataclasses.dataclass(frozen=True)
    class RatedNode(Node):  # as a node gains a field such as `eric:`
        eric: tuple[str, ...] = ()

    m = mechmap.load(ROOT / "maps" / ALLIANCE, vignette_ids=None)
    rated = [
        RatedNode(**{f.name: getattr(n, f.name) for f in dataclasses.fields(n)}) for n in m.nodes
    ]
    before = dataclasses.replace(m, nodes=tuple(rated))
    after = dataclasses.replace(
        m, nodes=tuple(dataclasses.replace(n, eric=("A.1",)) if n.id == "wai" else n for n in rated)
    )
    found = diff_maps(before, after).as_dict()
    assert found["nodes"]["changed"] == [
        {"node": "wai", "fields": {"eric": {"before": [], "after": ["A.1"]}}}
    ]
    # where a node was read from is not a change
    moved = dataclasses.replace(
        m, nodes=tuple(dataclasses.replace(n, location=None) for n in m.nodes)
    )
    assert diff_maps(m, moved).identical


# -- git's external diff driver --------------------------------------------------------------


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(repo.parent),  # no user's git configuration
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_PAGER": "cat",
    }
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_git_diff_shows_what_changed_in_a_map(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "maps").mkdir(parents=True)
    assert _git(repo, "init", "-q").returncode == 0
    # the set-up the README gives, with this interpreter standing for `mechmap`
    (repo / ".gitattributes").write_text("maps/*.yaml diff=mechmap\n")
    _git(repo, "config", "diff.mechmap.command", f"{sys.executable} -m mechmap diff --git")
    draft = repo / "maps" / "k.yaml"
    shutil.copy(ROOT / "maps" / KILBOURNE, draft)
    _git(repo, "add", "-A")
    assert _git(repo, "commit", "-qm", "first draft").returncode == 0

    draft.write_text(draft.read_text().replace("    arrow: 14\n", "    arrow: 16\n"))
    shutil.copy(ROOT / "maps" / ALLIANCE, repo / "maps" / "w.yaml")
    _git(repo, "add", "-A")
    staged = _git(repo, "diff", "--cached")
    assert staged.returncode == 0, staged.stderr
    assert (
        "mechmap diff a/maps/k.yaml b/maps/k.yaml\narrows\n  ~ trust -> normalization\n"
        '      arrow: "14" → "16"\n'
    ) in staged.stdout
    # a file added: git passes /dev/null for the old side
    assert (
        "mechmap diff a/maps/w.yaml b/maps/w.yaml\nmap 'yakovchenko-2025-working-alliance' added\n"
        in staged.stdout
    )
    assert "@@" not in staged.stdout  # no line diff of either map

    # a deleted map, and a draft that does not validate: its errors and a line diff,
    # and git goes on to the next file
    _git(repo, "commit", "-qm", "second draft")
    (repo / "maps" / "w.yaml").unlink()
    draft.write_text(draft.read_text().replace("role: mechanism", "role: mechanizm", 1))
    broken = _git(repo, "diff")
    assert broken.returncode == 0, broken.stderr
    assert "mechmap: a draft of maps/k.yaml is not a valid map; line diff:\n" in broken.stdout
    assert "b/maps/k.yaml:" in broken.stdout and "mechanizm" in broken.stdout
    changed = [line for line in broken.stdout.splitlines() if line.startswith(("-", "+"))]
    assert changed[:2] == ["--- a/maps/k.yaml", "+++ b/maps/k.yaml"]
    removed, added = changed[2:]  # one line changed, nothing else
    assert added == "+" + removed[1:].replace("role: mechanism", "role: mechanizm")
    assert "map 'yakovchenko-2025-working-alliance' deleted\n" in broken.stdout


# -- the other blocks ------------------------------------------------------------------------

LESSON = """\
mechmap: 1
id: lesson
title: TITLE
waves: {t1: One, t2: Two}
sources: [{id: s1, citation: "A. Author. 2024"}]
nodes:
  dose: {role: strategy, wave: t1}
  trust: {role: mechanism, waves: [t1, t2]}
  uptake: {role: implementation_outcome, wave: t2}
edges:
  - dose -> trust@t1
  - trust@t2 -> uptake
teaching:
  sequence:
    - {edge: dose -> trust@t1, caption: CAPTION}
    - {edge: trust@t2 -> uptake}
layout:
  trust@t2: {pos: [820, 140]}
"""


def test_waves_sources_teaching_layout_and_the_title_are_compared() -> None:
    before = mechmap.loads(LESSON.replace("TITLE", "Lesson").replace("CAPTION", "First"))
    edited = (
        LESSON.replace("TITLE", "Lesson two")
        .replace("CAPTION", "Start here")
        .replace("{t1: One, t2: Two}", "{t1: One, t2: Second}")
        .replace('"A. Author. 2024"', '"A. Author. 2025"')
        .replace("[820, 140]", "[800, 140]")
    )
    found = diff_maps(before, mechmap.loads(edited)).as_dict()
    assert found["map"] == {"fields": {"title": {"before": "Lesson", "after": "Lesson two"}}}
    assert found["waves"]["changed"] == [
        {"wave": "t2", "fields": {"label": {"before": "Two", "after": "Second"}}}
    ]
    assert found["sources"]["changed"][0]["fields"]["citation"]["after"] == "A. Author. 2025"
    assert found["teaching"]["changed"] == [
        {
            "step": "dose -> trust@t1",
            "fields": {"caption": {"before": "First", "after": "Start here"}},
        }
    ]
    assert found["layout"]["changed"] == [
        {
            "target": "trust@t2",
            "fields": {"pos": {"before": [820.0, 140.0], "after": [800.0, 140.0]}},
        }
    ]
    # the order of the steps taught is a change of its own
    steps = LESSON.index("    - {edge: dose"), LESSON.index("    - {edge: trust@t2")
    swapped = LESSON[: steps[0]] + LESSON[steps[1] : LESSON.index("layout:")]
    swapped += LESSON[steps[0] : steps[1]] + LESSON[LESSON.index("layout:") :]
    reordered = diff_maps(mechmap.loads(LESSON), mechmap.loads(swapped)).teaching
    assert reordered.reordered and not reordered.changed
