"""A power analysis as independent batches of studies, run here or on a Dask cluster.

The work of ``mechmap power`` is a list of :class:`Batch` es: one scenario's design
(:class:`~mechmap.planning.power.Design`) at one number of sites, for a chunk of at most
:data:`STUDIES_PER_BATCH` studies. :func:`run_batch` simulates and analyses one batch and
returns how many of its studies detect each effect: a pure function of the batch, so a
batch gives the same counts in this process or on any worker, in any order.

That rests on how each batch is seeded. Its random stream is the run's seed with a spawn
key, ``numpy.random.SeedSequence(seed, spawn_key=(scenario, sites, chunk))``: exactly the
descendant that ``SeedSequence(seed).spawn`` gives when called for the scenario, then for
the number of sites, then for the chunk, but addressed by the batch's place in the run
instead of by the order of the calls (NumPy's "Parallel random number generation": streams
of different keys are independent). The key holds the number of sites itself, not its
position in ``--sites``, so adding a site count to a plan leaves the others' numbers as
they were.

Without a scheduler the batches run one after another in this process; with
``scheduler="tcp://host:port"`` they are submitted to a running ``dask.distributed``
scheduler (whose workers must have this version of mechmap installed) and gathered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mechmap.planning.power import Design

STUDIES_PER_BATCH = 250  # large enough to vectorize well, small enough to spread over workers
CONNECT_SECONDS = 3  # how long an unreachable scheduler is waited for
# A Dask address: a protocol (tcp, tls, ...), a host name or [IPv6] address and a port.
_ADDRESS = re.compile(r"[a-z]+://(\[[0-9a-fA-F:]+\]|[\w.-]+):\d+")

Counts = dict[int, dict[str, int]]  # detections by number of sites, then by target


class SchedulerError(Exception):
    """The Dask scheduler cannot be reached, or a batch failed on it (the message says)."""


@dataclass(frozen=True)
class Batch:
    """``studies`` studies of ``design`` at ``sites`` sites, with their own random stream:
    the run's ``seed`` and the spawn key ``(scenario, sites, chunk)``."""

    design: Design
    scenario: int
    sites: int
    chunk: int
    studies: int
    seed: int


def chunks(sims: int) -> list[int]:
    """The studies of each batch when ``sims`` studies are split into batches.

    >>> chunks(600)
    [250, 250, 100]
    """
    return [min(STUDIES_PER_BATCH, sims - start) for start in range(0, sims, STUDIES_PER_BATCH)]


def batch_count(sims: int, site_counts: Iterable[int]) -> int:
    """How many batches scenarios with these numbers of planned site counts make (for a
    progress bar sized before the run)."""
    return math.ceil(sims / STUDIES_PER_BATCH) * sum(site_counts)


def batches(designs: Sequence[Design], seed: int) -> list[Batch]:
    """Every batch of every scenario (``designs[i]`` is scenario ``i``)."""
    return [
        Batch(design, scenario, n, chunk, studies, seed)
        for scenario, design in enumerate(designs)
        for n in design.sites
        for chunk, studies in enumerate(chunks(design.sims))
    ]


def run_batch(batch: Batch) -> dict[str, int]:
    """Simulate and analyse one batch: the number of its studies detecting each target."""
    import numpy as np

    from mechmap.planning.batched import analyse_batch
    from mechmap.planning.simulate import simulate_batch

    design = batch.design
    key = (batch.scenario, batch.sites, batch.chunk)
    rng = np.random.default_rng(np.random.SeedSequence(batch.seed, spawn_key=key))
    values, clusters = simulate_batch(
        design.sem, batch.sites, batch.studies, rng, design.respondents, design.shares
    )
    detected = analyse_batch(
        values,
        clusters,
        design.sem.variables,
        design.fits[batch.sites],
        design.chains,
        design.alpha,
        rng,
        design.n_draws,
        nested=design.respondents is not None,
    )
    # A test finds its effect when its interval lies on the planned effect's side of 0, the
    # rule of a supported verdict; a planned 0 counts either side (the power is the size).
    found = {}
    for target, side in detected.items():
        planned = design.signs[target]
        found[target] = int(np.sum(side != 0 if planned == 0 else side == planned))
    return found


def run(
    designs: Sequence[Design],
    seed: int,
    scheduler: str | None = None,
    progress: Callable[[], object] | None = None,
) -> list[Counts]:
    """The detections of each scenario by number of sites and target, summed over its
    batches; ``progress`` is called once per batch done. Raises :class:`SchedulerError`."""
    if scheduler is not None and not _ADDRESS.fullmatch(scheduler):
        raise ValueError(f"--scheduler '{scheduler}': write it as tcp://HOST:PORT")
    work = batches(designs, seed)
    done = _on_cluster(work, scheduler, progress) if scheduler else _here(work, progress)
    totals: list[Counts] = [{n: {} for n in design.sites} for design in designs]
    for batch, counts in zip(work, done, strict=True):
        into = totals[batch.scenario][batch.sites]
        for target, hits in counts.items():
            into[target] = into.get(target, 0) + hits
    return totals


def _here(work: list[Batch], progress) -> list[dict[str, int]]:
    done = []
    for batch in work:
        done.append(run_batch(batch))
        if progress is not None:
            progress()
    return done


def _on_cluster(work: list[Batch], address: str, progress) -> list[dict[str, int]]:
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError):
        raise SchedulerError(
            f"--scheduler {address}: no Dask scheduler answered within {CONNECT_SECONDS} s; "
            "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', or "
            "leave out --scheduler to run here"
        ) from None
    with client:
        try:  # else the batches would wait for a worker forever
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            raise SchedulerError(
                f"--scheduler {address}: the scheduler has no workers; start some with "
                f"'dask worker {address}'"
            ) from None
        # pure=False: the batches are distinct tasks, named without hashing each design.
        futures = client.map(run_batch, work, pure=False)
        try:
            for _ in as_completed(futures, loop=client.loop):
                if progress is not None:
                    progress()
            return client.gather(futures)
        except Exception as exc:  # raised on a worker, e.g. mechmap missing there
            raise SchedulerError(
                f"--scheduler {address}: a batch failed on the cluster: {_first_line(exc)} "
                "(do the workers have this version of mechmap installed?)"
            ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
