"""Estimands as formulas: expressions in the observed distribution, simplified and printed.

An identified effect is an expression built from four kinds of parts, each frozen so that
equal parts compare equal and cancel:

- :class:`Term`: ``P(vars | given)`` of the observed distribution;
- :class:`Product` of factors (:data:`ONE` is the empty product);
- :class:`Sum` of a body over some variables, ``Σ_over body``;
- :class:`Ratio` of two expressions.

:func:`product`, :func:`summed` and :func:`ratio` build them simplified (a variable held by
one factor only is summed out of it, a factor shared by numerator and denominator cancels),
so the ID algorithm's output reads as people write it. :func:`adjustment_formula` and
:func:`front_door_formula` are the two textbook estimands; :func:`estimand_text` prints any
expression, priming a summed variable that clashes with one in use (``Σ_x' ...``).

>>> e = adjustment_formula({"x"}, {"y"}, {"c"})
>>> estimand_text(e, {"x"}, {"y"})
'P(y | do(x)) = Σ_c P(y | x, c) P(c)'
>>> estimand_text(summed({"w"}, Term(frozenset({"w", "y"}), frozenset({"x"}))), {"x"}, {"y"})
'P(y | do(x)) = P(y | x)'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """``P(vars | given)`` of the observed distribution."""

    vars: frozenset[str]
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Product:
    factors: tuple


@dataclass(frozen=True)
class Sum:
    over: frozenset[str]
    body: object


@dataclass(frozen=True)
class Ratio:
    numerator: object
    denominator: object


ONE = Product(())


def free(e) -> frozenset[str]:
    """The variables an expression depends on."""
    if isinstance(e, Term):
        return e.vars | e.given
    if isinstance(e, Product):
        return frozenset().union(*(free(f) for f in e.factors))
    if isinstance(e, Sum):
        return free(e.body) - e.over
    return free(e.numerator) | free(e.denominator)


def product(factors: Iterable) -> object:
    """The product, flattened; a factor that is also the denominator of a ratio in the
    product cancels with it."""
    flat = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, Product) else [f])
    others = [f for f in flat if not isinstance(f, Ratio)]
    ratios = []
    for r in (f for f in flat if isinstance(f, Ratio)):
        bottom = _factors(r.denominator)
        for d in list(bottom):
            if d in others:
                others.remove(d)
                bottom.remove(d)
        ratios.append(ratio(r.numerator, product(bottom)))
    flat = [g for f in others + ratios for g in _factors(f)]
    return flat[0] if len(flat) == 1 else Product(tuple(flat))


def _factors(e) -> list:
    return list(e.factors) if isinstance(e, Product) else [e]


def summed(over: Iterable[str], body) -> object:
    """``Σ_over body``, simplified: a variable held by one factor only, as an outcome of a
    ``P(...)``, is summed out of it (``Σ_w P(w, a | c) = P(a | c)``), or moves into it when
    that factor is itself a sum; factors that do not hold a summed variable move out."""
    over = set(over) & free(body)
    if isinstance(body, Sum) and not over & body.over:
        over |= body.over
        body = body.body
    factors = list(body.factors) if isinstance(body, Product) else [body]
    changed = True
    while changed:
        changed = False
        for w in sorted(over):
            holders = [i for i, f in enumerate(factors) if w in free(f)]
            if len(holders) != 1:
                continue
            f = factors[holders[0]]
            if isinstance(f, Term) and w in f.vars:
                rest = f.vars - {w}
                if rest:
                    factors[holders[0]] = Term(rest, f.given)
                else:
                    del factors[holders[0]]
            elif isinstance(f, Sum):  # Σ_w Σ_v g = Σ_{v, w} g
                factors[holders[0]] = summed(f.over | {w}, f.body)
            else:
                continue
            over.discard(w)
            changed = True
    if not over:
        return product(factors)
    # factors that do not depend on the summed variables move out of the sum
    outside = [f for f in factors if not over & free(f)]
    inside = [f for f in factors if over & free(f)]
    return product([*outside, Sum(frozenset(over), product(inside))])


def ratio(numerator, denominator) -> object:
    """``numerator / denominator``, with the factors they share cancelled."""
    top, bottom = _factors(numerator), _factors(denominator)
    for f in list(bottom):
        if f in top:
            top.remove(f)
            bottom.remove(f)
    numerator, denominator = product(top), product(bottom)
    return numerator if denominator == ONE else Ratio(numerator, denominator)


def adjustment_formula(xs: set[str], ys: set[str], zs: set[str]) -> object:
    if not zs:
        return Term(frozenset(ys), frozenset(xs))
    return Sum(
        frozenset(zs), Product((Term(frozenset(ys), frozenset(xs | zs)), Term(frozenset(zs))))
    )


def front_door_formula(xs: set[str], ys: set[str], ms: set[str]) -> object:
    inner = Sum(
        frozenset(xs),
        Product((Term(frozenset(ys), frozenset(xs | ms)), Term(frozenset(xs)))),
    )
    return Sum(frozenset(ms), Product((Term(frozenset(ms), frozenset(xs)), inner)))


def _query(ys: set[str], xs: set[str]) -> str:
    return f"P({', '.join(sorted(ys))} | do({', '.join(sorted(xs))}))"


def estimand_text(e, xs: set[str], ys: set[str]) -> str:
    """The expression as text: exposures first in each list of variables, and a summed
    variable that clashes with one in use outside the sum primed (``Σ_x'``)."""

    def key(v: str) -> tuple[bool, str]:
        return (v not in xs, v)

    def text(e, names: dict[str, str], in_use: set[str]) -> str:
        def listed(vs: Iterable[str]) -> str:
            return ", ".join(names.get(v, v) for v in sorted(vs, key=key))

        if isinstance(e, Term):
            return f"P({listed(e.vars)} | {listed(e.given)})" if e.given else f"P({listed(e.vars)})"
        if isinstance(e, Product):
            if not e.factors:
                return "1"
            in_use = in_use | {names.get(v, v) for v in free(e)}
            # plain terms first; a Σ reads as reaching to the end, so only the last factor
            # may be an unbracketed sum
            ordered = sorted(e.factors, key=lambda f: isinstance(f, Sum | Ratio))
            return " ".join(
                text(f, names, in_use)
                if isinstance(f, Term) or (isinstance(f, Sum) and i == len(ordered) - 1)
                else f"[{text(f, names, in_use)}]"
                for i, f in enumerate(ordered)
            )
        if isinstance(e, Sum):
            names = dict(names)
            in_use = in_use | {names.get(v, v) for v in free(e)}
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
            if isinstance(part, Term)
            else f"[{text(part, names, in_use)}]"
            for part in (e.numerator, e.denominator)
        )
        return f"{top} / {bottom}"

    return f"{_query(ys, xs)} = {text(e, {}, set(xs | ys))}"
