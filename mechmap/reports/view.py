"""A typed, read-only view of a path-test result, which every report section reads.

The view is built from ``PathResult.as_dict()`` (the ``mechmap test --json`` output), so a
report can be made from a live result or from a saved JSON file alike, and it checks that
dictionary once, here, instead of each section trusting it. Keys that newer results carry
(the link's model and assumptions, the identification block, the reproduction) are optional:
a result without them gives ``None`` or an empty tuple, and the sections leave them out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Interval = tuple[float, float]

_REQUIRED = ("map", "data", "path", "links", "refutations", "checklist", "power", "warnings")


def check_finite(value: object, where: str = "result") -> None:
    """Refuse a result holding NaN or infinity, naming where, rather than print it.

    >>> check_finite({"links": [{"estimate": float("nan")}]})
    Traceback (most recent call last):
    ...
    ValueError: result['links'][0]['estimate'] is nan, not a finite number
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is {value}, not a finite number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            check_finite(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_finite(item, f"{where}[{i}]")


def _interval(bounds: Sequence[float] | None) -> Interval | None:
    return None if bounds is None else (bounds[0], bounds[1])


def _arrow(text: str) -> tuple[str, str]:
    cause, effect = (part.strip() for part in text.split("->"))
    return cause, effect


@dataclass(frozen=True)
class Effect:
    estimate: float | None
    standardized: float | None
    ci: Interval | None
    ci_method: str | None  # e.g. "t interval, df = 9"; older results do not say
    ci_bootstrap: Interval | None  # a cluster-bootstrap percentile interval, as a check
    identifiable: bool
    reason: str | None

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Effect:
        return cls(
            d["estimate"],
            d["standardized"],
            _interval(d["ci"]),
            d.get("ci_method"),
            _interval(d.get("ci_bootstrap")),
            bool(d["identifiable"]),
            d["reason"],
        )


@dataclass(frozen=True)
class RankTest:
    statistic: float | None
    p_value: float | None
    method: str


@dataclass(frozen=True)
class Correlation:
    r: float
    ci: Interval
    n: int


@dataclass(frozen=True)
class Points:
    x: tuple[float, ...]
    y: tuple[float, ...]
    labels: tuple[str, ...]
    kind: str  # "raw" or "adjusted" (residuals on the adjustment set)


@dataclass(frozen=True)
class Link:
    cause: str
    effect: str
    estimated: Effect
    p_value: float | None
    method: str
    n: int
    level: str
    adjustment_set: tuple[str, ...]
    estimand: str | None
    kendall_tau: RankTest
    spearman_rho: RankTest
    minimum_detectable_r: float | None
    verdict: str
    points: Points
    kind: str  # "causal" or "measurement"
    model: str | None
    assumptions: tuple[str, ...]
    df: int | None
    p_permutation: float | None
    correlation: Correlation | None  # a measurement link's correlation

    @property
    def arrow(self) -> tuple[str, str]:
        return (self.cause, self.effect)

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Link:
        points, correlation = d["points"], d.get("correlation")
        return cls(
            d["from"],
            d["to"],
            Effect.of(d),
            d["p_value"],
            d["method"],
            d["n"],
            d["level"],
            tuple(d["adjustment_set"]),
            d["estimand"],
            RankTest(**d["kendall_tau"]),
            RankTest(**d["spearman_rho"]),
            d["minimum_detectable_r"],
            d["verdict"],
            Points(tuple(points["x"]), tuple(points["y"]), tuple(points["labels"]), points["kind"]),
            d.get("kind", "causal"),
            d.get("model"),
            tuple(d.get("assumptions", ())),
            d.get("df"),
            d.get("p_permutation"),
            Correlation(correlation["r"], _interval(correlation["ci"]), correlation["n"])
            if correlation
            else None,
        )


@dataclass(frozen=True)
class PathEffects:
    hypothesis: str | None
    expect: str | None
    chains: tuple[tuple[str, ...], ...]
    exposure: str
    outcome: str
    indirect: Effect
    direct: Effect
    total: Effect
    specific: tuple[tuple[tuple[str, ...], Effect], ...]  # per chain, with parallel mediators
    verdict: str
    note: str


@dataclass(frozen=True)
class Refutation:
    name: str
    target: str
    original: float | None
    new: float | None
    ci: Interval | None
    passed: bool | None
    detail: str
    share: float | None  # share of simulated estimates at least as large as the real one
    rule: str | None  # the pass/fail rule
    e_value: float | None  # the unobserved-confounder refutation's E-value
    per_site: tuple[tuple[str, float], ...]  # leave one site out: (site, estimate)


@dataclass(frozen=True)
class Independence:
    x: str
    y: str
    given: tuple[str, ...]
    partial_r: float
    p_value: float
    p_holm: float
    method: str
    n: int
    violated: bool
    explanations: tuple[str, ...]


@dataclass(frozen=True)
class Falsification:
    alpha: float
    tests: tuple[Independence, ...]
    summary: str


@dataclass(frozen=True)
class SensitivityRow:
    r2_cause: float
    r2_effect: float
    estimate: float
    ci: Interval


@dataclass(frozen=True)
class Sensitivity:
    arrow: tuple[str, str]
    adjusted_for: tuple[str, ...]
    estimate: float
    se: float
    df: int
    rows: tuple[SensitivityRow, ...]


@dataclass(frozen=True)
class Identification:
    """What would make the unidentifiable effects identifiable, and what already is."""

    # variable, and what measuring it identifies: arrows, or "indirect effect"
    suggestions: tuple[tuple[str, tuple[tuple[str, str] | str, ...]], ...]
    subpaths: tuple[tuple[str, ...], ...]
    hypotheses: tuple[str, ...]
    sensitivity: tuple[Sensitivity, ...]

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Identification:
        return cls(
            tuple(
                (
                    s["variable"],
                    tuple(_arrow(a) if "->" in a else a for a in s["makes_identifiable"]),
                )
                for s in d.get("suggestions", ())
            ),
            tuple(tuple(p) for p in d.get("identifiable_subpaths", ())),
            tuple(d.get("identifiable_hypotheses", ())),
            tuple(
                Sensitivity(
                    _arrow(s["arrow"]),
                    tuple(s["adjusted_for"]),
                    s["estimate"],
                    s["se"],
                    s["df"],
                    tuple(
                        SensitivityRow(
                            r["r2_cause"], r["r2_effect"], r["estimate"], _interval(r["ci"])
                        )
                        for r in s["rows"]
                    ),
                )
                for s in d.get("sensitivity", ())
            ),
        )


@dataclass(frozen=True)
class Reproduce:
    command: str
    mechmap_version: str
    seed: int
    date: str
    files: tuple[tuple[str, str, str | None], ...]  # (what, path, sha256)


@dataclass(frozen=True)
class ResultView:
    """Everything a report shows, typed; built by :func:`view` from the ``--json`` dict."""

    map_id: str
    title: str | None
    synthetic: bool
    sources: tuple[str, ...]
    level: str
    n_sites: int
    n_rows: int
    dropped: tuple[tuple[str, str], ...]  # (site or row, reason)
    aggregation: tuple[Mapping[str, Any], ...]
    n_resamples: int | None
    path: PathEffects
    links: tuple[Link, ...]
    refutations: tuple[Refutation, ...]
    falsification: Falsification | None
    checklist: tuple[tuple[str, str, str], ...]  # (criterion, status, reason)
    minimum_detectable_r: float
    power_note: str
    warnings: tuple[str, ...]
    assumptions: tuple[str, ...]
    identification: Identification | None
    reproduce: Reproduce | None
    dowhy_check: Mapping[str, Any] | None


def view(result: Mapping[str, Any]) -> ResultView:
    """The typed view of ``result`` (``PathResult.as_dict()``); a ValueError says what is
    missing or not finite."""
    missing = [key for key in _REQUIRED if key not in result]
    if missing:
        raise ValueError(
            f"the result has no {', '.join(repr(k) for k in missing)}: give the dictionary "
            "that `mechmap test --json` prints (PathResult.as_dict())"
        )
    check_finite(result)
    data, path = result["data"], result["path"]
    falsification = result.get("falsification")
    identification = result.get("identification")
    return ResultView(
        map_id=result["map"],
        title=result.get("title"),
        synthetic=bool(result.get("synthetic")),
        sources=tuple(data["sources"]),
        level=data["level"],
        n_sites=data["n_sites"],
        n_rows=data["n_rows"],
        dropped=tuple((d["label"], d["reason"]) for d in data["dropped"]),
        aggregation=tuple(data["aggregation"]),
        n_resamples=data.get("n_resamples"),
        path=PathEffects(
            path.get("hypothesis"),
            path.get("expect"),
            tuple(tuple(c) for c in path["chains"]),
            path.get("exposure") or path["chains"][0][0],
            path.get("outcome") or path["chains"][0][-1],
            Effect.of(path["indirect_effect"]),
            Effect.of(path["direct_effect"]),
            Effect.of(path["total_effect"]),
            tuple(
                (tuple(s["chain"]), Effect.of(s)) for s in path.get("specific_indirect_effects", ())
            ),
            path["verdict"],
            path["note"],
        ),
        links=tuple(Link.of(x) for x in result["links"]),
        refutations=tuple(_refutation(r) for r in result["refutations"]),
        falsification=Falsification(
            falsification["alpha"],
            tuple(_independence(t) for t in falsification["tests"]),
            falsification["summary"],
        )
        if falsification
        else None,
        checklist=tuple((c["criterion"], c["status"], c["reason"]) for c in result["checklist"]),
        minimum_detectable_r=result["power"]["minimum_detectable_r"],
        power_note=result["power"]["note"],
        warnings=tuple(result["warnings"]),
        assumptions=tuple(result.get("assumptions", ())),
        identification=Identification.of(identification) if identification else None,
        reproduce=_reproduce(result["reproduce"]) if result.get("reproduce") else None,
        dowhy_check=result.get("dowhy_check"),
    )


def _refutation(r: Mapping[str, Any]) -> Refutation:
    return Refutation(
        r["name"],
        r["target"],
        r["original"],
        r["new"],
        _interval(r["ci"]),
        r["passed"],
        r["detail"],
        r.get("share"),
        r.get("rule"),
        r.get("e_value"),
        tuple((s["site"], s["estimate"]) for s in r.get("per_site") or ()),
    )


def _independence(t: Mapping[str, Any]) -> Independence:
    return Independence(
        t["x"],
        t["y"],
        tuple(t["given"]),
        t["partial_r"],
        t["p_value"],
        t["p_holm"],
        t["method"],
        t["n"],
        t["violated"],
        tuple(t["explanations"]),
    )


def _reproduce(r: Mapping[str, Any]) -> Reproduce:
    files = [("map", r["map"]["path"], r["map"]["sha256"])]
    if r.get("measures"):
        files.append(("measures", r["measures"]["path"], r["measures"]["sha256"]))
    files += [("data", d["path"], d["sha256"]) for d in r["data"]]
    return Reproduce(r["command"], r["mechmap_version"], r["seed"], r["date"], tuple(files))
