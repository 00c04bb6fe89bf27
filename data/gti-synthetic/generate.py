"""SYNTHETIC data shaped like the GTI working-alliance study: 12 sites, simulated, not real.

Run ``python data/gti-synthetic/generate.py [OUT_DIR]``: it writes the files below next to
itself (or into OUT_DIR), byte for byte the same on every run, and prints the calibration table.

- ``gti-synthetic-sites.csv``     one row per site: dose, fidelity, screening rates
- ``gti-synthetic-wai-s.csv``     one row per WAI-S respondent: 12 raw item answers (1-7)
- ``gti-synthetic-patients.csv``  one row per patient and wave: screened 0/1
- ``gti-synthetic-measures.yaml`` binds the map's nodes to these columns (``synthetic: true``)
- ``gti-synthetic-aggregates.json`` published aggregates next to the model's and this draw's

The study it imitates is Yakovchenko et al., Implement Sci Commun 2025;6:22 (Getting To
Implementation, GTI). Only its published aggregates are used; every site, respondent and patient
here is invented. The data follow a linear structural model over the nodes and arrows of
``maps/yakovchenko-2025-working-alliance.yaml``: every node is a linear function of its parents
in that map plus noise, and of nothing else, so analyses can be checked against a known truth.
Coefficients are per unit of the parent as written (hours, shares, 1-7 answer-scale points,
proportions); ``z(x) = (x - m) / s`` uses the model's population mean m and SD s (constants
below, not sample statistics); every ``e`` is a fresh independent N(0, 1) draw.

Site level (``site_context`` C is latent: simulated, never written)::

    C                    = e
    live_virtual_share   = 0.76 + 0.06 e
    site_initiated_share = 0.35 + 0.10 (0.5 C + 0.866 e)
    facilitation_hours   = 19.6 + 6 (0.78 z(site_initiated_share) + 0.626 e)
    cf_live_hours        = 5.0 + 1.2 e
    wai           W = 6.03 + 0.03 z(facilitation_hours) + 0.03 z(site_initiated_share)
                      + 0.06 C + 0.30 e
    goal          G = W + 0.01 - 0.03 z(screening@base) + 0.12 e
    task          T = W - 0.18 + 0.15 e
    bond          B = W + 0.16 + 0.15 e
    alliance_cf     = W + 0.45 z(cf_live_hours) + 0.10 e
    alliance_ef     = W - 0.60 C + 0.10 e
    alliance_site   = W + 0.12 z(screening@impl) + 0.10 e
    fidelity     F* = 1.0 (W - 6.03) + 0.7 (G - 6.04) + 1.1 (T - 5.85) + 0.2 (B - 6.19)
                      + 0.2 C + 0.45 e        written low / medium / high, cut at -0.43, 0.43
    leadership_support L = 2.0 (B - 6.19) + e                       (simulated, not written)
    screening@base = 0.291 + 0.05 (0.5 C + 0.866 e)
    screening@impl = screening@base + 0.097 + 0.015 F* + 0.003 L + 0.005 C + 0.008 e
    screening@sust = screening@impl + 0.015 + 0.060 (G - 6.04) + 0.005 (W - 6.03)
                     + 0.005 (alliance_site - 6.03) + 0.005 (alliance_cf - 6.03)
                     + 0 (alliance_ef - 6.03) + 0.020 C + 0.008 e

with z(screening@base) = (x - 0.291) / 0.05 and z(screening@impl) = (x - 0.388) / 0.07.

Why these values:

- ``site_initiated_share -> facilitation_hours``: 0.78 SD per SD, the published r = 0.78.
  Hours, events and live share have the published means and SDs (235 h / 12 sites = 19.6 h).
  The site-initiated share is not published; 35% +/- 10% is our choice, as is CF live time
  (5 +/- 1.2 h, a third of the live hours). The map draws no arrow between CF live time
  and total time, so the model keeps them independent, and a site with little facilitation can
  show more CF live hours than live hours in all (site 5 here); a map with that arrow would
  generate them jointly.
- Dose barely moves the alliance (0.03 scale points per SD of hours or share, none for live
  share): the paper found WAI uncorrelated with facilitation time. Engaged sites (C) reach out
  more and ally a little more easily, a shared cause the analysis must not read as an effect.
- Goal, Task and Bond reflect one relationship W (the map's reflective arrows) plus small
  subscale parts; with the respondent terms below this gives respondent-level intercorrelations
  near the published 0.73-0.79. Baseline screening barely moves Goal (the map's "?" arrow).
- Rater nodes: the CF's rating rises with the CF's live-meeting time (published CF x Goal
  r = 0.66); the EF rates the alliance higher where the context is worse (the authors' reading
  of the negative EF association); site champions rate higher where the first year went well
  (the map's timing arrow). ``alliance_ef`` has no effect on sustained screening: its negative
  association with sustained change runs entirely through site_context.
- The alliance raises fidelity: 3.0 units of F* (SD about 1) per scale point of W in total,
  mostly through Task and Goal (ordered like the published r: Task > Goal > Bond).
- Fidelity raises first-year screening (1.5 points per SD); the mean gain of 9.7 points is the
  trial's 29.1% -> 38.8%. Screening carries over with coefficient 1, so an effect on
  screening@sust given screening@impl is an effect on the sustained change.
- Goal carries the gain into the sustainment year: 6 points per scale point (about 2 points per
  site SD of Goal), the largest effect on the sustained change; W, alliance_site and
  alliance_cf add 0.5 points per scale point each; context adds 2 points per SD. The mean change
  of 1.5 points (the trial: 2.5) leaves about 6-7 of 11 sites improving (the paper: 6).
- Leadership support (interviews only) is simulated as the map draws it, a small second route
  from Bond to first-year screening, and never written.
- Intercepts 6.03 and the subscale shifts put the expected observed subscale means, after
  answers are rounded and capped at 7, at the published 6.0 / 5.8 / 6.1 (see the table).

Measurement (how the model becomes the files) uses the recording functions of ``mechmap
simulate`` (``mechmap.planning.measurement``: answers on the instrument's scale with its
negatively worded items, ordered categories) and scores respondents with mechmap's WAI-S
scorer. Its structural model is its own rather than ``mechmap simulate``'s standardized one:
it is calibrated in raw units (hours, shares, answer-scale points) to the published means,
SDs and correlations, which standardized path coefficients cannot carry.

- WAI-S: 40 respondents, one CF and one EF per site, a second EF at site 4, one site champion
  per site and a second at sites 2, 6 and 9 (25 facilitators, 15 site members). Respondent r
  of type t at site j answers item i of subscale s with
  round(X_sj + (A_tj - W_j) + d_ts + 0.35 u_r + 0.50 e_ri) capped to 1..7, where X is G, T or
  B, A_t the rater node (alliance_cf, alliance_ef, alliance_site) and d_ts a rater offset (site
  champions rate higher, most on Task, as published). Items 4 and 10 are negatively worded: the
  file holds the raw answer 8 - x. Bond item 3 is answered but left out of scoring, as the paper
  dropped one Bond item without saying which (the choice is ours).
- Screening: a closed cohort of 100-200 patients with cirrhosis per site, the same patients at
  every wave. Patient i is screened at wave w when z_iw < Phi^-1(p_jw), z an AR(1) series over
  the waves with correlation 0.95: screening is mostly a property of a patient's care pathway,
  and the persistence keeps sampling noise from swamping site-level change. Site rates are the
  patient means rounded half up to 4 decimals. Site 12 has no screening data (no patient rows,
  empty rate cells), as in the paper.
- Sites file values are rounded as a tracking sheet holds them (hours to 0.1 h, shares to
  0.001). ``facilitation_events`` is not a map node: 68 + 18 (0.8 z(hours) + 0.6 e), rounded.

The measured alliance nodes are item means, so measured ``wai`` is the mean of the items behind
``goal``, ``task`` and ``bond``, and each rater's answers feed both a rater node and the site
means. Estimates from the files differ from the coefficients above by this measurement error
(and by the three-level cut of fidelity), as they would with real surveys.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np

from mechmap.instruments.wai import FORMS, SUBSCALES, score_items, subscale_items
from mechmap.planning.measurement import answers_on_scale, ordered_categories

# The first seed tried with the final model; its draw meets every tolerance in PUBLISHED.
SEED = 1
CALIBRATION_STUDIES = 1000
N_SITES = 12
NO_OUTCOME_SITE = 12
WAVES = ("base", "impl", "sust")
DROPPED_ITEM = 3
SUBSCALE_ITEMS = {s: SUBSCALES[s] for s in ("goal", "task", "bond")}
REVERSED_ITEMS = tuple(sorted(FORMS["wai-s"].reversed))  # items 4 and 10

# Population means and SDs used to standardize parents (z); SDs of the screening rates are the
# model's own (checked against the simulated studies in the calibration table).
HOURS = (19.6, 6.0)
SITE_SHARE = (0.35, 0.10)
LIVE_SHARE = (0.76, 0.06)
CF_HOURS = (5.0, 1.2)
BASE = (0.291, 0.05)
IMPL = (0.388, 0.07)
# Latent site means on the 1-7 answer scale, before rounding and capping pull them down.
W_MEAN = 6.03
SUBSCALE_SHIFT = {"goal": 0.01, "task": -0.18, "bond": 0.16}
# Rater offsets per subscale (site champions rate higher than facilitators, most on Task).
RATER_OFFSET = {
    "CF": {"goal": -0.10, "task": -0.15, "bond": -0.10},
    "EF": {"goal": -0.15, "task": -0.30, "bond": -0.10},
    "site": {"goal": 0.15, "task": 0.40, "bond": 0.15},
}
FIDELITY_CUTS = (-0.43, 0.43)
FIDELITY_LEVELS = ("low", "medium", "high")
PATIENTS_PER_SITE = (100, 200)
PATIENT_PERSISTENCE = 0.95


def respondent_design() -> tuple[tuple[int, str], ...]:
    """(site, respondent type) of the 40 WAI-S respondents: 25 facilitators, 15 site members.

    >>> design = respondent_design()
    >>> len(design), sum(t != "site" for _, t in design)
    (40, 25)
    """
    rows = []
    for site in range(1, N_SITES + 1):
        rows += [(site, "CF"), (site, "EF")]
        if site == 4:
            rows.append((site, "EF"))
        rows.append((site, "site"))
        if site in (2, 6, 9):
            rows.append((site, "site"))
    return tuple(rows)


@dataclass(frozen=True)
class Study:
    """One simulated study as it would be written: site columns (12 sites), the respondents'
    raw item answers (40 x 12) and each site's patients' screening (patients x 3 waves)."""

    sites: dict[str, np.ndarray]
    answers: np.ndarray
    screened: tuple[np.ndarray, ...]


def _z(x: np.ndarray, population: tuple[float, float]) -> np.ndarray:
    return (x - population[0]) / population[1]


def _screen(rng: np.random.Generator, rates: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each site's cohort screened 0/1 at the three waves, with patient-level persistence."""
    rho = PATIENT_PERSISTENCE
    inverse_cdf = NormalDist().inv_cdf
    cohorts = []
    for site_rates in rates:
        n = int(rng.integers(PATIENTS_PER_SITE[0], PATIENTS_PER_SITE[1] + 1))
        shocks = rng.standard_normal((n, len(WAVES)))
        latent = np.empty_like(shocks)
        latent[:, 0] = shocks[:, 0]
        for w in range(1, len(WAVES)):
            latent[:, w] = rho * latent[:, w - 1] + np.sqrt(1 - rho**2) * shocks[:, w]
        thresholds = np.array([inverse_cdf(float(p)) for p in site_rates])
        cohorts.append((latent < thresholds).astype(np.int8))
    return tuple(cohorts)


