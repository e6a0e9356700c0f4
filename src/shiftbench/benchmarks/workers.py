"""Worker processes of this machine, each running one item at a time under its own time limit.

A pool of ``jobs`` spawned processes (no thread or lock state inherited) is handed the items in
the given order, one each, as they free up. The parent knows which worker holds which item, so:

- an item that runs past its time limit is stopped by killing its worker (SIGKILL: a model stuck
  in C code cannot be interrupted any other way); a fresh worker takes the next item, and the
  item is :class:`Lost` as timed out;
- a worker that dies (a crash in native code, ``os._exit``, the kernel's out-of-memory killer)
  loses only the item it held, never one of another worker's;
- every worker dies with the parent, even when the parent is killed by SIGKILL (Linux
  ``PR_SET_PDEATHSIG``), so a killed run leaves nothing computing for nobody.

The executors (:mod:`shiftbench.benchmarks.executors`) use this for ``--jobs N`` and whenever a
cell has a time limit; it knows nothing of cells.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

Work = Callable[[Any], Any]


@dataclass(frozen=True)
class Lost:
    """An item whose work never came back, and why; ``timed_out`` when it was stopped for
    running past its time limit."""

    reason: str
    timed_out: bool = False


def die_with_parent(parent: int) -> None:
    """Worker start-up: a worker gets SIGKILL when the run's process dies, even by SIGKILL
    (Linux ``PR_SET_PDEATHSIG``), so a killed run leaves no worker computing for nobody."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _serve(conn: Connection, parent: int) -> None:
    """A worker's loop: receive (work, item), send back ("ok", result) or ("error", text)."""
    die_with_parent(parent)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        work, item = message  # unpickled: the work's modules are imported by now
        conn.send(("started", None))  # its time limit counts from here
        try:
            outcome: tuple[str, Any] = ("ok", work(item))
        except BaseException as exc:  # the item failed; the worker goes on
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(outcome)
        except Exception as exc:  # a result that cannot be pickled
            conn.send(("error", f"its result could not be sent back ({type(exc).__name__})"))


class _Worker:
    def __init__(self, context: Any, parent: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, parent), daemon=True)
        self.process.start()
        child.close()
        self.item: int | None = None
        self.deadline: float | None = None
        self.limit: float | None = None

    def give(self, index: int, work: Work, item: Any, limit: float | None) -> None:
        """Hand an item over; its deadline is set when the worker says it started (a new
        worker first imports what the work needs, which does not count)."""
        self.item = index
        self.limit = limit
        self.deadline = None
        self.conn.send((work, item))

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.kill()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            if self.process.is_alive():
                self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


def _seconds(limit: float) -> str:
    return f"{limit:g} s"


def run_pool(
    work: Work,
    items: Sequence[Any],
    order: Sequence[int],
    jobs: int,
    limits: Callable[[int], float | None] = lambda i: None,
    started: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Results ``(index, result or Lost)`` as they arrive; ``limits(i)`` is item i's time limit
    in seconds (None: none)."""
    context = multiprocessing.get_context("spawn")
    parent = os.getpid()
    queue = list(order)
    workers: list[_Worker] = []
    try:
        while queue or any(w.item is not None for w in workers):
            while queue:
                idle = next((w for w in workers if w.item is None), None)
                if idle is None:
                    if len(workers) >= max(1, jobs):
                        break
                    idle = _Worker(context, parent)
                    workers.append(idle)
                i = queue.pop(0)
                idle.give(i, work, items[i], limits(i))
                if started is not None:
                    started(i)
            busy = [w for w in workers if w.item is not None]
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            timeout = None if not deadlines else max(0.0, min(deadlines) - time.monotonic())
            ready = wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy],
                timeout=None if timeout is None else min(timeout, 1.0),
            )
            now = time.monotonic()
            for w in busy:
                index = w.item
                assert index is not None
                if w.conn in ready:
                    try:
                        status, value = w.conn.recv()
                    except (EOFError, OSError):
                        status, value = "died", None
                    if status == "started":
                        w.deadline = None if w.limit is None else now + w.limit
                        continue
                    if status != "died":
                        w.item = w.deadline = None
                        yield index, value if status == "ok" else Lost(f"the cell raised {value}")
                        continue
                if w.conn in ready or w.process.sentinel in ready:
                    w.kill()
                    workers.remove(w)
                    code = w.process.exitcode
                    how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
                    yield index, Lost(f"the worker process died ({how})")
                elif w.deadline is not None and now >= w.deadline:
                    w.kill()
                    workers.remove(w)
                    limit = _seconds(w.limit or 0.0)
                    yield index, Lost(f"timed out after {limit} (timeout = {w.limit:g})", True)
    finally:
        for w in workers:
            w.stop()
