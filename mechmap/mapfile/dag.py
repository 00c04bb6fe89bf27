"""The nodes and arrows of a map file, unrolled over its waves into the links of the DAG.

A node with ``waves`` stands for one variable per wave (``screening@base``,
``screening@impl``...); an edge between such nodes stands for the links the table in
``docs/map-format.md`` gives (same wave, or ``lag`` waves later), and ``carry`` adds a link
from each copy to the next. This module builds the :class:`~mechmap.model.Node` s, then the
declared :class:`~mechmap.model.Edge` s with their links, checking every reference, lag,
moderator, self-loop and arrow back in time on the way; problems go to the
:class:`~mechmap.mapfile.references.Names` the caller passes.

>>> from mechmap.mapfile.loader import loads
>>> m = loads(
...     "mechmap: 1\\nid: m\\ntitle: A lagged edge\\nwaves: {t0: Start, t1: Later, t2: End}\\n"
...     "nodes: {a: {waves: [t0, t1, t2]}, b: {waves: [t0, t1, t2]}}\\n"
...     "edges: [{from: a, to: b, lag: 1}]"
... )
>>> [(link.source, link.target) for link in m.links]
[('a@t0', 'b@t1'), ('a@t1', 'b@t2')]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from mechmap.diagnostics import Location, did_you_mean
from mechmap.mapfile.references import REFERENCE, Endpoint, Names, Token, split_chain
from mechmap.mapfile.schema import EdgeSpec, MapSpec, NodeSpec
from mechmap.mapfile.yamlsafe import Document
from mechmap.model import STRATEGY_ROLES, Consensus, Edge, Link, Node, Wave


def build_nodes(spec: MapSpec, doc: Document) -> tuple[tuple[Wave, ...], Names]:
    """The map's waves, and its names: every node built and checked against the waves."""
    waves = tuple(Wave(w, label) for w, label in spec.waves.items())
    names = Names({w.id: i for i, w in enumerate(waves)}, {})
    names.nodes = {node_id: _node(node_id, n, doc, names) for node_id, n in spec.nodes.items()}
    return waves, names


def _node(node_id: str, spec: NodeSpec, doc: Document, names: Names) -> Node:
    path = ("nodes", node_id)
    wave, waves = spec.wave, tuple(spec.waves or ())
    if wave is not None and waves:
        names.fail(
            doc.locate_key((*path, "waves")),
            f"node '{node_id}' has both 'wave' and 'waves'; keep one",
        )
        wave = None
    if wave is not None and not names.known_wave(wave, doc.locate((*path, "wave"))):
        wave = None
    known = tuple(
        w for i, w in enumerate(waves) if names.known_wave(w, doc.locate((*path, "waves", i)))
    )
    if len(set(known)) != len(known):
        names.fail(doc.locate((*path, "waves")), f"node '{node_id}' lists a wave twice")
    elif list(known) != sorted(known, key=names.wave_index.__getitem__):
        order = ", ".join(w for w in names.wave_index if w in known)
        names.fail(
            doc.locate((*path, "waves")),
            f"node '{node_id}': list its waves in time order ({order})",
        )
    if spec.carry and len(known) < 2:
        names.fail(
            doc.locate_key((*path, "carry")),
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
        icc=spec.icc,
        location=doc.locate_key(path),
        eric=_tags("eric", node_id, spec, doc, names),
        cfir=_tags("cfir", node_id, spec, doc, names),
    )


def _tags(vocabulary: str, node_id: str, spec: NodeSpec, doc: Document, names: Names):
    """A node's tags from a shared vocabulary, each resolved to its canonical name (the
    vocabulary's file is read only when a map has such tags)."""
    written = getattr(spec, vocabulary)
    if written is None:
        return ()
    from mechmap.vocabularies import resolve

    path = ("nodes", node_id, vocabulary)
    listed = isinstance(written, list)
    tags: dict[str, None] = {}
    for i, text in enumerate(written if listed else [written]):
        where = doc.locate((*path, i) if listed else path)
        try:
            name = resolve(vocabulary, text)
        except ValueError as exc:
            names.fail(where, f"node '{node_id}': {exc}")
            continue
        if name in tags:
            names.fail(where, f"node '{node_id}' lists {vocabulary} '{name}' twice")
        tags[name] = None
    if vocabulary == "eric" and tags and spec.role not in STRATEGY_ROLES:
        names.warn(
            doc.locate_key(path),
            f"node '{node_id}' is a {spec.role}, but 'eric' names implementation strategies: "
            "tag strategies and components with it (and context or determinants with 'cfir')",
        )
    return tuple(tags)


