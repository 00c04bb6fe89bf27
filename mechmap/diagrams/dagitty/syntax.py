"""DAGitty's syntax: the tokens and grammar of a model (``dag { ... }``), read into
variables with their flags, labels and positions and the arcs between them, every problem
located at its line and column; and how a name or a string is written back.

The grammar is a subset of Graphviz DOT (see :class:`Parser`). Strings are as in DAGitty:
``\\"`` is a quote, a backslash before a line break joins the lines, ``"a" + "b"`` is one
string, and control characters cannot be in one. The first syntax error stops the reading
(:class:`SyntaxProblem`); problems of meaning (an unknown attribute, a self-loop, an
undirected edge) are collected in :attr:`Parser.problems` and the reading goes on.

>>> text = 'dag { X [exposure] X -> "my var" }'
>>> parser = Parser(tokens(text, Lines(text, "m.dagitty")))
>>> parser.model()
>>> list(parser.variables), [(a.source, a.target) for a in parser.arcs]
(['X', 'my var'], [('X', 'my var')])
>>> bare_or_quoted("X"), bare_or_quoted("my var")
('X', '"my var"')
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

from mechmap.diagnostics import Diagnostic, Location, did_you_mean, error, warning

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
GRAPH_TYPES = ("dag", "graph", "digraph", "pdag", "mag", "pag")
_MAX_DEPTH = 50  # '{' groups within groups; deeper would exhaust Python's stack
RESERVED = ("graph", "node")  # DAGitty refuses variables with these names
_ARROWS = ("@->", "<-@", "<->", "@--", "--@", "@-@", "->", "--", "<-")
_BAREWORD = re.compile(r"-?[0-9A-Za-z_.]+")
_DAGITTY_BARE = re.compile(r"^[0-9A-Za-z_.]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = " \t\r\n;"  # DAGitty reads ';' as white space
_CONCATENATION = re.compile(r'[ \t\r\n;]*\+[ \t\r\n;]*"')
_PUNCTUATION = "[]{}=,"


class SyntaxProblem(Exception):
    """Stops parsing at the first syntax error; never leaves the package (the importer turns
    it into the one diagnostic it reports)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "arrow", "end" or one of the punctuation characters
    text: str
    location: Location


class Lines:
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


def tokens(text: str, lines: Lines) -> list[_Token]:
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
            raise SyntaxProblem(error(where, f"unexpected character {c!r}{hint}"))
    tokens.append(_Token("end", "end of the model", lines.at(len(text))))
    return tokens


def _string_token(text: str, start: int, lines: Lines) -> tuple[str, int]:
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
                raise SyntaxProblem(error(lines.at(offset), message)) from None
            message = "string not closed on its line: end it with '\"'"
            raise SyntaxProblem(error(lines.at(start), message)) from None
        value += piece
        after = _CONCATENATION.match(text, i)
        if after is None:
            return value, i
        start = after.end() - 1


@dataclass
class ParsedVariable:
    name: str
    flags: dict[str, Location] = field(default_factory=dict)
    label: str | None = None
    pos: tuple[float, float] | None = None


@dataclass(frozen=True)
class Arc:
    kind: str  # "->" or "<->"
    source: str
    target: str
    location: Location


class Parser:
    """Recursive descent over DAGitty's grammar (a subset of Graphviz DOT):

    model := ['strict'] TYPE [name] '{' statement* '}'
    statement := name '=' name | 'graph' attributes | item (ARROW item)* [attributes]
    item := name | '{' statement* '}'
    attributes := '[' (name ['=' name] [','])* ']'
    """

    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0
        self.variables: dict[str, ParsedVariable] = {}
        self.arcs: list[Arc] = []
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
            raise SyntaxProblem(error(token.location, f"expected {what}, found {found}"))
        return self.take()

    # -- grammar ---------------------------------------------------------------------
    def model(self) -> None:
        head = self.peek()
        if head.kind == "name" and head.text.lower() == "strict":
            self.take()
            head = self.peek()
        if head.kind != "name" or head.text.lower() not in GRAPH_TYPES:
            raise SyntaxProblem(
                error(head.location, f"a DAGitty model starts with 'dag {{' (found {head.text!r})")
            )
        self.take()
        if head.text.lower() != "dag":
            raise SyntaxProblem(
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
            raise SyntaxProblem(error(attributes[0][0].location, "a group takes no attributes"))
        return [name for end in ends for name in end]

    def item(self) -> list[str]:
        token = self.peek()
        if token.kind == "{":
            self.take()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise SyntaxProblem(error(token.location, "groups nested too deeply"))
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
        if token.text in RESERVED:
            self.problems.append(
                error(
                    token.location,
                    f"DAGitty does not allow a variable named '{token.text}'; rename it "
                    "(a label attribute can carry the text)",
                )
            )
        if token.text not in self.variables:
            self.variables[token.text] = ParsedVariable(token.text)
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
        shown = f"pos={quoted(value.text)}" if value else "pos"
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
            self.arcs.append(Arc("->", b, a, arrow.location))
        else:
            self.arcs.append(Arc(arrow.text, a, b, arrow.location))


# -- writing ----------------------------------------------------------------------------


def quoted(text: str) -> str:
    """A DAGitty string showing ``text``: quotes escaped as DAGitty does; line breaks and
    control characters, which its strings cannot hold, become spaces; a space keeps a final
    backslash from escaping the closing quote."""
    text = _CONTROL.sub(" ", text).replace('"', '\\"')
    return '"' + text + (" " if text.endswith("\\") else "") + '"'


def bare_or_quoted(text: str) -> str:
    return text if _DAGITTY_BARE.match(text) else quoted(text)
