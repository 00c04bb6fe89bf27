"""Do the data contradict the map? Test each conditional independence it implies.

Each testable implication ``x ⊥ y | Z`` among the measured variables (a basis: one per
unjoined pair, with a smallest separating set, from :mod:`mechmap.analysis.implications`:
each covariate costs a degree of freedom at 10-60 sites, so not the parents of an end)
is tested by the partial correlation of ``x`` and ``y`` given ``Z``, with a permutation
p-value at small n, and the p-values are Holm-corrected (Holm 1979). The tests run over
sites: respondents of one site are not independent. A table of tested implications says
more than DoWhy's ``falsify_graph``, which only asks whether the map beats random
relabellings of its nodes and, measured here, rejected a true map at n = 12 and accepted a
wrong one at n = 1,000 (Textor et al. 2016, Int J Epidemiol 45:1887, on testing DAGs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechmap.analysis.implications import Implication, basis_implications
from mechmap.data import AnalysisData
from mechmap.mechanism.estimate import site_means
from mechmap.model import Map
from mechmap.stats.significance import holm, partial_correlation_test


@dataclass(frozen=True)
class IndependenceTest:
    implication: Implication
    partial_r: float
    p_value: float
    p_holm: float
    method: str
    n: int
    violated: bool
    explanations: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "x": self.implication.x,
            "y": self.implication.y,
            "given": list(self.implication.given),
            "partial_r": self.partial_r,
            "p_value": self.p_value,
            "p_holm": self.p_holm,
            "method": self.method,
            "n": self.n,
            "violated": self.violated,
            "explanations": list(self.explanations),
        }


@dataclass(frozen=True)
class Falsification:
    alpha: float
    n_sites: int
    dropped: tuple[str, ...]  # sites left out because a variable is missing there
    tests: tuple[IndependenceTest, ...]
    untestable: tuple[tuple[str, str], ...]  # unjoined pairs that latent nodes tie together
    too_large: tuple[tuple[str, str], ...]  # pairs whose separating set needs too many sites
    determined: tuple[tuple[str, str], ...] = ()  # constant, or fixed by the conditioning set

    @property
    def summary(self) -> str:
        violated = [t for t in self.tests if t.violated]
        text = (
            f"{len(self.tests)} implied independence(s) tested over {self.n_sites} sites, "
            f"{len(violated)} violated after Holm correction at {self.alpha}."
        )
        if self.dropped:
            text += f" Left out for missing values: {', '.join(self.dropped)}."
        if not violated and self.tests:
            text += " The data do not contradict the map (which is not proof that it is right)."
        if self.too_large:
            text += (
                f" {len(self.too_large)} implication(s) not tested: their conditioning sets "
                "leave too few degrees of freedom at this number of sites."
            )
        if self.determined:
            pairs = ", ".join(f"{x} ⊥ {y}" for x, y in self.determined)
            text += (
                f" Not testable because a variable is constant or fixed by the conditioning "
                f"set: {pairs}."
            )
        if self.untestable:
            text += f" {len(self.untestable)} unjoined pair(s) imply nothing testable."
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "n_sites": self.n_sites,
            "tests": [t.as_dict() for t in self.tests],
            "summary": self.summary,
        }


def falsify(m: Map, data: AnalysisData, alpha: float = 0.05, seed: int = 2) -> Falsification:
    """Test every implied independence among the variables bound in ``data``.

    Conditioning sets may hold at most ``n - 5`` variables, so every partial correlation
    keeps at least 3 residual degrees of freedom.
    """
    rng = np.random.default_rng(seed)
    graph = m.to_networkx()
    latent = [v for v in m.variables if v not in data.columns]
    values = site_means(data)
    n = len(values)
    found = basis_implications(graph, latent, max_given=max(0, n - 5), smallest=True)
    column = {name: i for i, name in enumerate(data.columns)}
    raw, determined = [], []
    for imp in found.implications:
        try:
            result = partial_correlation_test(
                values[:, column[imp.x]],
                values[:, column[imp.y]],
                values[:, [column[g] for g in imp.given]],
                rng,
            )
        except ValueError:
            # A variable constant over sites, or computed from the conditioning set (a total
            # score given its subscales): the data hold nothing to test it with.
            determined.append((imp.x, imp.y))
            continue
        raw.append((imp, result))
    adjusted = holm([r.p_value for _, r in raw])
    tests = tuple(
        IndependenceTest(
            imp,
            r.r,
            r.p_value,
            p_holm,
            r.method,
            r.n,
            p_holm < alpha,
            _explanations(m, imp) if p_holm < alpha else (),
        )
        for (imp, r), p_holm in zip(raw, adjusted, strict=True)
    )
    return Falsification(
        alpha,
        n,
        tuple(d.label for d in data.dropped),
        tests,
        tuple(found.untestable_pairs),
        tuple(found.skipped_pairs),
        tuple(determined),
    )


def _explanations(m: Map, imp: Implication) -> tuple[str, ...]:
    """What could make ``x`` and ``y`` dependent given ``Z``: an arrow the map lacks (only in
    the direction time allows) or a hidden common cause."""
    order = m.wave_index
    waves = {v: m.variable_info[v].wave for v in (imp.x, imp.y)}
    x, y = imp.x, imp.y
    if waves[x] and waves[y] and order[waves[x]] > order[waves[y]]:
        x, y = y, x
    arrows = [f"an arrow {x} -> {y}"]
    if not (waves[x] and waves[y] and order[waves[x]] != order[waves[y]]):
        arrows.append(f"an arrow {y} -> {x}")
    return (
        *(f"{a} missing from the map" for a in arrows),
        f"an unmeasured common cause of {x} and {y} (add a latent node with arrows to both)",
    )
