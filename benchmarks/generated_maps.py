"""Generated maps for the benchmarks: valid map text of any size, shaped like a real map.

A random DAG over the node order; a third of the nodes time-indexed over three waves, the
rest at one wave that grows with the order (so no arrow goes back in time); about two
arrows into each node. ``reach`` keeps causes among the previous ``reach`` nodes, as in a
drafted map whose arrows join neighbouring ideas (``None``: anywhere before); ``numbered``
gives four arrows in five a figure number and a sign, as the Kilbourne map has them.
"""

from __future__ import annotations

import random

ROLES = (
    "strategy",
    "component",
    "mechanism",
    "context",
    "proximal_outcome",
    "implementation_outcome",
)


def generated_map(
    n: int, seed: int = 1, *, reach: int | None = None, numbered: bool = False
) -> str:
    """Map text of ``n`` nodes (see the module docstring)."""
    rng = random.Random(seed)
    lines = [
        "mechmap: 1",
        "id: generated",
        f"title: Generated map of {n} nodes",
        "waves: {w0: Baseline, w1: Year 1, w2: Year 2}",
        "nodes:",
    ]
    multi = set(rng.sample(range(n), n // 3))
    for i in range(n):
        when = ", waves: [w0, w1, w2], carry: true" if i in multi else f", wave: w{3 * i // n}"
        label = f"Generated node number {i}" if numbered else f"Node {i}"
        lines.append(f"  n{i}: {{label: {label}, role: {rng.choice(ROLES)}{when}}}")
    lines.append("edges:")
    number = 0
    for i in range(1, n):
        first = 0 if reach is None else max(0, i - reach)
        for j in rng.sample(range(first, i), min(i - first, 2)):
            if numbered and rng.random() < 0.8:
                number += 1
                sign = rng.choice("+-?")
                lines.append(f"  - {{from: n{j}, to: n{i}, arrow: {number}, sign: '{sign}'}}")
            else:
                lines.append(f"  - n{j} -> n{i}")
    return "\n".join(lines) + "\n"
