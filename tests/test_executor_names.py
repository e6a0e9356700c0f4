"""The executors' names, read by the config and the CLI, and the engine's executors agree."""

from __future__ import annotations

from shiftbench.benchmarks.executors import EXECUTORS
from shiftbench.executor_names import EXECUTOR_NAMES, executor_names


def test_the_engine_runs_exactly_the_named_executors_in_their_order() -> None:
    assert list(EXECUTORS) == list(EXECUTOR_NAMES) == executor_names()


def test_each_executor_has_its_names_summary_and_need_of_a_scheduler() -> None:
    for name, named in EXECUTOR_NAMES.items():
        executor = EXECUTORS[name]
        assert (executor.name, executor.summary, executor.needs_scheduler) == (
            named.name,
            named.summary,
            named.needs_scheduler,
        )
        assert callable(executor.run)


def test_only_dask_needs_a_scheduler() -> None:  # docs/config.md: "needed by dask"
    assert [n for n, e in EXECUTOR_NAMES.items() if e.needs_scheduler] == ["dask"]
