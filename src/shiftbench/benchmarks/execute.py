"""Running the cells: each in whatever process the executor chooses, under one BLAS thread,
cached cells read back instead of computed, every finished cell stored the moment it arrives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from shiftbench.benchmarks.backtest import CellResult, run_cell
from shiftbench.benchmarks.cache import Cache, default_cache_dir
from shiftbench.benchmarks.events import run_event_cell
from shiftbench.benchmarks.executors import EXECUTORS, Lost, Options
from shiftbench.benchmarks.plan import Cell, dispatch_order
from shiftbench.config import RunConfig

Progress = Callable[[int, int, CellResult], None]
Starting = Callable[[int, int, str], None]

#: BLAS/OpenMP threads every cell runs with, whatever the executor, so that ``--jobs 1``,
#: ``--jobs N`` and Dask give byte-identical results (TensorFlow likewise runs one thread,
#: see :mod:`shiftbench.lstm.model`).
CELL_THREADS = 1


def compute_cell(cell: Cell) -> CellResult:
    """Run one cell under :data:`CELL_THREADS` BLAS/OpenMP threads, in whatever process."""
    from threadpoolctl import threadpool_limits

    event = cell.spec.capabilities.kind == "event"
    with threadpool_limits(limits=CELL_THREADS):
        if event:
            result = run_event_cell(cell.members, cell.spec, {}, cell.seed, chunk=cell.chunk)
            result.key = cell.key
            return result
        result = run_cell(
            cell.members,
            cell.spec,
            {},
            cell.seed,
            all_points=cell.all_points,
            chunk=cell.chunk,
        )
    result.key = cell.key
    return result


def _describe(cell: Cell) -> str:
    seed = "" if cell.seed is None else f" seed {cell.seed}"
    part = (
        f" (chunk {cell.chunk + 1}, {len(cell.members)} series)" if cell.members[0].series else ""
    )
    return f"{cell.dataset} / {cell.model}{seed}{part}"


def execute(
    cells: list[Cell],
    jobs: int,
    progress: Progress | None = None,
    starting: Starting | None = None,
    *,
    executor: str = "local",
    scheduler: str | None = None,
    cache: Cache | None = None,
) -> list[CellResult]:
    """Run the cells on an executor of :data:`~shiftbench.benchmarks.executors.EXECUTORS`;
    results keep the cells' order.

    Each successful cell is stored in ``cache`` the moment its result arrives, so a run killed
    part-way keeps it. ``starting(done, total, label)`` is called when a cell begins (where the
    executor can tell) and ``progress(done, total, result)`` when one finishes.
    """
    total = len(cells)
    finished: dict[int, CellResult] = {}
    parallel = executor != "local" or (jobs > 1 and total > 1)

    def started(i: int) -> None:
        if starting:
            starting(len(finished), total, _describe(cells[i]))

    if starting and parallel and cells:
        starting(0, total, f"{min(total, max(jobs, 1))} cells running")
    order = dispatch_order(cells) if parallel else list(range(total))
    stream: Iterator[tuple[int, Any]] = EXECUTORS[executor].run(
        compute_cell,
        cells,
        order,
        Options(jobs, scheduler, timeouts=tuple(c.timeout for c in cells)),
        started,
    )
    for i, outcome in stream:
        result = outcome
        if isinstance(outcome, Lost):
            cell = cells[i]
            result = CellResult(
                cell.dataset,
                cell.model,
                cell.seed,
                status="timed_out" if outcome.timed_out else "failed",
                error=outcome.reason,
                chunk=cell.chunk,
                transient=True,
            )
        finished[i] = result
        if cache is not None and result.ok:
            cache.put(cells[i].key, cells[i].identity, result)
        if progress:
            progress(len(finished), total, result)
        if starting and parallel and len(finished) < total:
            starting(len(finished), total, f"{total - len(finished)} cells left")
    return [finished[i] for i in range(total)]


def run_with_cache(
    config: RunConfig,
    cells: list[Cell],
    progress: Progress | None,
    starting: Starting | None,
    warn: Callable[[str], None],
) -> list[CellResult]:
    """Reuse cached cells, compute the others, and return all in the cells' order."""
    root = cache_root(config)
    cache = None if root is None else Cache(root, warn=warn)
    found: dict[int, CellResult] = {}
    for i, cell in enumerate(cells):
        if cache is None or cell.model in config.rerun:
            continue
        hit = cache.get(cell.key, cell.identity)
        if hit is not None:
            found[i] = hit
    todo = [cell for i, cell in enumerate(cells) if i not in found]
    total = len(cells)
    done = 0

    def shifted(_: int, __: int, result: CellResult) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, result)

    def shifted_start(_: int, __: int, label: str) -> None:
        if starting:
            starting(done, total, label)

    for i in sorted(found):
        shifted(0, 0, found[i])
    computed = iter(
        execute(
            todo,
            config.jobs,
            shifted,
            shifted_start,
            executor=config.executor,
            scheduler=config.scheduler,
            cache=cache,
        )
    )
    return [found[i] if i in found else next(computed) for i in range(total)]


def cache_root(config: RunConfig) -> Path | None:
    """The cache folder a config asks for (None with ``--no-cache``)."""
    if not config.use_cache:
        return None
    return Path(config.cache_dir) if config.cache_dir else default_cache_dir()
