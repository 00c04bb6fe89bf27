"""Time-varying confounding around one requested effect.

The validator warns about every strategy at a later wave fed by mechanisms at an earlier
wave (:func:`mechmap.mapfile.checks.time_varying_feeds`). For an analysis, what matters is whether
such a feed sits on or around the effect asked for:

- the exposure is that later dose, and an earlier mechanism that sets it also affects the
  outcome by another route: a confounder that changes over time. Adjusting for it is right
  for the effect of this dose alone; when earlier strategies affect it too, adjusting blocks
  part of their effect, so the effect of the dose sequence needs g-methods (Robins, Hernán &
  Brumback, Epidemiology 2000;11:550);
- the exposure comes first and reaches, through such a mechanism, a later dose that affects
  the outcome: its total effect includes the later dose set in response to it, and holding
  that dose fixed (or estimating the sequence) needs g-methods.

Plain reachability on the map's adjacency (:mod:`mechmap.mapfile.graphs`); no networkx.
"""

from __future__ import annotations

from mechmap.mapfile.checks import time_varying_feeds
from mechmap.mapfile.graphs import path_from_source, reachable, reaching_sources
from mechmap.model import STRATEGY_ROLES, Map

G_METHODS = "g-methods (Robins, Hernán & Brumback, Epidemiology 2000;11:550)"


def time_varying_warnings(m: Map, exposure: str, outcome: str) -> list[str]:
    """What time-varying confounding does to the effect of ``exposure`` on ``outcome``
    (variables of the unrolled DAG, e.g. ``intensity@t2``); empty when nothing does.

    >>> import mechmap
    >>> m = mechmap.loads('''
    ... mechmap: 1
    ... id: titrated
    ... title: Dose titrated to trust
    ... waves: {t1: Start, t2: Later}
    ... nodes:
    ...   dose: {role: strategy, waves: [t1, t2], carry: true}
    ...   trust: {role: mechanism, wave: t1}
    ...   uptake: {role: implementation_outcome, wave: t2}
    ... edges: [dose@t1 -> trust -> dose@t2 -> uptake, trust -> uptake]
    ... ''')
    >>> [w[:66] for w in time_varying_warnings(m, "dose@t2", "uptake")]
    ['time-varying confounding: the dose dose@t2 is set in response to e']
    """
    m.names.require(exposure, "exposure")
    m.names.require(outcome, "outcome")
    if exposure == outcome:
        raise ValueError(f"exposure and outcome are the same node: {exposure}")
    ancestors_of_outcome = reachable(m.parents, [outcome])
    without_exposure = {
        v: [p for p in ps if p != exposure] for v, ps in m.parents.items() if v != exposure
    }
    around_exposure = reachable(without_exposure, [outcome])  # reach it by another route
    below_exposure = reachable(m.children, [exposure])

    warnings = []
    for feed in time_varying_feeds(m):
        if feed.strategy == exposure:
            confounders = [v for v in feed.mechanisms if v in around_exposure]
            if confounders:
                warnings.append(_confounded_dose(m, exposure, outcome, confounders))
        elif (
            feed.strategy in below_exposure
            and feed.strategy in ancestors_of_outcome
            and feed.strategy != outcome
        ):
            between = [v for v in feed.mechanisms if v in below_exposure]
            if between:
                warnings.append(_later_dose(m, exposure, outcome, feed.strategy, between))
    return warnings


def _path(m: Map, source: str, target: str, parents=None) -> list[str]:
    """A directed path from ``source`` to ``target`` (which it must reach)."""
    parents = m.parents if parents is None else parents
    masks = reaching_sources(parents, [source])
    return path_from_source(parents, masks, 1, target)


def _arrows(path: list[str]) -> str:
    return " -> ".join(path)


def _earlier_strategies(m: Map, exposure: str, mechanisms: list[str]) -> list[str]:
    """Strategy variables at waves before the exposure's that reach one of ``mechanisms``."""
    wave = m.variable_info[exposure].wave
    if wave is None:
        return []
    before = m.wave_index[wave]
    above = reachable(m.parents, mechanisms)
    return [
        v
        for v, info in m.variable_info.items()
        if v in above
        and info.node.role in STRATEGY_ROLES
        and info.wave is not None
        and m.wave_index[info.wave] < before
    ]


def _confounded_dose(m: Map, exposure: str, outcome: str, confounders: list[str]) -> str:
    first = confounders[-1]
    without_exposure = {
        v: [p for p in ps if p != exposure] for v, ps in m.parents.items() if v != exposure
    }
    text = (
        f"time-varying confounding: the dose {exposure} is set in response to earlier "
        f"mechanisms that also affect {outcome} by another route ({', '.join(confounders)}; "
        f"e.g. {_arrows(_path(m, first, exposure))} and "
        f"{_arrows(_path(m, first, outcome, without_exposure))})."
    )
    earlier = _earlier_strategies(m, exposure, confounders)
    if not earlier:
        return (
            text + f" Adjust for them (they come before the dose) to estimate the effect of "
            f"{exposure} alone; if they also respond to earlier dose, the effect of the dose "
            f"sequence needs {G_METHODS}."
        )
    hit = next(v for v in confounders if earlier[0] in reachable(m.parents, [v]))
    return (
        text + f" They are themselves affected by earlier strategies ({', '.join(earlier)}; "
        f"e.g. {_arrows(_path(m, earlier[0], hit))}): adjusting for them is right for the "
        f"effect of {exposure} alone, but it blocks part of the effect of the earlier ones, "
        f"so the joint effect of {', '.join([*earlier, exposure])} on {outcome} needs "
        f"{G_METHODS}, not adjustment."
    )


def _later_dose(m: Map, exposure: str, outcome: str, dose: str, between: list[str]) -> str:
    via = between[-1]
    route = _arrows(_path(m, exposure, via)[:-1] + _path(m, via, dose))
    between = [v for v in between if v != exposure]
    if between:
        how = f"reaches the later strategy {dose} through {', '.join(between)} (e.g. {route})"
        adjusting = f"adjusting for {', '.join(between)} or {dose}"
    else:  # the exposure is itself the mechanism that sets the later dose
        how = f"sets the later strategy {dose} (e.g. {route})"
        adjusting = f"adjusting for {dose}"
    return (
        f"time-varying confounding: {exposure} {how}, and {dose} affects {outcome}. The "
        f"total effect of {exposure} includes {dose} set in response to it; {adjusting} "
        f"blocks part of it, and the effect with {dose} held fixed, or of the sequence "
        f"{exposure}, {dose}, needs {G_METHODS}."
    )
