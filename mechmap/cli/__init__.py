"""The ``mechmap`` command: a thin shell over the Python API.

One module per family of commands, all registered on one typer app. Heavy libraries
(dowhy, pandas, scipy, networkx) are imported inside the commands that need them, never at
module level, so that ``--help``, ``validate``, ``show`` and ``render`` start fast.
"""

# Importing a module registers its commands; --help lists them in this order.
# isort: off
from mechmap.cli import maps  # noqa: F401
from mechmap.cli import diagrams  # noqa: F401
from mechmap.cli import analysis  # noqa: F401
from mechmap.cli import testing  # noqa: F401
from mechmap.cli import planning  # noqa: F401
from mechmap.cli import preview  # noqa: F401
from mechmap.cli import sources  # noqa: F401
from mechmap.cli import drafts  # noqa: F401
from mechmap.cli import consensus  # noqa: F401
from mechmap.cli import whatchanged  # noqa: F401

# isort: on
from mechmap.cli.app import app, main

__all__ = ["app", "main"]
