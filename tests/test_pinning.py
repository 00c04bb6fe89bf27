"""Writing a dragged box's position into the map's ``layout:`` block (mechmap serve's pin):
the rest of the file byte for byte, existing entries updated in their own style, and the
written ``pos`` drawn exactly where the box was dropped."""

from __future__ import annotations

import difflib
import math
from pathlib import Path

import pytest

import mechmap
from mechmap.diagrams.render import draw
from mechmap.drafting.pinning import PinRefused, layout_keys, pin, pinned_text, placed_text
from tests.conftest import ROOT, run_mechmap

SMALL = """\
mechmap: 1
id: small   # the id
title: Small
waves: {t1: First, t2: Second}
nodes:
  # the strategy
  a: {role: strategy, wave: t1}
  b: {role: mechanism, waves: [t1, t2], carry: true}
  c: {role: clinical_outcome}
edges:
  - a -> b@t1
  - b@t2 -> c   # the last step
"""


def _only_added(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if any line of ``before`` changed."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert not [line for line in diff if line.startswith("- ")], "a line of the file changed"
    return [line[2:] for line in diff if line.startswith("+ ")]


def test_a_map_without_layout_gets_the_block_at_its_end() -> None:
    edited, key = pinned_text(SMALL, ("a", "a@t1"), (120.5, 80))
    assert key == "a"
    assert edited == SMALL + "layout:\n  a: {pos: [120.5, 80]}\n"
    assert mechmap.loads(edited).placement("a").pos == (120.5, 80)


def test_an_existing_entry_keeps_its_keys_style_and_comment() -> None:
    text = SMALL + "layout:\n  c: {band: top}   # keep\n  a@t1:\n    order: 2  # second\n"
    edited, key = pinned_text(text, ("a", "a@t1"), (10, 20))
    assert key == "a@t1"  # the entry as the drafter wrote it: no second entry for `a`
    assert edited == text + "    pos: [10, 20]\n"
    edited, _ = pinned_text(text, ("c",), (1, 2))
    assert "  c: {band: top, pos: [1, 2]}" in edited and "# keep" in edited
    assert _only_added(text.replace("  c: {band: top}   # keep\n", ""), edited) == [
        "  c: {band: top, pos: [1, 2]} # keep\n"
    ]


def test_an_existing_pos_is_updated_in_place() -> None:
    text = SMALL + "layout:\n  b@t2:\n    pos: [3, 4]\n    band: bottom\n  c: {pos: [5, 6]}\n"
    edited, _ = pinned_text(text, ("b@t2",), (30, 40.5))
    assert "    pos: [30, 40.5]\n    band: bottom\n" in edited
    edited, _ = pinned_text(edited, ("c",), (7, 8))
    assert edited.endswith("  c: {pos: [7, 8]}\n")
    assert mechmap.loads(edited).placement("b@t2").band == "bottom"


def test_an_empty_layout_key_is_filled() -> None:
    edited, _ = pinned_text(SMALL + "layout:   # to come\n", ("c",), (1, 2))
    assert "layout:   # to come\n  c: {pos: [1, 2]}\n" in edited


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "maps").glob("*.yaml")))
def test_every_shipped_map_keeps_every_line(name: str) -> None:
    text = (ROOT / "maps" / name).read_text(encoding="utf-8")
    m = mechmap.loads(text)
    variable = next(v for v in m.variable_info if "@" in v) if name.startswith("k") else None
    variable = variable or next(iter(m.variable_info))
    edited, key = pinned_text(text, layout_keys(m, variable), (100, 200))
    added = _only_added(text, edited)
    assert added[-1] == f"  {key}: {{pos: [100, 200]}}\n"
    assert mechmap.loads(edited).placement(variable).pos == (100, 200)


def test_a_time_indexed_copy_is_pinned_by_its_own_name() -> None:
    m = mechmap.loads(SMALL)
    assert layout_keys(m, "b@t2") == ("b@t2",)
    assert layout_keys(m, "c") == ("c",)


@pytest.mark.parametrize(
    ("text", "variable"),
    [(SMALL + "layout:\n  c: {band: bottom}\n", v) for v in ("a", "b@t2", "c")]
    + [((ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml").read_text("utf-8"), "fidelity")],
)
def test_the_written_pos_draws_the_box_where_it_was_dropped(text: str, variable: str) -> None:
    m = mechmap.loads(text)
    before = draw(m)
    moved = (37.3, -21.6)
    edited, pinned = placed_text(text, m, variable, moved)
    assert pinned.key in layout_keys(m, variable)
    after = draw(mechmap.loads(edited))
    x, y = before.centres[variable]
    assert after.centres[variable] == pytest.approx((x + moved[0], y + moved[1]), abs=0.3)


def test_pin_writes_a_valid_file_and_validate_agrees(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    pinned = pin(path, SMALL.encode(), mechmap.loads(SMALL), "b@t1", (0, 0))
    assert pinned.key == "b@t1"
    assert run_mechmap("validate", str(path)).returncode == 0
    x, y = pinned.pos
    assert path.read_text(encoding="utf-8") == SMALL + f"layout:\n  b@t1: {{pos: [{x}, {y}]}}\n"


def test_pin_leaves_a_file_alone_that_changed_or_would_not_validate(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    m = mechmap.loads(SMALL)
    with pytest.raises(PinRefused, match="changed since the page was drawn"):
        pin(path, b"older text", m, "a", (1, 2))
    with pytest.raises(PinRefused, match=r"would not be a valid map.*finite"):
        pin(path, SMALL.encode(), m, "a", (math.inf, 2))
    assert path.read_text(encoding="utf-8") == SMALL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.yaml"]  # no temporary left


def test_lines_outside_the_layout_block_stay_as_written() -> None:
    """A round trip would write the escape as its character and re-space the comment; only
    the ``layout`` block may change, before the next top-level key or at the end."""
    text = SMALL.replace("title: Small", 'title: "The \\u201cgood\\u201d map"    # escaped')
    middle = text.replace("edges:", "layout:\n  c: {band: top}\nedges:")
    for original in (text, middle):
        edited, _ = pinned_text(original, ("c",), (5, 6))
        assert _only_added(original.replace("  c: {band: top}\n", ""), edited) in (
            ["layout:\n", "  c: {pos: [5, 6]}\n"],
            ["  c: {band: top, pos: [5, 6]}\n"],
        )
        assert mechmap.loads(edited).placement("c").pos == (5, 6)
