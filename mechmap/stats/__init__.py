"""Statistics core of ``mechmap test``: pure numpy/scipy, knows nothing about maps.

- :mod:`mechmap.stats.moments`: per-site cross-product matrices; every OLS fit, for the point
  estimate, every bootstrap resample and every leave-one-site-out fit, is a weighted sum of them.
- :mod:`mechmap.stats.inference`: the primary intervals and tests (t, CR2 with Bell-McCaffrey
  df, Monte Carlo for products of links), calibrated for 10-60 sites.
- :mod:`mechmap.stats.calibration`: their coverage, size and power, by simulation.
- :mod:`mechmap.stats.resampling`: site bootstrap weights, drawn in chunks, and the
  percentile interval (a check).
- :mod:`mechmap.stats.significance`: small-sample tests (Kendall, Spearman, Freedman-Lane
  permutation, partial correlation) and Holm's correction.
- :mod:`mechmap.stats.power`: the exact smallest detectable correlation, the robustness value
  and the E-value.

Nothing here is imported by ``import mechmap``; :mod:`~mechmap.stats.significance` imports
SciPy when it is imported.
"""
