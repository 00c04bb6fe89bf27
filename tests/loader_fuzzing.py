"""Fuzzing the map loader and the measures loader: inputs made to break them, and what
must hold for every one.

Inputs come two ways, both drawn by hypothesis:

- **built**: documents made from the format's own vocabulary (its keys, roles, signs,
  references ``node@wave``, chains, item patterns) with, now and then, a value of any type
  or a raw piece of YAML (a tag, an alias, a tab, a 4,400-digit number) in any place,
  written out as YAML in block or flow style. Most of them get past the schema, so the
  checks of meaning run too.
- **damaged**: the project's real maps and measures files with lines dropped, repeated,
  swapped, re-indented, given a tab, cut short, or with a piece of YAML pushed in.

:func:`check_map` and :func:`check_measures` say what must hold: the loader returns, it
raises nothing (its located error type, :class:`~mechmap.diagnostics.MapError`, is raised
only by the wrappers that turn diagnostics into an exception); every diagnostic is one line
and names the file, at a line and column that exist in it; a map (or measures) comes back
exactly when there is no error, and then every item pattern is one the loader allows.

The test suite runs a few hundred inputs (tests/test_fuzz_loaders.py); ``python
scripts/fuzz_loaders.py --seconds N`` runs for longer and prints what it tried.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

from hypothesis import strategies as st

from mechmap.diagnostics import Diagnostic, has_errors
from mechmap.instruments.wai import item_pattern_problems
from mechmap.mapfile.loader import load, parse_map, parse_measures
from mechmap.mapfile.yamlsafe import LINE_BREAK
from mechmap.model import EDGE_KINDS, PROVENANCES, ROLES, SIGNS, SOURCE_TYPES, Map, Measures

ROOT = Path(__file__).resolve().parent.parent
MAP_FILE = "fuzz.yaml"
MEASURES_FILE = "fuzz-measures.yaml"
MEASURES_MAP = ROOT / "tests" / "data" / "measures" / "map.yaml"


class Raw(str):
    """Text written into the document as it stands: a tag, an alias, a stray indicator."""


SNIPPETS = [
    "!!int abc",
    "!!float abc",
    "!!bool maybe",
    "!!str 3",
    "!!null x",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    "!!set {a: null}",
    "!custom x",
    "&x 1",
    "*x",
    "*nowhere",
    "&y [*y]",
    "9" * 4400,
    "-" + "7" * 4301,
    "1e999",
    ".nan",
    "-.inf",
    "0x1F",
    "0o17",
    "1_000",
    "190:20:30",
    "2024-01-01",
    "yes",
    "no",
    "on",
    "~",
    "''",
    '""',
    "@x",
    "`x`",
    "%x",
    "|\n  a block",
    ">-\n  folded",
    "[",
    "]",
    "{",
    "}",
    "- ",
    ": ",
    "? ",
    "#",
    "\t",
    "é",
    "\u2028",
    "\x00",
    "\ufeff",
    "<<: {a: 1}",
    "wai_{n:>300000000}{n}",
    "{n.__class__.__name__}",
]
NODE_IDS = ["a", "b", "c", "d", "3x", "a.b", "_x"]
WAVES = ["t0", "t1", "t2", "q9"]
ITEM_PATTERNS = [
    "wai_{n}",
    "item{n}_{n}",
    "wai_{n:>300000000}{n}",
    "wai_{n.__class__.__name__}{n}",
    "{x}",
    "{0}",
    "}",
    "{",
    "{n",
    "n}",
    "{{n}}",
    "",
    "wai",
]
KEYS = [
    "mechmap",
    "id",
    "title",
    "nodes",
    "edges",
    "waves",
    "from",
    "to",
    "role",
    "measures",
    "score",
    "items",
    "layout",
    "pos",
]


def _wild() -> st.SearchStrategy:
    """Any value at all, raw YAML included."""
    scalars = st.one_of(
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.text(max_size=12),
        st.sampled_from(SNIPPETS).map(Raw),
    )
    keys = st.sampled_from(KEYS) | st.text(max_size=6) | st.sampled_from(SNIPPETS).map(Raw)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )


WILD = _wild()


def maybe(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly a value of the right kind, sometimes (one time in four) anything."""
    return st.one_of(valid, valid, valid, WILD)


