"""Refute step: checks that a real effect passes and an artefact fails, each by a stated rule.

- **placebo treatment**: the cause is replaced by a permutation of itself (across sites); it
  passes when at most 5% of the placebo estimates are at least as large as the real one (a
  permutation test at 0.05), so an estimate that shuffled data match fails;
- **random common cause**: a random site-level variable is added to every regression; it
  passes when at most 5% of the draws change the verdict (the primary interval, moved with the
  estimate, crosses 0), so a conclusion that one irrelevant covariate can overturn fails;
- **leave one site out**: the estimate without each site in turn (the engine's jackknife:
  the total cross-products minus the site's own), with the site whose removal moves it most;
- **unobserved confounder**: the robustness value of Cinelli & Hazlett (JRSS-B 2020;82:39),
  the share of residual variance a hidden confounder must explain in both cause and effect
  to bring the estimate to 0 (or to make it non-significant), and the E-value of VanderWeele &
  Ding (Ann Intern Med 2017;167:268), the risk ratio it would need with both.

DoWhy 0.14 offers the first three, but applied to a natural indirect effect its refuters
report the original estimate unchanged, and each takes seconds; these run on the same
cross-product engine as the estimates. A placebo or a random covariate changes one column, so
each simulated data set costs only that column's cross-products with the others, and memory
holds one chunk of simulated columns, never every simulated copy of the data.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mechmap.data import AnalysisData
from mechmap.mechanism.estimate import Effect, Estimates, fit_moments
from mechmap.mechanism.plan import EffectPlan
from mechmap.stats.moments import ols
from mechmap.stats.power import e_value, robustness_value
from mechmap.stats.resampling import CHUNK_VALUES

_RANDOM = "__random_common_cause__"
_SHARE = 0.05  # largest share of simulated estimates that still passes


@dataclass(frozen=True)
class Refutation:
    name: str
    target: str
    original: float
    new: float | None
    ci: tuple[float, float] | None
    passed: bool | None
    detail: str
    rule: str = ""
    share: float | None = None  # of the simulated estimates, the share the rule counts
    e_value: float | None = None
    per_site: tuple[tuple[str, float], ...] = ()

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "name": self.name,
            "target": self.target,
            "original": self.original,
            "new": self.new,
            "ci": list(self.ci) if self.ci else None,
            "passed": self.passed,
            "rule": self.rule,
            "share": self.share,
            "detail": self.detail,
        }
        if self.e_value is not None:
            result["e_value"] = self.e_value
        if self.per_site:
            result["per_site"] = [{"site": s, "estimate": e} for s, e in self.per_site]
        return result


def refute(estimates: Estimates, n_simulations: int = 200, seed: int = 1) -> list[Refutation]:
    """Run the four refutations on every identifiable link and on the indirect effect."""
    rng = np.random.default_rng(seed)
    data = estimates.engine.data
    targets = _targets(estimates)
    if not targets:
        return []
    results: list[Refutation] = []
    for name, (cause, original) in targets.items():
        placebo = _simulate(
            estimates,
            data.values,
            data.columns,
            cause,
            n_simulations,
            lambda size, cause=cause: _permuted(data, cause, size, rng),
        )[name]
        results.append(_placebo(name, original, placebo))
    # The random covariate's column starts at 0, so its moments centre it at 0 with scale 1,
    # the standard normal's own.
    with_noise = np.column_stack([data.values, np.zeros(data.n_rows)])
    common = _simulate(
        estimates,
        with_noise,
        (*data.columns, _RANDOM),
        _RANDOM,
        n_simulations,
        lambda size: rng.standard_normal((size, data.n_sites))[:, data.clusters],
    )
    for name, (_, original) in targets.items():
        results.append(_random_common_cause(name, original, common[name], estimates))
    results += [_leave_one_out(estimates, name) for name in targets]
    results += _robustness(estimates)
    return results


def _targets(estimates: Estimates) -> dict[str, tuple[str, float]]:
    """Each estimate to refute, with the variable a placebo replaces for it."""
    targets = {
        _arrow(x.plan): (x.plan.cause, x.effect.estimate)
        for x in estimates.links
        if x.effect.identifiable
    }
    # A one-arrow path's "indirect effect" is that arrow's coefficient: refute it once.
    single_arrow = len(estimates.links) == 1
    if estimates.path.indirect.identifiable and not single_arrow:
        targets["indirect effect"] = (estimates.plan.exposure, estimates.path.indirect.estimate)
    return targets


def _arrow(p: EffectPlan) -> str:
    return f"{p.cause} -> {p.effect}"


def _simulate(
    estimates: Estimates,
    values: np.ndarray,
    columns: tuple[str, ...],
    column: str,
    n_simulations: int,
    draw: Callable[[int], np.ndarray],
) -> dict[str, np.ndarray]:
    """Every target's estimate on ``n_simulations`` copies of ``values`` (rows,
    len(columns)) whose ``column`` is replaced by ``draw(size)`` (size, rows), by the same
    fits, weighted the same way, as the estimate step; drawn a chunk of copies at a time so
    that memory stays at one chunk's columns however many rows there are."""
    data = estimates.engine.data
    extra = (_RANDOM,) if _RANDOM in columns else ()
    fits = [
        (
            x.plan,
            fit_moments(
                data,
                estimates.engine.row_weights((x.plan.effect, (x.plan.cause, *x.plan.covariates))),
                values,
                columns,
            ),
        )
        for x in estimates.links
        if x.effect.identifiable
    ]
    chunk = max(1, CHUNK_VALUES // len(values))
    parts = []
    for start in range(0, n_simulations, chunk):
        batch = draw(min(chunk, n_simulations - start))
        coefs = {
            (p.cause, p.effect): ols(
                moments,
                moments.gram_with_column(values, column, batch),
                p.effect,
                (p.cause, *p.covariates, *extra),
            ).coef[:, 0]
            for p, moments in fits
        }
        parts.append(_targets_of(estimates, coefs))
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _targets_of(
    estimates: Estimates, coefs: dict[tuple[str, str], np.ndarray]
) -> dict[str, np.ndarray]:
    """Every target's values from its links' coefficients (the indirect effect: the sum over
    chains of their products)."""
    result = {f"{u} -> {v}": c for (u, v), c in coefs.items()}
    if estimates.path.indirect.identifiable:
        result["indirect effect"] = sum(
            np.prod([coefs[arrow] for arrow in itertools.pairwise(chain)], axis=0)
            for chain in estimates.plan.chains
        )
    return result


def _permuted(
    data: AnalysisData, cause: str, n_simulations: int, rng: np.random.Generator
) -> np.ndarray:
    """``n_simulations`` shufflings (n_simulations, rows) of ``cause``'s values across sites
    (whole sites' values, so a site-level cause stays constant within its site; a cause
    that varies within sites is shuffled over all rows)."""
    values = data.column(cause)
    per_site = np.zeros(data.n_sites)
    per_site[data.clusters] = values
    if np.allclose(per_site[data.clusters], values):
        orders = rng.permuted(np.tile(np.arange(data.n_sites), (n_simulations, 1)), axis=1)
        return per_site[orders][:, data.clusters]
    orders = rng.permuted(np.tile(np.arange(len(values)), (n_simulations, 1)), axis=1)
    return values[orders]


def _placebo(name: str, original: float, placebo: np.ndarray) -> Refutation:
    share = float(np.mean(np.abs(placebo) >= abs(original)))
    return Refutation(
        "placebo treatment",
        name,
        original,
        float(placebo.mean()),
        _middle(placebo),
        share <= _SHARE,
        f"with the cause permuted across sites, {share:.0%} of {len(placebo)} placebo "
        f"estimates are at least as large as the real one ({original:.3g}); they average "
        f"{placebo.mean():.3g}",
        f"passes when at most {_SHARE:.0%} of placebo estimates are as large as the real one",
        share,
    )


def _random_common_cause(
    name: str, original: float, new: np.ndarray, estimates: Estimates
) -> Refutation:
    lo, hi = _effect_of(estimates, name).ci
    shifted_lo, shifted_hi = lo + (new - original), hi + (new - original)
    side = _side(lo, hi)
    share = float(np.mean(_side(shifted_lo, shifted_hi) != side))
    return Refutation(
        "random common cause",
        name,
        original,
        float(new.mean()),
        _middle(new),
        share <= _SHARE,
        f"adding a random site-level covariate changed the verdict in {share:.0%} of "
        f"{len(new)} draws (it moved the estimate by {np.mean(np.abs(new - original)):.3g} "
        "on average)",
        f"passes when at most {_SHARE:.0%} of draws change the verdict (the interval, moved "
        "with the estimate, crosses 0)",
        share,
    )


def _side(lo, hi):
    """-1, 0 or 1: the interval lies below 0, includes it, or lies above it."""
    return np.where(np.asarray(lo) > 0, 1, np.where(np.asarray(hi) < 0, -1, 0))


def _effect_of(estimates: Estimates, name: str) -> Effect:
    """The estimate a refutation target names ("indirect effect" or "cause -> effect")."""
    if name == "indirect effect":
        return estimates.path.indirect
    return next(x.effect for x in estimates.links if _arrow(x.plan) == name)


def _leave_one_out(estimates: Estimates, name: str) -> Refutation:
    effect = _effect_of(estimates, name)
    original, jack = effect.estimate, effect.draws.jackknife
    sites = estimates.engine.data.site_ids
    flips = [s for s, v in zip(sites, jack, strict=True) if np.sign(v) != np.sign(original)]
    worst = int(np.argmax(np.abs(jack - original)))
    detail = f"without site {sites[worst]} the estimate moves most, to {jack[worst]:.3g}; " + (
        f"the sign flips without site(s) {', '.join(flips)}"
        if flips
        else "the sign holds whichever site is left out"
    )
    return Refutation(
        "leave one site out",
        name,
        original,
        float(jack.mean()),
        (float(jack.min()), float(jack.max())),
        not flips,
        detail,
        "passes when the sign holds whichever site is left out",
        per_site=tuple((s, float(v)) for s, v in zip(sites, jack, strict=True)),
    )


def _robustness(estimates: Estimates) -> list[Refutation]:
    engine = estimates.engine
    results = []
    for x in estimates.links:
        if not x.effect.identifiable:
            continue
        p = x.plan
        fit = engine.fit(p.effect, (p.cause, *p.covariates))
        t, df = float(fit.t[0, 0]), int(fit.df[0])
        rv = robustness_value(t, df)
        rv_alpha = robustness_value(t, df, alpha=0.05)
        evalue = e_value(x.effect.standardized)
        results.append(
            Refutation(
                "unobserved confounder",
                _arrow(p),
                x.effect.estimate,
                None,
                None,
                None,
                f"robustness value {rv:.0%}: a hidden confounder explaining {rv:.0%} of the "
                f"residual variance of both {p.cause} and {p.effect} would bring the estimate "
                f"to 0; {rv_alpha:.0%} would make it non-significant at 0.05 "
                f"(t = {t:.2f}, df = {df}; Cinelli & Hazlett 2020). E-value {evalue:.2f}: "
                "a confounder associated with both by a risk ratio of that size could explain "
                "it away (VanderWeele & Ding 2017)",
                "reported, not judged: how strong a hidden confounder would have to be",
                e_value=evalue,
            )
        )
    return results


def _middle(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.quantile(values, [0.025, 0.975])
    return float(lo), float(hi)
