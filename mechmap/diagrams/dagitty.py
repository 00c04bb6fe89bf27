"""DAGitty models in and out.

:func:`parse_dagitty` reads a model in DAGitty's syntax (``dag { ... }``) into plain data in the
map file format, every problem located at its line and column; :func:`import_dagitty` turns
that data into map file text and checks it by loading it; :func:`to_dagitty` writes a map's
time-unrolled DAG as a DAGitty model. How names, roles and bidirected edges cross over is
written down in ``docs/map-format.md`` ("Exports and DAGitty import").

>>> data, problems = parse_dagitty('dag { X [exposure] Y [outcome] X -> Y }')
>>> data["nodes"]
{'X': {'role': 'strategy'}, 'Y': {'role': 'implementation_outcome'}}
>>> data["edges"], problems
(['X -> Y'], [])
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mechmap.diagnostics import (
    Diagnostic,
    Location,
    MapError,
    did_you_mean,
    error,
    has_errors,
    warning,
)
from mechmap.mapfile.dump import Flow, dump_yaml
from mechmap.mapfile.schema import IDENTIFIER_PATTERN, OUTCOME_ROLES, STRATEGY_ROLES
from mechmap.model import Map, Variable

# DAGitty's node flags and the abbreviations its parser accepts for them.
_FLAGS = {
    "exposure": "exposure",
    "source": "exposure",
    "e": "exposure",
    "outcome": "outcome",
    "target": "outcome",
    "o": "outcome",
    "latent": "latent",
    "unobserved": "latent",
    "l": "latent",
    "u": "latent",
    "adjusted": "adjusted",
    "a": "adjusted",
    "selected": "selected",
    "s": "selected",
}
# Flags the map format has no field for travel in the node description as "dagitty: ...".
TAGGED_FLAGS = ("adjusted", "selected")
BIDIRECTED_TAG = "bidirected"
_TAG_LINE = re.compile(r"^dagitty:\s*([a-z, ]+)$", re.MULTILINE)

# DAGitty's `pos="x,y"` is in its own units (small numbers such as -10.2 .. 6.7, y growing
# downward); the map's `layout:` pos is in points (1/72 inch), also y down. Import multiplies by
# this, export divides: one DAGitty unit is one inch, as the export has always written it.
POINTS_PER_UNIT = 72.0

GRAPH_TYPES = ("dag", "graph", "digraph", "pdag", "mag", "pag")
_MAX_DEPTH = 50  # '{' groups within groups; deeper would exhaust Python's stack
_RESERVED = ("graph", "node")  # DAGitty refuses variables with these names
_ARROWS = ("@->", "<-@", "<->", "@--", "--@", "@-@", "->", "--", "<-")
_BAREWORD = re.compile(r"-?[0-9A-Za-z_.]+")
_DAGITTY_BARE = re.compile(r"^[0-9A-Za-z_.]+$")
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = " \t\r\n;"  # DAGitty reads ';' as white space
_CONCATENATION = re.compile(r'[ \t\r\n;]*\+[ \t\r\n;]*"')
_PUNCTUATION = "[]{}=,"


class _SyntaxProblem(Exception):
    """Stops parsing at the first syntax error; never leaves this module."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "arrow", "end" or one of the punctuation characters
    text: str
    location: Location


