"""Shared vocabularies a node can be tagged with: ERIC strategies and CFIR 2.0 constructs.

A map that names its components in the words of the field can be compared with other maps and
with strategy reports. Two vocabularies ship with mechmap, as small CSV files beside this
module, read only when a map uses them:

- ``eric.csv``: the 73 implementation strategies of the ERIC compilation (Powell et al.,
  Implement Sci 2015;10:21), numbered in the paper's alphabetical order, each with its
  cluster from Waltz et al. (Implement Sci 2015;10:109);
- ``cfir.csv``: the five domains of CFIR 2.0 (Damschroder et al., Implement Sci 2022;17:75)
  with their constructs and subconstructs (the Individuals domain's constructs are grouped
  as Roles and Characteristics).

:func:`resolve` turns what someone wrote into the canonical name, ignoring case, spacing,
``&``/``and`` and hyphens; a CFIR construct may be written as ``Domain: Construct``,
``Construct: Subconstruct``, or alone when only one entry has that name (a domain or
construct wins over a subconstruct of the same name). Anything else is a ``ValueError``
that says what to write:

>>> resolve("eric", "audit AND provide feedback")
'Audit and provide feedback'
>>> resolve("cfir", "access to knowledge and information")
'Inner Setting: Access to Knowledge & Information'
>>> resolve("cfir", "Engaging: Innovation Recipients")
'Implementation Process: Engaging: Innovation Recipients'
>>> resolve("eric", "Facilitaton")
Traceback (most recent call last):
  ...
ValueError: 'Facilitaton' is not an ERIC strategy (did you mean 'Facilitation'?)
>>> eric_strategy("Facilitation")
EricStrategy(number=33, name='Facilitation', cluster='Provide interactive assistance')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mechmap.diagnostics import did_you_mean

VOCABULARIES = {"eric": "ERIC strategy", "cfir": "CFIR 2.0 domain or construct"}
CFIR_DOMAINS = (
    "Innovation",
    "Outer Setting",
    "Inner Setting",
    "Individuals",
    "Implementation Process",
)


@dataclass(frozen=True)
class EricStrategy:
    number: int
    name: str
    cluster: str


@dataclass(frozen=True)
class CfirEntry:
    """A CFIR 2.0 domain, construct or subconstruct; ``subdomain`` groups the Individuals
    domain's constructs (Roles, Characteristics) and is not part of the name."""

    domain: str
    subdomain: str = ""
    construct: str = ""
    subconstruct: str = ""

    @property
    def name(self) -> str:
        """The canonical name: ``Domain``, ``Domain: Construct`` or
        ``Domain: Construct: Subconstruct``."""
        return ": ".join(p for p in (self.domain, self.construct, self.subconstruct) if p)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(
            p for p in (self.domain, self.subdomain, self.construct, self.subconstruct) if p
        )


def _rows(file: str) -> list[dict[str, str]]:
    import csv
    from importlib import resources

    text = resources.files(__name__).joinpath(file).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def eric_strategies() -> tuple[EricStrategy, ...]:
    """The 73 ERIC strategies, in the paper's (alphabetical) order."""
    return tuple(
        EricStrategy(int(r["number"]), r["strategy"], r["cluster"]) for r in _rows("eric.csv")
    )


@cache
def cfir_entries() -> tuple[CfirEntry, ...]:
    """Every CFIR 2.0 domain, construct and subconstruct, domain by domain."""
    return tuple(CfirEntry(**r) for r in _rows("cfir.csv"))


def _folded(text: str) -> str:
    """What two spellings of one name share: case, spacing, ``&``/``and`` and hyphens aside."""
    text = text.casefold().replace("&", " and ").replace("-", " ")
    return " ".join(text.split())


@cache
def _eric_by_folded() -> dict[str, EricStrategy]:
    return {_folded(s.name): s for s in eric_strategies()}


def eric_strategy(name: str) -> EricStrategy:
    """The ERIC strategy of a canonical (or equivalent) name; ``KeyError`` if none."""
    return _eric_by_folded()[_folded(name)]


def _cfir_matches(text: str) -> list[CfirEntry]:
    parts = [_folded(p) for p in text.split(":")]
    if not all(parts):
        return []
    found = []
    for entry in cfir_entries():
        path = [_folded(p) for p in entry.path]
        if path[-1] != parts[-1]:
            continue
        rest = iter(path[:-1])
        if all(part in rest for part in parts[:-1]):  # the qualifiers, in order
            found.append(entry)
    if len(found) > 1:  # a domain or construct wins over a subconstruct of the same name
        shallowest = min(len(e.name.split(": ")) for e in found)
        top = [e for e in found if len(e.name.split(": ")) == shallowest]
        found = top if len(top) == 1 else found
    return found


def resolve(vocabulary: str, text: str) -> str:
    """The canonical name ``text`` stands for in ``vocabulary`` (``eric`` or ``cfir``)."""
    written = " ".join(str(text).split())
    if vocabulary == "eric":
        strategy = _eric_by_folded().get(_folded(written))
        if strategy is not None:
            return strategy.name
        names = [s.name for s in eric_strategies()]
        hint = did_you_mean(written, names, ignore_case=True)
        raise ValueError(f"'{written}' is not an ERIC strategy{hint or _see('eric')}")
    found = _cfir_matches(written)
    if len(found) == 1:
        return found[0].name
    if found:
        raise ValueError(
            f"'{written}' is ambiguous in CFIR 2.0; write one of: "
            + ", ".join(e.name for e in found)
        )
    leaves = {e.path[-1] for e in cfir_entries()}
    hint = did_you_mean(written, [*(e.name for e in cfir_entries()), *leaves], ignore_case=True)
    raise ValueError(f"'{written}' is not a CFIR 2.0 domain or construct{hint or _see('cfir')}")


def _see(vocabulary: str) -> str:
    return f"; see mechmap/vocabularies/{vocabulary}.csv for the names"


def label(vocabulary: str, name: str) -> str:
    """How a tag is shown: an ERIC strategy with its number, a CFIR name as it is.

    >>> label("eric", "Facilitation"), label("cfir", "Inner Setting: Culture")
    ('Facilitation (ERIC 33)', 'Inner Setting: Culture')
    """
    if vocabulary == "eric":
        return f"{name} (ERIC {eric_strategy(name).number})"
    return name