def rarely_wild(valid: st.SearchStrategy) -> st.SearchStrategy:
    """A value of the right kind but one time in ten: for the keys everything hangs on,
    so that most documents get past the schema to the checks of meaning."""
    return st.one_of(*[valid] * 9, WILD)


def _references(ids: list[str], waves: list[str]) -> st.SearchStrategy:
    plain = st.sampled_from(ids)
    return plain | st.builds(lambda i, w: f"{i}@{w}", plain, st.sampled_from(waves))


def _chains(references: st.SearchStrategy) -> st.SearchStrategy:
    arrows = st.sampled_from([" -> ", " -> ", " -> ", "->", " <- ", " <-> ", " => ", " -->"])
    return st.builds(
        lambda first, rest: first + "".join(arrow + ref for arrow, ref in rest),
        references,
        st.lists(st.tuples(arrows, references), max_size=3),
    )


TEXT = st.text(min_size=1, max_size=15)
IDS = st.sampled_from(NODE_IDS)
# Tags from the shared vocabularies: real names, near misses, ambiguous and qualified forms.
_TAG = st.sampled_from(
    [
        "Facilitation",
        "facilitaton",
        "Audit and provide feedback",
        "Inner Setting: Culture",
        "Innovation Deliverers",
        "Engaging: Innovation Recipients",
        "Leadership Engagement",
        "Innovation",
        ":",
    ]
)
VOCABULARY_TAGS = _TAG | st.lists(_TAG, max_size=3)


def measures_blocks(ids: list[str], waves: list[str]) -> st.SearchStrategy:
    """``measures:`` blocks whose keys are references to ``ids`` at ``waves``."""
    score = st.fixed_dictionaries(
        {
            "instrument": maybe(st.sampled_from(["wai-s", "wai-sr", "wai-x"])),
            "subscale": maybe(st.sampled_from(["goal", "task", "bond", "total", "trust"])),
        },
        optional={
            "items": maybe(st.sampled_from(ITEM_PATTERNS) | st.text("{}n_wai0:>!.", max_size=9)),
            "dropped": maybe(st.lists(st.integers(0, 14), max_size=4)),
        },
    )
    value_type = st.sampled_from(["continuous", "proportion", "count", "likert", "category", "x"])
    value_type |= st.fixed_dictionaries(
        {},
        optional={
            "likert": st.lists(st.integers(-2, 9), max_size=3),
            "category": st.lists(TEXT, max_size=3),
        },
    )
    measure = st.fixed_dictionaries(
        {},
        optional={
            "column": maybe(IDS),
            "score": maybe(score),
            "level": maybe(st.sampled_from(["site", "respondent", "sites"])),
            "aggregate": maybe(st.sampled_from(["mean", "median", "proportion", "meen"])),
            "where": maybe(st.dictionaries(IDS, TEXT | st.integers(), max_size=2)),
            "wave": maybe(st.sampled_from(waves) | st.integers(0, 3)),
            "type": maybe(value_type),
            "denominator": maybe(IDS),
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "site": maybe(st.just("site")),
            "wave": maybe(st.just("wave")),
            "respondent_type": maybe(st.just("rater")),
            "synthetic": maybe(st.booleans()),
            "nodes": rarely_wild(
                st.dictionaries(_references(ids, waves), maybe(measure), max_size=4)
            ),
        },
    )


