"""Node names: what people type for a vertex of the unrolled DAG, and what it stands for.

A map's analyses run on its time-unrolled DAG, whose vertices (*variables*) are a node's
plain id, or ``id@wave`` for each copy of a node that has ``waves``. People type a node's
id, ``id@wave``, or a slip of either. :class:`NodeNames` turns what they type into the
variable, or into one message that says what is wrong and what to write instead:

- an unknown node: ``unknown node 'wia' (did you mean 'wai'?)``;
- a node with a copy per wave, named without ``@wave``: ``'screening' has a copy per
  wave; name one: screening@base, screening@impl, screening@sust``;
- an unknown wave: ``unknown wave 'sst' of screening (did you mean 'sust'?); its copies:
  ...``, or a wave the map has but the node has no copy at;
- a wave on a node that exists at one wave only, or at none: ``'fidelity' exists only at
  wave 'impl'; name it 'fidelity'``.

A node with a single copy may be named plainly. The same resolver serves a map
(:attr:`mechmap.model.Map.names`) and any networkx graph (:meth:`NodeNames.of_graph`; a graph
made by :meth:`~mechmap.model.Map.to_networkx` carries each vertex's node and wave), so the
command line and the Python analyses word a wrong name alike.

>>> names = NodeNames(
...     [("screening@base", "screening", "base"), ("screening@sust", "screening", "sust"),
...      ("fidelity", "fidelity", "base"), ("capacity", "capacity", None)]
... )
>>> names.resolve("screening@sust"), names.resolve("fidelity@base")
('screening@sust', 'fidelity')
>>> names.resolve("screening@sst")  # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
ValueError: unknown wave 'sst' of screening (did you mean 'sust'?); its copies: ...
>>> names.resolve("screening")
Traceback (most recent call last):
  ...
ValueError: 'screening' has a copy per wave; name one: screening@base, screening@sust
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from mechmap.diagnostics import did_you_mean

if TYPE_CHECKING:
    import networkx as nx

    from mechmap.model import Map


class NodeNames:
    """The variables of a DAG grouped by the node they are a copy of.

    ``variables``: ``(variable, node id, wave)`` for every vertex; the wave is ``None`` for a
    timeless node. ``waves``: every wave of the map (default: those the variables name), to
    tell a wave that does not exist from one the node has no copy at.
    """

    def __init__(
        self,
        variables: Iterable[tuple[str, str, str | None]],
        waves: Collection[str] | None = None,
    ):
        self._wave_of: dict[str, str | None] = {}
        self._copies: dict[str, list[str]] = {}  # node id -> its variables, in order
        for variable, node, wave in variables:
            self._wave_of[variable] = wave
            self._copies.setdefault(node, []).append(variable)
        self._waves = set(waves) if waves is not None else {w for w in self._wave_of.values() if w}

    @classmethod
    def of_map(cls, m: Map) -> NodeNames:
        return cls(
            ((v, info.node.id, info.wave) for v, info in m.variable_info.items()),
            m.wave_index,
        )

    @classmethod
    def of_graph(cls, graph: nx.DiGraph) -> NodeNames:
        """The names of a graph's vertices: by the ``concept`` and ``wave`` attributes that
        :meth:`~mechmap.model.Map.to_networkx` sets, else each vertex is its own node."""
        return cls(
            (str(v), str(data.get("concept", v)), data.get("wave"))
            for v, data in graph.nodes(data=True)
        )

    def resolve(self, name: str) -> str:
        """The variable ``name`` stands for; ``ValueError`` saying what to write if none."""
        name = name.strip()
        if name in self._wave_of:
            return name
        node, at, wave = name.partition("@")
        copies = self._copies.get(node)
        if copies is None:
            raise ValueError(f"unknown node '{name}'{did_you_mean(name, self._suggestions)}")
        if not at:  # a node with waves, named plainly
            if len(copies) == 1:
                return copies[0]
            raise ValueError(f"'{node}' has a copy per wave; name one: {', '.join(copies)}")
        if copies != [node]:  # a node with waves, and a wave it has no copy at
            if wave in self._waves:
                where = f"{node} has no copy at wave '{wave}'"
            else:
                own = [self._wave_of[v] for v in copies]
                where = f"unknown wave '{wave}' of {node}{did_you_mean(wave, own)}"
            raise ValueError(f"{where}; its copies: {', '.join(copies)}")
        only = self._wave_of[node]
        if only is None:
            raise ValueError(f"'{node}' has no waves; name it '{node}'")
        if wave == only:
            return node
        raise ValueError(f"'{node}' exists only at wave '{only}'; name it '{node}'")

    def require(self, name: str, what: str = "") -> None:
        """``ValueError`` (starting with ``what`` it is, e.g. ``exposure``, if given) unless
        ``name`` is a variable as it is: for analyses, which take variables, not what people
        type."""
        if name in self._wave_of:
            return
        said = f"{what}: " if what else ""
        try:
            meant = self.resolve(name)
        except ValueError as exc:
            raise ValueError(f"{said}{exc}") from None
        raise ValueError(f"{said}'{name}' is not a variable; write '{meant}'")

    @property
    def _suggestions(self) -> list[str]:
        return [*self._copies, *(v for v in self._wave_of if v not in self._copies)]
