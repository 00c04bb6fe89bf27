"""What reproduces a path test: the equivalent ``mechmap test`` command and the inputs' hashes.

The command is rebuilt from :func:`~mechmap.mechanism.pipeline.test_path`'s arguments in one
canonical form (every option spelled out, paths relative to the working directory when they
lie inside it), so the library and the command line write the same string for the same test,
whatever order or spelling the user typed. Each piece is quoted with :func:`shlex.quote`; the
string is for people to copy, and nothing here ever hands it to a shell.

>>> canonical_command(("maps/m.yaml",), {"--data": ["a b.csv"], "--seed": 0})
"mechmap test maps/m.yaml --data 'a b.csv' --seed 0"
"""

from __future__ import annotations

import datetime
import hashlib
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from mechmap.model import Map, Measures

FRAME = "<data frame {}>"  # how a pandas DataFrame, which has no path, is named


def is_frame(source: object) -> bool:
    """Whether ``source`` is a pandas DataFrame, without importing pandas (0.3 s) for a run
    on files: a caller that made a data frame has imported pandas already."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(source, pandas.DataFrame)


@dataclass(frozen=True)
class Reproduction:
    """The command, version, seed and date of a test, and the sha256 of every input file."""

    command: str
    mechmap_version: str
    seed: int
    date: str  # ISO yyyy-mm-dd
    map: tuple[str, str | None]  # (path, sha256); no hash for a map that was never a file
    data: tuple[tuple[str, str], ...]  # (path, sha256) of each data file or data frame
    measures: tuple[str, str] | None = None  # a measures file given apart from the map

    def as_dict(self) -> dict[str, object]:
        return {
            "command": self.command,
            "mechmap_version": self.mechmap_version,
            "seed": self.seed,
            "date": self.date,
            "map": {"path": self.map[0], "sha256": self.map[1]},
            "data": [{"path": path, "sha256": digest} for path, digest in self.data],
            "measures": (
                {"path": self.measures[0], "sha256": self.measures[1]} if self.measures else None
            ),
        }


def shown_path(path: str | Path) -> str:
    """A file as the command names it: relative to the working directory when inside it
    (so ``maps/m.yaml`` and ``/abs/.../maps/m.yaml`` are one file), else absolute."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def sha256_file(path: str | Path) -> str:
    """The file's sha256, read in blocks: a data file of gigabytes is never in memory whole."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def sha256_frame(frame: pd.DataFrame) -> str:
    """The hash of a data frame's CSV text (without its index): what it would be as a file."""
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()


def canonical_command(arguments: Sequence[str], options: Mapping[str, object]) -> str:
    """``mechmap test`` with its positional ``arguments`` and ``options`` in the given order;
    a list value repeats its option, ``None`` leaves it out."""
    words = ["mechmap", "test", *arguments]
    for option, value in options.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                words += [option, str(item)]
    return shlex.join(words)


def reproduction(
    m: Map,
    map_source: str | Path | None,
    data: Sequence[str | Path | pd.DataFrame],
    *,
    hypothesis: str | None,
    paths: Sequence[str],
    measures: Measures | str | Path | None,
    query: str | None,
    level: str,
    missing: str,
    n_resamples: int,
    seed: int,
    refutations: bool,
    falsification: bool,
) -> Reproduction:
    """The :class:`Reproduction` of a ``test_path`` call with these arguments.

    ``map_source`` is the map's file when one was given, else the file the map was loaded
    from (``m.file``) if it still exists.
    """
    import mechmap

    source = map_source if map_source is not None else m.file
    if source is not None and Path(source).is_file():
        map_entry: tuple[str, str | None] = (shown_path(source), sha256_file(source))
    else:
        map_entry = ("<map object>", None)
    data_entries: list[tuple[str, str]] = []
    frames = 0
    for item in data:
        if is_frame(item):
            frames += 1
            data_entries.append((FRAME.format(frames), sha256_frame(item)))
        else:
            data_entries.append((shown_path(item), sha256_file(item)))
    measures_entry = None
    if isinstance(measures, str | Path):
        measures_entry = (shown_path(measures), sha256_file(measures))
    command = canonical_command(
        (map_entry[0],),
        {
            "--data": [path for path, _ in data_entries],
            "--measures": measures_entry[0] if measures_entry else None,
            "--query": query,
            "--hypothesis": hypothesis,
            "--path": list(paths),
            "--level": level,
            "--missing": missing,
            "--resamples": n_resamples,
            "--seed": seed,
        },
    )
    # The command line has no switch for these; say so rather than print a command that
    # would run more than the library did.
    ran = {"refutations": refutations, "falsification": falsification}
    skipped = [name for name, done in ran.items() if not done]
    if skipped:
        command += "  # the library ran this without " + " and ".join(skipped)
    return Reproduction(
        command=command,
        mechmap_version=mechmap.__version__,
        seed=seed,
        date=datetime.date.today().isoformat(),
        map=map_entry,
        data=tuple(data_entries),
        measures=measures_entry,
    )
