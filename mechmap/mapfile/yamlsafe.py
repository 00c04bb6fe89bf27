"""Safe YAML reading that remembers where every value came from.

PyYAML's composer (libyaml when available) builds a node graph without constructing any
object, so no tag can run code. We then turn that graph into plain dicts, lists and scalars
ourselves, refusing every tag that is not plain data and bounding alias expansion before we
expand anything, and record the line and column of every key and value on the way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml

from mechmap.diagnostics import Diagnostic, Location, error
from mechmap.mapfile.yamlerrors import syntax_error

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
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # where YAML starts a new line

# Stands for a value that was refused (a bad tag): a refused mapping value is left out, a
# refused list item becomes None, and either way the problem is reported once, at the tag.
REFUSED = object()


# The style of a scalar written over several lines, whatever its quotes: a character's
# offset in its text no longer says its column.
SPANS_LINES = "spans lines"


class Where(NamedTuple):
    """Where a value starts, and how it was quoted (``None`` or ``""`` = plain, or
    :data:`SPANS_LINES`)."""

    location: Location
    style: str | None = None

    def within(self, offset: int, text: str) -> Location:
        """The location of character ``offset`` inside a single-line scalar ``text``
        (the start of the scalar when it is written over several lines)."""
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
    # A list (by its path in the file) -> the file's index of each item still there, once
    # validation has dropped invalid items (see :meth:`renumber`).
    kept: dict[Path, list[int]] = field(default_factory=dict)

    def renumber(self, dropped: list[Path]) -> None:
        """Note list items dropped from the data (paths as the file numbers them), so that
        paths into the data that remains are located where the file has them."""
        for path in dropped:
            items = self.kept.get(path[:-1])
            if items is None:
                items = self.kept[path[:-1]] = list(range(len(self._value(path[:-1]))))
            items.remove(path[-1])

    def original(self, path: Path) -> Path:
        """``path`` into the data as it remains, as the file numbers it."""
        if not self.kept:
            return path
        result: list[str | int] = []
        for part in path:
            items = self.kept.get(tuple(result))
            if items is not None and isinstance(part, int) and part < len(items):
                part = items[part]
            result.append(part)
        return tuple(result)

    def _value(self, path: Path) -> object:
        value = self.data
        for part in path:
            value = value[part]
        return value

    def where(self, path: Path) -> Where:
        """The position of the value at ``path``, or of its nearest ancestor."""
        path = self.original(path)
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return self._where(found)
        return Where(Location(self.file))

    def locate(self, path: Path) -> Location:
        return self.where(path).location

    def locate_key(self, path: Path) -> Location:
        """The position of the key that introduces ``path`` (falls back to its value)."""
        found = self.keys.get(self.original(path))
        return self._where(found).location if found is not None else self.locate(path)

    def _where(self, node: yaml.Node) -> Where:
        spans_lines = node.end_mark.line != node.start_mark.line
        style = SPANS_LINES if spans_lines else getattr(node, "style", None)
        return Where(_location(node, self.file), style)


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
        return document, [syntax_error(exc, text, file)]
    except yaml.reader.ReaderError as exc:
        return document, [_forbidden_character(exc, text, file)]
    except yaml.YAMLError as exc:
        return document, [error(Location(file), f"YAML error: {exc}")]
    except RecursionError:
        return document, [error(Location(file), f"YAML nested too deeply (limit {MAX_DEPTH})")]
    if root is None:
        return document, [error(Location(file), "file is empty; a map starts with 'mechmap: 1'")]
    problems: list[Diagnostic] = []
    # Without an '&' there is no anchor, so no alias, so nothing to expand.
    size = _expanded_size(root) if "&" in text else 0
    if size is None or size > MAX_VALUES:
        mark = _alias_to_blame(text)
        location = Location(file, mark.line + 1, mark.column + 1) if mark else _location(root, file)
        if size is None:
            return document, [error(location, "this alias refers to itself (recursive)")]
        message = (
            f"aliases expand to more than {MAX_VALUES:,} values (an 'alias bomb'): this alias "
            "passes the limit; write the values out instead of nesting aliases"
        )
        return document, [error(location, message)]
    data = _convert(root, (), document, problems, depth=0)
    document.data = None if data is REFUSED else data
    if data is None:  # e.g. a lone `~` or an anchor on nothing
        problems.append(
            error(_location(root, file), "file holds no data; a map starts with 'mechmap: 1'")
        )
    return document, problems


def _forbidden_character(exc: yaml.reader.ReaderError, text: str, file: str) -> Diagnostic:
    """A control character YAML does not allow, located as PyYAML counts lines."""
    # libyaml reports the position in bytes of UTF-8, PyYAML's own reader in characters.
    position = exc.position
    if _Loader is not yaml.SafeLoader:
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    lines = LINE_BREAK.split(text[:position])
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return error(
        Location(file, len(lines), len(lines[-1]) + 1),
        f"character U+{code:04X} is not allowed in YAML (a control character, perhaps pasted "
        "from another program); remove it",
    )


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
        try:
            # The tag's constructor itself, not construct_object: that one remembers every
            # node it ever built, and a node that failed once as "recursive".
            return _scalar_constructor.yaml_constructors[tag](_scalar_constructor, node)
        except (ValueError, KeyError):
            problems.append(_unreadable_scalar(node, doc, path))
            return REFUSED
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


def _alias_to_blame(text: str) -> yaml.Mark | None:
    """The alias that makes the document too large or recursive: the first, in file order,
    that refers to a node still open, or after which the values expanded so far pass
    :data:`MAX_VALUES`. Read from the parser's events, where aliases keep their place (in
    the composed graph an alias is its anchor's node)."""
    sizes: dict[str, int] = {}  # anchor -> how many values its node expands to
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values before it)
    total = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                return event.start_mark
            total += sizes[event.anchor]
            if total > MAX_VALUES:
                return event.start_mark
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, total))
            total += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = total - before
    return None


_TAG_MEANS = {"int": "a whole number", "float": "a number", "bool": "true or false"}


def _unreadable_scalar(node: yaml.ScalarNode, doc: Document, path: Path) -> Diagnostic:
    """A value its tag cannot read: ``!!int abc``, ``!!bool maybe``, or a number longer
    than Python turns into an integer."""
    doc.refused.add(path)
    location = _location(node, doc.file)
    name = node.tag.removeprefix(_CORE)
    digits = node.value.lstrip("+-").replace("_", "")
    if name == "int" and digits.isdigit():
        return error(
            location,
            f"a number of {len(digits):,} digits is more than mechmap reads "
            f"({sys.get_int_max_str_digits():,}); if it is text, quote it",
        )
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return error(
        location,
        f"'{shown}' is not {_TAG_MEANS.get(name, 'what its tag says')} as its tag '!!{name}' "
        f"says; remove the tag, or write {_TAG_MEANS.get(name, 'a plain value')}",
    )


def _refused_tag(node: yaml.Node, doc: Document, path: Path) -> Diagnostic:
    doc.refused.add(path)
    shown = node.tag.replace(_CORE, "!!")
    return error(
        _location(node, doc.file),
        f"tag '{shown}' refused: map files hold plain data only, nothing is constructed or run",
    )
