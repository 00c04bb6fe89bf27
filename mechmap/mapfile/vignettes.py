"""Vignettes: study summaries that support or contradict arrows of maps.

A vignette library is a folder of vignette files. A map finds its library in a
``vignettes/`` folder inside or next to the map's folder (or where ``--vignettes`` says).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mechmap.diagnostics import Diagnostic, Location, error
from mechmap.mapfile.schema import VignetteSpec
from mechmap.mapfile.specs import validate_spec
from mechmap.mapfile.yamlsafe import parse, read_text

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Cite:
    """A vignette's statement about one arrow of one map."""

    vignette: str
    map: str
    stance: str  # "supports" or "contradicts"
    says: str
    arrow: str | None = None
    edge: str | None = None
    location: Location = field(default=Location("<memory>"), compare=False, repr=False)

    @property
    def names(self) -> str:
        return f"#{self.arrow}" if self.arrow is not None else str(self.edge)


@dataclass(frozen=True)
class Vignette:
    id: str
    title: str
    citation: str
    setting: str
    design: str
    cites: tuple[Cite, ...] = ()
    doi: str | None = None
    summary: str | None = None
    file: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Library:
    """Every vignette found in a folder, with the problems found reading them."""

    vignettes: tuple[Vignette, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    folder: str | None = None

    @property
    def ids(self) -> set[str]:
        return {v.id for v in self.vignettes}

    def cites_for(self, map_id: str) -> list[Cite]:
        return [c for v in self.vignettes for c in v.cites if c.map == map_id]


def parse_vignette(raw: bytes, file: str) -> tuple[Vignette | None, list[Diagnostic]]:
    """A vignette and the problems in its file.

    The vignette comes back whenever its shape is valid, leaving out entries that name no
    arrow, so that maps citing it still find it; the file is valid only without errors.
    """
    text, problems = read_text(raw, file)
    if text is None:
        return None, problems
    doc, problems = parse(text, file)
    if doc.data is None:
        return None, problems
    spec, more = validate_spec(doc, VignetteSpec, {"vignette": 1, "id": "vignette"})
    problems += more
    if spec is None:
        return None, problems
    cites = []
    for stance in ("supports", "contradicts"):
        for i, c in enumerate(getattr(spec, stance)):
            location = doc.locate((stance, i))
            number = doc.original((stance, i))[-1] + 1  # as the file counts them
            if (c.arrow is None) == (c.edge is None):
                problems.append(
                    error(
                        location,
                        f"{stance} entry {number}: name the arrow with "
                        "either 'arrow' or 'edge', not both or neither",
                    )
                )
                continue
            cites.append(
                Cite(
                    spec.id,
                    c.map,
                    stance,
                    c.says,
                    None if c.arrow is None else str(c.arrow),
                    c.edge,
                    location,
                )
            )
    vignette = Vignette(
        spec.id,
        spec.title,
        spec.citation,
        spec.setting,
        spec.design,
        tuple(cites),
        spec.doi,
        spec.summary,
        file,
    )
    return vignette, problems


def find_folder(near: Path, name: str) -> Path | None:
    """``name/`` inside the folder of ``near`` or beside it, if either exists."""
    base = near.parent
    for candidate in (base / name, Path(os.path.normpath(base / ".." / name))):
        if candidate.is_dir():
            return candidate
    return None


def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def load_library(folder: Path | None) -> Library:
    """Read every vignette in ``folder`` (an empty library when there is none)."""
    if folder is None:
        return Library()
    vignettes: list[Vignette] = []
    problems: list[Diagnostic] = []
    first_file: dict[str, str] = {}
    for path in yaml_files(folder):
        vignette, found = parse_vignette(path.read_bytes(), str(path))
        problems += found
        if vignette is None:
            continue
        if vignette.id in first_file:
            problems.append(
                error(
                    Location(str(path)),
                    f"duplicate vignette id '{vignette.id}' (also in {first_file[vignette.id]})",
                )
            )
            continue
        first_file[vignette.id] = str(path)
        vignettes.append(vignette)
    return Library(tuple(vignettes), tuple(problems), str(folder))
