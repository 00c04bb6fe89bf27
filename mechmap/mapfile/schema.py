"""The shape of a map file (format version 1) and of a vignette file, as pydantic models.

These models are the single definition of which keys exist and what values they take: the
loader validates against them and ``mechmap schema`` publishes them as JSON Schema. Meaning
(which nodes exist, which waves an edge joins) is checked later, in :mod:`mechmap.mapfile.loader`.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from mechmap.instruments.wai import FORMS, SUBSCALES
from mechmap.model import (
    EDGE_KINDS,
    PROVENANCES,
    ROLES,
    SIGNS,
    SOURCE_TYPES,
    VERDICTS,
    Score,
    value_label,
)

Role = Literal[ROLES]  # type: ignore[valid-type]
Provenance = Literal[PROVENANCES]  # type: ignore[valid-type]
Sign = Literal[SIGNS]  # type: ignore[valid-type]
EdgeKind = Literal[EDGE_KINDS]  # type: ignore[valid-type]
SourceType = Literal[SOURCE_TYPES]  # type: ignore[valid-type]
Verdict = Literal[VERDICTS]  # type: ignore[valid-type]

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
# A volume, issue or page number: written as a number or as text ("e123", "233-239"), kept as text.
NumberOrText = Annotated[
    Text,
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}),
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_key_is_empty_list(cls, value: object, info: ValidationInfo) -> object:
        # `edges:` with every entry commented out reads as null; take it as "none yet".
        factory = cls.model_fields[info.field_name].default_factory
        return factory() if value is None and factory is not None else value


class SourceSpec(_Spec):
    """A publication the map rests on."""

    id: Identifier
    citation: Text
    doi: str | None = None
    url: str | None = None
    authors: list[Text] = Field(
        default_factory=list, description="Authors in order, each 'Family, Given' (for cite)"
    )
    title: Text | None = Field(None, description="The publication's title (for cite)")
    journal: Text | None = Field(None, description="Journal or book it appeared in")
    year: Annotated[int, Field(ge=1000, le=9999)] | None = None
    volume: NumberOrText | None = None
    issue: NumberOrText | None = None
    pages: NumberOrText | None = Field(None, description="Pages, or the article number")
    type: SourceType | None = Field(
        None, description="Kind of publication (default: article-journal if a journal is named)"
    )


VocabularyTags = Text | list[Text]


class NodeSpec(_Spec):
    """One concept of the map (a strategy, mechanism, outcome, context...)."""

    label: Text | None = Field(None, description="Text shown in diagrams (default: the node id)")
    role: Role = Field("other", description="What the node is in the causal story")
    description: str | None = None
    wave: Identifier | None = Field(None, description="The single wave this node belongs to")
    waves: list[Identifier] | None = Field(
        None, min_length=1, description="Waves with a time-indexed copy of this node"
    )
    latent: bool = Field(False, description="Not measured: never chosen for adjustment")
    carry: bool = Field(False, description="Add an arrow from each copy to the next")
    group: str | None = Field(None, description="Free grouping label for layout")
    icc: Annotated[float, Field(ge=0, lt=1)] | None = Field(
        None,
        description="Intraclass correlation of the node measured on respondents, in [0, 1) "
        "(for planning a study)",
    )
    eric: VocabularyTags | None = Field(
        None,
        description="ERIC strategy (Powell et al. 2015), or a list of them; for strategies "
        "and components",
    )
    cfir: VocabularyTags | None = Field(
        None,
        description="CFIR 2.0 domain or construct ('Domain: Construct', or the construct "
        "alone when unambiguous), or a list of them",
    )


Finite = Annotated[float, Field(allow_inf_nan=False)]


class ConsensusSpec(_Spec):
    """An expert panel's rating of the arrow in its latest round (written by mechmap consensus)."""

    round: Annotated[int, Field(ge=1)] = Field(description="The Delphi round (1, 2, ...)")
    n: Annotated[int, Field(ge=1)] = Field(description="Panelists who rated the arrow")
    median: Annotated[Finite, Field(ge=1, le=9)] = Field(description="Median rating (1-9)")
    ipr: Annotated[Finite, Field(ge=0, le=8)] = Field(
        description="Interpercentile range: 70th minus 30th percentile of the ratings"
    )
    disagreement_index: Annotated[Finite, Field(ge=0)] = Field(
        description="IPR / IPRAS; above 1 the panel disagrees"
    )
    verdict: Verdict = Field(description="include, uncertain or exclude")


