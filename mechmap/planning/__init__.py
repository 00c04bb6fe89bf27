"""Planning a study on a map: the linear model its effect sizes imply
(:mod:`~mechmap.planning.sem`), studies simulated from it
(:mod:`~mechmap.planning.simulate`) and the power of each test of a path by number of sites
(:mod:`~mechmap.planning.power`), analysed with the estimate step's own intervals."""

from mechmap.planning.power import PowerResult, PowerRow, power
from mechmap.planning.sem import LinearSEM, linear_sem, parse_effect

__all__ = ["LinearSEM", "PowerResult", "PowerRow", "linear_sem", "parse_effect", "power"]
