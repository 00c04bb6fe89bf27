"""Statistics core of ``mechmap test``: pure numpy/scipy, knows nothing about maps.

- :mod:`mechmap.stats.moments`: per-site cross-product matrices; every OLS fit, for the point
  estimate, every bootstrap resample and every leave-one-site-out fit, is a weighted sum of them.
- :mod:`mechmap.stats.resampling`: site bootstrap and jackknife weights, percentile and BCa
  intervals.
- :mod:`mechmap.stats.significance`: small-sample tests (Kendall, Spearman, Freedman-Lane
  permutation, partial correlation) and Holm's correction.
- :mod:`mechmap.stats.power`: the smallest detectable correlation and the robustness value.

Nothing here is imported by ``import mechmap``; :mod:`~mechmap.stats.significance` imports
SciPy when it is imported.
"""
