"""The ``mechmap`` command: a thin shell over the Python API.

One module per family of commands, all registered on one typer app
(:mod:`mechmap.cli.app`); :mod:`mechmap.cli.commands` says which module defines which
command, so that a run imports only the module of the command it runs. Heavy libraries
(dowhy, pandas, scipy, networkx) are imported inside the commands that need them, never at
module level, so that ``--help``, ``validate``, ``show`` and ``render`` start fast.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Console entry point. ``mechmap`` and ``mechmap --help`` print the command list
    without importing typer (:mod:`mechmap.cli.overview`); everything else goes to typer."""
    # Shell completion runs the bare command with this variable set: that is typer's.
    if sys.argv[1:] in ([], ["--help"]) and "_MECHMAP_COMPLETE" not in os.environ:
        from mechmap.cli.overview import print_overview

        print_overview()
        if len(sys.argv) == 1:  # no command: as typer, the help and a usage error
            sys.exit(2)
        print()  # typer's --help ends with the empty line click echoes after rich printed
        sys.exit(0)
    from mechmap.cli.app import main as run

    run()


__all__ = ["main"]