class EdgeSpec(_Spec):
    """An arrow with attributes (the mapping form of an edge)."""

    model_config = ConfigDict(populate_by_name=False)

    from_: Text = Field(alias="from", description="Cause: node id, optionally @wave")
    to: Text | None = Field(None, description="Effect (default: the target of `modifies`)")
    arrow: int | Text | None = Field(None, description="Number or label in the paper's figure")
    sign: Sign | None = None
    lag: Annotated[int, Field(ge=0)] | None = Field(
        None, description="0 = same wave, 1 = next wave"
    )
    modifies: Text | None = Field(None, description="The edge a moderator acts on, 'x -> y'")
    provenance: Provenance | None = None
    evidence: list[Identifier] = Field(default_factory=list, description="Vignette ids")
    note: str | None = None
    kind: EdgeKind = Field(
        "causal",
        description="causal (a step of the mechanism, the default) or measurement (a "
        "part-whole or indicator link: a scale and its item, a total and its subscale)",
    )
    effect: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None,
        description="Standardized path coefficient (variables of unit variance), for "
        "planning a study with mechmap power",
    )
    consensus: ConsensusSpec | None = Field(
        None, description="An expert panel's rating of this arrow (RAND/UCLA, mechmap consensus)"
    )


def _edge_form(value: object) -> str | None:
    if isinstance(value, str):
        return "compact"
    if isinstance(value, dict | EdgeSpec):
        return "mapping"
    return None


EdgeEntry = Annotated[
    Annotated[Text, Tag("compact")] | Annotated[EdgeSpec, Tag("mapping")],
    Discriminator(
        _edge_form,
        custom_error_type="edge_form",
        custom_error_message="an edge is a string 'a -> b' or a mapping {from: a, to: b}",
    ),
]


class HypothesisSpec(_Spec):
    """A hypothesised causal path to be tested against data."""

    id: Identifier
    path: Text = Field(description="A directed path of the map: 'a -> b -> c'")
    parallel: list[Text] = Field(
        default_factory=list,
        description="More paths with the same ends, through parallel mediators: tested "
        "together (specific and joint indirect effects)",
    )
    expect: Sign | None = Field(None, description="Expected sign of the effect along the path")
    description: str | None = None


class TeachingStepSpec(_Spec):
    """One step of a teaching sequence: an arrow (by label or as written) and a caption."""

    arrow: int | Text | None = None
    edge: Text | None = Field(None, description="The edge as written in the map: 'a -> b'")
    caption: str | None = Field(None, description="What to say while this arrow appears")


class TeachingSpec(_Spec):
    """The order in which a class steps through the arrows (default: arrow-number order)."""

    sequence: list[TeachingStepSpec] = Field(default_factory=list)


def _label(value: object) -> object:
    return value_label(value) if isinstance(value, bool | int | float) else value


Label = Annotated[Text, BeforeValidator(_label)]
PLAIN_TYPES = ("continuous", "proportion", "count")  # the types written as one word
INSTRUMENTS = tuple(FORMS)


class ScoreSpec(_Spec):
    """A value scored from the items of a survey instrument."""

    instrument: Literal[INSTRUMENTS]  # type: ignore[valid-type]
    subscale: Literal[tuple(SUBSCALES)]  # type: ignore[valid-type]
    items: Text = Field(Score.items, description="Item column names, {n} = item number 1..12")
    dropped: list[int] = Field(default_factory=list, description="Item numbers not asked")


class TypeSpec(_Spec):
    """The mapping form of a value type: ``{likert: [1, 7]}`` or ``{category: [low, high]}``."""

    likert: list[float] | None = Field(
        None, min_length=2, max_length=2, description="[lowest, highest] answer"
    )
    category: list[Label] | None = Field(
        None, min_length=1, description="Labels in order, scored 1..k"
    )


def _type_form(value: object) -> str | None:
    if isinstance(value, str):
        return "compact"
    if isinstance(value, dict | TypeSpec):
        return "mapping"
    return None


TypeEntry = Annotated[
    Annotated[
        Annotated[Text, Field(json_schema_extra={"enum": list(PLAIN_TYPES)})],
        Tag("compact"),
    ]
    | Annotated[TypeSpec, Tag("mapping")],
    Discriminator(
        _type_form,
        custom_error_type="type_form",
        custom_error_message="a type is continuous, proportion, count, {likert: [low, high]} "
        "or {category: [label, ...]}",
    ),
]


class MeasureSpec(_Spec):
    """How one node (or one copy, ``node@wave``) is read from data."""

    column: Text | None = Field(None, description="Column holding the value")
    score: ScoreSpec | None = Field(None, description="Score the value from survey items")
    level: Literal["site", "respondent"] | None = Field(
        None, description="Default: respondent when a site has several rows"
    )
    aggregate: Literal["mean", "median", "proportion"] = Field(
        "mean", description="Respondents to site"
    )
    where: dict[Text, Label] = Field(
        default_factory=dict, description="Keep rows with these values"
    )
    wave: Label | None = Field(None, description="Value of the wave column for this copy")
    type: TypeEntry | None = Field(None, description="Default: continuous")
    denominator: Text | None = Field(
        None,
        description="A proportion's denominator column (e.g. eligible patients); its "
        "regressions are weighted by it",
    )


class MeasuresSpec(_Spec):
    """Where each node's values are in the data tables."""

    site: Text = Field("site", description="The site column of every table")
    wave: Text | None = Field(None, description="The wave column of long tables")
    respondent_type: Text | None = Field(None, description="The rater or respondent type column")
    synthetic: bool = Field(False, description="The data are simulated")
    nodes: dict[Text, MeasureSpec] = Field(
        default_factory=dict, description="node or node@wave -> measure"
    )


