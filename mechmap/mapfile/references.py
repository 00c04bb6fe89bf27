"""Node references, chains and directed paths: how a map file names the variables of its DAG.

A *reference* is ``node`` or ``node@wave``; a *chain* is references joined by arrows,
``'a -> b@t1 -> c'``. :func:`split_chain` cuts a chain into located :class:`Token` s,
:class:`Names` resolves each token against a map's nodes and waves to an :class:`Endpoint`,
and :meth:`Names.directed_path` picks, for un-suffixed time-indexed nodes, the copies that
make a chain a directed path of the map. Every problem is collected (with its location)
rather than raised, so one run reports them all:

>>> from mechmap.model import Node
>>> names = Names({"base": 0, "impl": 1}, {"a": Node("a", "A", waves=("base", "impl"))})
>>> tokens, problems = split_chain("a@base -> a@imp", Where(Location("f.yaml", 3, 5)))
>>> names.resolve(tokens[0]).variable
'a@base'
>>> names.resolve(tokens[1]) is None
True
>>> print(names.problems[0])
f.yaml:3:17: error: unknown wave 'imp' (did you mean 'impl'?); waves are: base, impl
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from mechmap.mapfile.schema import IDENTIFIER_PATTERN
from mechmap.mapfile.yamlsafe import Where
from mechmap.model import Node

_NAME = IDENTIFIER_PATTERN.strip("^$")
REFERENCE = re.compile(rf"^({_NAME})(?:@({_NAME}))?$")
_WRONG_ARROW = re.compile(r"<->|<-|=>|→|—>|-->|->>")


@dataclass(frozen=True)
class Token:
    """One node reference inside a chain, with where it sits in the file."""

    text: str
    location: Location


def split_chain(text: str, where: Where) -> tuple[list[Token], list[Diagnostic]]:
    """Split ``'a -> b@t1 -> c'`` into located tokens; report malformed arrows and names."""
    wrong = _WRONG_ARROW.search(text)
    if wrong:
        hint = (
            "; a bidirected arrow is an unobserved common cause: add a latent node with "
            "arrows to both ends"
            if wrong.group() == "<->"
            else ""
        )
        return [], [
            error(
                where.within(wrong.start(), text),
                f"'{wrong.group()}' is not an arrow mechmap reads: write 'a -> b'{hint}",
            )
        ]
    tokens: list[Token] = []
    problems: list[Diagnostic] = []
    offset = 0
    for piece in text.split("->"):
        stripped = piece.strip()
        start = offset + (len(piece) - len(piece.lstrip()))
        location = where.within(start, text)
        if not stripped:
            problems.append(error(location, f"missing node name in '{text}'"))
        elif not REFERENCE.match(stripped):
            problems.append(
                error(
                    location,
                    f"'{stripped}' is not a node reference: write node_id or node_id@wave",
                )
            )
        else:
            tokens.append(Token(stripped, location))
        offset += len(piece) + 2
    if not problems and len(tokens) < 2:
        problems.append(error(where.location, f"'{text}' has no arrow: write 'a -> b'"))
    return tokens, problems


@dataclass(frozen=True)
class Endpoint:
    """A resolved reference: a node, and the wave named by ``@wave`` (if any).

    ``every`` is true for an un-suffixed reference to a node with ``waves``: it stands
    for every copy until an edge rule picks some.
    """

    node: Node
    wave: str | None
    every: bool = False

    @property
    def variable(self) -> str:
        return f"{self.node.id}@{self.wave}" if self.node.waves else self.node.id


class Names:
    """Resolves node references (``name``, ``name@wave``) and paths against a map's names,
    collecting problems: while a map is built, and afterwards for paths people type."""

    def __init__(self, wave_index: Mapping[str, int], nodes: Mapping[str, Node]):
        self.problems: list[Diagnostic] = []
        self.wave_index = wave_index
        self.nodes = nodes

    def fail(self, location: Location, message: str) -> None:
        self.problems.append(error(location, message))

    def warn(self, location: Location, message: str) -> None:
        self.problems.append(warning(location, message))

    def directed_path(self, text: str, where: Where, arrows: set[tuple[str, str]]):
        """The variables of the chain ``text`` as a directed path, or ``None`` (problems)."""
        tokens, problems = split_chain(text, where)
        self.problems += problems
        ends = [self.resolve(t) for t in tokens]
        if problems or None in ends:
            return None
        return self._path_variables(tokens, ends, arrows)

    def known_wave(self, wave: str, location: Location) -> bool:
        if wave in self.wave_index:
            return True
        if not self.wave_index:
            self.fail(location, f"unknown wave '{wave}': the map declares no 'waves'")
        else:
            self.fail(
                location,
                f"unknown wave '{wave}'{did_you_mean(wave, self.wave_index)}; "
                f"waves are: {', '.join(self.wave_index)}",
            )
        return False

    def resolve(self, token: Token) -> Endpoint | None:
        node_id, wave = REFERENCE.match(token.text).groups()
        node = self.nodes.get(node_id)
        if node is None:
            self.fail(
                token.location,
                f"unknown node '{node_id}'{did_you_mean(node_id, self.nodes)}; "
                "declare it under 'nodes'",
            )
            return None
        if wave is None:
            return Endpoint(node, node.wave, every=bool(node.waves))
        if wave not in self.wave_index:
            self.known_wave(wave, token.location.shifted(len(node_id) + 1))
            return None
        if node.waves and wave not in node.waves:
            self.fail(
                token.location,
                f"node '{node_id}' has no copy at wave '{wave}' "
                f"(its waves: {', '.join(node.waves)})",
            )
            return None
        if node.wave is not None and wave != node.wave:
            self.fail(token.location, f"node '{node_id}' exists only at wave '{node.wave}'")
            return None
        if node.timeless:
            self.fail(
                token.location,
                f"node '{node_id}' is timeless; give it 'wave' or "
                f"'waves' before writing {token.text}",
            )
            return None
        return Endpoint(node, wave)

    def _path_variables(self, tokens, ends, arrows) -> tuple[str, ...] | None:
        """Pick the copies that make the chain a directed path, or report why none do."""
        candidates = [
            [f"{e.node.id}@{w}" for w in e.node.waves] if e.every else [e.variable] for e in ends
        ]
        forward = [candidates[0]]
        for i in range(1, len(tokens)):
            step = [c for c in candidates[i] if any((p, c) in arrows for p in forward[-1])]
            if not step:
                a, b = tokens[i - 1].text, tokens[i].text
                back = any((c, p) in arrows for p in forward[-1] for c in candidates[i])
                elsewhere = [
                    (p, c)
                    for p, c in arrows
                    if c in candidates[i] and self.nodes[p.partition("@")[0]] is ends[i - 1].node
                ]
                if back:
                    hint = f" (the map has {b} -> {a}, the other way)"
                elif elsewhere:
                    hint = (
                        f" (the map has {elsewhere[0][0]} -> {elsewhere[0][1]}, but the path "
                        f"reaches {' or '.join(forward[-1])}: add the copies in between)"
                    )
                else:
                    hint = ""
                self.fail(
                    tokens[i].location,
                    f"the path is not a directed path of the map: no arrow {a} -> {b}{hint}",
                )
                return None
            forward.append(step)
        chosen = [forward[-1]]
        for i in range(len(tokens) - 2, -1, -1):
            chosen.insert(0, [c for c in forward[i] if any((c, n) in arrows for n in chosen[0])])
        for token, options in zip(tokens, chosen, strict=True):
            if len(options) > 1:
                self.fail(
                    token.location,
                    f"'{token.text}' is ambiguous in this path: it could "
                    f"be {' or '.join(options)}; add @wave",
                )
                return None
        return tuple(options[0] for options in chosen)
