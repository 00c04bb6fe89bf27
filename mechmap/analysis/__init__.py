"""Graph analyses of a map's time-unrolled DAG: pure functions returning plain results.

- :mod:`~mechmap.analysis.dsep`: d-separation, with the open path when there is one;
- :mod:`~mechmap.analysis.paths`: causal paths, all paths with their status, mediators;
- :mod:`~mechmap.analysis.separators`: minimal vertex separators with polynomial delay;
- :mod:`~mechmap.analysis.adjustment`: minimal sufficient adjustment sets, and checks;
- :mod:`~mechmap.analysis.implications`: testable conditional independencies;
- :mod:`~mechmap.analysis.instrumental`: instruments and conditional instruments;
- :mod:`~mechmap.analysis.identify`: identification with latent nodes (back-door,
  front-door, then :mod:`~mechmap.analysis.id_algorithm`), with the estimand as a formula
  (:mod:`~mechmap.analysis.estimands`);
- :mod:`~mechmap.analysis.timing`: time-varying confounding around one requested effect.

All of them but ``timing`` (which reads the map's waves) take a networkx ``DiGraph``
(``Map.to_networkx()``) and node names, so they agree with DAGitty on any DAG, not only on
maps. Each checks its question first (:mod:`~mechmap.analysis.inputs`): a cyclic graph, an
unknown node or an exposure that is also the outcome is a ``ValueError`` with one line
saying what is wrong, worded for node names by :mod:`mechmap.names`.
"""
