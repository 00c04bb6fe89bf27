"""DoWhy through the adapter gives the least-squares answers with exactly our adjustment sets,
and the DoWhy 0.14 pitfalls the adapter works around are real (each pitfall test would fail
if a later DoWhy fixed it, which is the moment to revisit the adapter).

Data come from known linear models; sizes stay small because importing DoWhy alone takes
seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import mechmap
from mechmap.mechanism.dowhy_adapter import (
    causal_model,
    column_names,
    dowhy_bootstrap,
    dowhy_refuters,
    estimate_link,
    estimate_mediation,
    link_effect,
    mediation_effect,
)

SIMPLE = mechmap.loads(
    """
mechmap: 1
id: simple
title: Confounded mediation
nodes: {c: {}, a: {}, f: {}, y: {}}
edges: [c -> a, a -> f -> y, a -> y, c -> y]
"""
)

# The same structure over two waves of the outcome, with a latent cause of c and the outcome.
WAVES = mechmap.loads(
    """
mechmap: 1
id: waves
title: Confounded mediation over waves
waves: {base: Baseline, impl: Implementation}
nodes:
  c: {wave: base}
  a: {wave: impl}
  f: {wave: impl}
  y: {waves: [base, impl], carry: true}
  u: {latent: true}
edges: [c -> a, a -> f -> y, a -> y, c -> y, u -> c, u -> y]
"""
)


def simple_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    a = 0.5 * c + rng.normal(size=n)
    f = 0.6 * a + rng.normal(size=n)
    y = 0.5 * f + 0.2 * a + 0.4 * c + rng.normal(size=n)
    return pd.DataFrame({"c": c, "a": a, "f": f, "y": y})


def waves_frame(n: int, seed: int = 2) -> pd.DataFrame:
    """Includes a column for the latent u, which the adapter must not use."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=n)
    c = u + rng.normal(size=n)
    a = 0.5 * c + rng.normal(size=n)
    f = 0.6 * a + rng.normal(size=n)
    y0 = 0.4 * c + 0.5 * u + rng.normal(size=n)
    y1 = 0.5 * f + 0.2 * a + 0.3 * y0 + 0.5 * u + rng.normal(size=n)
    return pd.DataFrame({"c": c, "a": a, "f": f, "y@base": y0, "y@impl": y1, "u": u})


def slopes(frame: pd.DataFrame, outcome: str, regressors: list[str]) -> np.ndarray:
    """Least-squares slopes (intercept dropped), by numpy."""
    x = np.column_stack([np.ones(len(frame)), frame[regressors].to_numpy()])
    return np.linalg.lstsq(x, frame[outcome].to_numpy(), rcond=None)[0][1:]


@pytest.mark.parametrize(
    ("cause", "effect", "adjust"),
    [
        ("a", "f", []),
        ("a", "f", ["c"]),
        ("f", "y", ["a"]),
        ("f", "y", ["a", "c"]),
        ("a", "y", ["c"]),
    ],
)
def test_link_is_the_least_squares_slope_with_exactly_our_set(cause, effect, adjust):
    frame = simple_frame(60)
    ours = estimate_link(SIMPLE, frame, cause, effect, adjust)
    assert ours == pytest.approx(slopes(frame, effect, [cause, *adjust])[0], abs=1e-9)
    fit = sm.OLS(frame[effect], sm.add_constant(frame[[cause, *adjust]])).fit()
    assert ours == pytest.approx(fit.params[cause], abs=1e-9)


def test_wave_variables_and_latent_columns():
    frame = waves_frame(40)
    ours = estimate_link(WAVES, frame, "f", "y@impl", ["a", "c", "y@base"])
    assert ours == pytest.approx(slopes(frame, "y@impl", ["f", "a", "c", "y@base"])[0], abs=1e-9)
    model = causal_model(WAVES, frame, "a", "y@impl")
    names = column_names(WAVES.variables)
    assert names["y@impl"] == "y_impl"
    # The frame has a column for u, yet DoWhy must see u as unobserved (dowhy#824).
    assert model._graph._graph.nodes[names["u"]]["observed"] == "no"
    assert names["u"] not in model._data.columns
    with pytest.raises(ValueError, match="'u' is latent"):
        estimate_link(WAVES, frame, "a", "y@impl", ["u"])


