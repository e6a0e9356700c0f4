"""Where cells run: one table of executors, read by the config's validation and the CLI.

An executor maps a function over work items and yields ``(index, result)`` pairs as results
arrive, in any order; the runner puts them back in the items' order. Executors know nothing of
cells, caches or run directories: they only move work to processes or machines and results back.

Adding one: write a function with the signature of :data:`ExecutorFn` and add an
:class:`Executor` entry to :data:`EXECUTORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shiftbench.errors import InputError

Work = Callable[[Any], Any]
Started = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    """What an executor may be told: worker processes and the scheduler address."""

    jobs: int = 1
    scheduler: str | None = None


ExecutorFn = Callable[
    [Work, Sequence[Any], Sequence[int], Options, Started | None], Iterator[tuple[int, Any]]
]


def run_local(
    work: Work,
    items: Sequence[Any],
    order: Sequence[int],
    options: Options,
    started: Started | None = None,
) -> Iterator[tuple[int, Any]]:
    """In this process (``jobs`` = 1) or in ``jobs`` joblib/loky worker processes.

    In this process ``started(i)`` is called as item ``i`` begins. Worker processes are given
    the items in ``order`` one at a time.
    """
    if options.jobs <= 1 or len(items) <= 1:
        for i in order:
            if started is not None:
                started(i)
            yield i, work(items[i])
        return
    from joblib import Parallel, delayed

    def indexed(i: int) -> tuple[int, Any]:
        return i, work(items[i])

    parallel = Parallel(n_jobs=options.jobs, batch_size=1, return_as="generator_unordered")
    yield from parallel(delayed(indexed)(i) for i in order)


def run_dask(
    work: Work,
    items: Sequence[Any],
    order: Sequence[int],
    options: Options,
    started: Started | None = None,
) -> Iterator[tuple[int, Any]]:
    """On an existing Dask distributed cluster (``options.scheduler``); workers need shiftbench
    installed and no shared file system."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(
            "--executor dask needs the optional extra: pip install 'shiftbench[dask]'"
        ) from None
    try:
        client = Client(options.scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {options.scheduler}: cannot connect ({exc})") from None
    try:
        futures = client.map(work, [items[i] for i in order], pure=False)
        index = {future.key: i for future, i in zip(futures, order, strict=True)}
        for future in as_completed(futures):
            yield index[future.key], future.result()
    finally:
        client.close()


@dataclass(frozen=True)
class Executor:
    """One way to run cells."""

    name: str
    summary: str
    run: ExecutorFn
    needs_scheduler: bool = False


EXECUTORS: dict[str, Executor] = {
    e.name: e
    for e in (
        Executor("local", "this machine: one process, or --jobs N worker processes", run_local),
        Executor(
            "dask",
            "an existing Dask distributed cluster (--scheduler ADDRESS)",
            run_dask,
            needs_scheduler=True,
        ),
    )
}


def executor_names() -> list[str]:
    """Names of the executors, for the config's validation and the CLI's choices."""
    return list(EXECUTORS)
