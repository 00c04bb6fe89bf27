"""The programs that turn positioned DOT into SVG, PNG or PDF.

mechmap lays every drawing out itself (:mod:`.layout`); Graphviz only draws the shapes,
curves and text at the given places (its ``nop2`` engine). Graphviz's own ``dot`` program is
used when it is on PATH, else the ``graphviz-pure`` program that installs with mechmap (SVG,
PNG; no PDF).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Drawing positioned DOT takes well under a second per thousand boxes; far longer means a
# stuck engine, and the user gets one line instead of a hang.
TIME_LIMIT = 120.0


class RendererMissing(RuntimeError):
    """No engine can produce the requested format (or it failed); the message names the fix."""


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


def run_engine(dot: str, fmt: str, time_limit: float = TIME_LIMIT) -> bytes:
    """Draw DOT text in ``fmt``; raises :class:`RendererMissing` with the fix."""
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
                timeout=time_limit,
                check=False,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{engine.name} took longer than {time_limit:.0f} s")
            continue
        if result.returncode == 0 and result.stdout:
            return result.stdout
        failures.append(f"{engine.name}: {result.stderr.decode(errors='replace').strip()[:300]}")
    raise RendererMissing(
        "drawing failed: "
        + "; ".join(failures)
        + " (for a very large map try --rolled-up or --focus NODE --depth 2)"
    )