class MeasuresFileSpec(_Spec):
    """A measures file: the ``measures`` block of a map, kept in a file of its own."""

    model_config = ConfigDict(title="mechmap measures")

    measures: MeasuresSpec


class DesignSpec(_Spec):
    """How the study was run."""

    randomized: list[Identifier] = Field(default_factory=list, description="Randomized node ids")
    note: str | None = None


BANDS = ("top", "bottom", "flow")


def _shown(value: object) -> str:
    return "nothing" if value is None else f"'{value}'" if isinstance(value, str) else str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _whole_number(value: object) -> object:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    raise PydanticCustomError(
        "layout_order",
        "{given} is not a whole number; write e.g. 'order: 1' (lower numbers are drawn first, "
        "at the top of the column)",
        {"given": _shown(value)},
    )


def _point(value: object) -> object:
    if isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_number, value)):
        return (float(value[0]), float(value[1]))
    shown = f"[{', '.join(map(_shown, value))}]" if isinstance(value, list) else _shown(value)
    raise PydanticCustomError(
        "layout_pos",
        "{given} is not a position; write 'pos: [x, y]', two finite numbers in points from the "
        "top left of the drawing (y grows downward)",
        {"given": shown},
    )


Finite = Annotated[float, Field(allow_inf_nan=False)]


def _no_hints_yet(value: object) -> object:
    # `trust:` with nothing after it reads as null; the loader then says it sets nothing.
    return {} if value is None else value


class PlacementSpec(_Spec):
    """Layout hints for a node (every one of its variables) or for one variable node@wave."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    order: Annotated[int, BeforeValidator(_whole_number)] | None = Field(
        None,
        description="Rank among the boxes stacked in the same layer of its column: lower "
        "numbers are drawn first (top)",
    )
    band: Literal[BANDS] | None = Field(  # type: ignore[valid-type]
        None,
        description="A band above (top) or below (bottom) the main flow, or the flow itself "
        "(flow: keeps context that would travel in the top band among the other boxes)",
    )
    pos: Annotated[tuple[Finite, Finite], BeforeValidator(_point)] | None = Field(
        None,
        description="Pinned position [x, y] in points (1/72 inch) of the drawing, origin at the "
        "top left, y growing downward; wins over every other hint",
    )


PlacementEntry = Annotated[PlacementSpec, BeforeValidator(_no_hints_yet)]
TARGET_PATTERN = "^{0}(@{0})?$".format(IDENTIFIER_PATTERN.strip("^$"))


def _integer_version(value: object) -> object:
    # `mechmap: yes` and `mechmap: 1.0` equal 1 in Python; a version is written as 1.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("version", "the format version is the integer 1")


FormatVersion = Annotated[Literal[1], BeforeValidator(_integer_version)]


class MapSpec(_Spec):
    """A mechanism map file, format version 1."""

    model_config = ConfigDict(title="mechmap map (format version 1)")

    mechmap: FormatVersion = Field(description="Format version")
    id: Identifier
    title: Text
    description: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)
    waves: dict[Identifier, Text] = Field(
        default_factory=dict, description="Ordered time points, earliest first: id -> label"
    )
    nodes: dict[Identifier, NodeSpec] = Field(min_length=1)
    edges: list[EdgeEntry] = Field(default_factory=list)
    hypotheses: list[HypothesisSpec] = Field(default_factory=list)
    teaching: TeachingSpec | None = None
    measures: MeasuresSpec | None = Field(None, description="How nodes are read from data")
    design: DesignSpec | None = None
    layout: dict[Text, PlacementEntry] = Field(
        default_factory=dict,
        description="Hints that steer the diagram layout, keyed by node id (every variable of "
        "the node) or variable id node@wave (that copy; its hints win over the node's)",
        json_schema_extra={"propertyNames": {"pattern": TARGET_PATTERN}},
    )


class ArrowCite(_Spec):
    """One arrow a vignette speaks to, named by its arrow label or by its edge."""

    map: Identifier = Field(description="The id of the map the arrow belongs to")
    arrow: int | Text | None = None
    edge: Text | None = Field(None, description="The edge as written in the map: 'a -> b'")
    says: Text = Field(description="One sentence: what the study shows about this arrow")


class VignetteSpec(_Spec):
    """A study summary whose findings support or contradict arrows of maps."""

    model_config = ConfigDict(title="mechmap vignette (format version 1)")

    vignette: FormatVersion = Field(description="Format version")
    id: Identifier
    title: Text
    citation: Text
    doi: str | None = None
    setting: Text
    design: Text
    summary: str | None = None
    supports: list[ArrowCite] = Field(default_factory=list)
    contradicts: list[ArrowCite] = Field(default_factory=list)


def json_schema(kind: Literal["map", "vignette"] = "map") -> str:
    """The JSON Schema of a map (or vignette) file, as indented JSON text."""
    model = MapSpec if kind == "map" else VignetteSpec
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2)
