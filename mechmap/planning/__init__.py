"""Planning a study on a map: the linear model its effect sizes imply
(:mod:`~mechmap.planning.sem`), studies simulated from it
(:mod:`~mechmap.planning.simulate`), the power of each test of a path by number of sites
(:mod:`~mechmap.planning.power`), analysed with the estimate step's own intervals, and one
synthetic study written as files (:mod:`~mechmap.planning.synthetic`, recorded as measures
declare by :mod:`~mechmap.planning.measurement`)."""

from mechmap.planning.power import PowerResult, PowerRow, power
from mechmap.planning.sem import LinearSEM, linear_sem, parse_effect
from mechmap.planning.synthetic import SyntheticStudy, synthetic_study

__all__ = [
    "LinearSEM",
    "PowerResult",
    "PowerRow",
    "SyntheticStudy",
    "linear_sem",
    "parse_effect",
    "power",
    "synthetic_study",
]