def build_edges(
    entries: Sequence[str | EdgeSpec],
    doc: Document,
    names: Names,
    vignette_ids: set[str] | None = None,
) -> tuple[list[Edge], list[Link]]:
    """The declared edges (those that are valid) and the links of the unrolled DAG, carry
    links included; ``vignette_ids`` (when known) are the ids ``evidence`` may cite."""
    return _EdgeReader(doc, names, vignette_ids).read(entries)


class _EdgeReader:
    """Reads the ``edges`` list entry by entry, remembering arrow labels and moderators."""

    def __init__(self, doc: Document, names: Names, vignette_ids: set[str] | None):
        self.doc = doc
        self.names = names
        self.vignette_ids = vignette_ids

    def links_between(
        self, cause: Endpoint, effect: Endpoint, lag: int | None, location: Location
    ) -> list[tuple[str, str]]:
        """The variable pairs an edge joins (the table in docs/map-format.md)."""
        index = self.names.wave_index
        if cause.node.timeless or effect.node.timeless:
            if lag is not None:
                self.names.fail(location, "'lag' needs time-indexed nodes at both ends")
                return []
            if effect.every:
                return [(cause.variable, f"{effect.node.id}@{w}") for w in effect.node.waves]
            if cause.every:
                self.names.fail(
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
                self.names.fail(
                    location,
                    f"lag {lag} does not fit {cause.variable} -> "
                    f"{effect.variable}, which are {distance} wave(s) apart",
                )
                return []
            return [(cause.variable, effect.variable)]
        waves = list(index)
        if not cause.every:
            target = index[cause.wave] + step
            wave = waves[target] if target < len(waves) else None
            if wave not in effect.node.waves:
                self.names.fail(
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
                self.names.fail(
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
            self.names.fail(
                location,
                f"'{cause.node.id}' and '{effect.node.id}' share no waves "
                f"{step} apart; name the copies with @wave",
            )
        return pairs

    def read(self, entries: Sequence[str | EdgeSpec]) -> tuple[list[Edge], list[Link]]:
        declared: list[Edge] = []
        seen_links: dict[tuple[str, str], Location] = {}
        seen_arrows: dict[str, Location] = {}
        moderated: list[tuple[Edge, list[tuple[str, str]], Location]] = []
        for i, entry in enumerate(entries):
            path = ("edges", i)
            if isinstance(entry, str):
                tokens, problems = split_chain(entry, self.doc.where(path))
                self.names.problems += problems
                for cause, effect in itertools.pairwise(tokens):
                    edge = self._edge(cause, effect, None, {})
                    if edge is not None:
                        declared.append(edge)
            else:
                edge, modified = self._mapping_edge(entry, path, seen_arrows)
                if edge is not None:
                    declared.append(edge)
                    if modified is not None:
                        moderated.append((edge, modified, self.doc.locate((*path, "modifies"))))
        links: list[Link] = []
        for edge in declared:
            for pair in edge.links:
                if pair in seen_links:
                    first = seen_links[pair]
                    self.names.fail(
                        edge.location,
                        f"duplicate edge {pair[0]} -> {pair[1]} "
                        f"(first declared at line {first.line})",
                    )
                    continue
                seen_links[pair] = edge.location
                links.append(Link(pair[0], pair[1], edge))
        for edge, modified, location in moderated:
            self._check_moderator(edge, modified, set(seen_links), location)
        for node in self.names.nodes.values():
            if node.carry:
                for a, b in zip(node.variables, node.variables[1:], strict=False):
                    if (a, b) not in seen_links:
                        links.append(Link(a, b, None))
        return declared, links

    def _mapping_edge(self, spec: EdgeSpec, path, seen_arrows):
        cause = self._single(spec.from_, (*path, "from"))
        modified: list[tuple[str, str]] | None = None
        modified_effect: Token | None = None
        if spec.modifies is not None:
            where = self.doc.where((*path, "modifies"))
            tokens, problems = split_chain(spec.modifies, where)
            self.names.problems += problems
            if len(tokens) > 2:
                self.names.fail(where.location, "'modifies' names one edge: 'x -> y'")
            elif len(tokens) == 2:
                ends = [self.names.resolve(t) for t in tokens]
                if None not in ends:
                    modified = self.links_between(ends[0], ends[1], None, where.location)
                    modified_effect = tokens[1]
        if spec.to is not None:
            effect = self._single(spec.to, (*path, "to"))
        elif modified_effect is not None:
            effect = modified_effect
        else:
            if spec.modifies is None:
                self.names.fail(
                    self.doc.locate(path), "edge has no 'to': say which node it points at"
                )
            return None, None
        if spec.arrow is not None:
            label = str(spec.arrow)
            if label in seen_arrows:
                self.names.fail(
                    self.doc.locate((*path, "arrow")),
                    f"arrow {label} is used twice (first at line {seen_arrows[label].line})",
                )
            else:
                seen_arrows[label] = self.doc.locate((*path, "arrow"))
        for k, vignette in enumerate(spec.evidence):
            if self.vignette_ids is not None and vignette not in self.vignette_ids:
                hint = (
                    did_you_mean(vignette, self.vignette_ids)
                    if self.vignette_ids
                    else (
                        ": no vignettes found (looked in vignettes/ inside and beside the "
                        "map's folder; use --vignettes DIR)"
                    )
                )
                self.names.fail(
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
            "effect": spec.effect,
            "consensus": None
            if spec.consensus is None
            else Consensus(**spec.consensus.model_dump()),
        }
        return self._edge(cause, effect, spec.lag, attributes), modified

    def _single(self, text: str, path) -> Token | None:
        where = self.doc.where(path)
        if "->" in text:
            self.names.fail(
                where.location,
                f"'{path[-1]}' takes one node; for a chain use the compact form '- {text}'",
            )
            return None
        if not REFERENCE.match(text.strip()):
            self.names.fail(
                where.location, f"'{text}' is not a node reference: node_id or node_id@wave"
            )
            return None
        return Token(text.strip(), where.location)

    def _edge(self, cause: Token, effect: Token, lag: int | None, attributes) -> Edge | None:
        ends = self.names.resolve(cause), self.names.resolve(effect)
        if None in ends:
            return None
        pairs = self.links_between(ends[0], ends[1], lag, cause.location)
        valid = []
        for a, b in pairs:
            if a == b:
                self.names.fail(
                    cause.location,
                    f"self-loop {a} -> {a}: a node cannot cause itself; "
                    "for persistence over time use waves and 'carry'",
                )
                continue
            wa, wb = self._wave_of(a), self._wave_of(b)
            if (
                wa is not None
                and wb is not None
                and self.names.wave_index[wa] > self.names.wave_index[wb]
            ):
                self.names.fail(
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
        return wave or self.names.nodes[node_id].wave

    def _check_moderator(self, edge: Edge, modified, links: set, location: Location) -> None:
        missing = [pair for pair in modified if pair not in links]
        if missing:
            a, b = missing[0]
            self.names.fail(
                location,
                f"'modifies: {edge.modifies}' names an edge the map does not "
                f"have ({a} -> {b}); declare it, or fix the names",
            )
            return
        targets = {b for _, b in modified}
        for a, b in edge.links:
            if b not in targets:
                self.names.fail(
                    location,
                    f"moderator {a} is not a co-parent: it points at {b}, but "
                    f"the edge it modifies points at {', '.join(sorted(targets))}; "
                    "a moderator must point at the same node (or leave out 'to')",
                )
                return


def _normalized_chain(text: str | None) -> str | None:
    return None if text is None else " -> ".join(p.strip() for p in text.split("->"))