def simulate(rng: np.random.Generator) -> Study:
    """One study drawn from the structural model in the module docstring."""
    n = N_SITES

    def e() -> np.ndarray:
        return rng.standard_normal(n)

    context = e()
    live = LIVE_SHARE[0] + LIVE_SHARE[1] * e()
    share = SITE_SHARE[0] + SITE_SHARE[1] * (0.5 * context + np.sqrt(0.75) * e())
    hours = HOURS[0] + HOURS[1] * (0.78 * _z(share, SITE_SHARE) + np.sqrt(1 - 0.78**2) * e())
    cf_hours = CF_HOURS[0] + CF_HOURS[1] * e()
    base = BASE[0] + BASE[1] * (0.5 * context + np.sqrt(0.75) * e())
    wai = W_MEAN + 0.03 * _z(hours, HOURS) + 0.03 * _z(share, SITE_SHARE) + 0.06 * context
    wai = wai + 0.30 * e()
    level = {
        "goal": wai + SUBSCALE_SHIFT["goal"] - 0.03 * _z(base, BASE) + 0.12 * e(),
        "task": wai + SUBSCALE_SHIFT["task"] + 0.15 * e(),
        "bond": wai + SUBSCALE_SHIFT["bond"] + 0.15 * e(),
    }
    centred = {s: level[s] - W_MEAN - SUBSCALE_SHIFT[s] for s in level}
    fidelity = (
        1.0 * (wai - W_MEAN)
        + 0.7 * centred["goal"]
        + 1.1 * centred["task"]
        + 0.2 * centred["bond"]
        + 0.2 * context
        + 0.45 * e()
    )
    leadership = 2.0 * centred["bond"] + e()
    impl = base + 0.097 + 0.015 * fidelity + 0.003 * leadership + 0.005 * context + 0.008 * e()
    rater = {
        "CF": wai + 0.45 * _z(cf_hours, CF_HOURS) + 0.10 * e(),
        "EF": wai - 0.60 * context + 0.10 * e(),
        "site": wai + 0.12 * _z(impl, IMPL) + 0.10 * e(),
    }
    sust = (
        impl
        + 0.015
        + 0.060 * centred["goal"]
        + 0.005 * (wai - W_MEAN)
        + 0.005 * (rater["site"] - W_MEAN)
        + 0.005 * (rater["CF"] - W_MEAN)
        # alliance_ef -> screening@sust: no effect; the association is site_context's doing.
        + 0.000 * (rater["EF"] - W_MEAN)
        + 0.020 * context
        + 0.008 * e()
    )
    events = np.rint(68 + 18 * (0.8 * _z(hours, HOURS) + 0.6 * e()))
    answers = _answers(rng, level, rater, wai)
    # A linear model of a rate can leave 0..1 in the far tails (1 of 60,000 sites simulated for
    # calibration, none in the dataset): such a rate is held at the bound.
    screened = _screen(rng, np.clip(np.column_stack([base, impl, sust]), 0.01, 0.99))
    # Half up on the exact fraction, like SQL's round(avg(screened), 4) over the patient rows.
    rates = np.array([(20000 * s.sum(axis=0) + len(s)) // (2 * len(s)) for s in screened]) / 1e4
    sites = {
        "site": np.arange(1, n + 1),
        "facilitation_hours": np.round(hours, 1),
        "facilitation_events": events.astype(int),
        "live_virtual_share": np.round(live, 3),
        "site_initiated_share": np.round(share, 3),
        "cf_live_hours": np.round(cf_hours, 1),
        "gti_fidelity": ordered_categories(fidelity, FIDELITY_LEVELS, FIDELITY_CUTS),
        # The cohort screened at every wave: the rates' denominator.
        "eligible_patients": np.array([len(s) for s in screened]),
        **{f"screening_{w}": rates[:, i] for i, w in enumerate(WAVES)},
    }
    return Study(sites, answers, screened)


def _answers(rng, level, rater, wai) -> np.ndarray:
    """Raw WAI-S answers (40 x 12): latent level rounded and capped to 1..7, items 4 and 10
    written as a respondent answers a negatively worded item (8 - x)."""
    design = respondent_design()
    site = np.array([s - 1 for s, _ in design])
    kind = [t for _, t in design]
    person = 0.35 * rng.standard_normal(len(design))
    latent = np.empty((len(design), 12))
    for subscale, items in SUBSCALE_ITEMS.items():
        offset = np.array([RATER_OFFSET[t][subscale] for t in kind])
        rater_part = np.array([rater[t][j] - wai[j] for j, t in zip(site, kind, strict=True)])
        mean = level[subscale][site] + rater_part + offset + person
        for item in items:
            latent[:, item - 1] = mean + 0.50 * rng.standard_normal(len(design))
    return answers_on_scale(latent, 1, 7, [item - 1 for item in REVERSED_ITEMS])


def respondent_scores(answers: np.ndarray) -> dict[str, np.ndarray]:
    """WAI-S Goal, Task, Bond and total per respondent, scored as ``mechmap test`` scores
    them: items 4 and 10 reversed back, the dropped Bond item left out."""
    scores = {}
    for name, subscale in (("goal", "goal"), ("task", "task"), ("bond", "bond"), ("wai", "total")):
        items = subscale_items(subscale, dropped=[DROPPED_ITEM])
        scores[name] = score_items(answers[:, [n - 1 for n in items]], items, "wai-s")
    return scores


# name -> (published value or None, tolerance for this dataset or None, what it is)
PUBLISHED: dict[str, tuple[float | None, float | None, str]] = {
    "wai_mean": (5.9, 0.35, "WAI site mean, mean over sites"),
    "wai_sd": (0.4, 0.25, "WAI site mean, SD over sites"),
    "goal_mean": (6.0, 0.35, "Goal site mean, mean"),
    "goal_sd": (0.4, 0.25, "Goal site mean, SD"),
    "task_mean": (5.8, 0.35, "Task site mean, mean"),
    "task_sd": (0.5, 0.3, "Task site mean, SD"),
    "bond_mean": (6.1, 0.35, "Bond site mean, mean"),
    "bond_sd": (0.5, 0.35, "Bond site mean, SD"),
    "hours_total": (235.0, 60.0, "facilitation hours, total"),
    "hours_mean": (20.0, 5.0, "facilitation hours per site, mean"),
    "hours_sd": (6.0, 3.5, "facilitation hours per site, SD"),
    "events_mean": (68.0, 13.0, "facilitation events per site, mean"),
    "events_sd": (18.0, 11.0, "facilitation events per site, SD"),
    "live_mean": (0.76, 0.045, "live virtual share, mean"),
    "live_sd": (0.06, 0.035, "live virtual share, SD"),
    "live_min": (0.65, 0.09, "live virtual share, lowest site"),
    "live_max": (0.84, 0.13, "live virtual share, highest site"),
    "screening_base": (0.291, 0.06, "screening at baseline, pooled over patients"),
    "screening_impl": (0.388, 0.07, "screening at 12 months, pooled"),
    "screening_sust": (0.413, 0.09, "screening at 24 months, pooled"),
    "improved_impl": (11.0, 0.0, "sites improving in the implementation year (of 11)"),
    "relative_impl_min": (0.098, 0.1, "relative change in year 1, lowest site"),
    "relative_impl_max": (0.597, 0.35, "relative change in year 1, highest site"),
    "improved_sust": (6.0, 3.0, "sites still improving in the sustainment year (of 11)"),
    "relative_sust_min": (-0.064, None, "relative change in year 2, lowest site"),
    "relative_sust_max": (0.143, None, "relative change in year 2, highest site"),
    "r_share_hours": (0.78, None, "r site-initiated share x hours (sites)"),
    "r_wai_hours": (None, None, "r WAI x hours (sites); published: not correlated"),
    "r_cfhours_cfgoal": (0.66, None, "r CF live hours x CF-rated Goal (sites)"),
    "r_goal_task": (0.75, None, "r Goal x Task (respondents)"),
    "r_goal_bond": (0.79, None, "r Goal x Bond (respondents)"),
    "r_task_bond": (0.73, None, "r Task x Bond (respondents)"),
    "r_wai_fidelity": (0.41, None, "r WAI x fidelity (respondents)"),
    "r_goal_fidelity": (0.39, None, "r Goal x fidelity (respondents)"),
    "r_task_fidelity": (0.42, None, "r Task x fidelity (respondents)"),
    "r_bond_fidelity": (0.33, None, "r Bond x fidelity (respondents)"),
    "r_goal_sustchange": (0.57, None, "r Goal x sustained change (sites)"),
    "r_sitewai_sustchange": (0.50, None, "r site-rated WAI x sustained change (sites)"),
    "r_cfbond_sustchange": (0.45, None, "r CF-rated Bond x sustained change (sites)"),
    "r_efbond_sustchange": (-0.55, None, "r EF-rated Bond x sustained change (sites)"),
}


_SPREAD = (("mean", np.mean), ("sd", lambda v: np.std(v, ddof=1)))


def aggregates(study: Study) -> dict[str, float]:
    """The published aggregates, computed from what the files hold (site 12 has no outcome)."""
    s = study.sites
    design = respondent_design()
    site_of = np.array([site for site, _ in design])
    kind = np.array([t for _, t in design])
    scores = respondent_scores(study.answers)

    def site_mean(values: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        keep = np.ones(len(values), bool) if keep is None else keep
        return np.array([values[(site_of == j) & keep].mean() for j in s["site"]])

    def r(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.corrcoef(x, y)[0, 1])

    means = {name: site_mean(v) for name, v in scores.items()}
    fidelity = np.array([FIDELITY_LEVELS.index(v) + 1 for v in s["gti_fidelity"]])
    out = {f"{k}_{stat}": float(f(means[k])) for k in means for stat, f in _SPREAD}
    hours, live = s["facilitation_hours"], s["live_virtual_share"]
    out |= {
        "hours_total": float(hours.sum()),
        "hours_mean": float(hours.mean()),
        "hours_sd": float(hours.std(ddof=1)),
        "events_mean": float(s["facilitation_events"].mean()),
        "events_sd": float(s["facilitation_events"].std(ddof=1)),
        "live_mean": float(live.mean()),
        "live_sd": float(live.std(ddof=1)),
        "live_min": float(live.min()),
        "live_max": float(live.max()),
    }
    outcome = s["site"] != NO_OUTCOME_SITE
    pooled = np.concatenate([c for c, keep in zip(study.screened, outcome, strict=True) if keep])
    base, impl, sust = (s[f"screening_{w}"][outcome] for w in WAVES)
    year1, year2 = (impl - base) / base, (sust - impl) / impl
    out |= {f"screening_{w}": float(pooled[:, i].mean()) for i, w in enumerate(WAVES)}
    out |= {
        "improved_impl": float((impl > base).sum()),
        "relative_impl_min": float(year1.min()),
        "relative_impl_max": float(year1.max()),
        "improved_sust": float((sust > impl).sum()),
        "relative_sust_min": float(year2.min()),
        "relative_sust_max": float(year2.max()),
    }
    change = sust - impl
    rated = {t: {k: site_mean(v, kind == t) for k, v in scores.items()} for t in ("CF", "EF")}
    site_rated = site_mean(scores["wai"], kind == "site")
    each = fidelity[site_of - 1]
    out |= {
        "r_share_hours": r(s["site_initiated_share"], hours),
        "r_wai_hours": r(means["wai"], hours),
        "r_cfhours_cfgoal": r(s["cf_live_hours"], rated["CF"]["goal"]),
        "r_goal_task": r(scores["goal"], scores["task"]),
        "r_goal_bond": r(scores["goal"], scores["bond"]),
        "r_task_bond": r(scores["task"], scores["bond"]),
        **{f"r_{k}_fidelity": r(scores[k], each) for k in ("wai", "goal", "task", "bond")},
        "r_goal_sustchange": r(means["goal"][outcome], change),
        "r_sitewai_sustchange": r(site_rated[outcome], change),
        "r_cfbond_sustchange": r(rated["CF"]["bond"][outcome], change),
        "r_efbond_sustchange": r(rated["EF"]["bond"][outcome], change),
    }
    return {name: out[name] for name in PUBLISHED}


def calibrate(rng: np.random.Generator, studies: int) -> dict[str, tuple[float, float, float]]:
    """Mean and 95% range of every aggregate over ``studies`` simulated studies: what the model
    gives in expectation, and how far one 12-site draw can stray from it."""
    draws = [aggregates(simulate(rng)) for _ in range(studies)]
    result = {}
    for name in PUBLISHED:
        values = np.array([d[name] for d in draws])
        low, high = np.percentile(values, [2.5, 97.5])
        result[name] = (float(values.mean()), float(low), float(high))
    return result


MEASURES_YAML = """\
# SYNTHETIC: binds maps/yakovchenko-2025-working-alliance.yaml to the simulated GTI-shaped
# data in this folder (generate.py writes this file). Not real data.
# Pass with: --measures gti-synthetic-measures.yaml --data gti-synthetic-sites.csv
#            --data gti-synthetic-wai-s.csv
# leadership_support is not bound: the paper knows it from interviews only, and the simulation
# does not write it. site_context is latent in the map.
measures:
  site: site
  respondent_type: respondent_type
  synthetic: true
  nodes:
    facilitation_hours: {{column: facilitation_hours, level: site, type: continuous}}
    live_virtual_share: {{column: live_virtual_share, level: site, type: proportion}}
    site_initiated_share: {{column: site_initiated_share, level: site, type: proportion}}
    cf_live_hours: {{column: cf_live_hours, level: site, type: continuous}}
    # WAI-S scored from the raw answers (items 4 and 10 reversed by the scorer; answers 1-7
    # come with the instrument). Bond item {dropped} is left out, as the paper removed one
    # Bond item (which one is our guess).
    wai:
      score: {{instrument: wai-s, subscale: total, items: "wai_{{n}}", dropped: [{dropped}]}}
      level: respondent
      aggregate: mean
    goal:
      score: {{instrument: wai-s, subscale: goal, items: "wai_{{n}}", dropped: [{dropped}]}}
      level: respondent
      aggregate: mean
    task:
      score: {{instrument: wai-s, subscale: task, items: "wai_{{n}}", dropped: [{dropped}]}}
      level: respondent
      aggregate: mean
    bond:
      score: {{instrument: wai-s, subscale: bond, items: "wai_{{n}}", dropped: [{dropped}]}}
      level: respondent
      aggregate: mean
    alliance_cf:
      score: {{instrument: wai-s, subscale: total, items: "wai_{{n}}", dropped: [{dropped}]}}
      where: {{respondent_type: CF}}
      level: respondent
      aggregate: mean
    alliance_ef:
      score: {{instrument: wai-s, subscale: total, items: "wai_{{n}}", dropped: [{dropped}]}}
      where: {{respondent_type: EF}}
      level: respondent
      aggregate: mean
    alliance_site:
      score: {{instrument: wai-s, subscale: total, items: "wai_{{n}}", dropped: [{dropped}]}}
      where: {{respondent_type: site}}
      level: respondent
      aggregate: mean
    fidelity: {{column: gti_fidelity, level: site, type: {{category: [low, medium, high]}}}}
    # Site 12 has no screening data: its cells are empty. Each rate is a share of the site's
    # eligible patients, so its regressions are weighted by that count.
    screening@base:
      {{column: screening_base, level: site, type: proportion, denominator: eligible_patients}}
    screening@impl:
      {{column: screening_impl, level: site, type: proportion, denominator: eligible_patients}}
    screening@sust:
      {{column: screening_sust, level: site, type: proportion, denominator: eligible_patients}}
"""


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write(study: Study, calibration: dict[str, tuple[float, float, float]], out: Path) -> str:
    """Write the five files into ``out``; returns the calibration table (Markdown)."""
    s = study.sites
    waves = [f"screening_{w}" for w in WAVES]
    columns = [c for c in s if c not in waves] + waves
    outcome = ("eligible_patients", *waves)  # blank where a site has no screening data
    rows = []
    for j in range(N_SITES):
        has_outcome = s["site"][j] != NO_OUTCOME_SITE
        rows.append([_cell(c, s[c][j]) if has_outcome or c not in outcome else "" for c in columns])
    _write_csv(out / "gti-synthetic-sites.csv", columns, rows)

    header = ["site", "respondent", "respondent_type"] + [f"wai_{n}" for n in range(1, 13)]
    rows = [
        [site, i + 1, kind, *study.answers[i].tolist()]
        for i, (site, kind) in enumerate(respondent_design())
    ]
    _write_csv(out / "gti-synthetic-wai-s.csv", header, rows)

    rows = []
    for site, cohort in zip(s["site"].tolist(), study.screened, strict=True):
        if site == NO_OUTCOME_SITE:
            continue
        for w, wave in enumerate(WAVES):
            rows += [[site, wave, 1000 * site + i + 1, int(x)] for i, x in enumerate(cohort[:, w])]
    _write_csv(out / "gti-synthetic-patients.csv", ["site", "wave", "patient", "screened"], rows)

    (out / "gti-synthetic-measures.yaml").write_text(
        MEASURES_YAML.format(dropped=DROPPED_ITEM), encoding="utf-8"
    )

    achieved = aggregates(study)
    table = {
        name: {
            "description": description,
            "published": published,
            "tolerance": tolerance,
            "expected": round(calibration[name][0], 4),
            "range_95": [round(calibration[name][1], 4), round(calibration[name][2], 4)],
            "achieved": round(achieved[name], 4),
        }
        for name, (published, tolerance, description) in PUBLISHED.items()
    }
    document = {
        "synthetic": True,
        "seed": SEED,
        "calibration_studies": CALIBRATION_STUDIES,
        "aggregates": table,
    }
    (out / "gti-synthetic-aggregates.json").write_text(
        json.dumps(document, indent=2) + "\n", encoding="utf-8"
    )
    return markdown_table(table)


def _cell(column: str, value: object) -> str:
    """A site value as the tracking sheet writes it (fixed decimals, so files are stable)."""
    decimals = {"facilitation_hours": 1, "cf_live_hours": 1, "live_virtual_share": 3}
    decimals |= {"site_initiated_share": 3} | {f"screening_{w}": 4 for w in WAVES}
    if column in decimals:
        return f"{float(value):.{decimals[column]}f}"
    return str(value)


def markdown_table(table: dict[str, dict]) -> str:
    """The calibration table as printed and as pasted into the README."""

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3g}"

    lines = [
        "| aggregate | published | model: mean (95% of studies) | this dataset | tolerance |",
        "|---|---|---|---|---|",
    ]
    for row in table.values():
        low, high = row["range_95"]
        tolerance = "-" if row["tolerance"] is None else f"+/- {row['tolerance']:g}"
        lines.append(
            f"| {row['description']} | {fmt(row['published'])} | {fmt(row['expected'])} "
            f"({fmt(low)} to {fmt(high)}) | {fmt(row['achieved'])} | {tolerance} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    dataset, replicates = (np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(2))
    study = simulate(dataset)
    print("SYNTHETIC GTI-shaped data: published aggregates, the model's, and this draw's")
    print(write(study, calibrate(replicates, CALIBRATION_STUDIES), out))


if __name__ == "__main__":
    main(sys.argv[1:])