def test_dowhy_adds_effect_modifiers_unless_told_not_to():
    """Pitfall: y@base causes y@impl but not a, so DoWhy's graph makes it an effect modifier
    and adds an interaction; the adapter passes effect_modifiers=[]."""
    frame = waves_frame(40)
    effect = link_effect(WAVES, frame, "a", "y@impl", ["c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = effect.model.estimate_effect(effect.estimand, method_name=effect.method).value
    least_squares = slopes(frame, "y@impl", ["a", "c"])[0]
    assert abs(raw - least_squares) > 1e-3
    assert effect.estimate().value == pytest.approx(least_squares, abs=1e-9)


def test_mediation_is_the_product_of_the_stage_slopes():
    frame = simple_frame(80)
    result = estimate_mediation(SIMPLE, frame, "a", "f", "y", [], ["a", "c"], ["c"])
    first = slopes(frame, "f", ["a"])[0]
    second = slopes(frame, "y", ["f", "a", "c"])[0]
    total = slopes(frame, "y", ["a", "c"])[0]
    assert result["natural_indirect_effect"] == pytest.approx(first * second, abs=1e-9)
    assert result["natural_direct_effect"] == pytest.approx(total - first * second, abs=1e-9)


def test_direct_effect_is_the_exposure_slope_when_the_stages_share_covariates():
    """With the same covariates in every regression, OLS gives total = direct + a * b exactly,
    so DoWhy's total-minus-indirect is the exposure's slope in the outcome model."""
    frame = waves_frame(30)
    shared = ["c", "y@base"]
    result = estimate_mediation(WAVES, frame, "a", "f", "y@impl", shared, ["a", *shared])
    direct = slopes(frame, "y@impl", ["a", "f", *shared])[0]
    assert result["natural_direct_effect"] == pytest.approx(direct, abs=1e-9)


def test_dowhys_own_mediator_set_drops_the_outcome_confounder():
    """Pitfall: left to itself, DoWhy adjusts the mediator stage for a only, not for c."""
    frame = simple_frame(30)
    model = causal_model(SIMPLE, frame, "a", "y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimand = model.identify_effect(estimand_type="nonparametric-nie")
    assert estimand.mediation_second_stage_confounders["backdoor"] == ["a"]
    ours = mediation_effect(SIMPLE, frame, "a", "f", "y", [], ["a", "c"]).estimand
    assert ours.mediation_second_stage_confounders["backdoor"] == ["a", "c"]


def test_missing_value_is_an_error_where_dowhy_gives_nan():
    frame = simple_frame(20)
    frame.loc[7, "f"] = np.nan
    with pytest.raises(ValueError, match=r"column 'f' has 1 missing .*rows 7"):
        estimate_link(SIMPLE, frame, "a", "f", [])
    # What DoWhy itself does with the same frame.
    effect = link_effect(SIMPLE, frame.fillna(0.0), "a", "f", [])
    effect.model._data.loc[7, "f"] = np.nan
    assert np.isnan(effect.estimate().value)


def test_bootstrap_is_seeded_and_leaves_numpy_global_state_alone():
    frame = simple_frame(20)
    effect = link_effect(SIMPLE, frame, "a", "f", ["c"])
    before = np.random.get_state()[1].copy()
    filters = list(warnings.filters)
    first = dowhy_bootstrap(effect, n_resamples=30, seed=5)
    again = dowhy_bootstrap(effect, n_resamples=30, seed=5)
    assert np.array_equal(np.random.get_state()[1], before)
    assert warnings.filters == filters
    assert first["estimate"] == pytest.approx(slopes(frame, "f", ["a", "c"])[0], abs=1e-9)
    assert first["ci"] == again["ci"]
    assert first["ci"][0] < first["ci"][1]


def test_refuters_leave_the_indirect_effect_unchanged():
    """Pitfall (DoWhy 0.14): the placebo and random-common-cause refuters return a natural
    indirect effect untouched, while on a link the permuted placebo moves it towards 0."""
    frame = simple_frame(40)
    nie = mediation_effect(SIMPLE, frame, "a", "f", "y", [], ["a", "c"])
    by_name = {r["name"]: r for r in dowhy_refuters(nie, n_simulations=5)}
    first, second = slopes(frame, "f", ["a"])[0], slopes(frame, "y", ["f", "a", "c"])[0]
    for name in ("placebo treatment", "random common cause"):
        assert by_name[name]["original"] == pytest.approx(first * second, abs=1e-9)
        assert by_name[name]["new"] == pytest.approx(by_name[name]["original"], abs=1e-12)
    assert set(by_name) == {
        "placebo treatment",
        "random common cause",
        "data subset",
        "unobserved confounder",
    }

    link = link_effect(SIMPLE, frame, "a", "f", [])
    placebo = dowhy_refuters(link, n_simulations=20)[0]
    assert placebo["name"] == "placebo treatment"
    assert abs(placebo["new"]) < abs(placebo["original"]) / 3


def test_default_placebo_of_a_continuous_treatment_is_all_zeros():
    """Pitfall: DoWhy's default placebo for a float treatment has standard deviation 0, so its
    'effect' is exactly 0 whatever the data; the adapter permutes the treatment instead."""
    frame = simple_frame(20)
    effect = link_effect(SIMPLE, frame, "a", "f", [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refutation = effect.model.refute_estimate(
            effect.estimand,
            effect.estimate(),
            method_name="placebo_treatment_refuter",
            num_simulations=3,
        )
    assert refutation.new_effect == 0.0


def test_dowhys_robustness_value_is_mechmaps():
    """DoWhy's linear sensitivity analysis gives Cinelli & Hazlett's robustness values, as
    mechmap's refute step does. Pitfall: it raises unless the strength fraction is a list and
    at least one observed covariate is named as a benchmark."""
    from mechmap.stats.power import robustness_value

    frame = simple_frame(40)
    effect = link_effect(SIMPLE, frame, "f", "y", ["a", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = effect.model.refute_estimate(
            effect.estimand,
            effect.estimate(),
            method_name="add_unobserved_common_cause",
            simulation_method="linear-partial-R2",
            benchmark_common_causes=["c"],
            effect_fraction_on_treatment=[1.0],
            plot_estimate=False,
        )
    fit = sm.OLS(frame["y"], sm.add_constant(frame[["f", "a", "c"]])).fit()
    t, df = float(fit.tvalues["f"]), int(fit.df_resid)
    assert analysis.stats["robustness_value"] == pytest.approx(robustness_value(t, df), abs=1e-9)
    assert analysis.stats["robustness_value_alpha"] == pytest.approx(
        robustness_value(t, df, alpha=0.05), abs=1e-9
    )
