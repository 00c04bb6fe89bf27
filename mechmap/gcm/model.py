"""A map as DoWhy's graphical causal model: the measured graph, its data, fitted mechanisms.

DoWhy's ``gcm`` needs every node of its graph observed. :func:`measured_graph` therefore
takes the part of the map that matters (the outcome's ancestors, or the whole map) and
removes each node without data by the *latent projection*: a latent or unmeasured node with
at most one child is absorbed into that child's mechanism (its causes become the child's
causes, its noise part of the child's noise), which changes no distribution among the
nodes kept. A node without data that causes two or more kept nodes is a hidden common cause:
no DAG over the measured nodes represents it, and :class:`GcmSetupError` names it.

>>> import mechmap
>>> m = mechmap.loads('''
... mechmap: 1
... id: m
... title: M
... nodes: {x: {}, u: {latent: true}, y: {}, z: {}}
... edges: [x -> u -> y, z -> y]
... ''')
>>> sorted(measured_graph(m, {"x", "y", "z"}, outcome="y").edges)
[('x', 'y'), ('z', 'y')]
>>> m2 = mechmap.loads('''
... mechmap: 1
... id: m
... title: M
... nodes: {u: {latent: true}, x: {}, y: {}}
... edges: [u -> x, u -> y, x -> y]
... ''')
>>> try:
...     measured_graph(m2, {"x", "y"}, outcome="y")
... except GcmSetupError as exc:
...     print(str(exc).split(":")[0])
u is latent and a common cause of x and y

Sites are the units: respondent answers are averaged to sites as ``mechmap test`` does
(:func:`mechmap.data.bind` at level ``site``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mechmap.model import Map, Measure, Measures

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from mechmap.data import AnalysisData

MECHANISMS = ("auto", "linear")


class GcmSetupError(ValueError):
    """The question cannot be put to DoWhy's gcm as asked; the message says why and what to do."""


@dataclasses.dataclass(frozen=True, eq=False)
class SiteData:
    """The measured nodes of a map at one row per site, as a pandas frame named by variable,
    with how they were bound (n, level, dropped sites, respondents aggregated)."""

    frame: pd.DataFrame
    bound: AnalysisData

    @property
    def n_sites(self) -> int:
        return len(self.frame)

    @property
    def level(self) -> str:
        """Words for the unit of analysis, e.g. 'sites (respondents averaged to sites)'."""
        return "sites (respondents averaged to sites)" if self.bound.aggregation else "sites"


def at_wave(m: Map, measures: Measures | None, wave: str) -> Measures:
    """``measures`` reading every node of a map *without* time-indexed nodes from the rows of
    one wave of a long table (the rows whose wave column says ``wave``): two waves become two
    data sets of the same nodes. (A map with time-indexed nodes reads each copy from its own
    wave's rows already; see :mod:`mechmap.gcm.waves`.)"""
    measures = measures or Measures()
    if measures.wave is None:
        raise GcmSetupError(
            f"a wave ('{wave}') selects rows by the measures' wave column, and none is named: "
            "add 'wave: COLUMN' to the measures"
        )
    given = measures.by_variable
    nodes = tuple(
        dataclasses.replace(given.get(v, Measure(v)), wave=wave)
        for v, info in m.variable_info.items()
        if not info.node.latent
    )
    return dataclasses.replace(measures, nodes=nodes)


