"""Reading a map file into a :class:`~mechmap.model.Map`, checking its meaning on the way.

The steps: bytes -> UTF-8 text -> YAML with positions (:mod:`mechmap.mapfile.yamlsafe`) ->
the file's shape (:mod:`mechmap.mapfile.specs`) -> references resolved and time-indexed nodes
unrolled (here) -> graph-level checks (:mod:`mechmap.mapfile.checks`). Every problem is
collected, with its line and column, so one run reports them all.

The rules for which copies an edge joins are written down in ``docs/map-format.md``.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mechmap.diagnostics import (
    Diagnostic,
    Location,
    MapError,
    did_you_mean,
    error,
    has_errors,
)
from mechmap.instruments.wai import ITEMS as WAI_ITEMS
from mechmap.instruments.wai import subscale_items
from mechmap.mapfile.schema import (
    IDENTIFIER_PATTERN,
    PLAIN_TYPES,
    DesignSpec,
    EdgeSpec,
    MapSpec,
    MeasuresFileSpec,
    MeasureSpec,
    MeasuresSpec,
    TypeSpec,
)
from mechmap.mapfile.specs import validate_spec
from mechmap.mapfile.yamlsafe import Document, Where, parse, read_text
from mechmap.model import (
    Design,
    Edge,
    Hypothesis,
    Link,
    Map,
    Measure,
    Measures,
    Node,
    Score,
    Source,
    TeachingStep,
    ValueType,
    Wave,
)

_NAME = IDENTIFIER_PATTERN.strip("^$")
_REFERENCE = re.compile(rf"^({_NAME})(?:@({_NAME}))?$")
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
        elif not _REFERENCE.match(stripped):
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


class _Names:
    """Resolves node references (``name``, ``name@wave``) and paths against a map's names,
    collecting problems: while a map is built, and afterwards for paths people type."""

    def __init__(self, wave_index: Mapping[str, int], nodes: Mapping[str, Node]):
        self.problems: list[Diagnostic] = []
        self.wave_index = wave_index
        self.nodes = nodes

    def fail(self, location: Location, message: str) -> None:
        self.problems.append(error(location, message))

    def directed_path(self, text: str, where: Where, arrows: set[tuple[str, str]]):
        """The variables of the chain ``text`` as a directed path, or ``None`` (problems)."""
        tokens, problems = split_chain(text, where)
        self.problems += problems
        ends = [self.resolve(t) for t in tokens]
        if problems or None in ends:
            return None
        return self._path_variables(tokens, ends, arrows)

    def _known_wave(self, wave: str, location: Location) -> bool:
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
        node_id, wave = _REFERENCE.match(token.text).groups()
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
            self._known_wave(wave, token.location.shifted(len(node_id) + 1))
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


class _Builder(_Names):
    """Turns a validated spec into a Map, collecting every meaning-level problem."""

    def __init__(self, spec: MapSpec, doc: Document):
        self.spec = spec
        self.doc = doc
        self.waves = tuple(Wave(w, label) for w, label in spec.waves.items())
        super().__init__({w.id: i for i, w in enumerate(self.waves)}, {})
        self.nodes = {nid: self._node(nid, n) for nid, n in spec.nodes.items()}

    # -- nodes ---------------------------------------------------------------------
    def _node(self, node_id: str, spec) -> Node:
        path = ("nodes", node_id)
        wave, waves = spec.wave, tuple(spec.waves or ())
        if wave is not None and waves:
            self.fail(
                self.doc.locate_key((*path, "waves")),
                f"node '{node_id}' has both 'wave' and 'waves'; keep one",
            )
            wave = None
        if wave is not None and not self._known_wave(wave, self.doc.locate((*path, "wave"))):
            wave = None
        known = tuple(
            w
            for i, w in enumerate(waves)
            if self._known_wave(w, self.doc.locate((*path, "waves", i)))
        )
        if len(set(known)) != len(known):
            self.fail(self.doc.locate((*path, "waves")), f"node '{node_id}' lists a wave twice")
        elif list(known) != sorted(known, key=self.wave_index.__getitem__):
            order = ", ".join(w for w in self.wave_index if w in known)
            self.fail(
                self.doc.locate((*path, "waves")),
                f"node '{node_id}': list its waves in time order ({order})",
            )
        if spec.carry and len(known) < 2:
            self.fail(
                self.doc.locate_key((*path, "carry")),
                f"node '{node_id}': carry needs 'waves' with at least two waves",
            )
        return Node(
            id=node_id,
            label=spec.label or node_id,
            role=spec.role,
            description=spec.description,
            wave=wave,
            waves=tuple(dict.fromkeys(known)),
            latent=spec.latent,
            carry=spec.carry,
            group=spec.group,
            location=self.doc.locate_key(path),
        )

    # -- references ----------------------------------------------------------------
    def links_between(
        self, cause: Endpoint, effect: Endpoint, lag: int | None, location: Location
    ) -> list[tuple[str, str]]:
        """The variable pairs an edge joins (the table in docs/map-format.md)."""
        index = self.wave_index
        if cause.node.timeless or effect.node.timeless:
            if lag is not None:
                self.fail(location, "'lag' needs time-indexed nodes at both ends")
                return []
            if effect.every:
                return [(cause.variable, f"{effect.node.id}@{w}") for w in effect.node.waves]
            if cause.every:
                self.fail(
                    location,
                    f"'{cause.node.id}' has several waves and "
                    f"'{effect.node.id}' is timeless: say which wave acts "
                    f"({cause.node.id}@{cause.node.waves[0]} -> ...)",
                )
                return []
            return [(cause.variable, effect.variable)]
        step = lag or 0
        if not cause.every and not effect.every:
            distance = index[effect.wave] - index[cause.wave]
            if lag is not None and lag != distance:
                self.fail(
                    location,
                    f"lag {lag} does not fit {cause.variable} -> "
                    f"{effect.variable}, which are {distance} wave(s) apart",
                )
                return []
            return [(cause.variable, effect.variable)]
        waves = [w.id for w in self.waves]
        if not cause.every:
            target = index[cause.wave] + step
            wave = waves[target] if target < len(waves) else None
            if wave not in effect.node.waves:
                self.fail(
                    location,
                    f"'{effect.node.id}' has no copy at "
                    f"{wave or 'the wave after the last'} to receive "
                    f"{cause.variable} (lag {step})",
                )
                return []
            return [(cause.variable, f"{effect.node.id}@{wave}")]
        if not effect.every:
            source = index[effect.wave] - step
            wave = waves[source] if source >= 0 else None
            if wave not in cause.node.waves:
                self.fail(
                    location,
                    f"'{cause.node.id}' has no copy at "
                    f"{wave or 'the wave before the first'} to act on "
                    f"{effect.variable} (lag {step})",
                )
                return []
            return [(f"{cause.node.id}@{wave}", effect.variable)]
        pairs = [
            (f"{cause.node.id}@{w}", f"{effect.node.id}@{waves[index[w] + step]}")
            for w in cause.node.waves
            if index[w] + step < len(waves) and waves[index[w] + step] in effect.node.waves
        ]
        if not pairs:
            self.fail(
                location,
                f"'{cause.node.id}' and '{effect.node.id}' share no waves "
                f"{step} apart; name the copies with @wave",
            )
        return pairs

    # -- edges ---------------------------------------------------------------------
    def edges(self, vignette_ids: set[str] | None) -> tuple[list[Edge], list[Link]]:
        declared: list[Edge] = []
        seen_links: dict[tuple[str, str], Location] = {}
        seen_arrows: dict[str, Location] = {}
        moderated: list[tuple[Edge, list[tuple[str, str]], Location]] = []
        for i, entry in enumerate(self.spec.edges):
            path = ("edges", i)
            if isinstance(entry, str):
                tokens, problems = split_chain(entry, self.doc.where(path))
                self.problems += problems
                for cause, effect in itertools.pairwise(tokens):
                    edge = self._edge(cause, effect, None, {})
                    if edge is not None:
                        declared.append(edge)
            else:
                edge, modified = self._mapping_edge(entry, path, seen_arrows, vignette_ids)
                if edge is not None:
                    declared.append(edge)
                    if modified is not None:
                        moderated.append((edge, modified, self.doc.locate((*path, "modifies"))))
        links: list[Link] = []
        for edge in declared:
            for pair in edge.links:
                if pair in seen_links:
                    first = seen_links[pair]
                    self.fail(
                        edge.location,
                        f"duplicate edge {pair[0]} -> {pair[1]} "
                        f"(first declared at line {first.line})",
                    )
                    continue
                seen_links[pair] = edge.location
                links.append(Link(pair[0], pair[1], edge))
        for edge, modified, location in moderated:
            self._check_moderator(edge, modified, set(seen_links), location)
        for node in self.nodes.values():
            if node.carry:
                for a, b in zip(node.variables, node.variables[1:], strict=False):
                    if (a, b) not in seen_links:
                        links.append(Link(a, b, None))
        return declared, links

    def _mapping_edge(self, spec: EdgeSpec, path, seen_arrows, vignette_ids):
        cause = self._single(spec.from_, (*path, "from"))
        modified: list[tuple[str, str]] | None = None
        modified_effect: Token | None = None
        if spec.modifies is not None:
            where = self.doc.where((*path, "modifies"))
            tokens, problems = split_chain(spec.modifies, where)
            self.problems += problems
            if len(tokens) > 2:
                self.fail(where.location, "'modifies' names one edge: 'x -> y'")
            elif len(tokens) == 2:
                ends = [self.resolve(t) for t in tokens]
                if None not in ends:
                    modified = self.links_between(ends[0], ends[1], None, where.location)
                    modified_effect = tokens[1]
        if spec.to is not None:
            effect = self._single(spec.to, (*path, "to"))
        elif modified_effect is not None:
            effect = modified_effect
        else:
            if spec.modifies is None:
                self.fail(self.doc.locate(path), "edge has no 'to': say which node it points at")
            return None, None
        if spec.arrow is not None:
            label = str(spec.arrow)
            if label in seen_arrows:
                self.fail(
                    self.doc.locate((*path, "arrow")),
                    f"arrow {label} is used twice (first at line {seen_arrows[label].line})",
                )
            else:
                seen_arrows[label] = self.doc.locate((*path, "arrow"))
        for k, vignette in enumerate(spec.evidence):
            if vignette_ids is not None and vignette not in vignette_ids:
                hint = (
                    did_you_mean(vignette, vignette_ids)
                    if vignette_ids
                    else (
                        ": no vignettes found (looked in vignettes/ inside and beside the "
                        "map's folder; use --vignettes DIR)"
                    )
                )
                self.fail(
                    self.doc.locate((*path, "evidence", k)),
                    f"evidence '{vignette}' matches no vignette{hint}",
                )
        if cause is None or effect is None:
            return None, None
        attributes = {
            "arrow": None if spec.arrow is None else str(spec.arrow),
            "sign": spec.sign,
            "lag": spec.lag,
            "modifies": _normalized_chain(spec.modifies),
            "provenance": spec.provenance,
            "evidence": tuple(spec.evidence),
            "note": spec.note,
            "kind": spec.kind,
        }
        return self._edge(cause, effect, spec.lag, attributes), modified

    def _single(self, text: str, path) -> Token | None:
        where = self.doc.where(path)
        if "->" in text:
            self.fail(
                where.location,
                f"'{path[-1]}' takes one node; for a chain use the compact form '- {text}'",
            )
            return None
        if not _REFERENCE.match(text.strip()):
            self.fail(where.location, f"'{text}' is not a node reference: node_id or node_id@wave")
            return None
        return Token(text.strip(), where.location)

    def _edge(self, cause: Token, effect: Token, lag: int | None, attributes) -> Edge | None:
        ends = self.resolve(cause), self.resolve(effect)
        if None in ends:
            return None
        pairs = self.links_between(ends[0], ends[1], lag, cause.location)
        valid = []
        for a, b in pairs:
            if a == b:
                self.fail(
                    cause.location,
                    f"self-loop {a} -> {a}: a node cannot cause itself; "
                    "for persistence over time use waves and 'carry'",
                )
                continue
            wa, wb = self._wave_of(a), self._wave_of(b)
            if wa is not None and wb is not None and self.wave_index[wa] > self.wave_index[wb]:
                self.fail(
                    cause.location,
                    f"arrow {a} -> {b} goes back in time (wave '{wa}' "
                    f"comes after '{wb}'); causes precede effects",
                )
                continue
            valid.append((a, b))
        if not valid:
            return None
        return Edge(
            source=cause.text,
            target=effect.text,
            links=tuple(valid),
            location=cause.location,
            **attributes,
        )

    def _wave_of(self, variable: str) -> str | None:
        node_id, _, wave = variable.partition("@")
        return wave or self.nodes[node_id].wave

    def _check_moderator(self, edge: Edge, modified, links: set, location: Location) -> None:
        missing = [pair for pair in modified if pair not in links]
        if missing:
            a, b = missing[0]
            self.fail(
                location,
                f"'modifies: {edge.modifies}' names an edge the map does not "
                f"have ({a} -> {b}); declare it, or fix the names",
            )
            return
        targets = {b for _, b in modified}
        for a, b in edge.links:
            if b not in targets:
                self.fail(
                    location,
                    f"moderator {a} is not a co-parent: it points at {b}, but "
                    f"the edge it modifies points at {', '.join(sorted(targets))}; "
                    "a moderator must point at the same node (or leave out 'to')",
                )
                return

    # -- hypotheses ------------------------------------------------------------------
    def hypotheses(self, links: Iterable[Link]) -> list[Hypothesis]:
        arrows = {(link.source, link.target) for link in links}
        result: list[Hypothesis] = []
        seen: dict[str, Location] = {}
        for i, spec in enumerate(self.spec.hypotheses):
            path = ("hypotheses", i)
            location = self.doc.locate((*path, "id"))
            if spec.id in seen:
                self.fail(
                    location,
                    f"duplicate hypothesis id '{spec.id}' (first at line {seen[spec.id].line})",
                )
                continue
            seen[spec.id] = location
            variables = self.directed_path(spec.path, self.doc.where((*path, "path")), arrows)
            parallel = []
            for j, text in enumerate(spec.parallel):
                where = self.doc.where((*path, "parallel", j))
                chain = self.directed_path(text, where, arrows)
                if chain is None or variables is None:
                    continue
                if (chain[0], chain[-1]) != (variables[0], variables[-1]):
                    self.fail(
                        where.location,
                        f"a parallel path must run from {variables[0]} to {variables[-1]} "
                        f"like the hypothesis's path, not from {chain[0]} to {chain[-1]}",
                    )
                    continue
                parallel.append(chain)
            if variables is not None:
                result.append(
                    Hypothesis(
                        spec.id,
                        variables,
                        spec.expect,
                        spec.description,
                        location,
                        tuple(parallel),
                    )
                )
        return result

    def teaching(self, m: Map) -> tuple[TeachingStep, ...]:
        """The teaching sequence, each step naming an arrow the map has."""
        if self.spec.teaching is None:
            return ()
        steps = []
        for i, step in enumerate(self.spec.teaching.sequence):
            location = self.doc.locate(("teaching", "sequence", i))
            if (step.arrow is None) == (step.edge is None):
                self.fail(
                    location,
                    f"teaching step {i + 1}: name the arrow with either "
                    "'arrow' or 'edge', not both or neither",
                )
                continue
            edge = m.edge_named(step.arrow, step.edge)
            if edge is None:
                named = f"#{step.arrow}" if step.arrow is not None else step.edge
                self.fail(location, f"teaching step {i + 1}: the map has no arrow {named}")
                continue
            steps.append(TeachingStep(edge, step.caption))
        return tuple(steps)

    def sources(self) -> list[Source]:
        result, seen = [], set()
        for i, s in enumerate(self.spec.sources):
            if s.id in seen:
                self.fail(self.doc.locate(("sources", i, "id")), f"duplicate source id '{s.id}'")
                continue
            seen.add(s.id)
            result.append(Source(s.id, s.citation, s.doi, s.url))
        return result


def build_measures(
    spec: MeasuresSpec, doc: Document, names: _Names, top: tuple[str, ...] = ("measures",)
) -> Measures:
    """The measures block at ``top`` of ``doc``, its keys resolved against the map's nodes
    and waves; problems go to ``names.problems``."""
    measures: list[Measure] = []
    seen: dict[str, Location] = {}
    for key, entry in spec.nodes.items():
        path = (*top, "nodes", key)
        location = doc.locate_key(path)
        if not _REFERENCE.match(key.strip()):
            names.fail(location, f"'{key}' is not a node reference: write node_id or node_id@wave")
            continue
        end = names.resolve(Token(key.strip(), location))
        if end is None:
            continue
        if end.node.latent:
            names.fail(
                location,
                f"node '{end.node.id}' is latent (not measured): remove its measure, "
                "or remove 'latent: true' from the node",
            )
            continue
        if entry.wave is not None and spec.wave is None:
            names.fail(
                doc.locate_key((*path, "wave")),
                f"'{key}': 'wave' selects rows by the wave column; name that column at the top "
                "of measures ('wave: COLUMN')",
            )
        variables = _measured_copies(end, key, entry, spec, doc, path, names)
        measure = _measure(entry, doc, path, names)
        for variable in variables:
            if variable in seen:
                names.fail(
                    location,
                    f"{variable} is bound twice (first at line {seen[variable].line}); "
                    "keep one measure",
                )
                continue
            seen[variable] = location
            measures.append(dataclasses.replace(measure, variable=variable, location=location))
    return Measures(
        site=spec.site,
        wave=spec.wave,
        respondent_type=spec.respondent_type,
        synthetic=spec.synthetic,
        nodes=tuple(measures),
        file=doc.file,
        location=doc.locate_key(top) if top else doc.locate(()),
    )


def _measured_copies(end: Endpoint, key, entry, spec, doc, path, names) -> tuple[str, ...]:
    """The variables a measure key binds: one, or every copy of a node in long data."""
    if not end.every:
        return (end.variable,)
    copies = ", ".join(end.node.waves)
    if entry.wave is not None:
        names.fail(
            doc.locate_key((*path, "wave")),
            f"'{key}' stands for every copy ({copies}) but 'wave' selects one: "
            f"write the key as {end.node.id}@WAVE",
        )
        return ()
    if spec.wave is None:
        names.fail(
            doc.locate_key(path),
            f"node '{end.node.id}' has a copy at each of {copies}: bind each copy "
            f"({end.node.id}@{end.node.waves[0]}: ...), or name the wave column of long data "
            "('wave: COLUMN' at the top of measures)",
        )
        return ()
    return end.node.variables


def _measure(entry: MeasureSpec, doc: Document, path, names: _Names) -> Measure:
    """A measure (its variable filled in by the caller) from a validated entry."""
    score = None
    if entry.score is not None:
        if entry.column is not None:
            names.fail(
                doc.locate_key((*path, "score")),
                "a measure has either 'column' or 'score', not both; keep one",
            )
        score = _score(entry, doc, (*path, "score"), names)
    value_type = ValueType()
    if entry.type is not None:
        if entry.score is not None:
            names.fail(
                doc.locate_key((*path, "type")),
                "a score's type comes from its instrument; remove 'type'",
            )
        else:
            value_type = _value_type(entry.type, doc.locate((*path, "type")), names)
    if entry.denominator is not None and value_type.kind != "proportion":
        names.fail(
            doc.locate_key((*path, "denominator")),
            "a denominator weights a proportion: add 'type: proportion', or remove 'denominator'",
        )
    return Measure(
        variable="",
        column=entry.column,
        score=score,
        level=entry.level,
        aggregate=entry.aggregate,
        where=tuple(entry.where.items()),
        wave=entry.wave,
        type=value_type,
        denominator=entry.denominator,
    )


def _score(entry: MeasureSpec, doc: Document, path, names: _Names) -> Score | None:
    spec = entry.score
    if "{n}" not in spec.items:
        names.fail(
            doc.locate((*path, "items")),
            f"items: '{spec.items}' must contain {{n}}, which stands for the item number "
            "(e.g. wai_{n} for wai_1 ... wai_12)",
        )
    for i, item in enumerate(spec.dropped):
        if item not in WAI_ITEMS:
            names.fail(
                doc.locate((*path, "dropped", i)),
                f"dropped: there is no item {item}; the WAI short forms have items 1-12",
            )
        elif item in spec.dropped[:i]:
            names.fail(doc.locate((*path, "dropped", i)), f"dropped: item {item} is listed twice")
    if not subscale_items(spec.subscale, spec.dropped):
        names.fail(
            doc.locate((*path, "dropped")),
            f"every item of the {spec.subscale} subscale is dropped: nothing is left to score",
        )
    return Score(spec.instrument, spec.subscale, spec.items, tuple(spec.dropped))


def _value_type(spec: str | TypeSpec, location: Location, names: _Names) -> ValueType:
    if isinstance(spec, str):
        if spec in PLAIN_TYPES:
            return ValueType(spec)
        if spec in ("likert", "category"):
            example = "{likert: [1, 7]}" if spec == "likert" else "{category: [low, medium, high]}"
            names.fail(
                location,
                f"type {spec} needs its {'range' if spec == 'likert' else 'labels'}: "
                f"write type: {example}",
            )
        else:
            names.fail(
                location,
                f"unknown type '{spec}'{did_you_mean(spec, ('likert', 'category', *PLAIN_TYPES))};"
                " choose continuous, proportion, count, {likert: [low, high]} or "
                "{category: [label, ...]}",
            )
        return ValueType()
    if (spec.likert is None) == (spec.category is None):
        names.fail(location, "a type mapping has one key: likert or category")
        return ValueType()
    if spec.likert is not None:
        low, high = spec.likert
        if low >= high:
            names.fail(location, f"likert: [{low:g}, {high:g}] must go from low to high")
            return ValueType()
        return ValueType("likert", low=low, high=high)
    duplicated = [c for i, c in enumerate(spec.category) if c in spec.category[:i]]
    if duplicated:
        names.fail(location, f"category: '{duplicated[0]}' is listed twice")
        return ValueType()
    return ValueType("category", categories=tuple(spec.category))


def build_design(spec: DesignSpec, doc: Document, names: _Names) -> Design:
    """The design block, its randomized nodes checked against the map."""
    for i, node_id in enumerate(spec.randomized):
        if node_id not in names.nodes:
            names.fail(
                doc.locate(("design", "randomized", i)),
                f"design: unknown node '{node_id}'{did_you_mean(node_id, names.nodes)}",
            )
    return Design(tuple(dict.fromkeys(spec.randomized)), spec.note)


def _normalized_chain(text: str | None) -> str | None:
    return None if text is None else " -> ".join(p.strip() for p in text.split("->"))


def load_document(
    doc: Document, vignette_ids: set[str] | None = None
) -> tuple[Map | None, list[Diagnostic]]:
    """Build a map from a parsed document; ``None`` when it has errors."""
    from mechmap.mapfile.checks import check_map
    from mechmap.mapfile.layout import build_layout

    placeholders = {"mechmap": 1, "id": "map", "title": "untitled"}
    spec, problems = validate_spec(doc, MapSpec, placeholders)
    if spec is None:
        return None, problems
    builder = _Builder(spec, doc)
    edges, links = builder.edges(vignette_ids)
    hypotheses = builder.hypotheses(links)
    result = Map(
        id=spec.id,
        title=spec.title,
        description=spec.description,
        nodes=tuple(builder.nodes.values()),
        edges=tuple(edges),
        links=tuple(links),
        waves=builder.waves,
        sources=tuple(builder.sources()),
        hypotheses=tuple(hypotheses),
        measures=None if spec.measures is None else build_measures(spec.measures, doc, builder),
        design=None if spec.design is None else build_design(spec.design, doc, builder),
        layout=build_layout(spec.layout, doc, builder),
        version=spec.mechmap,
        file=doc.file,
    )
    result = dataclasses.replace(result, teaching=builder.teaching(result))
    problems += builder.problems
    # Warnings about gaps mean little while names are unresolved: report errors first.
    problems += check_map(result, warnings=not has_errors(problems))
    return (None if has_errors(problems) else result), problems


def parse_map(
    raw: bytes, file: str, vignette_ids: set[str] | None = None
) -> tuple[Map | None, list[Diagnostic]]:
    """Bytes of a map file to a map (or ``None``) and every problem found."""
    text, problems = read_text(raw, file)
    if text is None:
        return None, problems
    with _collector_paused():
        doc, problems = parse(text, file)
        if doc.data is None:
            return None, problems
        result, more = load_document(doc, vignette_ids)
    problems = sorted(problems + more, key=lambda d: (d.location, d.severity != "error"))
    return (None if has_errors(problems) else result), problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading allocates tens of thousands of small acyclic objects; the cyclic garbage
    collector would scan them again and again (a third of the load time of a 2,000-node
    map) while finding nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def resolve_path(m: Map, text: str, origin: str = "<path>") -> tuple[str, ...]:
    """The variables of a chain such as ``'alliance -> fidelity -> screening@impl'``.

    Un-suffixed time-indexed nodes resolve to the copies that make the chain a directed path
    of the map; raises :class:`MapError` (with ``origin`` as the file) when it is not one.

    >>> m = loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> resolve_path(m, "a -> b")
    ('a', 'b')
    """
    names = _Names(m.wave_index, m.node_by_id)
    arrows = {(link.source, link.target) for link in m.links}
    variables = names.directed_path(text, Where(Location(origin)), arrows)
    if variables is None:
        raise MapError(names.problems)
    return variables


def load_measures(path: str | Path, m: Map) -> Measures:
    """A measures file (top-level key ``measures``) for the map ``m``; raises
    :class:`MapError` listing every error, located in that file."""
    path = Path(path)
    text, problems = read_text(path.read_bytes(), str(path))
    if text is not None:
        doc, problems = parse(text, str(path))
        if doc.data is not None:
            spec, more = validate_spec(doc, MeasuresFileSpec, {})
            problems += more
            if spec is not None:
                names = _Names(m.wave_index, m.node_by_id)
                measures = build_measures(spec.measures, doc, names)
                problems += names.problems
                if not has_errors(problems):
                    return measures
    raise MapError(sorted(problems, key=lambda d: d.location))


def loads(text: str, file: str = "<string>", vignette_ids: set[str] | None = None) -> Map:
    """A map from YAML text; raises :class:`MapError` listing every error.

    >>> m = loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {}, b: {}}\\nedges: [a -> b]")
    >>> [(link.source, link.target) for link in m.links]
    [('a', 'b')]
    """
    result, problems = parse_map(text.encode("utf-8"), file, vignette_ids)
    if result is None:
        raise MapError(problems)
    return result


def load(path: str | Path, vignette_ids: set[str] | None = None) -> Map:
    """A map from a file; raises :class:`MapError` listing every error."""
    path = Path(path)
    result, problems = parse_map(path.read_bytes(), str(path), vignette_ids)
    if result is None:
        raise MapError(problems)
    return result
