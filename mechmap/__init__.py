"""mechmap: mechanism maps for implementation science as data.

>>> import mechmap
>>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
>>> m.variables
('a', 'b')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Names are imported on first use so that `mechmap --help` does not pay for the loader's
# dependencies (pydantic builds its validators at import).
_EXPORTS = {
    "Diagnostic": "mechmap.diagnostics",
    "Location": "mechmap.diagnostics",
    "MapError": "mechmap.diagnostics",
    "load": "mechmap.mapfile.loader",
    "loads": "mechmap.mapfile.loader",
    "Edge": "mechmap.model",
    "Hypothesis": "mechmap.model",
    "Link": "mechmap.model",
    "Map": "mechmap.model",
    "Node": "mechmap.model",
    "Source": "mechmap.model",
    "Variable": "mechmap.model",
    "Wave": "mechmap.model",
    "test_path": "mechmap.mechanism.pipeline",
    "TestSetupError": "mechmap.mechanism.pipeline",
}
__all__ = [
    "Diagnostic",
    "Edge",
    "Hypothesis",
    "Link",
    "Location",
    "Map",
    "MapError",
    "Node",
    "Source",
    "TestSetupError",
    "Variable",
    "Wave",
    "load",
    "loads",
    "test_path",
]

if TYPE_CHECKING:
    from mechmap.diagnostics import Diagnostic, Location, MapError
    from mechmap.mapfile.loader import load, loads
    from mechmap.mechanism.pipeline import TestSetupError, test_path
    from mechmap.model import Edge, Hypothesis, Link, Map, Node, Source, Variable, Wave


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mechmap' has no attribute {name!r}")
    # __import__, not importlib.import_module: only the former shows in -X importtime.
    return getattr(__import__(_EXPORTS[name], fromlist=[name]), name)