class _Lines:
    """Offsets to 1-based line:col locations."""

    def __init__(self, text: str, file: str):
        self.file = file
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(self, offset: int) -> Location:
        line = bisect.bisect_right(self.starts, offset)
        return Location(self.file, line, offset - self.starts[line - 1] + 1)


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The value of the DAGitty string opening at ``start`` and the offset after it.

    As in DAGitty: ``\\"`` is a quote, a backslash before line breaks joins the lines, any
    other backslash is itself. Raises ``ValueError(offset)`` where the string breaks off.
    """
    parts: list[str] = []
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(parts), i + 1
        if c == "\\" and text[i + 1 : i + 2] == '"':
            parts.append('"')
            i += 2
        elif c == "\\" and text[i + 1 : i + 2] in ("\r", "\n"):
            i += 1
            while i < len(text) and text[i] in "\r\n":
                i += 1
        elif _CONTROL.match(c):
            raise ValueError(i)
        else:
            parts.append(c)
            i += 1
    raise ValueError(i)


def _tokens(text: str, lines: _Lines) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        where = lines.at(i)
        arrow = next((a for a in _ARROWS if text.startswith(a, i)), None)
        bare = _BAREWORD.match(text, i)
        if arrow is not None:
            tokens.append(_Token("arrow", arrow, where))
            i += len(arrow)
        elif bare is not None:
            tokens.append(_Token("name", bare.group(), where))
            i = bare.end()
        elif c == '"':
            value, i = _string_token(text, i, lines)
            tokens.append(_Token("name", value, where))
        elif c in _PUNCTUATION:
            tokens.append(_Token(c, c, where))
            i += 1
        else:
            hint = "; DAGitty models have no comments" if c in "/#%" else ""
            raise _SyntaxProblem(error(where, f"unexpected character {c!r}{hint}"))
    tokens.append(_Token("end", "end of the model", lines.at(len(text))))
    return tokens


def _string_token(text: str, start: int, lines: _Lines) -> tuple[str, int]:
    """A quoted name or value, with DAGitty's ``"a" + "b"`` concatenation."""
    value = ""
    while True:
        try:
            piece, i = _read_string(text, start)
        except ValueError as exc:
            offset = exc.args[0]
            if offset < len(text) and text[offset] not in "\r\n":
                code = f"U+{ord(text[offset]):04X}"
                message = f"control character {code} in a string: DAGitty strings cannot hold it"
                raise _SyntaxProblem(error(lines.at(offset), message)) from None
            message = "string not closed on its line: end it with '\"'"
            raise _SyntaxProblem(error(lines.at(start), message)) from None
        value += piece
        after = _CONCATENATION.match(text, i)
        if after is None:
            return value, i
        start = after.end() - 1


@dataclass
class _Variable:
    name: str
    flags: dict[str, Location] = field(default_factory=dict)
    label: str | None = None
    pos: tuple[float, float] | None = None


@dataclass(frozen=True)
class _Arc:
    kind: str  # "->" or "<->"
    source: str
    target: str
    location: Location


