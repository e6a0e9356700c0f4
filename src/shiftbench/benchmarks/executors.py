"""Where cells run: the function behind each executor name (:mod:`shiftbench.executor_names`).

An executor maps a function over work items and yields ``(index, result)`` pairs as results
arrive, in any order; the runner puts them back in the items' order. Where the work could not be
done at all (a worker process that died, a cluster with no worker left), the result is a
:class:`Lost` naming why, and the other items go on. Executors know nothing of cells, caches or
run directories: they only move work to processes or machines and results back.

Adding one: name it in :data:`shiftbench.executor_names.EXECUTOR_NAMES` (where the config and
the CLI read the names without importing the engine), write a function with the signature of
:data:`ExecutorFn` and add it to :data:`RUNS`.
"""

from __future__ import annotations

import gc
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shiftbench.benchmarks.workers import Lost, run_pool
from shiftbench.errors import InputError
from shiftbench.executor_names import EXECUTOR_NAMES, executor_names

__all__ = ["EXECUTORS", "Executor", "Lost", "Options", "executor_names", "run_dask", "run_local"]

Work = Callable[[Any], Any]
Started = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    """What an executor may be told: worker processes, the scheduler address, how long a Dask
    run waits with no worker alive before it gives the remaining items up, and each item's
    time limit in seconds (``timeouts[i]``; None or missing: none)."""

    jobs: int = 1
    scheduler: str | None = None
    worker_grace_s: float = 60.0
    timeouts: tuple[float | None, ...] = ()

    def timeout_of(self, index: int) -> float | None:
        return self.timeouts[index] if index < len(self.timeouts) else None


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
    """In this process (``jobs`` = 1, no time limit) or in ``jobs`` worker processes that die
    with it (:mod:`shiftbench.benchmarks.workers`); an item with a time limit always runs in a
    worker process, which is killed when the item runs past it.

    ``started(i)`` is called as item ``i`` begins.
    """
    limited = any(t is not None for t in options.timeouts)
    if not limited and (options.jobs <= 1 or len(items) <= 1):
        for i in order:
            if started is not None:
                started(i)
            yield i, work(items[i])
        return
    yield from run_pool(work, items, order, options.jobs, options.timeout_of, started)


def run_dask(
    work: Work,
    items: Sequence[Any],
    order: Sequence[int],
    options: Options,
    started: Started | None = None,
) -> Iterator[tuple[int, Any]]:
    """On an existing Dask distributed cluster (``options.scheduler``); workers need shiftbench
    installed and no shared file system."""
    client = dask_client(str(options.scheduler))
    try:
        yield from _dask_results(client, work, items, order, options.worker_grace_s)
    finally:
        client.close()


#: Seconds to reach a Dask scheduler before ``--scheduler`` is reported unreachable.
CONNECT_TIMEOUT_S = 5.0


def dask_client(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> Any:
    """A client of the scheduler at ``address``, or an :class:`InputError` naming the address
    within about ``timeout_s`` seconds: a TCP address is first probed with a plain connection
    (a refused port or an unknown host fails at once), and whatever the Dask client raises
    while it connects is the same one-line error."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--executor dask needs the optional extra: pip install 'shiftbench[dask]'"
        ) from None
    where = f"--scheduler {address}"
    scheme, _, rest = address.partition("://")
    if scheme in ("tcp", "tls", "ws", "wss"):
        host, _, port = rest.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
                pass
        except (OSError, ValueError, OverflowError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise InputError(f"{where}: cannot connect ({reason})") from None
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None  # a half-made Client complains when it is collected
    reason = ""
    try:
        return Client(address, timeout=f"{timeout_s:g}s")
    except Exception as exc:  # anything the client raises on a bad or a wrong address
        text = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__
    finally:
        if reason:
            gc.collect()
        sys.unraisablehook = hook
    raise InputError(f"{where}: cannot connect ({reason}); is a Dask scheduler running there?")


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
    """One way to run cells: its name, summary and need of a scheduler as
    :mod:`shiftbench.executor_names` gives them, and the function that runs the work."""

    name: str
    summary: str
    run: ExecutorFn
    needs_scheduler: bool = False


#: The function behind each name of :data:`~shiftbench.executor_names.EXECUTOR_NAMES`.
RUNS: dict[str, ExecutorFn] = {"local": run_local, "dask": run_dask}

EXECUTORS: dict[str, Executor] = {
    name: Executor(e.name, e.summary, RUNS[name], e.needs_scheduler)
    for name, e in EXECUTOR_NAMES.items()
}