def site_data(
    m: Map,
    data: Any,
    measures: Measures | str | Path | None = None,
    *,
    wave: str | None = None,
    missing: str = "drop",
) -> SiteData:
    """Every measured node of ``m`` from ``data`` (files or data frames, as
    :func:`mechmap.test_path` takes), one row per site. ``wave`` keeps the rows of one wave
    of a long table: for a map without time-indexed nodes every node is read there
    (:func:`at_wave`); for a map with them, the copies at that wave and the timeless nodes,
    named by node id (:func:`mechmap.gcm.waves.wave_variables`). Sites missing a value are
    dropped (listed in ``bound.dropped``) unless ``missing="error"``."""
    import pandas as pd

    from mechmap.data import bind, bindable_variables
    from mechmap.gcm.waves import time_indexed, wave_variables
    from mechmap.mechanism.pipeline import measures_of, read_data

    bound_measures = measures_of(m, measures)
    wanted = list(m.variables)
    if wave is not None and time_indexed(m):
        wanted = list(wave_variables(m, wave))
        if bound_measures is None or bound_measures.wave is None:
            raise GcmSetupError(
                f"a wave ('{wave}') selects rows by the measures' wave column, and none is "
                "named: add 'wave: COLUMN' to the measures"
            )
    elif wave is not None:
        bound_measures = at_wave(m, bound_measures, wave)
    tables = read_data(data)
    measured = bindable_variables(m, bound_measures, tables)
    if not measured:
        raise GcmSetupError(
            "no node of the map has data: name columns after the nodes, or bind them with "
            "--measures (see docs/map-format.md, 'measures')"
        )
    variables = [v for v in wanted if v in measured]
    bound = bind(m, bound_measures, tables, variables, level="site", missing=missing)
    for table in tables:  # everything is read: free DuckDB's memory before the fits
        table.database.close()
    names = [c.partition("@")[0] if wave is not None else c for c in bound.columns]
    frame = pd.DataFrame(bound.values, columns=names, index=list(bound.site_ids))
    return SiteData(frame, bound)


def measured_graph(m: Map, measured: Collection[str], outcome: str | None = None) -> nx.DiGraph:
    """The DAG over the ``measured`` variables (the ``outcome``'s ancestors and itself, or the
    whole map), nodes without data removed by latent projection (see the module docstring)."""
    import networkx as nx

    full = nx.DiGraph(m.to_networkx().edges)
    full.add_nodes_from(m.variables)
    if outcome is not None:
        check_outcome(m, measured, outcome)
    return project(full, measured, m.latent_variables, outcome)


def project(
    full: nx.DiGraph, measured: Collection[str], latent: Collection[str], outcome: str | None
) -> nx.DiGraph:
    """``full`` cut to the ``outcome``'s ancestors (if given), each node not ``measured``
    removed by latent projection; a hidden common cause raises :class:`GcmSetupError`."""
    import networkx as nx

    if outcome is not None:
        full = nx.DiGraph(full.subgraph(nx.ancestors(full, outcome) | {outcome}))
    else:
        full = nx.DiGraph(full)
    for node in list(nx.topological_sort(full)):
        if node in measured:
            continue
        causes, effects = list(full.predecessors(node)), list(full.successors(node))
        if len(effects) > 1:
            why = "latent" if node in latent else "not measured (no data)"
            raise GcmSetupError(
                f"{node} is {why} and a common cause of {' and '.join(effects[:2])}: DoWhy's "
                "gcm needs every node observed, and no graph of the measured nodes represents "
                f"a hidden common cause; measure {node}, or ask about an outcome it does not "
                "confound"
            )
        full.remove_node(node)
        full.add_edges_from((cause, child) for cause in causes for child in effects)
    return full


def check_outcome(m: Map, measured: Collection[str], outcome: str) -> None:
    """A one-line :class:`GcmSetupError` for an outcome that is unknown, latent or has no data."""
    from mechmap.diagnostics import did_you_mean

    if outcome not in m.variable_info:
        raise GcmSetupError(
            f"--outcome '{outcome}' is not a variable of the map"
            f"{did_you_mean(outcome, m.variables)}"
        )
    if m.variable_info[outcome].node.latent:
        raise GcmSetupError(f"--outcome {outcome} is latent: there are no data to explain")
    if outcome not in measured:
        raise GcmSetupError(
            f"--outcome {outcome} has no data: add a column of that name or a measure binding it"
        )


