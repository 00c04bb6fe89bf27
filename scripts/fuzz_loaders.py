"""Fuzz the map loader and the measures loader for a while; print what was tried and broke.

    python scripts/fuzz_loaders.py [--seconds 60] [--seed 0]

Inputs and checks are those of ``tests/loader_fuzzing.py`` (the test suite runs a few hundred
of them): documents built from the format's vocabulary with wild values and raw YAML
pushed in, and the project's real files damaged line by line. Every input must come back as
located diagnostics (or a valid map), never as an exception. The time is shared between the
four kinds of input in turn; each failure is printed with its input. Exit status 1 when any
input failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.loader_fuzzing import (  # noqa: E402
    built_maps,
    built_measures,
    check_map,
    check_measures,
    damaged_maps,
    damaged_measures,
)

KINDS = {
    "built maps": (built_maps(), check_map),
    "damaged maps": (damaged_maps(), check_map),
    "built measures": (built_measures(), check_measures),
    "damaged measures": (damaged_measures(), check_measures),
}
BATCH = 200  # inputs per hypothesis run; a run is the unit the time limit is checked at
SHOWN_INPUT = 2_000  # characters of a failing input printed


def fuzz(seconds: float, first_seed: int) -> tuple[Counter, list[tuple[str, bytes, str]]]:
    """Inputs tried per kind, and the failures (kind, input, traceback)."""
    tried: Counter = Counter()
    failures: list[tuple[str, bytes, str]] = []
    deadline = time.monotonic() + seconds
    run = first_seed
    while time.monotonic() < deadline:
        for kind, (inputs, check) in KINDS.items():
            _batch(kind, inputs, check, run, tried, failures)()
            run += 1
    return tried, failures


def _batch(kind, inputs, check, run: int, tried: Counter, failures: list):
    """One hypothesis run of ``BATCH`` inputs of one kind, recording rather than raising."""

    @seed(run)
    @settings(
        max_examples=BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def attempt(raw: bytes) -> None:
        tried[kind] += 1
        try:
            check(raw)
        except Exception:  # every exception is a finding: keep it and go on
            failures.append((kind, raw, traceback.format_exc()))

    return attempt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="How long to fuzz")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the first run")
    args = parser.parse_args()
    started = time.monotonic()
    tried, failures = fuzz(args.seconds, args.seed)
    elapsed = time.monotonic() - started
    total = sum(tried.values())
    print(f"inputs tried: {total:,} in {elapsed:.0f} s ({total / elapsed:,.0f} per second)")
    for kind, count in tried.items():
        print(f"  {kind}: {count:,}")
    print(f"failures: {len(failures)}")
    for kind, raw, trace in failures:
        text = raw.decode("utf-8", "backslashreplace")
        shown = text if len(text) <= SHOWN_INPUT else text[:SHOWN_INPUT] + "\n[... cut]"
        print(f"\n--- {kind}: input ({len(raw):,} bytes) ---\n{shown}\n--- error ---\n{trace}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