def _map_documents() -> st.SearchStrategy:
    references = _references(NODE_IDS, WAVES)
    chains = _chains(references)
    node = st.fixed_dictionaries(
        {},
        optional={
            "label": maybe(TEXT),
            "role": maybe(st.sampled_from([*ROLES, "bogus"])),
            "wave": maybe(st.sampled_from(WAVES)),
            "waves": maybe(st.lists(st.sampled_from(WAVES), max_size=3)),
            "latent": maybe(st.booleans()),
            "carry": maybe(st.booleans()),
            "group": maybe(TEXT),
            "eric": maybe(VOCABULARY_TAGS),
            "cfir": maybe(VOCABULARY_TAGS),
            "colour": WILD,
        },
    )
    edge = chains | st.fixed_dictionaries(
        {"from": maybe(references)},
        optional={
            "to": maybe(references),
            "lag": maybe(st.integers(-1, 3)),
            "modifies": maybe(chains),
            "sign": maybe(st.sampled_from(SIGNS)),
            "arrow": maybe(st.integers(1, 4) | TEXT),
            "provenance": maybe(st.sampled_from(PROVENANCES)),
            "evidence": maybe(st.lists(st.sampled_from(["v1", "trial"]), max_size=2)),
            "kind": maybe(st.sampled_from([*EDGE_KINDS, "measurment"])),
        },
    )
    source = st.fixed_dictionaries(
        {"id": IDS, "citation": TEXT},
        optional={
            "authors": maybe(st.lists(TEXT | st.just("et al."), max_size=3)),
            "title": maybe(TEXT),
            "journal": maybe(TEXT),
            "year": maybe(st.integers(900, 2100)),
            "volume": maybe(st.integers(1, 40) | TEXT),
            "pages": maybe(TEXT),
            "type": maybe(st.sampled_from([*SOURCE_TYPES, "journal-article"])),
        },
    )
    hypothesis = st.fixed_dictionaries(
        {"id": maybe(IDS), "path": maybe(chains)},
        optional={
            "parallel": maybe(st.lists(chains, max_size=2)),
            "expect": maybe(st.sampled_from(SIGNS)),
        },
    )
    placement = st.fixed_dictionaries(
        {},
        optional={
            "order": maybe(st.integers(-2, 5)),
            "band": maybe(st.sampled_from(["top", "bottom", "flow", "left"])),
            "pos": maybe(st.lists(st.floats(-1e3, 1e3) | st.floats(), max_size=3)),
        },
    )
    teaching = st.fixed_dictionaries(
        {
            "sequence": maybe(
                st.lists(
                    st.fixed_dictionaries(
                        {}, optional={"arrow": st.integers(0, 4), "edge": chains, "caption": TEXT}
                    ),
                    max_size=3,
                )
            )
        }
    )
    return st.fixed_dictionaries(
        {
            "mechmap": rarely_wild(st.just(1)),
            "id": rarely_wild(IDS),
            "title": rarely_wild(TEXT),
            "nodes": rarely_wild(st.dictionaries(IDS, maybe(node), min_size=1, max_size=5)),
        },
        optional={
            "waves": rarely_wild(st.dictionaries(st.sampled_from(WAVES), TEXT, max_size=3)),
            "edges": rarely_wild(st.lists(maybe(edge), max_size=6)),
            "hypotheses": maybe(st.lists(hypothesis, max_size=2)),
            "measures": rarely_wild(measures_blocks(NODE_IDS, WAVES)),
            "layout": maybe(st.dictionaries(references, maybe(placement), max_size=3)),
            "teaching": maybe(teaching),
            "design": maybe(st.fixed_dictionaries({"randomized": st.lists(IDS, max_size=2)})),
            "sources": maybe(st.lists(source, max_size=2)),
            "extra": WILD,
        },
    )


# -- writing documents as YAML ----------------------------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.@ >-]*$")
_SPECIAL_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def _scalar(value: object) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = _PLAIN.match(text) and text.lower() not in _SPECIAL_WORDS and not text.endswith(" ")
    return text if plain else _double_quoted(text)


