"""Safe YAML reading that remembers where every value came from.

PyYAML's composer (libyaml when available) builds a node graph without constructing any
object, so no tag can run code. We then turn that graph into plain dicts, lists and scalars
ourselves, refusing every tag that is not plain data and bounding alias expansion before we
expand anything, and record the line and column of every key and value on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml

from mechmap.diagnostics import Diagnostic, Location, error

# A map of 2,000 nodes and 4,000 edges expands to about 30,000 values; a billion-laughs
# document expands to billions. Anything past this bound is refused before expansion.
MAX_VALUES = 1_000_000
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = f"{_CORE}map"
_SEQ_TAG = f"{_CORE}seq"

Path = tuple[str | int, ...]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalar_constructor = yaml.constructor.SafeConstructor()

# Stands for a value that was refused (a bad tag): a refused mapping value is left out, a
# refused list item becomes None, and either way the problem is reported once, at the tag.
REFUSED = object()


class Where(NamedTuple):
    """Where a value starts, and how it was quoted (``None`` or ``""`` = plain)."""

    location: Location
    style: str | None = None

    def within(self, offset: int, text: str) -> Location:
        """The location of character ``offset`` inside a single-line scalar ``text``."""
        if "\n" in text or self.style not in (None, "", '"', "'"):
            return self.location
        return self.location.shifted(offset + (1 if self.style else 0))


@dataclass
class Document:
    """Plain data plus the YAML nodes of its values and keys, addressed by path.

    Positions are read off the nodes only when a problem needs one: a map of thousands of
    nodes has tens of thousands of values and usually no problem at all.
    """

    file: str
    data: object = None
    values: dict[Path, yaml.Node] = field(default_factory=dict)
    keys: dict[Path, yaml.Node] = field(default_factory=dict)
    refused: set[Path] = field(default_factory=set)  # values already reported as refused

    def where(self, path: Path) -> Where:
        """The position of the value at ``path``, or of its nearest ancestor."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return self._where(found)
        return Where(Location(self.file))

    def locate(self, path: Path) -> Location:
        return self.where(path).location

    def locate_key(self, path: Path) -> Location:
        """The position of the key that introduces ``path`` (falls back to its value)."""
        found = self.keys.get(path)
        return self._where(found).location if found is not None else self.locate(path)

    def _where(self, node: yaml.Node) -> Where:
        return Where(_location(node, self.file), getattr(node, "style", None))


def read_text(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is allowed), pointing at the first undecodable byte."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        message = (
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it as UTF-8"
        )
        return None, [error(Location(file, line, col), message)]


def parse(text: str, file: str) -> tuple[Document, list[Diagnostic]]:
    """Parse one YAML document into plain data with positions.

    Returns the document (``data`` is ``None`` when nothing usable was read) and the
    problems found; parsing goes on past problems in values so that all are reported.
    """
    document = Document(file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return document, [_syntax_error(exc, file)]
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        return document, [
            error(
                Location(file, line, col),
                f"character {exc.character!r} is not allowed in YAML; remove it",
            )
        ]
    except yaml.YAMLError as exc:
        return document, [error(Location(file), f"YAML error: {exc}")]
    except RecursionError:
        return document, [error(Location(file), f"YAML nested too deeply (limit {MAX_DEPTH})")]
    if root is None:
        return document, [error(Location(file), "file is empty; a map starts with 'mechmap: 1'")]
    problems: list[Diagnostic] = []
    # Without an '&' there is no anchor, so no alias, so nothing to expand.
    size = _expanded_size(root) if "&" in text else 0
    if size is None:
        return document, [error(_location(root, file), "an alias refers to itself (recursive)")]
    if size > MAX_VALUES:
        message = (
            f"aliases expand to more than {MAX_VALUES:,} values (an 'alias bomb'); "
            "write the values out instead of nesting aliases"
        )
        return document, [error(_location(root, file), message)]
    data = _convert(root, (), document, problems, depth=0)
    document.data = None if data is REFUSED else data
    if data is None:  # e.g. a lone `~` or an anchor on nothing
        problems.append(
            error(_location(root, file), "file holds no data; a map starts with 'mechmap: 1'")
        )
    return document, problems


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
    problem = exc.problem or "syntax error"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    if "block sequence entries are not allowed" in problem:
        message += '; a lone - starts a list: write a minus sign as "-"'
    elif "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        message += "; check indentation and quote values that contain ': '"
    return error(location, message)


def _location(node: yaml.Node, file: str) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def _expanded_size(root: yaml.Node) -> int | None:
    """How many values the document has once aliases are expanded; ``None`` if recursive.

    Shared (aliased) nodes are sized once, so this is linear in the composed graph even
    when the expansion is exponential.
    """
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_stack.discard(key)
            sizes[key] = min(MAX_VALUES + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
            continue
        if key in sizes:
            continue
        if key in on_stack:
            return None
        on_stack.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_stack:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _convert(
    node: yaml.Node, path: Path, doc: Document, problems: list[Diagnostic], depth: int
) -> object:
    doc.values[path] = node
    if depth > MAX_DEPTH:
        location = _location(node, doc.file)
        problems.append(error(location, f"YAML nested too deeply (limit {MAX_DEPTH})"))
        doc.refused.add(path)
        return REFUSED
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag not in _SCALAR_TAGS:
            problems.append(_refused_tag(node, doc, path))
            return REFUSED
        if tag in (f"{_CORE}str", f"{_CORE}timestamp"):
            return node.value  # dates stay text: ids and labels are never datetimes
        return _scalar_constructor.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        if tag != _SEQ_TAG:
            problems.append(_refused_tag(node, doc, path))
            return REFUSED
        items = [
            _convert(item, (*path, i), doc, problems, depth + 1)
            for i, item in enumerate(node.value)
        ]
        return [None if item is REFUSED else item for item in items]
    if tag != _MAP_TAG:
        problems.append(_refused_tag(node, doc, path))
        return REFUSED
    result: dict[str, object] = {}
    for key_node, value_node in node.value:
        if key_node.tag == f"{_CORE}merge":
            problems.append(
                error(
                    _location(key_node, doc.file),
                    "merge keys (<<) are not supported; write the keys out",
                )
            )
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
            problems.append(
                error(
                    _location(key_node, doc.file), "a key must be a plain name, not a list or map"
                )
            )
            continue
        key = key_node.value  # keys stay text: a node called 'no' or '1' is not a bool or int
        if key in result:
            first = doc.locate_key((*path, key))
            problems.append(
                error(
                    _location(key_node, doc.file),
                    f"duplicate key '{key}' (first defined at line {first.line})",
                )
            )
            continue
        doc.keys[(*path, key)] = key_node
        value = _convert(value_node, (*path, key), doc, problems, depth + 1)
        if value is not REFUSED:
            result[key] = value
    return result


def _refused_tag(node: yaml.Node, doc: Document, path: Path) -> Diagnostic:
    doc.refused.add(path)
    shown = node.tag.replace(_CORE, "!!")
    return error(
        _location(node, doc.file),
        f"tag '{shown}' refused: map files hold plain data only, nothing is constructed or run",
    )
