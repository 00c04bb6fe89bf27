"""DAGitty models in and out.

:func:`parse_dagitty` reads a model in DAGitty's syntax (``dag { ... }``) into plain data in the
map file format, every problem located at its line and column; :func:`import_dagitty` turns
that data into map file text and checks it by loading it; :func:`to_dagitty` writes a map's
time-unrolled DAG as a DAGitty model. How names, roles and bidirected edges cross over is
written down in ``docs/map-format.md`` ("Exports and DAGitty import").

The package reads and writes DAGitty's syntax in :mod:`.syntax`, maps its names, flags and
positions in :mod:`.names`, and converts in :mod:`.importer` and :mod:`.exporter`.

>>> data, problems = parse_dagitty('dag { X [exposure] Y [outcome] X -> Y }')
>>> data["nodes"]
{'X': {'role': 'strategy'}, 'Y': {'role': 'implementation_outcome'}}
>>> data["edges"], problems
(['X -> Y'], [])
"""

from mechmap.diagrams.dagitty.exporter import bidirected, to_dagitty
from mechmap.diagrams.dagitty.importer import dump_data, import_dagitty, parse_dagitty
from mechmap.diagrams.dagitty.names import (
    BIDIRECTED_TAG,
    POINTS_PER_UNIT,
    TAGGED_FLAGS,
    slug,
    tags,
)
from mechmap.diagrams.dagitty.syntax import GRAPH_TYPES

__all__ = [
    "BIDIRECTED_TAG",
    "GRAPH_TYPES",
    "POINTS_PER_UNIT",
    "TAGGED_FLAGS",
    "bidirected",
    "dump_data",
    "import_dagitty",
    "parse_dagitty",
    "slug",
    "tags",
    "to_dagitty",
]
