"""The commented starter map written by ``mechmap new``."""

STARTER_MAP = """\
# A mechanism map: how a strategy is hypothesised to work, as a directed acyclic graph.
# Format reference: docs/map-format.md. Check it with:  mechmap validate {file}
mechmap: 1
id: {map_id}
title: {title}
description: >
  One paragraph: the strategy, the setting, and the outcome you care about.

sources:            # the publications this map rests on
  - {{id: author2025, citation: "Author A, et al. Journal. 2025;1:1", doi: 10.0000/example}}

waves:              # time points, earliest first; delete if nothing is time-indexed
  base: Baseline
  y1: Year 1

nodes:              # roles: strategy, component, actor, determinant, context, precondition,
                    # moderator, mechanism, proximal_outcome, implementation_outcome,
                    # service_outcome, clinical_outcome, confounder, other
  facilitation: {{label: Facilitation (hours), role: strategy, wave: y1}}
  trust: {{label: Trust in the facilitator, role: mechanism, wave: y1}}
  uptake:
    {{label: Uptake of the practice, role: implementation_outcome, waves: [base, y1], carry: true}}
  capacity: {{label: Site capacity, role: context, latent: true}}   # latent = not measured

edges:              # 'a -> b -> c' for plain arrows; a mapping when the arrow needs details
  - facilitation -> trust
  - {{from: trust, to: uptake@y1, sign: "+", provenance: inferred, note: Why you think so.}}
  - capacity -> trust
  - capacity -> uptake        # a timeless cause reaches every copy (uptake@base, uptake@y1)

hypotheses:         # paths you intend to test against data
  - {{id: trust-path, path: facilitation -> trust -> uptake@y1, expect: "+"}}
"""
