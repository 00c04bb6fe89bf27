"""The programs that turn positioned DOT into SVG, PNG or PDF.

mechmap lays every drawing out itself (:mod:`.layout`); Graphviz only draws the shapes,
curves and text at the given places (its ``nop2`` engine). Graphviz's own ``dot`` program is
used when it is on PATH, else the ``graphviz-pure`` program that installs with mechmap (SVG,
PNG; no PDF).

A drawing that takes longer than :data:`TIME_LIMIT` seconds (or ``MECHMAP_DRAW_TIME_LIMIT``)
is stopped with :class:`DrawingTooSlow`: a map of thousands of boxes drawn as PNG can take
minutes, and one line saying so beats a hang.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Drawing positioned DOT takes seconds for a thousand boxes as SVG (about four times longer as
# PNG); far longer means a stuck engine or a map too big for one figure.
TIME_LIMIT = 120.0
TIME_LIMIT_VARIABLE = "MECHMAP_DRAW_TIME_LIMIT"


class RendererMissing(RuntimeError):
    """No engine can produce the requested format (or it failed); the message names the fix."""


class DrawingTooSlow(RendererMissing):
    """The engine ran past the time limit; the message says what to do instead."""


def configured_time_limit() -> float:
    """Seconds a drawing may take: ``MECHMAP_DRAW_TIME_LIMIT`` if set, else :data:`TIME_LIMIT`."""
    text = os.environ.get(TIME_LIMIT_VARIABLE, "").strip()
    if not text:
        return TIME_LIMIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise RendererMissing(
            f"{TIME_LIMIT_VARIABLE}={text!r} is not a number of seconds: set it to e.g. 600, "
            f"or unset it for the default of {TIME_LIMIT:g} s"
        )
    return seconds


@dataclass(frozen=True)
class Engine:
    name: str
    program: str
    formats: frozenset[str]


def engines() -> list[Engine]:
    """Available drawing engines, preferred first: system Graphviz, then graphviz-pure."""
    found = []
    system = shutil.which("dot")
    if system:
        found.append(Engine("Graphviz dot", system, frozenset({"svg", "png", "pdf", "json"})))
    pure = shutil.which("graphviz-pure") or _beside_python("graphviz-pure")
    if pure:
        found.append(Engine("graphviz-pure", pure, frozenset({"svg", "png", "json"})))
    return found


def _beside_python(program: str) -> str | None:
    # A virtual environment's scripts sit beside its python even when it is not activated.
    candidate = Path(sys.executable).with_name(program)
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def run_engine(dot: str, fmt: str, time_limit: float | None = None) -> bytes:
    """Draw DOT text in ``fmt`` within ``time_limit`` seconds (default:
    :func:`configured_time_limit`); raises :class:`RendererMissing` with the fix
    (:class:`DrawingTooSlow` past the limit)."""
    limit = configured_time_limit() if time_limit is None else time_limit
    candidates = [e for e in engines() if fmt in e.formats]
    if not candidates:
        if fmt == "pdf":
            raise RendererMissing(
                "PDF needs Graphviz's dot: install it (apt-get install graphviz), "
                "or render SVG or PNG, which work without it"
            )
        raise RendererMissing(
            "no Graphviz drawing engine found: reinstall mechmap (it brings graphviz-pure) "
            "or install Graphviz (apt-get install graphviz)"
        )
    failures = []
    for engine in candidates:  # a failing engine falls back to the next one
        try:
            result = subprocess.run(
                [engine.program, f"-T{fmt}"],
                input=dot.encode("utf-8"),
                capture_output=True,
                timeout=limit,
                check=False,
            )
        except subprocess.TimeoutExpired:  # another engine would not be faster: stop here
            raise DrawingTooSlow(
                f"drawing the map as {fmt.upper()} took longer than {limit:g} s, the time limit "
                f"({engine.name}): split the map into smaller maps"
                + (", draw it as SVG (several times faster than PNG)" if fmt == "png" else "")
                + f", or allow more time: {TIME_LIMIT_VARIABLE}=600"
            ) from None
        if result.returncode == 0 and result.stdout:
            return result.stdout
        failures.append(f"{engine.name}: {result.stderr.decode(errors='replace').strip()[:300]}")
    raise RendererMissing(
        "drawing failed: "
        + "; ".join(failures)
        + " (for a very large map try --rolled-up or --focus NODE --depth 2)"
    )
