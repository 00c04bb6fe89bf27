"""Identification of a causal effect when some nodes are latent, with the estimand as a formula.

Three steps; the first that succeeds gives the answer:

1. **back-door**: covariate adjustment (the adjustment criterion of
   :mod:`~mechmap.analysis.adjustment`, which contains Pearl's back-door criterion); a
   smallest sufficient set is reported, ``P(y | do(x)) = Σ_z P(y | x, z) P(z)``;
2. **front-door** (Pearl, Causality, 2nd ed. 2009, Definition 3.3.3): a set ``M`` of measured
   nodes that intercepts every directed path from X to Y, with no open back-door path from
   X to ``M`` and every back-door path from ``M`` to Y blocked by X. The search removes
   nodes that break a condition until nothing changes; it finds a front-door set whenever one
   exists (no valid set ever loses a member);
3. the **ID algorithm** (Shpitser & Pearl, AAAI 2006; Shpitser's thesis, UCLA 2008, p. 40) on
   the latent projection of the DAG (an ADMG over the measured nodes, a bidirected arc for
   each pair with a latent common cause). ID is complete: when it fails (a *hedge*), the
   effect is not identifiable from the observed distribution by any method.

Why not DoWhy's ``IDIdentifier``: in DoWhy 0.14 it takes ``observed_nodes`` but never reads
it, so latent nodes are treated as measured (for x -> y with a latent common cause u it
returns ``Σ_u P(u) P(y | u, x)`` instead of failing; dowhy#824), and it refuses a
bidirected arc written as a 2-cycle ("must be a directed acyclic graph"). Its line 7 also
tests ``C.is_empty() is None``, which is never true. This module needs no DoWhy at all, so it
costs no import time and cannot hang.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import networkx as nx

from mechmap.analysis.adjustment import adjustment_problem, separation_graph
from mechmap.analysis.dsep import open_path
from mechmap.analysis.implications import minimum_separator
from mechmap.analysis.separators import SOURCE, TARGET, contract

BACK_DOOR, FRONT_DOOR, ID_ALGORITHM, NO_EFFECT = (
    "back-door",
    "front-door",
    "ID algorithm",
    "no causal path",
)


@dataclass(frozen=True)
class Identification:
    """Whether the effect of the exposures on the outcomes can be computed from the observed
    distribution, how, and the formula. ``identifiable`` is ``None`` only when the question
    could not be decided (``note`` says why)."""

    exposures: tuple[str, ...]
    outcomes: tuple[str, ...]
    identifiable: bool | None
    method: str | None
    adjustment_set: list[str] | None = None  # back-door: the set adjusted for
    front_door_set: list[str] | None = None  # front-door: the mediators M
    estimand: str | None = None
    note: str = ""
    _expression: object = field(default=None, repr=False, compare=False)  # for tests

    @property
    def summary(self) -> str:
        what = f"the effect of {', '.join(self.exposures)} on {', '.join(self.outcomes)}"
        if self.identifiable is None:
            return f"Could not decide whether {what} is identifiable: {self.note}"
        if not self.identifiable:
            return f"{what[0].upper()}{what[1:]} is not identifiable. {self.note}".strip()
        return f"{what[0].upper()}{what[1:]} is identifiable ({self.method}): {self.estimand}"

    def as_dict(self) -> dict[str, object]:
        return {
            "exposures": list(self.exposures),
            "outcomes": list(self.outcomes),
            "identifiable": self.identifiable,
            "method": self.method,
            "adjustment_set": self.adjustment_set,
            "front_door_set": self.front_door_set,
            "estimand": self.estimand,
            "note": self.note,
            "summary": self.summary,
        }


def identify(
    graph: nx.DiGraph,
    exposure: str | Iterable[str],
    outcome: str | Iterable[str],
    latent: Collection[str] = (),
) -> Identification:
    """Whether ``P(outcome | do(exposure))`` is identifiable when ``latent`` nodes are not
    measured: back-door, else front-door, else the ID algorithm (see the module docstring).

    Raises ``ValueError`` only for a question that makes no sense (unknown, latent or
    overlapping nodes, a cyclic graph); every graph gets an answer.

    >>> g = nx.DiGraph([("u", "x"), ("u", "y"), ("x", "m"), ("m", "y")])
    >>> r = identify(g, "x", "y", latent=["u"])
    >>> r.method, r.front_door_set
    ('front-door', ['m'])
    >>> r.estimand
    "P(y | do(x)) = Σ_m P(m | x) Σ_x' P(y | x', m) P(x')"
    >>> identify(nx.DiGraph([("u", "x"), ("u", "y"), ("x", "y")]), "x", "y", ["u"]).identifiable
    False
    """
    xs, ys = _names(exposure), _names(outcome)
    latent = set(latent)
    _check_question(graph, xs, ys, latent)

    def answer(method: str, expression, note: str, **found) -> Identification:
        return Identification(
            tuple(sorted(xs)),
            tuple(sorted(ys)),
            True,
            method,
            estimand=_format(expression, xs, ys),
            note=note,
            _expression=expression,
            **found,
        )

    if not set().union(*(nx.descendants(graph, x) for x in xs)) & ys:
        return answer(
            NO_EFFECT,
            _Term(frozenset(ys)),
            "No directed path leads from the exposure to the outcome, so intervening on the "
            "exposure leaves the outcome's distribution as it is.",
        )

    best = smallest_adjustment_set(graph, xs, ys, latent)
    if best is not None:
        return answer(
            BACK_DOOR,
            _adjustment_formula(xs, ys, set(best)),
            f"Adjust for {', '.join(best)}: a smallest sufficient set (adjustment_sets lists "
            "every minimal one)."
            if best
            else "No adjustment is needed: no back-door path is open.",
            adjustment_set=best,
        )

    mediators = front_door_set(graph, xs, ys, latent)
    if mediators is not None:
        return answer(
            FRONT_DOOR,
            _front_door_formula(xs, ys, mediators),
            "No adjustment set exists (a latent confounder), but "
            f"{', '.join(sorted(mediators))} carries the whole effect and is itself "
            "unconfounded: the front-door formula.",
            front_door_set=sorted(mediators),
        )

    try:
        expression = _ADMG(graph, latent).identify(frozenset(ys), frozenset(xs))
    except _Hedge as hedge:
        return Identification(
            tuple(sorted(xs)),
            tuple(sorted(ys)),
            False,
            ID_ALGORITHM,
            note="No adjustment set and no front-door set exist, and the ID algorithm (which "
            f"is complete) fails on a hedge: {', '.join(sorted(hedge.whole))} form one "
            "confounded component (linked through latent common causes), and so "
            f"{'does' if len(hedge.part) == 1 else 'do'} {', '.join(sorted(hedge.part))} once the "
            "exposure is set. No method can compute the effect from the measured variables: "
            "measure a latent node, or bound the effect instead.",
        )
    loose = sorted(_free(expression) - xs - ys)
    return answer(
        ID_ALGORITHM,
        expression,
        "Neither adjustment nor the front-door formula applies; the ID algorithm expresses "
        "the effect in terms of the observed distribution."
        + (
            f" It holds for any value of {', '.join(loose)}, which it conditions on "
            "without summing over."
            if loose
            else ""
        ),
    )


def _names(value: str | Iterable[str]) -> set[str]:
    return {value} if isinstance(value, str) else set(value)


def _check_question(graph: nx.DiGraph, xs: set[str], ys: set[str], latent: set[str]) -> None:
    if not xs or not ys:
        raise ValueError("give at least one exposure and one outcome")
    for v in sorted(xs | ys | latent):
        if v not in graph:
            raise ValueError(f"node {v!r} is not in the graph")
    if xs & ys:
        raise ValueError(f"{', '.join(sorted(xs & ys))} cannot be both exposure and outcome")
    if (xs | ys) & latent:
        raise ValueError(
            f"{', '.join(sorted((xs | ys) & latent))} is latent: an effect on or of an "
            "unmeasured node cannot be estimated"
        )
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("the graph has a cycle: identification needs a DAG")


def smallest_adjustment_set(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
) -> list[str] | None:
    """A smallest sufficient adjustment set for the total effect (sorted), or ``None`` if
    there is none: a minimum vertex cut of the graph whose minimal separators are the
    minimal adjustment sets, so one maximum-flow computation instead of listing them all.

    >>> g = nx.DiGraph([("a", "x"), ("a", "b"), ("c", "x"), ("c", "b"), ("b", "y"), ("x", "y")])
    >>> smallest_adjustment_set(g, ["x"], ["y"])  # {a, c} is minimal too, but larger
    ['b']
    """
    problem = adjustment_problem(graph, exposures, outcomes, latent)
    separation = separation_graph(problem)
    separation = contract(
        contract(separation, set(problem.exposures), SOURCE), set(problem.outcomes), TARGET
    )
    found = minimum_separator(separation, SOURCE, TARGET)
    return None if found is None else sorted(found)


def front_door_set(
    graph: nx.DiGraph,
    exposures: Iterable[str],
    outcomes: Iterable[str],
    latent: Collection[str] = (),
) -> set[str] | None:
    """A set satisfying the front-door criterion for the effect of ``exposures`` on
    ``outcomes``, or ``None`` if there is none. Among the mediators when some of them form
    one; then only the members that come first on a directed path, when those suffice.

    >>> g = nx.DiGraph([("u", "x"), ("u", "y"), ("x", "m"), ("m", "y")])
    >>> front_door_set(g, ["x"], ["y"], ["u"])
    {'m'}
    """
    xs, ys = set(exposures), set(outcomes)
    if any(graph.has_edge(x, y) for x in xs for y in ys):
        return None  # a direct arrow cannot be intercepted
    # (ii) no open back-door path from X to a member: given nothing, two nodes are
    # d-connected iff they have a common ancestor, here in the graph without X's out-arrows
    without_x_out = graph.copy()
    without_x_out.remove_edges_from(list(graph.out_edges(xs)))
    above_x = xs.union(*(nx.ancestors(without_x_out, x) for x in xs))
    tied = above_x.union(*(nx.descendants(without_x_out, v) for v in above_x))
    candidates = set(graph) - tied - ys - set(latent)
    on_paths = set().union(*(nx.descendants(graph, x) for x in xs)) & set().union(
        *(nx.ancestors(graph, y) for y in ys)
    )
    for pool in (candidates & on_paths, candidates):
        members = _largest_front_door(graph, xs, ys, pool)
        if members:
            return _first_members(graph, xs, ys, members, on_paths)
    return None


def _largest_front_door(graph: nx.DiGraph, xs: set[str], ys: set[str], pool: set[str]):
    """The largest subset of ``pool`` (whose members meet condition ii) that also meets
    (iii), if it meets (i); else ``None``. No front-door set within ``pool`` ever loses a
    member here, so this finds one whenever ``pool`` holds one."""
    members = set(pool)
    # (iii) every back-door path from a member to Y blocked by X; dropping a member puts its
    # outgoing arrows back, so repeat until nothing changes
    while True:
        cut = graph.copy()
        cut.remove_edges_from(list(graph.out_edges(members)))
        leaving = {m for m in members if open_path(cut, [m], ys, xs) is not None}
        if not leaving:
            break
        members -= leaving
    # (i) the members intercept every directed path from X to Y
    rest = graph.subgraph(set(graph) - members)
    if set().union(*(nx.descendants(rest, x) for x in xs)) & ys:
        return None
    return members


def _first_members(
    graph: nx.DiGraph, xs: set[str], ys: set[str], members: set[str], on_paths: set[str]
) -> set[str]:
    """The members that come first on some directed path from X to Y: they still intercept
    every such path and make a shorter formula. ``members`` if they break (iii)."""
    first = set()
    for m in members & on_paths:
        avoiding = graph.subgraph((set(graph) - members) | {m})
        if any(nx.has_path(avoiding, x, m) for x in xs):
            first.add(m)
    cut = graph.copy()
    cut.remove_edges_from(list(graph.out_edges(first)))
    if any(open_path(cut, [m], ys, xs) is not None for m in first):
        return members
    return first


# --- formulas -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    """``P(vars | given)`` of the observed distribution."""

    vars: frozenset[str]
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Product:
    factors: tuple


@dataclass(frozen=True)
class _Sum:
    over: frozenset[str]
    body: object


@dataclass(frozen=True)
class _Ratio:
    numerator: object
    denominator: object


_ONE = _Product(())


def _free(e) -> frozenset[str]:
    """The variables an expression depends on."""
    if isinstance(e, _Term):
        return e.vars | e.given
    if isinstance(e, _Product):
        return frozenset().union(*(_free(f) for f in e.factors))
    if isinstance(e, _Sum):
        return _free(e.body) - e.over
    return _free(e.numerator) | _free(e.denominator)


def _product(factors: Iterable) -> object:
    """The product, flattened; a factor that is also the denominator of a ratio in the
    product cancels with it."""
    flat = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, _Product) else [f])
    others = [f for f in flat if not isinstance(f, _Ratio)]
    ratios = []
    for r in (f for f in flat if isinstance(f, _Ratio)):
        bottom = _factors(r.denominator)
        for d in list(bottom):
            if d in others:
                others.remove(d)
                bottom.remove(d)
        ratios.append(_ratio(r.numerator, _product(bottom)))
    flat = [g for f in others + ratios for g in _factors(f)]
    return flat[0] if len(flat) == 1 else _Product(tuple(flat))


def _factors(e) -> list:
    return list(e.factors) if isinstance(e, _Product) else [e]


def _summed(over: Iterable[str], body) -> object:
    """``Σ_over body``, simplified: a variable held by one factor only, as an outcome of a
    ``P(...)``, is summed out of it (``Σ_w P(w, a | c) = P(a | c)``), or moves into it when
    that factor is itself a sum; factors that do not hold a summed variable move out."""
    over = set(over) & _free(body)
    if isinstance(body, _Sum) and not over & body.over:
        over |= body.over
        body = body.body
    factors = list(body.factors) if isinstance(body, _Product) else [body]
    changed = True
    while changed:
        changed = False
        for w in sorted(over):
            holders = [i for i, f in enumerate(factors) if w in _free(f)]
            if len(holders) != 1:
                continue
            f = factors[holders[0]]
            if isinstance(f, _Term) and w in f.vars:
                rest = f.vars - {w}
                if rest:
                    factors[holders[0]] = _Term(rest, f.given)
                else:
                    del factors[holders[0]]
            elif isinstance(f, _Sum):  # Σ_w Σ_v g = Σ_{v, w} g
                factors[holders[0]] = _summed(f.over | {w}, f.body)
            else:
                continue
            over.discard(w)
            changed = True
    if not over:
        return _product(factors)
    # factors that do not depend on the summed variables move out of the sum
    outside = [f for f in factors if not over & _free(f)]
    inside = [f for f in factors if over & _free(f)]
    return _product([*outside, _Sum(frozenset(over), _product(inside))])


def _ratio(numerator, denominator) -> object:
    """``numerator / denominator``, with the factors they share cancelled."""
    top, bottom = _factors(numerator), _factors(denominator)
    for f in list(bottom):
        if f in top:
            top.remove(f)
            bottom.remove(f)
    numerator, denominator = _product(top), _product(bottom)
    return numerator if denominator == _ONE else _Ratio(numerator, denominator)


def _adjustment_formula(xs: set[str], ys: set[str], zs: set[str]) -> object:
    if not zs:
        return _Term(frozenset(ys), frozenset(xs))
    return _Sum(
        frozenset(zs), _Product((_Term(frozenset(ys), frozenset(xs | zs)), _Term(frozenset(zs))))
    )


def _front_door_formula(xs: set[str], ys: set[str], ms: set[str]) -> object:
    inner = _Sum(
        frozenset(xs),
        _Product((_Term(frozenset(ys), frozenset(xs | ms)), _Term(frozenset(xs)))),
    )
    return _Sum(frozenset(ms), _Product((_Term(frozenset(ms), frozenset(xs)), inner)))


def _query(ys: set[str], xs: set[str]) -> str:
    return f"P({', '.join(sorted(ys))} | do({', '.join(sorted(xs))}))"


def _format(e, xs: set[str], ys: set[str]) -> str:
    """The expression as text: exposures first in each list of variables, and a summed
    variable that clashes with one in use outside the sum primed (``Σ_x'``)."""

    def key(v: str) -> tuple[bool, str]:
        return (v not in xs, v)

    def text(e, names: dict[str, str], in_use: set[str]) -> str:
        def listed(vs: Iterable[str]) -> str:
            return ", ".join(names.get(v, v) for v in sorted(vs, key=key))

        if isinstance(e, _Term):
            return f"P({listed(e.vars)} | {listed(e.given)})" if e.given else f"P({listed(e.vars)})"
        if isinstance(e, _Product):
            if not e.factors:
                return "1"
            in_use = in_use | {names.get(v, v) for v in _free(e)}
            # plain terms first; a Σ reads as reaching to the end, so only the last factor
            # may be an unbracketed sum
            ordered = sorted(e.factors, key=lambda f: isinstance(f, _Sum | _Ratio))
            return " ".join(
                text(f, names, in_use)
                if isinstance(f, _Term) or (isinstance(f, _Sum) and i == len(ordered) - 1)
                else f"[{text(f, names, in_use)}]"
                for i, f in enumerate(ordered)
            )
        if isinstance(e, _Sum):
            names = dict(names)
            in_use = in_use | {names.get(v, v) for v in _free(e)}
            bound = []
            for v in sorted(e.over, key=key):
                printed = v
                while printed in in_use:
                    printed += "'"
                names[v] = printed
                in_use.add(printed)
                bound.append(printed)
            over = bound[0] if len(bound) == 1 else "{" + ", ".join(bound) + "}"
            return f"Σ_{over} {text(e.body, names, in_use)}"
        top, bottom = (
            text(part, names, in_use)
            if isinstance(part, _Term)
            else f"[{text(part, names, in_use)}]"
            for part in (e.numerator, e.denominator)
        )
        return f"{top} / {bottom}"

    return f"{_query(ys, xs)} = {text(e, {}, set(xs | ys))}"


# --- the ID algorithm -----------------------------------------------------------------------


class _Hedge(Exception):
    def __init__(self, whole: frozenset[str], part: frozenset[str]):
        super().__init__("hedge")
        self.whole, self.part = whole, part


@dataclass(frozen=True)
class _Observed:
    """The observed distribution, marginal on the current nodes."""


@dataclass(frozen=True)
class _General:
    """A distribution over the current nodes, written as an expression in the observed one."""

    expression: object


class _ADMG:
    """The latent projection of a DAG: directed arcs between measured nodes joined by a
    directed path through latent nodes only, and a bidirected arc between two measured
    nodes with a latent common cause reaching both through latent nodes only."""

    def __init__(self, graph: nx.DiGraph, latent: set[str]):
        self.order = [v for v in nx.topological_sort(graph) if v not in latent]
        self.rank = {v: i for i, v in enumerate(self.order)}
        self.parents: dict[str, set[str]] = {v: set() for v in self.order}
        self.siblings: dict[str, set[str]] = {v: set() for v in self.order}
        for a in self.order:
            for b in self._reach(graph, a, latent):
                self.parents[b].add(a)
        for u in latent:
            for a, b in itertools.combinations(sorted(self._reach(graph, u, latent)), 2):
                self.siblings[a].add(b)
                self.siblings[b].add(a)

    @staticmethod
    def _reach(graph: nx.DiGraph, start: str, latent: set[str]) -> set[str]:
        """Measured nodes at the end of directed paths from ``start`` through latent nodes."""
        found, seen, stack = set(), {start}, [start]
        while stack:
            for w in graph.successors(stack.pop()):
                if w in seen:
                    continue
                seen.add(w)
                if w in latent:
                    stack.append(w)
                else:
                    found.add(w)
        return found

    def identify(self, ys: frozenset[str], xs: frozenset[str]) -> object:
        return self._id(ys, xs, _Observed(), frozenset(self.order))

    def _ancestors(self, ys: frozenset[str], nodes: frozenset[str], cut=frozenset()) -> set:
        """Ancestors of ``ys`` (themselves included) in the graph induced on ``nodes``,
        ignoring arrows into ``cut``."""
        seen, stack = set(ys), list(ys)
        while stack:
            v = stack.pop()
            if v in cut:
                continue
            for p in self.parents[v]:
                if p in nodes and p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    def _components(self, nodes: frozenset[str]) -> list[frozenset[str]]:
        """The c-components (connected by bidirected arcs) of the graph induced on ``nodes``."""
        left, found = set(nodes), []
        while left:
            start = min(left, key=self.rank.__getitem__)
            seen, stack = {start}, [start]
            while stack:
                for w in self.siblings[stack.pop()]:
                    if w in left and w not in seen:
                        seen.add(w)
                        stack.append(w)
            left -= seen
            found.append(frozenset(seen))
        return found

    def _sorted(self, nodes: Iterable[str]) -> list[str]:
        return sorted(nodes, key=self.rank.__getitem__)

    def _id(self, ys: frozenset, xs: frozenset, dist, nodes: frozenset) -> object:
        if not xs:  # line 1
            return self._marginal(dist, nodes, ys)
        ancestral = frozenset(self._ancestors(ys, nodes))
        if ancestral != nodes:  # line 2
            return self._id(ys, xs & ancestral, self._restrict(dist, nodes, ancestral), ancestral)
        unaffected = (nodes - xs) - self._ancestors(ys, nodes, cut=xs)
        if unaffected:  # line 3
            return self._id(ys, xs | unaffected, dist, nodes)
        parts = self._components(nodes - xs)
        if len(parts) > 1:  # line 4
            return _summed(
                nodes - (ys | xs),
                _product(self._id(s, nodes - s, dist, nodes) for s in parts),
            )
        part = parts[0]
        whole = self._components(nodes)
        if whole == [nodes]:  # line 5
            raise _Hedge(nodes, part)
        if part in whole:  # line 6
            return _summed(
                part - ys,
                _product(self._conditional(dist, nodes, v) for v in self._sorted(part)),
            )
        bigger = next(c for c in whole if part < c)  # line 7
        factors = _product(self._conditional(dist, nodes, v) for v in self._sorted(bigger))
        return self._id(ys, xs & bigger, _General(factors), bigger)

    def _expression(self, dist, nodes: frozenset) -> object:
        if isinstance(dist, _Observed):
            return _Term(nodes)
        return dist.expression

    def _marginal(self, dist, nodes: frozenset, keep: Iterable[str]) -> object:
        """The expression of the marginal of ``dist`` (over ``nodes``) on ``keep``."""
        keep = frozenset(keep)
        if isinstance(dist, _Observed):
            return _Term(keep)
        return self._expression(self._restrict(dist, nodes, keep), keep)

    def _restrict(self, dist, nodes: frozenset, keep: frozenset) -> object:
        """The marginal of ``dist`` on ``keep``, as a distribution."""
        if isinstance(dist, _Observed):
            return dist
        return _General(_summed(nodes - keep, self._expression(dist, nodes)))

    def _conditional(self, dist, nodes: frozenset, v: str) -> object:
        """``dist(v | the nodes before v)``."""
        before = frozenset(u for u in nodes if self.rank[u] < self.rank[v])
        if isinstance(dist, _Observed):
            return _Term(frozenset([v]), before)
        whole = dist.expression
        return _ratio(
            _summed(nodes - before - {v}, whole),
            _summed(nodes - before, whole) if before else _ONE,
        )
