"""mechmap: mechanism maps for implementation science as data.

>>> import mechmap
>>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
>>> m.variables
('a', 'b')
"""

from mechmap.diagnostics import Diagnostic, Location, MapError
from mechmap.loader import load, loads
from mechmap.model import Edge, Hypothesis, Link, Map, Node, Source, Variable, Wave

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
    "Variable",
    "Wave",
    "load",
    "loads",
]
__version__ = "0.1.0"
