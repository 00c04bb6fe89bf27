"""Scoring of survey instruments whose scores become node values (see ``score:`` in the
measures block of a map).

- :mod:`~mechmap.instruments.wai`: the Working Alliance Inventory short forms, WAI-S and
  WAI-SR (Goal, Task and Bond subscales, and the total).

Not to be confused with :mod:`mechmap.analysis.instrumental` (instrumental variables).
"""
