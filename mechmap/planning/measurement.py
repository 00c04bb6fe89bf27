"""What an instrument records of a simulated, standardized value: the measurement layer of
``mechmap simulate`` (and of the synthetic GTI data's generator).

A simulated study draws every variable of a map on the standardized scale of
:mod:`mechmap.planning.sem` (mean 0, variance 1 over sites, or over respondents when they
are nested in sites). A study's files hold what measures record instead, as a measures file
declares them (``type:`` and ``score:``, docs/map-format.md):

- ``continuous``: the value itself;
- ``proportion``: a rate ``expit(logit(0.4) + 0.5 z)`` (a site at the mean has 40%, one SD
  up 52%); with a ``denominator`` the site's eligible count is drawn from 50-200 and the
  written rate is the share of binomial successes, so sampling error shrinks with the count
  as the weighted analysis assumes (docs/testing-paths.md);
- ``count``: Poisson with log-mean ``log(10) + 0.5 z``;
- ``{likert: [low, high]}``: the value placed on the scale (centre, a quarter of the range
  per SD), rounded and held within it;
- ``{category: [...]}``: ordered labels, cut at the normal quantiles that give each label
  the same share;
- ``score:`` items of an instrument: each item the value on the answer scale plus item
  noise, rounded and held within the scale, negatively worded items written as the answer
  to the reversed wording (``low + high - x``: WAI-S items 4 and 10), so the scorer's
  reversal recovers them.

Every recording but ``continuous`` is nonlinear or noisy, so estimates from the files are
attenuated relative to the map's standardized effects, as estimates from real instruments are.

>>> import numpy as np
>>> ordered_categories(np.array([-1.0, 0.0, 1.0]), ("low", "medium", "high")).tolist()
['low', 'medium', 'high']
>>> answers_on_scale(np.array([[6.6, 0.2]]), low=1, high=7, reversed_columns=(1,)).tolist()
[[7, 7]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mechmap.model import ValueType

if TYPE_CHECKING:
    import numpy as np

RATE_AT_MEAN = 0.4  # a proportion's value at the mean site
RATE_LOGIT_SD = 0.5  # and its spread on the logit scale per SD
DENOMINATOR_RANGE = (50, 200)  # eligible patients per site, uniform
COUNT_AT_MEAN = 10.0
COUNT_LOG_SD = 0.5
ITEM_NOISE = 0.6  # an item's own noise, in SDs of the value it reflects
DECIMALS = 4


def record(
    z: np.ndarray, value_type: ValueType, rng: np.random.Generator, denominator=None
) -> np.ndarray:
    """What a measure of ``value_type`` records of standardized values ``z``; a proportion
    with ``denominator`` (counts per value) is a share of binomial successes."""
    import numpy as np

    kind = value_type.kind
    if kind == "continuous":
        return np.round(z, DECIMALS)
    if kind == "proportion":
        rate = 1 / (1 + np.exp(-(np.log(RATE_AT_MEAN / (1 - RATE_AT_MEAN)) + RATE_LOGIT_SD * z)))
        if denominator is None:
            return np.round(rate, DECIMALS)
        return np.round(rng.binomial(denominator, rate) / denominator, DECIMALS)
    if kind == "count":
        return rng.poisson(np.exp(np.log(COUNT_AT_MEAN) + COUNT_LOG_SD * z))
    if kind == "likert":
        low, high = value_type.low, value_type.high
        return np.clip(np.rint((low + high) / 2 + (high - low) / 4 * z), low, high)
    if kind == "category":
        return ordered_categories(z, value_type.categories)
    raise ValueError(f"no recording for values of type {kind}")


def denominators(sites: int, rng: np.random.Generator) -> np.ndarray:
    """Each site's eligible count, uniform on :data:`DENOMINATOR_RANGE`."""
    return rng.integers(DENOMINATOR_RANGE[0], DENOMINATOR_RANGE[1] + 1, size=sites)


def ordered_categories(
    z: np.ndarray, labels: Sequence[str], cuts: Sequence[float] | None = None
) -> np.ndarray:
    """``labels`` in order of ``z``, cut at ``cuts`` (default: the standard normal quantiles
    giving every label the same share)."""
    import numpy as np
    from scipy import stats

    if cuts is None:
        cuts = stats.norm.ppf(np.arange(1, len(labels)) / len(labels))
    return np.asarray(labels)[np.searchsorted(np.asarray(cuts), z)]


def answers_on_scale(
    latent: np.ndarray, low: int, high: int, reversed_columns: Sequence[int] = ()
) -> np.ndarray:
    """Answers (respondents x items) from latent positions on the answer scale: rounded,
    held within ``low..high``, and the columns of negatively worded items written as the
    answer to the reversed wording (``low + high - x``)."""
    import numpy as np

    answers = np.clip(np.rint(latent), low, high).astype(int)
    for column in reversed_columns:
        answers[:, column] = low + high - answers[:, column]
    return answers


def item_answers(z: np.ndarray, items: Sequence[int], form, rng: np.random.Generator) -> np.ndarray:
    """Answers to ``items`` of instrument ``form`` (a :class:`~mechmap.instruments.wai.Form`)
    by respondents whose standardized value is ``z``: the scale's centre plus a sixth of its
    range per SD, each item with its own noise."""

    centre, step = (form.low + form.high) / 2, (form.high - form.low) / 6
    noise = rng.standard_normal((len(z), len(items))) * ITEM_NOISE
    latent = centre + step * (z[:, None] + noise)
    flipped = [i for i, item in enumerate(items) if item in form.reversed]
    return answers_on_scale(latent, form.low, form.high, flipped)
