"""How strong is each arrow? DoWhy's arrow strength and intrinsic causal influence.

The strength of an arrow ``a -> b`` (Janzing, Balduzzi, Grosse-Wentrup & Schölkopf 2013) is how
much ``b``'s variance grows, given its other causes, when ``a``'s value is replaced by a
random draw of ``a``: for a linear mechanism ``b = c a + ...`` it is ``c² Var(a)`` in
``b``'s squared units, so it orders the arrows into one node by their standardized
coefficients. The intrinsic causal influence of a node on an outcome (Janzing, Blöbaum,
Mastakouri, Faller & Minorics 2024) is the share of the outcome's variance that the node's own
noise adds, not what it passes on from its causes; the shares add up to the outcome's variance.

Intervals come from a site bootstrap, as ``explain-change``'s do: sites resampled, the
mechanisms refitted and every strength recomputed (``n_resamples``, ``jobs`` processes).

>>> Strength("a", "b", 0.25, (0.1, 0.4)).as_dict()
{'cause': 'a', 'effect': 'b', 'strength': 0.25, 'ci': [0.1, 0.4]}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mechmap.gcm.change import ASSUMPTIONS, SMALL_N
from mechmap.gcm.model import (
    fit_scm,
    measured_graph,
    quiet_gcm,
    require_sites,
    site_data,
)
from mechmap.model import Map, Measures
from mechmap.stats.resampling import percentile_interval


@dataclass(frozen=True)
class Strength:
    cause: str
    effect: str
    strength: float
    ci: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "effect": self.effect,
            "strength": self.strength,
            "ci": list(self.ci),
        }


@dataclass(frozen=True)
class StrengthResult:
    """Every measured arrow's strength, and (with an outcome) each node's intrinsic influence."""

    n: int
    level: str
    arrows: tuple[Strength, ...]
    outcome: str | None
    influence: tuple[tuple[str, float, tuple[float, float]], ...]
    mechanisms: str
    confidence: float
    n_resamples: int
    synthetic: bool = False

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [
            "strength is in the effect's squared units: compare arrows into the same node",
            "arrows from a latent or unmeasured node are drawn through it by latent projection",
        ]
        if self.n < SMALL_N:
            notes.insert(
                0,
                f"at {self.n} sites these strengths are uncertain: read their "
                f"{self.confidence:.0%} intervals, not the point values",
            )
        return tuple(notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "level": self.level,
            "arrows": [a.as_dict() for a in self.arrows],
            "outcome": self.outcome,
            "intrinsic_influence": [
                {"node": v, "influence": x, "ci": list(ci)} for v, x, ci in self.influence
            ],
            "mechanisms": self.mechanisms,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "assumptions": list(ASSUMPTIONS[1:]),
            "notes": list(self.notes),
            "synthetic": self.synthetic,
        }


def _measure(graph, sub, frame, outcome, mechanisms, samples) -> dict[str, float]:
    """Every arrow's strength (keyed ``"a -> b"``) and each node's intrinsic influence
    (keyed by node) from one fit on ``frame``."""
    from dowhy import gcm

    scm = fit_scm(graph, frame, mechanisms)
    found: dict[str, float] = {}
    for node in graph.nodes:
        if graph.in_degree(node) == 0:
            continue
        arrows = gcm.arrow_strength(
            scm, node, num_samples_conditional=samples, max_num_runs=200, n_jobs=1
        )
        found |= {f"{a} -> {b}": float(x) for (a, b), x in arrows.items()}
    if outcome is not None:
        part = fit_scm(sub, frame[list(sub.nodes)], mechanisms)
        # "exact" samples the fitted noise directly; the default trains an approximating
        # model per subset, 100 times slower at 500 sites for the same numbers.
        influence = gcm.intrinsic_causal_influence(
            part,
            outcome,
            prediction_model="exact",
            num_training_samples=samples,
            num_samples_randomization=100,
            num_samples_baseline=samples // 4,
        )
        found |= {str(v): float(x) for v, x in influence.items()}
    return found


def _resamples(args) -> list[dict[str, float]]:
    """Bootstrap strengths for a list of seeds (a worker's share)."""
    import numpy as np

    graph, sub, frame, outcome, mechanisms, samples, seeds = args
    out = []
    for seed in seeds:
        rows = frame.iloc[np.random.default_rng(seed).integers(0, len(frame), len(frame))]
        with quiet_gcm(int(seed % 2**32)):
            out.append(_measure(graph, sub, rows, outcome, mechanisms, samples))
    return out


def arrow_strengths(
    map: Map | str | Path,
    data: Any,
    *,
    outcome: str | None = None,
    measures: Measures | str | Path | None = None,
    mechanisms: str = "linear",
    samples: int = 500,
    n_resamples: int = 100,
    confidence: float = 0.95,
    seed: int = 0,
    jobs: int = 1,
) -> StrengthResult:
    """The strength of every arrow of ``map``'s measured graph fitted on ``data`` (and, with
    ``outcome``, each ancestor's intrinsic causal influence on it), with site-bootstrap
    intervals (``jobs`` processes share the ``n_resamples``)."""
    from mechmap.gcm.change import bootstrap
    from mechmap.mapfile.loader import load

    m = map if isinstance(map, Map) else load(map)
    sites = site_data(m, data, measures)
    measured = set(sites.frame.columns)
    graph = measured_graph(m, measured)
    require_sites(graph, sites, "the data")
    order = [v for v in m.variables if v in graph]
    frame = sites.frame[order]
    sub = measured_graph(m, measured, outcome) if outcome is not None else None
    with quiet_gcm(seed):
        point = _measure(graph, sub, frame, outcome, mechanisms, samples)
    draws = bootstrap(
        _resamples, (graph, sub, frame, outcome, mechanisms, samples), n_resamples, seed, jobs
    )

    def ci(key: str) -> tuple[float, float]:
        return percentile_interval([d[key] for d in draws], confidence)

    arrows = [
        Strength(a, b, value, ci(key))
        for key, value in point.items()
        if " -> " in key
        for a, b in [key.split(" -> ")]
    ]
    arrows.sort(key=lambda s: (order.index(s.effect), order.index(s.cause)))
    influence = tuple((v, point[v], ci(v)) for v in order if outcome is not None and v in point)
    return StrengthResult(
        n=sites.n_sites,
        level=sites.level,
        arrows=tuple(arrows),
        outcome=outcome,
        influence=influence,
        mechanisms=mechanisms,
        confidence=confidence,
        n_resamples=n_resamples,
        synthetic=sites.bound.synthetic,
    )
