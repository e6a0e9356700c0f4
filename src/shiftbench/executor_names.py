"""The executors' names: what the config and the command line may name, and what each needs.

A table of plain data, low in the import graph, so that the config's validation and the CLI's
choices read it without importing the engine (:mod:`shiftbench.benchmarks.executors` builds its
runnable :data:`~shiftbench.benchmarks.executors.EXECUTORS` from it, one function per name).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["EXECUTOR_NAMES", "ExecutorName", "executor_names"]


@dataclass(frozen=True)
class ExecutorName:
    """One way to run cells, as the config names it: its name, a one-line summary, and whether
    it needs a scheduler address (``scheduler`` in the config, ``--scheduler``)."""

    name: str
    summary: str
    needs_scheduler: bool = False


#: Name -> executor, in the order the CLI lists them; read-only.
EXECUTOR_NAMES: MappingProxyType[str, ExecutorName] = MappingProxyType(
    {
        e.name: e
        for e in (
            ExecutorName("local", "this machine: one process, or --jobs N worker processes"),
            ExecutorName(
                "dask",
                "an existing Dask distributed cluster (--scheduler ADDRESS)",
                needs_scheduler=True,
            ),
        )
    }
)


def executor_names() -> list[str]:
    """Names of the executors, for the config's validation and the CLI's choices.

    >>> executor_names()
    ['local', 'dask']
    """
    return list(EXECUTOR_NAMES)
