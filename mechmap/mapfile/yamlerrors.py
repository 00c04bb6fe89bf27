"""YAML syntax errors worded for the person who made them.

PyYAML says where parsing stopped and what its parser expected there ("did not find
expected key", "found character that cannot start any token"); people write maps by hand
and need the cause: most often a tab, or a line indented differently from the ones above
it. This module reads the offending line (and the lines above) to name that cause, and
falls back to PyYAML's own wording with a hint when it cannot:

>>> import yaml
>>> text = "nodes:\\n  a: {}\\n   b: {}\\n"
>>> try:
...     yaml.safe_load(text)
... except yaml.MarkedYAMLError as exc:
...     print(syntax_error(exc, text, "map.yaml"))
map.yaml:3:4: error: this line is indented differently from the ones above it (3 spaces; \
the lines above use 0 or 2): line it up with the key it belongs beside, using spaces
"""

from __future__ import annotations

import yaml

from mechmap.diagnostics import Diagnostic, Location, error

# The parser's complaints that a misplaced line causes: a key where none can be, a value
# where no mapping is open, a block that ends early.
_STRUCTURE_PROBLEMS = (
    "did not find expected key",
    "mapping values are not allowed",
    "could not find expected ':'",
    "did not find expected '-' indicator",
    "expected <block end>",
    "did not find expected <document start>",
)


def syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> Diagnostic:
    """The diagnostic for a YAML syntax error in ``text`` (the whole file)."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "syntax error"
    if mark is None:
        return error(Location(file), f"YAML syntax error: {problem}")
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    tab = _tab_in(line, mark.column)
    if tab is not None:
        return error(
            Location(file, mark.line + 1, tab + 1),
            "a tab character: YAML indents with spaces only; replace the tab with spaces",
        )
    indent = len(line) - len(line.lstrip(" "))
    if any(p in problem for p in _STRUCTURE_PROBLEMS) and line.strip():
        levels, opens_block = _indentation_above(lines[: mark.line])
        deeper_allowed = opens_block and indent > levels[-1]
        if indent not in levels and not deeper_allowed:
            *outer, inner = map(str, levels)
            shown = f"{', '.join(outer)} or {inner}" if outer else inner
            return error(
                Location(file, mark.line + 1, indent + 1),
                f"this line is indented differently from the ones above it ({indent} "
                f"space{'s' * (indent != 1)}; the lines above use {shown}): line it up with "
                "the key it belongs beside, using spaces",
            )
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    if "block sequence entries are not allowed" in problem:
        message += '; a lone - starts a list: write a minus sign as "-"'
    elif "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        message += "; check indentation and quote values that contain ': '"
    elif "cannot start any token" in problem:
        message += "; quote a value that starts with @ or `"
    return error(Location(file, mark.line + 1, mark.column + 1), message)


def _tab_in(line: str, column: int) -> int | None:
    """The column (0-based) of the tab that stopped the parser: at ``column``, or in the
    indentation of the line."""
    if column < len(line) and line[column] == "\t":
        return column
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    return indentation.index("\t") if "\t" in indentation else None


def _indentation_above(lines: list[str]) -> tuple[list[int], bool]:
    """The indentations still open after ``lines`` (outermost first), and whether the last
    line opens a block (``key:`` or ``-`` with nothing after it), so that a deeper line may
    follow. A list item ``- key: value`` opens its mapping two columns in."""
    levels = [0]
    opens_block = True
    for line in lines:
        content = line.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        indent = len(content) - len(content.lstrip(" "))
        while len(levels) > 1 and levels[-1] > indent:
            levels.pop()
        if indent > levels[-1]:
            levels.append(indent)
        rest = content[indent:]
        while rest.startswith("- ") or rest == "-":
            inner = rest[1:].lstrip(" ")
            indent += len(rest) - len(inner)
            rest = inner
            if rest:
                levels.append(indent)
        opens_block = rest == "" or rest.endswith(":") or rest.endswith(("|", ">", "|-", ">-"))
    return levels, opens_block
