"""What if? The outcome's mean with some nodes set to stated values, from the fitted model.

``gcm.interventional_samples`` draws the map's measured graph with each set node cut from its
causes and held at its value; the outcome's mean over those draws is the interventional mean,
its interval a site bootstrap (sites resampled, the model refitted). A set node that is not a
cause of the outcome cannot move it, and is refused.

>>> parse_setting("fidelity = 3")
('fidelity', 3.0)
>>> parse_setting("fidelity")
Traceback (most recent call last):
...
mechmap.gcm.model.GcmSetupError: --set 'fidelity': write it as 'node=value', e.g. 'fidelity=3'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mechmap.gcm.change import ASSUMPTIONS, SMALL_N, Estimate
from mechmap.gcm.evaluation import FitCheck, evaluate
from mechmap.gcm.model import (
    GcmSetupError,
    fit_scm,
    measured_graph,
    quiet_gcm,
    require_sites,
    site_data,
)
from mechmap.model import Map, Measures
from mechmap.stats.resampling import percentile_interval


@dataclass(frozen=True)
class WhatIfResult:
    """The outcome's mean as observed and under the settings, with its bootstrap interval."""

    outcome: str
    settings: tuple[tuple[str, float], ...]
    n: int
    level: str
    observed_mean: float
    mean: Estimate
    confidence: float
    n_resamples: int
    mechanisms: str
    fit_checks: tuple[FitCheck, ...] = ()
    synthetic: bool = False

    @property
    def notes(self) -> tuple[str, ...]:
        if self.n >= SMALL_N:
            return ()
        return (
            f"at {self.n} sites this is uncertain: the model is fitted on {self.n} sites, and a "
            "value far outside the observed range is an extrapolation of the fitted lines",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "set": dict(self.settings),
            "n": self.n,
            "level": self.level,
            "observed_mean": self.observed_mean,
            "mean": self.mean.as_dict(),
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "mechanisms": self.mechanisms,
            "fit_checks": [c.as_dict() for c in self.fit_checks],
            "assumptions": ["the map is the true causal DAG", *ASSUMPTIONS[1:]],
            "notes": list(self.notes),
            "synthetic": self.synthetic,
        }


def parse_setting(text: str) -> tuple[str, float]:
    """``"node=value"`` (from ``--set``) as the node and the value."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise GcmSetupError(f"--set '{text}': write it as 'node=value', e.g. 'fidelity=3'")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise GcmSetupError(f"--set '{text}': '{value.strip()}' is not a number") from None


def what_if(
    map: Map | str | Path,
    data: Any,
    settings: Mapping[str, float],
    outcome: str,
    *,
    measures: Measures | str | Path | None = None,
    mechanisms: str = "linear",
    n_resamples: int = 200,
    samples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    fit_checks: bool = True,
) -> WhatIfResult:
    """The interventional mean of ``outcome`` with each node of ``settings`` held at its value."""
    import networkx as nx
    import numpy as np
    from dowhy import gcm

    from mechmap.diagnostics import did_you_mean
    from mechmap.mapfile.loader import load

    m = map if isinstance(map, Map) else load(map)
    if not settings:
        raise GcmSetupError("give at least one --set 'node=value'")
    sites = site_data(m, data, measures)
    graph = measured_graph(m, set(sites.frame.columns), outcome)
    for node in settings:
        if node not in m.variable_info:
            raise GcmSetupError(
                f"--set {node}: not a variable of the map{did_you_mean(node, m.variables)}"
            )
        if node == outcome or node not in graph or outcome not in nx.descendants(graph, node):
            why = "is the outcome itself" if node == outcome else f"is not a cause of {outcome}"
            raise GcmSetupError(
                f"--set {node}: {node} {why} in the map's measured graph, so setting it "
                f"cannot change {outcome}; set one of its causes: "
                f"{', '.join(sorted(nx.ancestors(graph, outcome))) or 'it has none'}"
            )
    require_sites(graph, sites, "the data")
    frame = sites.frame[[v for v in m.variables if v in graph]]
    fixed = {node: float(value) for node, value in settings.items()}
    interventions = {node: (lambda _, v=v: v) for node, v in fixed.items()}

    def mean_of(rows) -> float:
        scm = fit_scm(graph, rows, mechanisms)
        drawn = gcm.interventional_samples(scm, interventions, num_samples_to_draw=samples)
        return float(drawn[outcome].mean())

    with quiet_gcm(seed):
        point = mean_of(frame)
        checks = evaluate(fit_scm(graph, frame, mechanisms), frame) if fit_checks else ()
        rng = np.random.default_rng(seed)
        draws = [
            mean_of(frame.iloc[rng.integers(0, len(frame), len(frame))]) for _ in range(n_resamples)
        ]
    return WhatIfResult(
        outcome=outcome,
        settings=tuple(fixed.items()),
        n=sites.n_sites,
        level=sites.level,
        observed_mean=float(frame[outcome].mean()),
        mean=Estimate(point, percentile_interval(draws, confidence)),
        confidence=confidence,
        n_resamples=n_resamples,
        mechanisms=mechanisms,
        fit_checks=checks,
        synthetic=sites.bound.synthetic,
    )
