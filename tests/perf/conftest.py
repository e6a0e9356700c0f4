"""Shared fixtures and helpers of the speed suite (``tox -e perf``, docs/performance.md).

Speed targets are asserted as ratios measured within one run against a reference run beside
them (a bare per-cell baseline, the cold run of the same test, the tool a user would pick
instead), so that they hold on any machine; :data:`SESSION` carries the measurements one test
makes for another within a perf run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shiftbench.config import RunConfig
from shiftbench.types import Collection, Dataset

#: Measurements shared by the tests of one perf run (the bare-cell baseline, the cold and
#: cached default suite), so a reference is measured once and beside what it is compared with.
SESSION: dict[str, Any] = {}


def _resolve_datasets(config: RunConfig) -> list[Dataset | Collection]:
    try:  # the engine's resolve step (shiftbench >= 0.4)
        from shiftbench.benchmarks.resolve import resolve_datasets
    except ImportError:  # pragma: no cover - the single runner module of 0.3
        from shiftbench.benchmarks.runner import resolve_datasets  # type: ignore[no-redef]
    return resolve_datasets(config)


@pytest.fixture(scope="session")
def m3_subset() -> Callable[[str], tuple[Dataset, ...]]:
    """The members of a documented M3 monthly subset, resolved as a run resolves them."""

    def members(subset: str) -> tuple[Dataset, ...]:
        config = RunConfig(
            datasets=("m3_monthly",),
            models=("naive2",),
            dataset_options={"m3_monthly": {"subset": subset}},
        )
        collection = _resolve_datasets(config)[0]
        assert isinstance(collection, Collection)
        return collection.members

    return members


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(out: Path, cache: Path, *extra: str) -> float:
    """Seconds of one ``shiftbench run`` as a whole process, with its own cache folder; the
    CPU seconds of the process and its workers go to ``SESSION["last_cpu_s"]``."""
    env = {**os.environ, "SHIFTBENCH_CACHE_DIR": str(cache)}
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shiftbench", "run", "--out", str(out), *extra],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    SESSION["last_cpu_s"] = _children_cpu() - cpu
    return seconds


#: The default suite's cells one after the other in one process, as a user's own loop would run
#: them: no engine (no plan, cache, worker processes, files or reports), each cell under one
#: BLAS thread and one TensorFlow thread as the engine runs it. Prints the number of cells.
BARE_CELLS = """
from threadpoolctl import threadpool_limits
import shiftbench as sb
from shiftbench.benchmarks.backtest import run_cell
from shiftbench.config import RunConfig
from shiftbench.models import get_model

config = RunConfig()
cells = 0
with threadpool_limits(limits=1):
    for name in config.datasets:
        ds = sb.load_dataset(name)
        for model in config.models:
            seeded = get_model(model).capabilities.seeded
            for seed in config.seeds if seeded else [None]:
                result = run_cell(ds, model, {}, seed)
                assert result.status == "ok", (name, model, seed, result.error)
                cells += 1
print(cells)
"""


def bare_cells() -> float:
    """Seconds of the default suite's cells run bare (:data:`BARE_CELLS`) as a whole process;
    its CPU seconds go to ``SESSION["last_cpu_s"]``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BARE_CELLS], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    SESSION["last_cpu_s"] = _children_cpu() - cpu
    SESSION["bare_cells"] = int(done.stdout.strip().splitlines()[-1])
    return seconds


def load_average() -> float:
    """The 1-minute load average (0 where the platform has none): recorded beside every timing,
    because a machine shared with other work slows a run down."""
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return 0.0


def cores() -> int:
    """Cores this process may use (as shiftbench's default ``jobs`` counts them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