class _Parser:
    """Recursive descent over DAGitty's grammar (a subset of Graphviz DOT):

    model := ['strict'] TYPE [name] '{' statement* '}'
    statement := name '=' name | 'graph' attributes | item (ARROW item)* [attributes]
    item := name | '{' statement* '}'
    attributes := '[' (name ['=' name] [','])* ']'
    """

    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0
        self.variables: dict[str, _Variable] = {}
        self.arcs: list[_Arc] = []
        self.problems: list[Diagnostic] = []
        self.graph_name: str | None = None
        self.depth = 0

    # -- tokens ----------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            found = "the end of the model" if token.kind == "end" else repr(token.text)
            raise _SyntaxProblem(error(token.location, f"expected {what}, found {found}"))
        return self.take()

    # -- grammar ---------------------------------------------------------------------
    def model(self) -> None:
        head = self.peek()
        if head.kind == "name" and head.text.lower() == "strict":
            self.take()
            head = self.peek()
        if head.kind != "name" or head.text.lower() not in GRAPH_TYPES:
            raise _SyntaxProblem(
                error(head.location, f"a DAGitty model starts with 'dag {{' (found {head.text!r})")
            )
        self.take()
        if head.text.lower() != "dag":
            raise _SyntaxProblem(
                error(
                    head.location,
                    f"this is a DAGitty '{head.text}' model; mechmap imports 'dag' models "
                    "only (directed '->' and bidirected '<->' edges)",
                )
            )
        if self.peek().kind == "name":
            self.graph_name = self.take().text
        self.expect("{", "'{' after 'dag'")
        self.statements()
        self.expect("}", "a statement or the closing '}'")
        self.expect("end", "nothing after the closing '}'")

    def statements(self) -> list[str]:
        """Parse statements up to a closing brace; the variables they name, in order."""
        named: dict[str, None] = {}
        while self.peek().kind not in ("}", "end"):
            named.update(dict.fromkeys(self.statement()))
        return list(named)

    def statement(self) -> list[str]:
        first = self.peek()
        if first.kind == "name" and self.peek(1).kind == "=":
            self.take(), self.take()  # a graph attribute such as bb="..."; nothing to keep
            self.expect("name", f"a value for the graph attribute '{first.text}'")
            return []
        if first.kind == "name" and first.text == "graph" and self.peek(1).kind == "[":
            self.take()
            self.attributes()
            return []
        ends = [self.item()]
        arrows: list[_Token] = []
        while self.peek().kind == "arrow":
            arrows.append(self.take())
            ends.append(self.item())
        attributes = self.attributes() if self.peek().kind == "[" else []
        if arrows:
            self.edges(ends, arrows)
            self.edge_attributes(attributes)
        elif first.kind == "name":
            self.node_attributes(ends[0][0], attributes)
        elif attributes:
            raise _SyntaxProblem(error(attributes[0][0].location, "a group takes no attributes"))
        return [name for end in ends for name in end]

    def item(self) -> list[str]:
        token = self.peek()
        if token.kind == "{":
            self.take()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise _SyntaxProblem(error(token.location, "groups nested too deeply"))
            names = self.statements()
            self.expect("}", "a statement or '}' to close the group")
            self.depth -= 1
            return names
        self.expect("name", "a variable name or a '{' group")
        return [self.variable(token)]

    def attributes(self) -> list[tuple[_Token, _Token | None]]:
        self.expect("[", "'['")
        pairs: list[tuple[_Token, _Token | None]] = []
        while self.peek().kind != "]":
            key = self.expect("name", "an attribute name or ']'")
            value = None
            if self.peek().kind == "=":
                self.take()
                value = self.expect("name", f"a value for '{key.text}'")
            if self.peek().kind == ",":
                self.take()
            pairs.append((key, value))
        self.take()
        return pairs

    # -- meaning ---------------------------------------------------------------------
    def variable(self, token: _Token) -> str:
        if token.text in _RESERVED:
            self.problems.append(
                error(
                    token.location,
                    f"DAGitty does not allow a variable named '{token.text}'; rename it "
                    "(a label attribute can carry the text)",
                )
            )
        if token.text not in self.variables:
            self.variables[token.text] = _Variable(token.text)
        return token.text

    def node_attributes(self, name: str, attributes) -> None:
        variable = self.variables[name]
        for key, value in attributes:
            flag = _FLAGS.get(key.text)
            if flag is not None:
                variable.flags.setdefault(flag, key.location)
            elif key.text == "label" and value is not None and value.text:
                variable.label = value.text
            elif key.text == "pos":
                variable.pos = self.position(key, value, variable.pos)
            elif key.text not in ("pos", "label"):
                known = [*_FLAGS, "pos", "label"]
                self.problems.append(
                    warning(
                        key.location,
                        f"node attribute '{key.text}' is ignored{did_you_mean(key.text, known)}",
                    )
                )
        if {"exposure", "outcome"} <= set(variable.flags):
            self.problems.append(
                error(
                    max(variable.flags["exposure"], variable.flags["outcome"]),
                    f"'{name}' is both exposure and outcome; a map node has one role",
                )
            )

    def position(self, key: _Token, value: _Token | None, before):
        """A node's ``pos="x,y"`` in DAGitty units; a malformed one is a warning."""
        try:
            x, y = (float(c) for c in (value.text if value else "").split(","))
        except ValueError:
            x = y = math.nan
        if math.isfinite(x) and math.isfinite(y):
            return (x, y)
        shown = f"pos={_quoted(value.text)}" if value else "pos"
        self.problems.append(warning(key.location, f'{shown} is ignored: write pos="x,y"'))
        return before

    def edge_attributes(self, attributes) -> None:
        for key, _ in attributes:
            if key.text != "pos":
                self.problems.append(
                    warning(key.location, f"edge attribute '{key.text}' is ignored")
                )

    def edges(self, ends: list[list[str]], arrows: list[_Token]) -> None:
        for sources, arrow, targets in zip(ends, arrows, ends[1:], strict=False):
            for a in sources:
                for b in targets:
                    self.arc(arrow, a, b)

    def arc(self, arrow: _Token, a: str, b: str) -> None:
        if arrow.text not in ("->", "<-", "<->"):
            kind = "an undirected edge" if arrow.text == "--" else "a PAG/MAG edge mark"
            self.problems.append(
                error(
                    arrow.location,
                    f"'{arrow.text}' is {kind}; a mechmap map is a DAG: use '->', '<-' or "
                    "'<->' (an unobserved common cause)",
                )
            )
        elif a == b:
            self.problems.append(
                error(arrow.location, f"self-loop {a} {arrow.text} {a}: a DAG has none")
            )
        elif arrow.text == "<-":
            self.arcs.append(_Arc("->", b, a, arrow.location))
        else:
            self.arcs.append(_Arc(arrow.text, a, b, arrow.location))


