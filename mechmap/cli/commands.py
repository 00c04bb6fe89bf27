"""Which module defines each ``mechmap`` command, so that a run imports only the one it uses.

``mechmap validate`` imports :mod:`mechmap.cli.maps` and nothing of the other command
modules; ``mechmap --help`` lists every command from this table (with the first paragraph
of its help) without importing any of them, or typer. A test checks the table against the
commands the modules define, so it cannot drift from them.

>>> [c.module for c in COMMANDS if c.name in ("validate", "test")]
['maps', 'testing']
>>> [(title, len(names)) for title, names in panels()][:3]
[('Commands', 12), ('Graph analysis', 6), ('Testing against data', 4)]
"""

from __future__ import annotations

from typing import NamedTuple

APP_HELP = (
    "Mechanism maps for implementation science: validate, show and analyse causal "
    "diagrams of how implementation strategies work."
)
VERSION_HELP = "Print the version"
# The app's own options, as --help lists them (typer adds its completion options after).
ROOT_OPTIONS = (("--version", VERSION_HELP),)

# The panel typer puts a command in when it names none.
DEFAULT_PANEL = "Commands"


class Command(NamedTuple):
    name: str
    module: str  # in mechmap.cli
    panel: str
    summary: str  # the first paragraph of the command's help, as --help lists it


_ANALYSIS = "Graph analysis"
_PLANNING = "Planning a study"
_DELPHI = "Expert panels (modified Delphi)"

# In the order --help lists them (within their panel).
COMMANDS: tuple[Command, ...] = (
    Command(
        "validate",
        "maps",
        DEFAULT_PANEL,
        "Check map and vignette files; report every problem as FILE:LINE:COL: message.",
    ),
    Command(
        "show",
        "maps",
        DEFAULT_PANEL,
        "Print a map: nodes by role and wave, arrows, provenance, evidence, hypotheses.",
    ),
    Command(
        "evidence",
        "maps",
        DEFAULT_PANEL,
        "Print the arrow x vignette evidence matrix and flag arrows with no evidence.",
    ),
    Command(
        "new",
        "maps",
        DEFAULT_PANEL,
        "Write a commented starter map (never overwrites an existing file).",
    ),
    Command(
        "schema",
        "maps",
        DEFAULT_PANEL,
        "Print the JSON Schema of map files (or vignette files) for editors and tools.",
    ),
    Command(
        "render",
        "diagrams",
        DEFAULT_PANEL,
        "Draw a map as SVG, PNG, PDF or DOT (format from the file name).",
    ),
    Command(
        "view",
        "diagrams",
        DEFAULT_PANEL,
        "Write an interactive HTML viewer of a map: one file that works offline.",
    ),
    Command(
        "teach",
        "diagrams",
        DEFAULT_PANEL,
        "Write 16:9 slides, one SVG and one PNG per teaching step (step-01.svg, ...), with\n"
        "outline.md and deck.pptx (one PowerPoint slide per step, with speaker notes).",
    ),
    Command(
        "export",
        "diagrams",
        DEFAULT_PANEL,
        "Write a map for other tools: Mermaid, DAGitty, DOT, GraphML or node-link JSON.",
    ),
    Command(
        "import",
        "diagrams",
        DEFAULT_PANEL,
        "Turn a DAGitty model (dag { ... }) into a map file, checked by loading it.",
    ),
    Command(
        "adjust",
        "analysis",
        _ANALYSIS,
        "Minimal sufficient adjustment sets for an effect (latent nodes never chosen).",
    ),
    Command(
        "dsep",
        "analysis",
        _ANALYSIS,
        "Are two sets of nodes d-separated given a third? If not, the open path.",
    ),
    Command(
        "paths",
        "analysis",
        _ANALYSIS,
        "Causal paths between two nodes, their mediators, ancestors and descendants; with\n"
        "--all every path with its open/blocked status given --given.",
    ),
    Command(
        "implications",
        "analysis",
        _ANALYSIS,
        "Conditional independencies the map implies among measured nodes: what data could\nrefute.",
    ),
    Command(
        "instruments",
        "analysis",
        _ANALYSIS,
        "Instruments and conditional instruments for an effect.",
    ),
    Command(
        "identify",
        "analysis",
        _ANALYSIS,
        "Is an effect identifiable with the map's latent nodes unmeasured? Back-door,\n"
        "front-door or the ID algorithm, with the estimand.",
    ),
    Command(
        "test",
        "testing",
        "Testing against data",
        "Test a hypothesised path against data: effects with cluster-bootstrap intervals,\n"
        "exact and permutation p-values, refutations, the map's implied independencies and\n"
        "Kazdin's mechanism-evidence checklist.",
    ),
    Command(
        "explain-change",
        "whatchanged",
        "Testing against data",
        "What changed between two data sets (waves, arms, early and late sites): the change in\n"
        "the outcome's mean attributed to the nodes whose mechanisms changed, with site-bootstrap\n"
        "intervals (Budhathoki et al. 2021, through DoWhy's gcm).",
    ),
    Command(
        "whatif",
        "whatchanged",
        "Testing against data",
        "The outcome's mean if some nodes were set to stated values (an intervention), from the\n"
        "map's mechanisms fitted on the data, with a site-bootstrap interval.",
    ),
    Command(
        "strength",
        "whatchanged",
        "Testing against data",
        "The strength of every measured arrow (and each node's intrinsic causal influence on an\n"
        "outcome), from the map's mechanisms fitted on the data, with site-bootstrap intervals.",
    ),
    Command(
        "power",
        "planning",
        _PLANNING,
        "Power of each link test and of the indirect, direct and total effects by number of\n"
        "sites, simulated from the map's effect sizes and analysed as 'mechmap test' analyses.",
    ),
    Command(
        "simulate",
        "planning",
        _PLANNING,
        "Write a synthetic study of the map (CSV tables and a measures file), drawn from its\n"
        "effect sizes, ready for 'mechmap test'.",
    ),
    Command(
        "serve",
        "preview",
        DEFAULT_PANEL,
        "Preview a map in the browser, redrawn at every save of the file.",
    ),
    Command(
        "cite",
        "sources",
        DEFAULT_PANEL,
        "Write the map's sources as references: BibTeX, RIS or CSL-JSON.",
    ),
    Command(
        "diff",
        "drafts",
        "Drafting",
        "What changed between two drafts of a map, and what follows for its analyses.",
    ),
    Command(
        "rate",
        "consensus",
        _DELPHI,
        "Write a rating form for one panelist: every arrow of the map, rated 1-9.",
    ),
    Command(
        "consensus",
        "consensus",
        _DELPHI,
        "Panel consensus per arrow and round: median, IPR, disagreement index, verdict.",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}


def panels() -> list[tuple[str, list[str]]]:
    """Command names by help panel, as typer lays them out: the default panel first, then
    the others in order of first appearance."""
    grouped: dict[str, list[str]] = {DEFAULT_PANEL: []}
    for c in COMMANDS:
        grouped.setdefault(c.panel, []).append(c.name)
    return list(grouped.items())


def import_command_module(name: str) -> None:
    """Import the module defining command ``name`` (which registers it on the typer app)."""
    # __import__, not importlib.import_module: only the former shows in -X importtime.
    __import__(f"mechmap.cli.{BY_NAME[name].module}")


def import_all() -> None:
    """Register every command (for tools that inspect the whole typer app)."""
    for c in COMMANDS:
        import_command_module(c.name)
