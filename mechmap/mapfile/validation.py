"""Checking files as ``mechmap validate`` does: a map with its vignettes, or a vignette.

A map is checked together with its vignette library (evidence ids must match a vignette,
vignette entries must name arrows the map has); a vignette file is checked against the
maps it cites, found in a ``maps/`` folder inside or beside the vignette's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error, has_errors
from mechmap.mapfile.evidence import check_evidence
from mechmap.mapfile.loader import parse_map
from mechmap.mapfile.vignettes import (
    Library,
    Vignette,
    find_folder,
    load_library,
    parse_vignette,
    yaml_files,
)
from mechmap.model import Map

_VIGNETTE_FILE = re.compile(rb"^vignette\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one file: what it became (if valid) and what was found."""

    file: str
    kind: str  # "map" or "vignette"
    problems: tuple[Diagnostic, ...]
    map: Map | None = None
    vignette: Vignette | None = None
    library: Library = field(default_factory=Library)

    @property
    def valid(self) -> bool:
        return not has_errors(self.problems)


def check_file(path: Path, vignettes: Path | None = None) -> Checked:
    """Check a map or vignette file; ``vignettes`` overrides where a map's library is."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Checked(
            str(path), "map", (error(Location(str(path)), f"cannot read file: {exc.strerror}"),)
        )
    if _VIGNETTE_FILE.search(raw):
        return _check_vignette(raw, path)
    return check_map_file(raw, path, vignettes)


def check_map_file(raw: bytes, path: Path, vignettes: Path | None = None) -> Checked:
    library = load_library(vignettes or find_folder(path, "vignettes"))
    m, problems = parse_map(raw, str(path), library.ids)
    if m is not None:
        problems += check_evidence(m, library)
        cited = {c.vignette for c in library.cites_for(m.id)}
        cited |= {v for e in m.edges for v in e.evidence}
        # A problem inside a vignette file matters here when this map relies on that
        # vignette, or when the file could not be read as a vignette at all.
        readable = {v.file: v.id for v in library.vignettes}
        problems += [d for d in library.problems if readable.get(d.location.file) in cited | {None}]
    valid_map = m if not has_errors(problems) else None
    return Checked(str(path), "map", tuple(problems), map=valid_map, library=library)


def _check_vignette(raw: bytes, path: Path) -> Checked:
    vignette, problems = parse_vignette(raw, str(path))
    if vignette is None:
        return Checked(str(path), "vignette", tuple(problems))
    maps = _maps_by_id(find_folder(path, "maps"))
    alone = Library((vignette,))
    for map_id in dict.fromkeys(c.map for c in vignette.cites):
        if map_id not in maps:
            first = next(c for c in vignette.cites if c.map == map_id)
            known = ", ".join(sorted(maps)) or "none found in a maps/ folder nearby"
            hint = did_you_mean(map_id, maps)
            problems.append(
                error(first.location, f"no map with id '{map_id}'{hint} (maps: {known})")
            )
            continue
        problems += check_evidence(maps[map_id], alone)
    valid = vignette if not has_errors(problems) else None
    return Checked(
        str(path),
        "vignette",
        tuple(sorted(problems, key=lambda d: d.location)),
        vignette=valid,
        library=alone,
    )


def _maps_by_id(folder: Path | None) -> dict[str, Map]:
    maps: dict[str, Map] = {}
    for path in yaml_files(folder) if folder else []:
        m, _ = parse_map(path.read_bytes(), str(path))
        if m is not None:
            maps[m.id] = m
    return maps