def _double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: printable ASCII as it is, the rest escaped
    (JSON would write astral characters as surrogate pairs, which YAML refuses)."""
    out = []
    for character in text:
        code = ord(character)
        if character in '"\\':
            out.append("\\" + character)
        elif 0x20 <= code < 0x7F:
            out.append(character)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _block(value: object, rng: random.Random, indent: int = 0) -> str:
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item and rng.random() < 0.6:
                lines.append(f"{pad}{_scalar(key)}:\n{_block(item, rng, indent + 2)}")
            else:
                lines.append(f"{pad}{_scalar(key)}: {_flow(item)}\n")
    else:
        for item in value:
            if isinstance(item, dict | list) and item and rng.random() < 0.5:
                lines.append(f"{pad}-\n{_block(item, rng, indent + 2)}")
            else:
                lines.append(f"{pad}- {_flow(item)}\n")
    return "".join(lines)


def as_yaml(document: dict, seed: int) -> bytes:
    """``document`` written as YAML, each collection in block or flow style by ``seed``."""
    return _block(document, random.Random(seed)).encode("utf-8", "surrogatepass")


def built_maps() -> st.SearchStrategy[bytes]:
    return st.builds(as_yaml, _map_documents(), st.integers(0, 2**16))


def built_measures() -> st.SearchStrategy[bytes]:
    ids = ["hours", "wai", "goal", "screening", "rural", "capacity", "nope"]
    block = measures_blocks(ids, ["base", "impl", "sust", "end"])
    document = st.fixed_dictionaries({"measures": rarely_wild(block)}, optional={"extra": WILD})
    return st.builds(as_yaml, document, st.integers(0, 2**16))


# -- damaging real files ----------------------------------------------------------------------
_DAMAGES = ["drop", "repeat", "swap", "indent", "dedent", "tab", "insert", "delete", "cut", "end"]


@st.composite
def damaged(draw, seeds: list[str]) -> bytes:
    """One of ``seeds`` (file texts) damaged in one to four places."""
    lines = draw(st.sampled_from(seeds)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        column = draw(st.integers(0, len(line)))
        damage = draw(st.sampled_from(_DAMAGES))
        if damage == "drop":
            del lines[i]
        elif damage == "repeat":
            lines.insert(i, line)
        elif damage == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], line
        elif damage == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + line
        elif damage == "dedent":
            lines[i] = line[1:] if line.startswith(" ") else line
        elif damage == "tab":
            lines[i] = "\t" + line.lstrip(" ")
        elif damage == "insert":
            lines[i] = line[:column] + draw(st.sampled_from(SNIPPETS)) + line[column:]
        elif damage == "delete":
            lines[i] = line[:column] + line[column + 1 :]
        elif damage == "cut":
            lines[i] = line[:column]
        elif damage == "end":
            del lines[i + 1 :]
    return "\n".join(lines).encode("utf-8")


def _texts(*patterns: str) -> list[str]:
    paths = sorted({p for pattern in patterns for p in ROOT.glob(pattern)})
    return [p.read_text(encoding="utf-8") for p in paths if p.stat().st_size < 20_000]


def damaged_maps() -> st.SearchStrategy[bytes]:
    return damaged(_texts("maps/*.yaml", "tests/data/maps/*.yaml", "tests/data/measures/map.yaml"))


def damaged_measures() -> st.SearchStrategy[bytes]:
    return damaged(_texts("tests/data/measures/*measures.yaml"))


# -- what must hold -----------------------------------------------------------------------------
def check_located(raw: bytes, file: str, problems: list[Diagnostic]) -> None:
    """Every diagnostic is one line, in ``file``, at a line and column the file has."""
    try:
        text = raw.decode("utf-8-sig")
        lines = [len(line.encode()) for line in LINE_BREAK.split(text)]
    except UnicodeDecodeError:  # located by bytes, lines counted at '\n'
        lines = [len(line) for line in raw.split(b"\n")]
    for problem in problems:
        where = problem.location
        assert where.file == file, problem
        assert 1 <= where.line <= len(lines) + 1, (problem, len(lines))
        width = lines[where.line - 1] if where.line <= len(lines) else 0
        assert 1 <= where.col <= width + 2, (problem, width)
        assert problem.message and "\n" not in str(problem), problem


def _check_patterns(measures: Measures | None) -> None:
    for measure in measures.nodes if measures is not None else ():
        if measure.score is not None:
            assert not item_pattern_problems(measure.score.items), measure.score


def check_map(raw: bytes) -> None:
    """What must hold for any bytes given to the map loader."""
    m, problems = parse_map(raw, MAP_FILE)
    check_located(raw, MAP_FILE, problems)
    assert (m is None) == has_errors(problems), problems
    if m is not None:
        _check_patterns(m.measures)


_measures_map: list[Map] = []


def check_measures(raw: bytes) -> None:
    """What must hold for any bytes given to the measures loader (for the fixture map)."""
    if not _measures_map:
        _measures_map.append(load(MEASURES_MAP))
    measures, problems = parse_measures(raw, MEASURES_FILE, _measures_map[0])
    check_located(raw, MEASURES_FILE, problems)
    assert (measures is None) == has_errors(problems), problems
    _check_patterns(measures)
