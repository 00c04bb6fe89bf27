"""A map's sources as references: BibTeX, RIS and CSL-JSON, and the short form for captions.

Each function takes a :class:`~mechmap.model.Map` (or a source) and returns text. A source
with structured fields (``authors``, ``title``, ``journal``, ``year``, ``volume``, ``issue``,
``pages``, ``type``) becomes a full entry; one with only its free-text ``citation`` becomes a
valid entry whose title is that citation (:func:`citation_only` lists those, so the command
line can warn). Every value is escaped for its format: BibTeX's special characters and
braces, RIS's one-line fields (no line break can start a new tag), JSON through
:func:`json.dumps`.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: tiny
... title: Tiny
... sources:
...   - {id: smith2020, citation: "Smith J. Trust. J Impl. 2020;1:2", authors: ["Smith, Jane"],
...      title: "Trust & {care}", journal: J Impl, year: 2020, volume: 1, pages: 2}
... nodes: {a: {}}
... ''')
>>> print(to_bibtex(m))
@article{smith2020,
  author = {Smith, Jane},
  title = {Trust \\& \\textbraceleft{}care\\textbraceright{}},
  journal = {J Impl},
  year = {2020},
  volume = {1},
  pages = {2},
}
<BLANKLINE>
>>> print(to_ris(m).splitlines()[:3])
['TY  - JOUR', 'ID  - smith2020', 'AU  - Smith, Jane']
>>> short_reference(m.sources[0])
'Smith 2020'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from mechmap.model import Map, Source

FORMATS = ("bibtex", "ris", "csl-json")
_BIBTEX_TYPES = {
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "paper-conference": "inproceedings",
    "thesis": "phdthesis",
    "webpage": "misc",
}
_RIS_TYPES = {
    "article-journal": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "paper-conference": "CPAPER",
    "thesis": "THES",
    "webpage": "ELEC",
}
_CONTAINER = {"incollection": "booktitle", "inproceedings": "booktitle"}
# In BibTeX these would start a command, a group, maths, a comment or a parameter.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",  # not \{: BibTeX counts braces even after a backslash
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_ESCAPE = re.compile("|".join(map(re.escape, _BIBTEX_SPECIAL)))


# An author list that ends in one of these is known to be incomplete.
ET_AL = frozenset({"et al.", "et al", "others"})


def _named(source: Source) -> list[str]:
    """The authors the source names, ``et al.`` left out."""
    return [a for a in source.authors if _one_line(a).casefold() not in ET_AL]


def _incomplete(source: Source) -> bool:
    return len(_named(source)) < len(source.authors)


def source_type(source: Source) -> str:
    """The source's CSL type: as written, else a journal article when a journal is named,
    else ``article`` (CSL's generic type) for a source known only by its citation."""
    if source.type is not None:
        return source.type
    return "article-journal" if source.journal else "article"


def citation_only(m: Map) -> list[Source]:
    """The sources known only by their free-text citation (no ``title``)."""
    return [s for s in m.sources if s.title is None]


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """The text on one line: a line break or other control character would end a RIS field
    (and start a forged one) or break a BibTeX entry."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def _bibtex_value(text: str) -> str:
    return _BIBTEX_ESCAPE.sub(lambda match: _BIBTEX_SPECIAL[match.group()], _one_line(text))


def _written_name(author: str) -> str:
    """``Family, Given`` whichever way the author was written (literal names as they are)."""
    name = _csl_name(author)
    return f"{name['family']}, {name['given']}" if "family" in name else name["literal"]


def _fields(source: Source) -> list[tuple[str, str]]:
    """(field, value) in BibTeX's names (authors apart), the title falling back to the
    citation."""
    kind = _BIBTEX_TYPES.get(source_type(source), "misc")
    fields = [("title", source.title or source.citation)]
    if source.journal:
        fields.append((_CONTAINER.get(kind, "journal"), source.journal))
    fields += [
        (name, str(value))
        for name, value in (
            ("year", source.year),
            ("volume", source.volume),
            ("number", source.issue),
            ("pages", source.pages),
            ("doi", source.doi),
            ("url", source.url),
        )
        if value is not None
    ]
    if source.title is None:
        fields.append(("note", "Free-text citation: no structured reference data in the map"))
    return fields


def _bibtex_name(author: str) -> str:
    """One author for BibTeX's ``and``-separated list: ``Family, Given``; a literal name (an
    organization) in braces, so BibTeX neither splits nor reorders it."""
    name = _csl_name(author)
    if "family" in name:
        return f"{_bibtex_value(name['family'])}, {_bibtex_value(name['given'])}"
    return f"{{{_bibtex_value(name['literal'])}}}"


def to_bibtex(m: Map) -> str:
    """The map's sources as BibTeX entries (key: the source id)."""
    entries = []
    for source in m.sources:
        kind = _BIBTEX_TYPES.get(source_type(source), "misc") if source.title else "misc"
        fields = [(name, _bibtex_value(value)) for name, value in _fields(source)]
        fields = [  # a page range takes an en dash: 230--239
            (name, re.sub(r"(?<=\w)\s*[-\u2013]\s*(?=\w)", "--", v) if name == "pages" else v)
            for name, v in fields
        ]
        if source.authors:
            authors = [*map(_bibtex_name, _named(source))]
            authors += ["others"] if _incomplete(source) else []  # BibTeX's "et al."
            fields.insert(0, ("author", " and ".join(authors)))
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
        entries.append(f"@{kind}{{{source.id},\n{body}}}\n")
    return "\n".join(entries)


