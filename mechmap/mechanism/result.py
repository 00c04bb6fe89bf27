"""The outcome of one path test, as one object and as the ``--json`` dictionary."""

from __future__ import annotations

from dataclasses import dataclass

from mechmap.data import AnalysisData
from mechmap.mechanism.assumptions import path_assumptions
from mechmap.mechanism.checklist import Criterion
from mechmap.mechanism.estimate import Estimates
from mechmap.mechanism.falsify import Falsification
from mechmap.mechanism.refute import Refutation
from mechmap.mechanism.reproduce import Reproduction
from mechmap.mechanism.unidentified import Identification


@dataclass(frozen=True)
class PathResult:
    """Estimates, refutations, map falsification and the mechanism checklist of one path."""

    estimates: Estimates
    refutations: tuple[Refutation, ...]
    falsification: Falsification | None
    checklist: tuple[Criterion, ...]
    warnings: tuple[str, ...] = ()
    identification: Identification | None = None  # next steps when a link is not identifiable
    reproduction: Reproduction | None = None  # set by test_path, which knows the inputs

    @property
    def data(self) -> AnalysisData:
        return self.estimates.engine.data

    def power(self) -> dict[str, object]:
        """The exact minimum detectable |r| of the path's weakest link (the one with the most
        covariates), the same number the link table shows for it."""
        n = self.data.n_sites
        links = self.estimates.links
        weakest = max(links, key=lambda x: x.minimum_detectable_r)
        detectable = weakest.minimum_detectable_r
        covariates = len(weakest.plan.covariates)
        given = f" given {covariates} covariate(s)" if covariates else ""
        return {
            "n": n,
            "minimum_detectable_r": detectable,
            "note": (
                f"With {n} sites a link's (partial) correlation must reach |r| = "
                f"{detectable:.2f}{given} to be detected with 80% power (two-sided t test at "
                "0.05, exact for normal data); an indirect effect needs every link to clear "
                "its bar, so a non-significant result here is inconclusive, not evidence of "
                "no effect."
            ),
        }

    def as_dict(self) -> dict[str, object]:
        """The result as plain data (the ``mechmap test --json`` output)."""
        plan, path, data = self.estimates.plan, self.estimates.path, self.data
        path_dict: dict[str, object] = {
            "hypothesis": plan.hypothesis,
            "expect": plan.expect,
            "chains": [list(c) for c in plan.chains],
            "exposure": plan.exposure,
            "outcome": plan.outcome,
            "n": data.n_rows,
            "level": data.level,
            "indirect_effect": path.indirect.as_dict(),
            "direct_effect": path.direct.as_dict(),
            "total_effect": path.total.as_dict(),
            "verdict": path.verdict,
            "note": path.note,
        }
        if len(plan.chains) > 1:
            path_dict["specific_indirect_effects"] = [
                {"chain": list(chain), **effect.as_dict()} for chain, effect in path.specific
            ]
        return {
            "map": plan.map.id,
            "title": plan.map.title,
            "synthetic": data.synthetic,
            "data": {
                "sources": list(data.sources),
                "level": data.level,
                "n_sites": data.n_sites,
                "n_rows": data.n_rows,
                "dropped": [{"label": d.label, "reason": d.reason} for d in data.dropped],
                "aggregation": [
                    {
                        "variable": a.variable,
                        "respondents_min": a.respondents_min,
                        "respondents_median": a.respondents_median,
                        "respondents_max": a.respondents_max,
                        "icc1": a.icc1,
                        "icc2": a.icc2,
                    }
                    for a in data.aggregation
                ],
                "n_resamples": self.estimates.n_resamples,
            },
            "path": path_dict,
            "links": [x.as_dict() for x in self.estimates.links],
            "identification": self.identification.as_dict() if self.identification else None,
            "refutations": [r.as_dict() for r in self.refutations],
            "falsification": self.falsification.as_dict() if self.falsification else None,
            "checklist": [c.as_dict() for c in self.checklist],
            "power": self.power(),
            "assumptions": list(path_assumptions(plan.map)),
            "warnings": list(self.warnings),
            "reproduce": self.reproduction.as_dict() if self.reproduction else None,
        }
