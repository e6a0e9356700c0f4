"""Where cells run: one table of executors, read by the config's validation and the CLI.

An executor maps a function over work items and yields ``(index, result)`` pairs as results
arrive, in any order; the runner puts them back in the items' order. Where the work could not be
done at all (a worker process that died, a cluster with no worker left), the result is a
:class:`Lost` naming why, and the other items go on. Executors know nothing of cells, caches or
run directories: they only move work to processes or machines and results back.

Adding one: write a function with the signature of :data:`ExecutorFn` and add an
:class:`Executor` entry to :data:`EXECUTORS`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shiftbench.errors import InputError

Work = Callable[[Any], Any]
Started = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    """What an executor may be told: worker processes, the scheduler address, and how long a
    Dask run waits with no worker alive before it gives the remaining items up."""

    jobs: int = 1
    scheduler: str | None = None
    worker_grace_s: float = 60.0


@dataclass(frozen=True)
class Lost:
    """An item whose work never came back, and why."""

    reason: str


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
    """In this process (``jobs`` = 1) or in ``jobs`` worker processes that die with it.

    In this process ``started(i)`` is called as item ``i`` begins. Worker processes are given
    the items in ``order`` one at a time.
    """
    if options.jobs <= 1 or len(items) <= 1:
        for i in order:
            if started is not None:
                started(i)
            yield i, work(items[i])
        return
    yield from _run_processes(work, items, order, options.jobs)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: a worker gets SIGKILL when the run's process dies, even by SIGKILL
    (Linux ``PR_SET_PDEATHSIG``), so a killed run leaves no worker computing for nobody."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _run_processes(
    work: Work, items: Sequence[Any], order: Sequence[int], jobs: int
) -> Iterator[tuple[int, Any]]:
    """Worker processes (spawned, so no thread or lock state is inherited), longest first."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )

    pool = new_pool()
    try:
        # At most `jobs` items in flight, handed out in `order` as workers free up. A worker
        # that dies breaks the whole pool, and every item in flight fails with it, not only the
        # one that killed it: those items run again, each alone in a fresh pool, so that only
        # an item that dies by itself a second time is lost.
        queue = list(order)
        retry: list[int] = []
        attempts: dict[int, int] = {}
        running: dict[Any, tuple[int, Any]] = {}
        while queue or retry or running:
            while (queue or retry) and len(running) < jobs:
                if any(attempts[i] > 1 for i, _ in running.values()):
                    break  # a retried item runs alone
                if retry and running:
                    break  # wait for the pool to drain, then retry alone
                source = retry if retry else queue
                i = source[0]
                try:
                    future = pool.submit(work, items[i])
                except BrokenProcessPool:  # broken before its failure came back: a new pool
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_pool()
                    continue
                source.pop(0)
                attempts[i] = attempts.get(i, 0) + 1
                running[future] = (i, pool)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                i, owner = running.pop(future)
                try:
                    yield i, future.result()
                except BrokenProcessPool as exc:
                    if owner is pool:  # the first failure of this pool: the rest go to a new one
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = new_pool()
                    if attempts[i] < 2:
                        retry.append(i)
                    else:
                        yield i, Lost(f"the worker process died ({type(exc).__name__}: {exc})")
                except Exception as exc:
                    yield i, Lost(f"the worker process died ({type(exc).__name__}: {exc})")
    finally:
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()


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
        from distributed import Client
    except ImportError:
        raise InputError(
            "--executor dask needs the optional extra: pip install 'shiftbench[dask]'"
        ) from None
    try:
        client = Client(options.scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {options.scheduler}: cannot connect ({exc})") from None
    try:
        yield from _dask_results(client, work, items, order, options.worker_grace_s)
    finally:
        client.close()


def _dask_results(
    client: Any, work: Work, items: Sequence[Any], order: Sequence[int], grace_s: float
) -> Iterator[tuple[int, Any]]:
    """Results as they arrive; an item that erred on the cluster (a worker killed three times by
    it: ``KilledWorker``) is :class:`Lost`, and when no worker has been alive for ``grace_s``
    seconds every remaining item is :class:`Lost` instead of waited for."""
    from distributed import wait

    futures = client.map(work, [items[i] for i in order], pure=False)
    running = dict(zip(futures, order, strict=True))
    alone_since: float | None = None
    while running:
        try:
            done = wait(list(running), timeout=min(1.0, grace_s), return_when="FIRST_COMPLETED")[0]
        except TimeoutError:
            done = set()
        for future in done:
            i = running.pop(future)
            try:
                yield i, future.result()
            except Exception as exc:
                yield i, Lost(f"lost on the Dask cluster ({type(exc).__name__}: {exc})")
        if done:
            alone_since = None
            continue
        if client.scheduler_info().get("workers"):
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since >= grace_s:
            for future, i in list(running.items()):
                future.cancel()
                yield i, Lost(f"no Dask worker alive for {grace_s:g} s")
            return


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
