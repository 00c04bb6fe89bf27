"""Property tests of the layout: random layered graphs and random maps, checked against
what the layout promises (hypothesis).

- crossing reduction keeps every item in its layer, keeps bands contiguous and in order,
  keeps ranked items in rank order, and never ends with more crossings than it started with;
- the crossing count equals a brute-force count of inverted pairs;
- the ordered fit keeps order and spacing, and no shift of a block of positions improves it;
- on random maps with waves, boxes in one layer never overlap, every arrow runs left to
  right, and each wave's boxes lie left of the next wave's.
"""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import mechmap
from mechmap.diagrams.arrange import arrange, drawn_graph
from mechmap.diagrams.layout import _ordered_fit
from mechmap.diagrams.ordering import crossings, reduce_crossings


@st.composite
def layered_graphs(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    layers = [[f"{k}.{i}" for i in range(size)] for k, size in enumerate(sizes)]
    edges = []
    for upper, lower in itertools.pairwise(layers):
        pairs = [(a, b) for a in upper for b in lower]
        edges += draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    items = [i for layer in layers for i in layer]
    band = {i: draw(st.integers(0, 2)) for i in items}
    ranked = draw(st.lists(st.sampled_from(items), unique=True, max_size=4))
    rank = {item: draw(st.integers(0, 9)) for item in ranked}
    return layers, edges, band, rank


def brute_crossings(layers, edges) -> int:
    where = {i: (k, p) for k, layer in enumerate(layers) for p, i in enumerate(layer)}
    total = 0
    for (a, b), (c, d) in itertools.combinations(edges, 2):
        if where[a][0] != where[c][0]:
            continue
        first, second = where[a][1] - where[c][1], where[b][1] - where[d][1]
        total += first * second < 0
    return total


@settings(max_examples=150, deadline=None)
@given(layered_graphs())
def test_crossing_reduction_keeps_layers_bands_ranks_and_never_worsens(graph) -> None:
    layers, edges, band, rank = graph
    found = reduce_crossings([list(layer) for layer in layers], edges, band=band, rank=rank)
    assert [sorted(layer) for layer in found] == [sorted(layer) for layer in layers]
    for layer in found:
        bands = [band[i] for i in layer]
        assert bands == sorted(bands)  # each band contiguous, top band first
        for b in set(bands):
            ranks = [rank[i] for i in layer if i in rank and band[i] == b]
            assert ranks == sorted(ranks)
    assert crossings(found, edges) == brute_crossings(found, edges)
    start = [sorted(layer, key=lambda i: band[i]) for layer in layers]
    if not rank:  # the starting order is a valid arrangement only without ranks to honour
        assert crossings(found, edges) <= crossings(start, edges)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-500, 500), min_size=1, max_size=12).flatmap(
        lambda wanted: st.tuples(
            st.just(wanted),
            st.lists(st.floats(0.1, 10), min_size=len(wanted), max_size=len(wanted)),
            st.lists(st.floats(0, 60), min_size=len(wanted) - 1, max_size=len(wanted) - 1),
        )
    )
)
def test_ordered_fit_keeps_spacing_and_is_least_squares(case) -> None:
    wanted, weights, separation = case
    fitted = _ordered_fit(wanted, weights, separation)
    for (a, b), gap in zip(itertools.pairwise(fitted), separation, strict=True):
        assert b - a >= gap - 1e-6

    def cost(values):
        return sum(w * (v - t) ** 2 for v, t, w in zip(values, wanted, weights, strict=True))

    best = cost(fitted)
    # Moving any run of consecutive boxes together (the only moves that keep a tight
    # arrangement feasible) by a small step either way never lowers the cost.
    for i in range(len(fitted)):
        for j in range(i + 1, len(fitted) + 1):
            for step in (-0.01, 0.01):
                moved = [v + step if i <= k < j else v for k, v in enumerate(fitted)]
                feasible = all(
                    b - a >= gap - 1e-9
                    for (a, b), gap in zip(itertools.pairwise(moved), separation, strict=True)
                )
                if feasible:
                    assert cost(moved) >= best - 1e-6


@st.composite
def wave_maps(draw):
    n = draw(st.integers(3, 14))
    roles = ["strategy", "context", "mechanism", "implementation_outcome", "determinant"]
    lines = ["mechmap: 1", "id: r", "title: R", "waves: {w0: W0, w1: W1, w2: W2}", "nodes:"]
    waves = draw(st.lists(st.sampled_from(["", "w0", "w1", "w2", "all"]), min_size=n, max_size=n))
    # Single waves in node order, so that arrows (from earlier to later nodes) go forward.
    single = iter(sorted(w for w in waves if w.startswith("w")))
    waves = [next(single) if w.startswith("w") else w for w in waves]
    for i, wave in enumerate(waves):
        role = draw(st.sampled_from(roles))
        when = {"": "", "all": ", waves: [w0, w1, w2], carry: true"}.get(wave, f", wave: {wave}")
        lines.append(f"  n{i}: {{label: Node number {i}, role: {role}{when}}}")
    edges = [
        (a, b)
        for b in range(1, n)
        for a in draw(st.lists(st.integers(0, b - 1), unique=True, max_size=3))
    ]
    lines.append("edges:" + ("" if edges else " []"))
    # A copy of a node with waves must be named where the other end is timeless.
    name = {i: f"n{i}@w0" if waves[i] == "all" else f"n{i}" for i in range(n)}
    lines += [
        f"  - {name[a] if not waves[b] else f'n{a}'} -> {name[b] if not waves[a] else f'n{b}'}"
        for a, b in edges
    ]
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None)
@given(wave_maps())
def test_layouts_of_random_maps_keep_their_promises(text) -> None:
    try:
        m = mechmap.loads(text)
    except mechmap.MapError:
        assume(False)  # a map the validator refuses is not one to draw
    vertices, arrows = drawn_graph(m, False)
    arranged = arrange(m, vertices, arrows, font=10, wrap_at=14, labels={})
    centres, sizes = arranged.layout.centres, arranged.sizes
    by_x: dict[float, list[str]] = {}
    for v in vertices:
        by_x.setdefault(centres[v][0], []).append(v)
    for stack in by_x.values():  # a layer's boxes never overlap
        stack.sort(key=lambda v: centres[v][1])
        for a, b in itertools.pairwise(stack):
            assert centres[a][1] + sizes[a][1] / 2 <= centres[b][1] - sizes[b][1] / 2 + 1e-6
    column = {v: arranged.column[v] for v in vertices}
    for a, b in arrows:
        # Left to right, unless time runs the other way (a later wave causes a timeless
        # node that causes an earlier wave: the columns cannot show that).
        if column[a] <= column[b]:
            assert centres[a][0] < centres[b][0]
    for a, b in itertools.combinations(vertices, 2):
        wa, wb = m.variable_info[a].wave, m.variable_info[b].wave
        if wa and wb and m.wave_index[wa] < m.wave_index[wb]:
            assert centres[a][0] + sizes[a][0] / 2 < centres[b][0] - sizes[b][0] / 2
            assert column[a] < column[b]