# -- names -----------------------------------------------------------------------------


def slug(name: str, fallback: str = "var") -> str:
    """A map identifier for a DAGitty name: the name itself when it is one, else its letters
    and digits joined by ``_`` (with a leading ``_`` when it starts with a digit).

    >>> slug("my var"), slug("1"), slug("screening@impl"), slug("Größe"), slug("x.2-b")
    ('my_var', '_1', 'screening_impl', 'Groe', 'x.2-b')
    """
    if _IDENTIFIER.match(name):
        return name
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NOT_IN_ID.sub("_", ascii_name).strip("_")
    if not text:
        return fallback
    return text if _IDENTIFIER.match(text) else "_" + text


def _unique(base: str, taken: set[str]) -> str:
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _identifiers(names: Iterable[str], taken: set[str]) -> dict[str, str]:
    """Map ids for DAGitty names: names that are valid ids keep themselves; the others are
    slugged, with ``_2``, ``_3`` ... where slugs would collide."""
    names = list(names)
    taken.update(n for n in names if _IDENTIFIER.match(n))
    return {n: n if _IDENTIFIER.match(n) else _unique(slug(n), taken) for n in names}


def tags(description: str | None) -> set[str]:
    """The DAGitty flags a node description carries on a ``dagitty: ...`` line.

    >>> sorted(tags("Smoking history\\ndagitty: adjusted, selected"))
    ['adjusted', 'selected']
    """
    found: set[str] = set()
    for words in _TAG_LINE.findall(description or ""):
        found.update(w.strip() for w in words.split(",") if w.strip())
    return found


# -- import ----------------------------------------------------------------------------


def parse_dagitty(text: str, file: str = "<string>") -> tuple[dict | None, list[Diagnostic]]:
    """A DAGitty model as map data (the shape :func:`mechmap.mapfile.dump.to_data` gives), or
    ``None``, and every problem found (syntax: the first one; meaning: all).

    >>> data, problems = parse_dagitty('dag { "my var" -> Y  Y <-> Z }', "m.dagitty")
    >>> data["nodes"]["my_var"], data["edges"]
    ({'label': 'my var', 'role': 'other'}, ['my_var -> Y', 'U_Y_Z -> Y', 'U_Y_Z -> Z'])
    """
    lines = _Lines(text, file)
    try:
        parser = _Parser(_tokens(text, lines))
        parser.model()
    except _SyntaxProblem as exc:
        return None, [exc.diagnostic]
    problems = parser.problems + _cycles(parser.arcs)
    if not parser.variables:
        problems.append(error(lines.at(0), "the model has no variables"))
    problems.sort(key=lambda d: (d.location, d.severity != "error"))
    if has_errors(problems):
        return None, problems
    return _map_data(parser, file), problems


def _cycles(arcs: list[_Arc]) -> list[Diagnostic]:
    from mechmap.mapfile.graphs import find_cycles

    successors: dict[str, list[str]] = {}
    where: dict[tuple[str, str], Location] = {}
    for arc in arcs:
        if arc.kind == "->":
            successors.setdefault(arc.source, []).append(arc.target)
            where.setdefault((arc.source, arc.target), arc.location)
    return [
        error(
            where[(cycle[0], cycle[1])],
            f"cycle {' -> '.join(cycle)}: a DAG cannot loop back; a map draws feedback "
            "over time with waves",
        )
        for cycle in find_cycles(successors)
    ]