def minimum_sites(graph: nx.DiGraph) -> int:
    """The fewest sites that fit every mechanism: a regression on k causes needs k + 3 sites
    for a residual with some spread (and at least 5 sites in any case)."""
    most = max((graph.in_degree(v) for v in graph), default=0)
    return max(5, most + 3)


def require_sites(graph: nx.DiGraph, data: SiteData, name: str) -> None:
    need = minimum_sites(graph)
    if data.n_sites < need:
        raise GcmSetupError(
            f"{name} has {data.n_sites} complete site(s); fitting this map's mechanisms needs at "
            f"least {need} (a node with {need - 3} cause(s) is regressed on them)"
        )


def fit_scm(graph: nx.DiGraph, frame: pd.DataFrame, mechanisms: str = "linear"):
    """A fitted ``gcm.InvertibleStructuralCausalModel`` on ``graph`` (copied: DoWhy keeps the
    mechanisms on the graph's nodes, so two models sharing a graph overwrite each other).
    ``mechanisms``: ``linear`` (empirical distributions at the roots, linear additive-noise
    models elsewhere) or ``auto`` (``gcm.auto.assign_causal_mechanisms``, quality GOOD)."""
    import networkx as nx
    from dowhy import gcm

    if mechanisms not in MECHANISMS:
        raise GcmSetupError(f"mechanisms is one of {', '.join(MECHANISMS)}, not {mechanisms!r}")
    scm = gcm.InvertibleStructuralCausalModel(nx.DiGraph(graph))
    data = frame[list(graph.nodes)]
    if mechanisms == "linear":
        for node in graph.nodes:
            if graph.in_degree(node) == 0:
                scm.set_causal_mechanism(node, gcm.EmpiricalDistribution())
            else:
                scm.set_causal_mechanism(
                    node, gcm.AdditiveNoiseModel(gcm.ml.create_linear_regressor())
                )
    else:
        gcm.auto.assign_causal_mechanisms(scm, data, quality=gcm.auto.AssignmentQuality.GOOD)
    gcm.fit(scm, data)
    return scm


def quiet_gcm(seed: int | None = None):
    """DoWhy's gcm without progress bars or warnings, one process (joblib workers cost more
    than they save at site-level sizes), and (with ``seed``) its global generators seeded."""
    import warnings
    from contextlib import contextmanager

    @contextmanager
    def quiet():
        from dowhy.gcm import config
        from dowhy.gcm.util.general import set_random_seed

        jobs = config.default_n_jobs
        config.disable_progress_bars()
        config.default_n_jobs = 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if seed is not None:
                set_random_seed(seed)
            try:
                yield
            finally:
                config.default_n_jobs = jobs

    return quiet()


def to_gcm(
    m: Map,
    data: Any,
    *,
    measures: Measures | str | Path | None = None,
    outcome: str | None = None,
    mechanisms: str = "auto",
    seed: int = 0,
):
    """A fitted ``gcm.InvertibleStructuralCausalModel`` over ``m``'s measured graph (the
    ``outcome``'s ancestors, or every node), from ``data`` aggregated to sites."""
    sites = site_data(m, data, measures)
    graph = measured_graph(m, set(sites.frame.columns), outcome)
    require_sites(graph, sites, "the data")
    with quiet_gcm(seed):
        return fit_scm(graph, sites.frame, mechanisms)


def to_dowhy(
    m: Map,
    data: Any,
    treatment: str,
    outcome: str,
    *,
    measures: Measures | str | Path | None = None,
):
    """DoWhy's ``CausalModel`` for ``treatment -> outcome`` over ``m``'s unrolled DAG, with
    ``data`` aggregated to sites (latent nodes stay unobserved; see
    :func:`mechmap.mechanism.dowhy_adapter.causal_model` for its workarounds and column names)."""
    from mechmap.mechanism.dowhy_adapter import causal_model

    sites = site_data(m, data, measures)
    return causal_model(m, sites.frame, treatment, outcome)
