"""A map into a DAGitty model: :func:`to_dagitty` writes the time-unrolled DAG, variables as
names, roles as flags, imported ``<->`` confounders as ``<->`` again, and positions.
"""

from __future__ import annotations

from mechmap.diagrams.dagitty.names import (
    BIDIRECTED_TAG,
    POINTS_PER_UNIT,
    TAGGED_FLAGS,
    tags,
    unique,
)
from mechmap.diagrams.dagitty.syntax import RESERVED, bare_or_quoted, quoted
from mechmap.model import OUTCOME_ROLES, STRATEGY_ROLES, Map, Variable


def _export_names(m: Map) -> dict[str, str]:
    taken = set(m.variable_info)
    return {v: unique(f"{v}_", taken) if v in RESERVED else v for v in m.variable_info}


def bidirected(m: Map) -> dict[str, tuple[str, str]]:
    """Latent confounders that an import made from ``a <-> b``, with their two children."""
    found = {}
    for name, info in m.variable_info.items():
        node, children = info.node, m.children[name]
        if (
            node.latent
            and node.role == "confounder"
            and BIDIRECTED_TAG in tags(node.description)
            and not m.parents[name]
            and len(children) == 2
        ):
            found[name] = (children[0], children[1])
    return found


def _flags(info: Variable) -> list[str]:
    node = info.node
    flags = []
    if node.role in STRATEGY_ROLES:
        flags.append("exposure")
    elif node.role in OUTCOME_ROLES:
        flags.append("outcome")
    if node.latent:
        flags.append("latent")
    return flags + [f for f in TAGGED_FLAGS if f in tags(node.description)]


def _label(m: Map, info: Variable) -> str | None:
    node = info.node
    if node.label == node.id:
        return None
    if node.waves:
        wave_label = next(w.label for w in m.waves if w.id == info.wave)
        return f"{node.label} ({wave_label})"
    return node.label


def _layout(m: Map) -> dict[str, tuple[float, float]]:
    """DAGitty positions: a variable's pinned ``pos`` (its own or its node's, see the map's
    ``layout`` block), else where the diagram layout puts it, y flipped to point down from
    the topmost node as DAGitty has it; only the pinned ones when no layout engine runs."""
    where = {}
    for variable in m.variable_info:
        placement = m.placement(variable)
        if placement is not None and placement.pos is not None:
            where[variable] = placement.pos
    if len(where) < len(m.variable_info):
        from mechmap.diagrams.render import RendererMissing, layout_positions

        try:
            points = layout_positions(m)
        except RendererMissing:
            points = {}
        top = max((y for _, y in points.values()), default=0.0)
        for variable, (x, y) in points.items():
            where.setdefault(variable, (x, top - y))
    return {v: (x / POINTS_PER_UNIT, y / POINTS_PER_UNIT) for v, (x, y) in where.items()}


def to_dagitty(m: Map, positions: bool = True) -> str:
    """The map's unrolled DAG as a DAGitty model: variables as names, roles as flags,
    imported ``<->`` confounders as ``<->`` again, and as ``pos`` the pinned positions of the
    map's ``layout`` block (points / :data:`POINTS_PER_UNIT`), else the diagram's layout
    (``positions=False`` writes no ``pos`` and skips the layout run).

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {role: strategy}, "
    ...     "b: {waves: [t]}}\\nwaves: {t: T}\\nedges: [a -> b@t]")
    >>> print(to_dagitty(m, positions=False))
    dag {
    a [exposure]
    "b@t"
    a -> "b@t"
    }
    <BLANKLINE>
    """
    names = _export_names(m)
    confounders = bidirected(m)
    where = _layout(m) if positions else {}
    lines = ["dag {"]
    for variable, info in m.variable_info.items():
        if variable in confounders:
            continue
        attributes = _flags(info)
        if variable in where:
            attributes.append('pos="{:.3f},{:.3f}"'.format(*where[variable]))
        label = _label(m, info)
        if label is not None:
            attributes.append(f"label={quoted(label)}")
        listed = f" [{','.join(attributes)}]" if attributes else ""
        lines.append(bare_or_quoted(names[variable]) + listed)
    for link in m.links:
        if link.source not in confounders:
            lines.append(
                f"{bare_or_quoted(names[link.source])} -> {bare_or_quoted(names[link.target])}"
            )
        elif link.target == confounders[link.source][0]:
            a, b = confounders[link.source]
            lines.append(f"{bare_or_quoted(names[a])} <-> {bare_or_quoted(names[b])}")
    lines.append("}")
    return "\n".join(lines) + "\n"
