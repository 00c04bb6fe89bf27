"""A map handed to DoWhy's graphical causal models (``dowhy.gcm``): what changed between two
data sets, what if a node were set, how strong each arrow is.

- :mod:`~mechmap.gcm.model`: the measured graph (latent projection), site data, fitted
  mechanisms; ``Map.to_gcm`` and ``Map.to_dowhy``;
- :mod:`~mechmap.gcm.change`: :func:`explain_change`, the change in an outcome's mean
  attributed to the nodes whose mechanisms changed, with site-bootstrap intervals;
- :mod:`~mechmap.gcm.whatif`: :func:`what_if`, the outcome's mean under set values;
- :mod:`~mechmap.gcm.strength`: :func:`arrow_strengths`, every measured arrow's strength and
  each node's intrinsic influence on an outcome;
- :mod:`~mechmap.gcm.evaluation`: DoWhy's check of the fitted mechanisms.

DoWhy, pandas and scikit-learn are imported inside the functions that need them.
"""
