"""Are the fitted mechanisms believable? DoWhy's ``gcm.evaluate_causal_model``, cheaply.

Each mechanism is refitted in k-fold cross-validation (3 folds, or fewer at a handful of
sites) and scored: R² and the continuous ranked probability score normalised by the node's
spread (CRPS; below about 0.5 DoWhy calls a fit good, above 1 bad); and for each non-root
node the independence of its reconstructed noise from its causes is tested (DoWhy's
invertibility assumption: without hidden confounding they are independent). The slow parts,
KL divergences and graph falsification, are skipped: ``mechmap test`` tests the map's
implied independencies itself, Holm-corrected.

>>> FitCheck("y", 0.41, 0.62, 0.5).line("before")
'before, y: R² 0.41, normalised CRPS 0.62; noise independent of its causes (p = 0.5)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class FitCheck:
    """One mechanism's cross-validated fit (R², normalised CRPS; ``None`` at a root, whose
    mechanism is the observed distribution itself) and the p-value of the invertibility check."""

    node: str
    r2: float | None
    crps: float | None
    invertibility_p: float | None

    def line(self, data: str) -> str:
        if self.r2 is None:
            fit = "a root: its distribution is the observed one"
        else:
            fit = f"R² {self.r2:.2g}, normalised CRPS {self.crps:.2g}"
        if self.invertibility_p is None:
            return f"{data}, {self.node}: {fit}"
        kind = "independent of" if self.invertibility_p >= 0.05 else "DEPENDENT on"
        return (
            f"{data}, {self.node}: {fit}; noise {kind} its causes (p = {self.invertibility_p:.2g})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "r2": self.r2,
            "crps": self.crps,
            "invertibility_p": self.invertibility_p,
        }


def evaluate(scm, frame: pd.DataFrame) -> tuple[FitCheck, ...]:
    """DoWhy's evaluation of the fitted ``scm`` on ``frame`` (see the module docstring)."""
    from dowhy import gcm
    from dowhy.gcm.model_evaluation import EvaluateCausalModelConfig

    folds = max(2, min(3, len(frame) // 4))
    result = gcm.evaluate_causal_model(
        scm,
        frame[list(scm.graph.nodes)],
        evaluate_causal_mechanisms=True,
        compare_mechanism_baselines=False,
        evaluate_invertibility_assumptions=True,
        evaluate_overall_kl_divergence=False,
        evaluate_causal_structure=False,
        config=EvaluateCausalModelConfig(mechanism_evaluation_kfolds=folds, n_jobs=1),
    )
    performance = result.mechanism_performances or {}
    invertible = result.pnl_assumptions or {}
    checks = []
    for node in scm.graph.nodes:
        score = performance.get(node)
        root = score is None or score.is_root
        p = invertible.get(node)
        checks.append(
            FitCheck(
                str(node),
                None if root else _finite(score.r2),
                None if root else _finite(score.crps),
                None if p is None else _finite(p[0]),
            )
        )
    return tuple(checks)


def _finite(value) -> float | None:
    import math

    return None if value is None or not math.isfinite(float(value)) else float(value)