def _map_data(parser: _Parser, file: str) -> dict:
    taken: set[str] = set()
    ids = _identifiers(parser.variables, taken)
    nodes = {ids[v.name]: _node_data(v, ids[v.name]) for v in parser.variables.values()}
    edges: dict[str, None] = {}
    confounded: set[frozenset[str]] = set()
    for arc in parser.arcs:
        a, b = ids[arc.source], ids[arc.target]
        if arc.kind == "->":
            edges[f"{a} -> {b}"] = None
        elif frozenset((a, b)) not in confounded:
            confounded.add(frozenset((a, b)))
            u = _unique(f"U_{a}_{b}", taken)
            names = [parser.variables[n].label or n for n in (arc.source, arc.target)]
            nodes[u] = {
                "label": f"Unobserved common cause of {names[0]} and {names[1]}",
                "role": "confounder",
                "description": f"dagitty: {BIDIRECTED_TAG}",
                "latent": True,
            }
            edges.update({f"{u} -> {a}": None, f"{u} -> {b}": None})
    data: dict[str, object] = {"mechmap": 1, **_header(parser.graph_name, file), "nodes": nodes}
    if edges:
        data["edges"] = list(edges)
    layout = {
        ids[v.name]: Flow(pos=[_points(c) for c in v.pos])
        for v in parser.variables.values()
        if v.pos is not None
    }
    if layout:
        data["layout"] = layout
    return data


def _points(units: float) -> int | float:
    """A DAGitty coordinate in points (rounded past DAGitty's 3 decimals; whole as int)."""
    points = round(units * POINTS_PER_UNIT, 4) + 0.0  # + 0.0: no -0.0
    return int(points) if points.is_integer() else points


def _node_data(variable: _Variable, node_id: str) -> dict[str, object]:
    flags = variable.flags
    fields: dict[str, object] = {}
    label = variable.label or variable.name
    if label != node_id:
        fields["label"] = label
    fields["role"] = (
        "strategy"
        if "exposure" in flags
        else "implementation_outcome"
        if "outcome" in flags
        else "other"
    )
    kept = [f for f in TAGGED_FLAGS if f in flags]
    if kept:
        fields["description"] = "dagitty: " + ", ".join(kept)
    if "latent" in flags:
        fields["latent"] = True
    return fields


def _header(graph_name: str | None, file: str) -> dict[str, str]:
    source = None if file.startswith("<") else Path(file)
    name = graph_name or (source.stem if source is not None else None)
    where = f"the DAGitty model {source.name}" if source is not None else "a DAGitty model"
    return {
        "id": slug(name, "dagitty-model") if name else "dagitty-model",
        "title": " ".join(name.split()) if name and name.strip() else "DAGitty model",
        "description": f"Imported from {where}.",
    }


def dump_data(data: dict) -> str:
    """Map data as map file text."""
    body = dump_yaml(data)
    return "# Imported from DAGitty by `mechmap import`; see docs/map-format.md.\n" + body


