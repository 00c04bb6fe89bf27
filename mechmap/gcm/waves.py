"""Two waves of a map with time-indexed nodes as two data sets of one graph.

In a map whose nodes have ``waves``, each wave is part of the unrolled DAG: ``x@impl`` and
``x@sust`` are two variables. To ask which mechanisms changed from one wave to the next,
each wave's *slice* is taken: the copies at that wave, named by their node id, plus the
timeless nodes (no ``wave``), with the arrows among them. The two slices are one common
graph when they are the same graph once named by node id; then "before" is the slice read
from the rows of the first wave of a long table, "after" the slice read from the second, and
the same mechanisms are compared.

That is sound only when the map says the mechanisms *are* the same in both waves, so each
of these is refused with the reason:

- a node drawn at one wave only (``wave: impl``) sits in one slice: it was measured once, so
  there is nothing to compare;
- a node with different causes in the two slices: the map itself says its mechanism differs,
  and the attribution would only repeat that;
- an arrow into a slice from another wave (``carry``, ``lag``): one wave's rows do not hold
  the earlier value.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: panel
... title: P
... waves: {w1: One, w2: Two}
... nodes: {x: {waves: [w1, w2]}, y: {waves: [w1, w2]}, c: {}}
... edges: [x -> y, c -> y]
... ''')
>>> sorted(common_graph(m, "w1", "w2").edges)
[('c', 'y'), ('x', 'y')]
>>> wave_variables(m, "w2")
('x@w2', 'y@w2', 'c')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mechmap.gcm.model import GcmSetupError
from mechmap.model import Map

if TYPE_CHECKING:
    import networkx as nx


def time_indexed(m: Map) -> bool:
    """Whether the map has a node with several waves (``waves: [...]``)."""
    return any(n.waves for n in m.nodes)


def wave_variables(m: Map, wave: str) -> tuple[str, ...]:
    """The variables of ``wave``'s slice: the copies at that wave, the timeless nodes, and
    the nodes drawn at that wave only."""
    from mechmap.diagnostics import did_you_mean

    if wave not in m.wave_index:
        raise GcmSetupError(
            f"'{wave}' is not a wave of the map{did_you_mean(wave, m.wave_index)}; "
            f"its waves: {', '.join(m.wave_index)}"
        )
    return tuple(v for v, info in m.variable_info.items() if info.wave in (None, wave))


def wave_graph(m: Map, wave: str) -> nx.DiGraph:
    """``wave``'s slice of the unrolled map, each variable named by its node id; an arrow
    into the slice from another wave raises :class:`GcmSetupError`."""
    import networkx as nx

    keep = set(wave_variables(m, wave))
    unrolled = m.to_networkx()
    for cause, effect in unrolled.edges:
        if effect in keep and cause not in keep:
            raise GcmSetupError(
                f"{cause} -> {effect} reaches the {wave} wave from another wave (a carry or "
                "lag): one wave's rows do not hold the earlier value, so the waves cannot be "
                "compared as data sets of one graph; compare --before and --after files "
                "holding every copy instead"
            )
    graph = nx.DiGraph()
    graph.add_nodes_from(v.partition("@")[0] for v in keep)
    graph.add_edges_from(
        (a.partition("@")[0], b.partition("@")[0]) for a, b in unrolled.subgraph(keep).edges
    )
    return graph


def common_graph(m: Map, before: str, after: str) -> nx.DiGraph:
    """The one graph both waves' slices are (see the module docstring), or a
    :class:`GcmSetupError` saying how they differ."""
    slices = {w: {v.partition("@")[0]: v for v in wave_variables(m, w)} for w in (before, after)}
    once = [
        v
        for w in (before, after)
        for n, v in slices[w].items()
        if n not in slices[after if w == before else before]
    ]
    if once:
        shown = ", ".join(once[:4])
        raise GcmSetupError(
            f"{len(once)} node(s) are drawn at one of the two waves only ({shown}"
            f"{', ...' if len(once) > 4 else ''}): measured once, they have no {before} and "
            f"{after} values to compare; give them 'waves: [{before}, {after}]' if they were "
            "measured at both"
        )
    old, new = wave_graph(m, before), wave_graph(m, after)
    for node in old:
        causes_old, causes_new = set(old.predecessors(node)), set(new.predecessors(node))
        if causes_old != causes_new:
            raise GcmSetupError(
                f"{node} has causes {_names(causes_old)} at {before} but {_names(causes_new)} "
                f"at {after}: the map gives it a different mechanism in each wave, so there "
                "is no one mechanism to compare"
            )
    return old


def wave_question(m: Map, before: str, after: str, measured: set[str], outcome: str) -> nx.DiGraph:
    """The measured graph of ``outcome`` (a node id) in the waves' common graph: its
    ancestors, nodes without data removed by latent projection."""
    from mechmap.diagnostics import did_you_mean
    from mechmap.gcm.model import project

    full = common_graph(m, before, after)
    node_id = outcome.partition("@")[0]
    if node_id not in full:
        raise GcmSetupError(
            f"--outcome '{outcome}' is not a node of the waves' graph"
            f"{did_you_mean(outcome, list(full))}"
        )
    if outcome != node_id:
        raise GcmSetupError(
            f"--outcome {outcome}: compared across waves, a node is named without its wave "
            f"('{node_id}')"
        )
    if m.node_by_id[node_id].latent:
        raise GcmSetupError(f"--outcome {outcome} is latent: there are no data to explain")
    if outcome not in measured:
        raise GcmSetupError(f"--outcome {outcome} has no data at the waves compared")
    latent = {n.id for n in m.nodes if n.latent}
    return project(full, measured, latent, outcome)


def _names(nodes: set[str]) -> str:
    return ", ".join(sorted(nodes)) or "none"
