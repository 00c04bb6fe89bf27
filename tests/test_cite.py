"""mechmap cite: a map's sources as BibTeX, RIS and CSL-JSON, parsed back and escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_mechmap

SHIPPED = sorted((ROOT / "maps").glob("*.yaml"))
# The CSL data schema (csl-data.json) requires id and type, type from this list.
CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "dataset", "entry", "entry-dictionary", "entry-encyclopedia",
    "figure", "graphic", "interview", "legal_case", "legislation", "manuscript", "map",
    "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent",
    "personal_communication", "post", "post-weblog", "report", "review", "review-book",
    "song", "speech", "thesis", "treaty", "webpage",
}  # fmt: skip
HOSTILE = """\
mechmap: 1
id: hostile
title: Hostile
sources:
  - id: evil
    citation: "x"
    authors: ["O'Brien, {Pat}", "Acme & Co", "et al."]
    title: "A } title {with} @misc{injected, \\\\ 100% $5 #1 _x ~y ^z\\nTY  - JOUR\\nER  - "
    journal: "J\\nAU  - Forged, Author"
    year: 2020
    pages: 1-9
  - id: bare
    citation: "Only a free-text citation, with a } brace"
nodes: {a: {}}
"""


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """A tiny BibTeX reader: entries ``@type{key, field = {value}, ...}``, braces counted as
    BibTeX counts them (a backslash does not hide a brace); fails on anything else."""
    entries, i = [], 0
    while True:
        at = text.find("@", i)
        if at < 0:
            assert not text[i:].strip(), f"text outside entries: {text[i:]!r}"
            return entries
        assert not text[i:at].strip(), f"text outside entries: {text[i:at]!r}"
        head = re.compile(r"@(\w+)\{([^,\s]+),\n").match(text, at)
        assert head, text[at : at + 40]
        i, fields = head.end(), {}
        while text[i] != "}":
            field = re.compile(r"  (\w+) = \{").match(text, i)
            assert field, text[i : i + 40]
            depth, j = 1, field.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                assert text[j] != "\n", "a field value spans lines"
                j += 1
            fields[field.group(1)] = text[field.end() : j - 1]
            assert text[j : j + 2] == ",\n"
            i = j + 2
        entries.append((head.group(1), head.group(2), fields))
        i += 1


def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    """RIS records: every line ``TG  - value``, each record from TY to ER."""
    records, current = [], None
    for line in text.splitlines():
        if not line:
            assert current is None
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, line
        tag, value = match.groups()
        if tag == "TY":
            assert current is None
            current = []
        assert current is not None
        current.append((tag, value))
        if tag == "ER":
            records.append(current)
            current = None
    assert current is None
    return records


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_map_cites_in_every_format(path: Path) -> None:
    bib = run_mechmap("cite", str(path))
    ris = run_mechmap("cite", str(path), "--format", "ris")
    csl = run_mechmap("cite", str(path), "-f", "csl-json")
    for result in (bib, ris, csl):
        assert result.returncode == 0, result.stderr
    entries = parse_bibtex(bib.stdout)
    records = parse_ris(ris.stdout)
    items = json.loads(csl.stdout)
    assert [key for _, key, _ in entries] == [item["id"] for item in items]
    assert len(records) == len(items) >= 2
    for item in items:
        assert isinstance(item["id"], str) and item["type"] in CSL_TYPES
        assert isinstance(item["title"], str)


def test_structured_sources_become_full_entries() -> None:
    path = ROOT / "maps" / "kilbourne-2023-facilitation.yaml"
    bib = run_mechmap("cite", str(path))
    assert bib.stderr == ""  # every source has its reference data: no warning
    kind, key, fields = parse_bibtex(bib.stdout)[0]
    assert (kind, key) == ("article", "kilbourne2023")
    assert fields["author"].startswith("Kilbourne, A. M. and Geng, E. and ")
    assert fields["author"].endswith(" and others")
    assert fields["journal"] == "Implementation Science Communications"
    assert (fields["year"], fields["volume"], fields["pages"]) == ("2023", "4", "53")
    assert fields["doi"] == "10.1186/s43058-023-00435-1"
    item = json.loads(run_mechmap("cite", str(path), "-f", "csl-json").stdout)[0]
    assert item["author"][0] == {"family": "Kilbourne", "given": "A. M."}
    assert item["issued"] == {"date-parts": [[2023]]} and item["container-title"]
    ris = parse_ris(run_mechmap("cite", str(path), "-f", "ris").stdout)[0]
    assert ("TY", "JOUR") in ris and ("AU", "Kilbourne, A. M.") in ris and ("SP", "53") in ris


def test_a_free_text_source_gets_a_valid_entry_and_a_warning(tmp_path: Path) -> None:
    path = ROOT / "maps" / "parchman-facilitator-supports.yaml"
    result = run_mechmap("cite", str(path))
    assert result.returncode == 0
    assert re.search(
        r"parchman-facilitator-supports\.yaml:\d+:\d+: warning: source 'parchman2023' has only "
        "a free-text citation",
        result.stderr,
    )
    kind, key, fields = parse_bibtex(result.stdout)[0]
    assert (kind, key) == ("misc", "parchman2023")
    assert fields["title"].startswith("Parchman ML, et al. Commentary")


def test_hostile_values_are_escaped_in_every_format(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    bib = run_mechmap("cite", str(path))
    assert bib.returncode == 0, bib.stderr
    entries = parse_bibtex(bib.stdout)  # balanced braces, one line per field, nothing injected
    assert [key for _, key, _ in entries] == ["evil", "bare"]
    fields = entries[0][2]
    assert fields["author"] == (
        r"O'Brien, \textbraceleft{}Pat\textbraceright{} and {Acme \& Co} and others"
    )
    assert r"\textbackslash{}" in fields["title"] and r"100\% \$5 \#1 \_x" in fields["title"]
    assert fields["pages"] == "1--9"
    records = parse_ris(run_mechmap("cite", str(path), "-f", "ris").stdout)
    assert len(records) == 2
    tags = [tag for tag, _ in records[0]]
    assert (
        tags.count("TY") == 1
        and tags.count("ER") == 1
        and ("AU", "Forged, Author") not in records[0]
    )
    items = json.loads(run_mechmap("cite", str(path), "-f", "csl-json").stdout)
    assert items[0]["title"].startswith("A } title {with} @misc{injected, \\ 100%")
    assert items[0]["author"][1] == {"literal": "Acme & Co"} and len(items[0]["author"]) == 2


def test_output_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    path = ROOT / "maps" / "yakovchenko-2025-working-alliance.yaml"
    out = tmp_path / "refs.ris"
    first = run_mechmap("cite", str(path), "-f", "ris", "-o", str(out))
    assert first.returncode == 0 and out.read_text(encoding="utf-8").startswith("TY  - JOUR")
    out.write_text("mine", encoding="utf-8")
    again = run_mechmap("cite", str(path), "-f", "ris", "-o", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    forced = run_mechmap("cite", str(path), "-f", "bibtex", "-o", str(out), "--force")
    assert forced.returncode == 0 and out.read_text(encoding="utf-8").startswith("@article{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.ris"]


def test_a_map_without_sources_and_a_wrong_format_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("mechmap: 1\nid: bare\ntitle: Bare\nnodes: {a: {}}\n", encoding="utf-8")
    result = run_mechmap("cite", str(path))
    assert result.returncode == 1 and "has no sources" in result.stderr
    wrong = run_mechmap("cite", str(ROOT / SHIPPED[0]), "-f", "endnote")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