def import_dagitty(text: str, file: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """Map file text for a DAGitty model, checked by loading it; ``None`` on errors.

    >>> text, problems = import_dagitty("dag { a -> b }")
    >>> import mechmap
    >>> mechmap.loads(text).variables
    ('a', 'b')
    """
    from mechmap.mapfile.loader import loads

    data, problems = parse_dagitty(text, file)
    if data is None:
        return None, problems
    result = dump_data(data)
    try:
        loads(result, file=f"{file} (imported)")
    except MapError as exc:  # a converter bug: say where the converted text fails
        return None, problems + exc.diagnostics
    return result, problems


# -- export ----------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A DAGitty string showing ``text``: quotes escaped as DAGitty does; line breaks and
    control characters, which its strings cannot hold, become spaces; a space keeps a final
    backslash from escaping the closing quote."""
    text = _CONTROL.sub(" ", text).replace('"', '\\"')
    return '"' + text + (" " if text.endswith("\\") else "") + '"'


def _name(text: str) -> str:
    return text if _DAGITTY_BARE.match(text) else _quoted(text)


def _export_names(m: Map) -> dict[str, str]:
    taken = set(m.variable_info)
    return {v: _unique(f"{v}_", taken) if v in _RESERVED else v for v in m.variable_info}


def bidirected(m: Map) -> dict[str, tuple[str, str]]:
    """Latent confounders that an import made from ``a <-> b``, with their two children."""
    found = {}
    for name, info in m.variable_info.items():
        node, children = info.node, m.children[name]
        if (
            node.latent
            and node.role == "confounder"
            and BIDIRECTED_TAG in tags(node.description)
            and not m.parents[name]
            and len(children) == 2
        ):
            found[name] = (children[0], children[1])
    return found


def _flags(info: Variable) -> list[str]:
    node = info.node
    flags = []
    if node.role in STRATEGY_ROLES:
        flags.append("exposure")
    elif node.role in OUTCOME_ROLES:
        flags.append("outcome")
    if node.latent:
        flags.append("latent")
    return flags + [f for f in TAGGED_FLAGS if f in tags(node.description)]


def _label(m: Map, info: Variable) -> str | None:
    node = info.node
    if node.label == node.id:
        return None
    if node.waves:
        wave_label = next(w.label for w in m.waves if w.id == info.wave)
        return f"{node.label} ({wave_label})"
    return node.label


def _layout(m: Map) -> dict[str, tuple[float, float]]:
    """DAGitty positions: a variable's pinned ``pos`` (its own or its node's, see the map's
    ``layout`` block), else where the diagram layout puts it, y flipped to point down from
    the topmost node as DAGitty has it; only the pinned ones when no layout engine runs."""
    where = {}
    for variable in m.variable_info:
        placement = m.placement(variable)
        if placement is not None and placement.pos is not None:
            where[variable] = placement.pos
    if len(where) < len(m.variable_info):
        from mechmap.diagrams.render import RendererMissing, layout_positions

        try:
            points = layout_positions(m)
        except RendererMissing:
            points = {}
        top = max((y for _, y in points.values()), default=0.0)
        for variable, (x, y) in points.items():
            where.setdefault(variable, (x, top - y))
    return {v: (x / POINTS_PER_UNIT, y / POINTS_PER_UNIT) for v, (x, y) in where.items()}


def to_dagitty(m: Map, positions: bool = True) -> str:
    """The map's unrolled DAG as a DAGitty model: variables as names, roles as flags,
    imported ``<->`` confounders as ``<->`` again, and as ``pos`` the pinned positions of the
    map's ``layout`` block (points / :data:`POINTS_PER_UNIT`), else the diagram's layout
    (``positions=False`` writes no ``pos`` and skips the layout run).

    >>> import mechmap
    >>> m = mechmap.loads("mechmap: 1\\nid: m\\ntitle: M\\nnodes: {a: {role: strategy}, "
    ...     "b: {waves: [t]}}\\nwaves: {t: T}\\nedges: [a -> b@t]")
    >>> print(to_dagitty(m, positions=False))
    dag {
    a [exposure]
    "b@t"
    a -> "b@t"
    }
    <BLANKLINE>
    """
    names = _export_names(m)
    confounders = bidirected(m)
    where = _layout(m) if positions else {}
    lines = ["dag {"]
    for variable, info in m.variable_info.items():
        if variable in confounders:
            continue
        attributes = _flags(info)
        if variable in where:
            attributes.append('pos="{:.3f},{:.3f}"'.format(*where[variable]))
        label = _label(m, info)
        if label is not None:
            attributes.append(f"label={_quoted(label)}")
        listed = f" [{','.join(attributes)}]" if attributes else ""
        lines.append(_name(names[variable]) + listed)
    for link in m.links:
        if link.source not in confounders:
            lines.append(f"{_name(names[link.source])} -> {_name(names[link.target])}")
        elif link.target == confounders[link.source][0]:
            a, b = confounders[link.source]
            lines.append(f"{_name(names[a])} <-> {_name(names[b])}")
    lines.append("}")
    return "\n".join(lines) + "\n"