def to_ris(m: Map) -> str:
    """The map's sources as RIS records, one field a line, each record ending ``ER``."""
    names = {"title": "TI", "journal": "JO", "booktitle": "T2", "year": "PY", "volume": "VL"}
    names |= {"number": "IS", "doi": "DO", "url": "UR", "note": "N1"}
    records = []
    for source in m.sources:
        kind = _RIS_TYPES.get(source_type(source), "GEN") if source.title else "GEN"
        lines = [f"TY  - {kind}", f"ID  - {source.id}"]
        lines += [f"AU  - {_one_line(_written_name(a))}" for a in _named(source)]
        for name, value in _fields(source):
            if name == "pages":
                first, _, last = _one_line(value).partition("-")
                lines.append(f"SP  - {first.strip()}")
                if last.strip():
                    lines.append(f"EP  - {last.strip('- ')}")
            elif name in names:
                lines.append(f"{names[name]}  - {_one_line(value)}")
        lines.append("ER  - ")
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)


def _csl_name(author: str) -> dict[str, str]:
    """``"Family, Given"`` as CSL's family and given; ``"Family AB"`` (Vancouver initials)
    too; anything else as a literal name."""
    family, comma, given = author.partition(",")
    if comma:
        return {"family": _one_line(family), "given": _one_line(given)}
    words = author.split()
    if len(words) > 1 and re.fullmatch(r"[A-Z]{1,3}", words[-1]):
        return {"family": " ".join(words[:-1]), "given": " ".join(f"{c}." for c in words[-1])}
    return {"literal": _one_line(author)}


def csl_items(m: Map) -> list[dict[str, object]]:
    """The map's sources as CSL-JSON items (each with its ``id`` and ``type``)."""
    items = []
    for source in m.sources:
        item: dict[str, object] = {"id": source.id, "type": source_type(source)}
        item["title"] = _one_line(source.title or source.citation)
        if _named(source):
            item["author"] = [_csl_name(a) for a in _named(source)]
        optional = {
            "container-title": source.journal,
            "volume": source.volume,
            "issue": source.issue,
            "page": source.pages,
            "DOI": source.doi,
            "URL": source.url,
        }
        item |= {k: _one_line(v) for k, v in optional.items() if v is not None}
        if source.year is not None:
            item["issued"] = {"date-parts": [[source.year]]}
        if source.title is None:
            item["note"] = "Free-text citation: no structured reference data in the map"
        items.append(item)
    return items


def to_csl_json(m: Map) -> str:
    return json.dumps(csl_items(m), indent=2, ensure_ascii=False) + "\n"


def cite(m: Map, fmt: str) -> str:
    """The map's sources in ``fmt`` (``bibtex``, ``ris`` or ``csl-json``)."""
    writers = {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json}
    if fmt not in writers:
        raise ValueError(f"unknown citation format '{fmt}'; use one of {', '.join(FORMATS)}")
    return writers[fmt](m)


# "Kilbourne AM, Geng E, ..." or "Parchman ML, et al.": a family name, then initials.
_VANCOUVER = re.compile(r"\s*([^\W\d][\w'\u2019-]*(?: [^\W\d][\w'\u2019-]*)?) [A-Z]{1,3}\b")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _family(author: str) -> str:
    name = _csl_name(author)
    return name.get("family", name.get("literal", ""))


def short_reference(source: Source) -> str:
    """``Kilbourne et al. 2023``: the first author's family name and the year, from the
    structured fields or else read off a Vancouver-style citation; a citation in other words
    is abridged to its first words.

    >>> short_reference(Source("x", "Parchman ML, et al. Commentary. Perm J. 2023"))
    'Parchman et al. 2023'
    >>> short_reference(Source("y", "Article on facilitators' emotional labour and burnout"))
    "Article on facilitators' emotional labour…"
    """
    year = source.year
    if year is None:
        found = _YEAR.search(source.citation)
        year = int(found.group(1)) if found else None
    if _named(source):
        families = [_family(a) for a in _named(source)]
        who = (
            f"{families[0]} et al."
            if len(families) > 2 or _incomplete(source)
            else " and ".join(families)
        )
    else:
        match = _VANCOUVER.match(source.citation)
        if match is None:
            words = _one_line(source.citation).split()
            return " ".join(words[:5]) + ("…" if len(words) > 5 else "")
        rest = source.citation[match.end() :].split(". ")[0]
        who = f"{match.group(1)} et al." if "," in rest or "et al" in rest else match.group(1)
    return f"{who} {year}" if year else who


def sources_line(sources: Iterable[Source]) -> str:
    """``Sources: A et al. 2023; B 2022.``, or ``""`` when there are none."""
    shown = list(dict.fromkeys(short_reference(s) for s in sources))
    return f"Sources: {'; '.join(shown)}." if shown else ""
