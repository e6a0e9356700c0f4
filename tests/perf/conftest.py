"""Shared fixtures of the speed suite."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from shiftbench.benchmarks.runner import resolve_datasets
from shiftbench.config import RunConfig
from shiftbench.types import Collection, Dataset


@pytest.fixture(scope="session")
def m3_subset() -> Callable[[str], tuple[Dataset, ...]]:
    """The members of a documented M3 monthly subset, resolved as a run resolves them."""

    def members(subset: str) -> tuple[Dataset, ...]:
        config = RunConfig(
            datasets=("m3_monthly",),
            models=("naive2",),
            dataset_options={"m3_monthly": {"subset": subset}},
        )
        collection = resolve_datasets(config)[0]
        assert isinstance(collection, Collection)
        return collection.members

    return members


def run_suite(out: Path, cache: Path, *extra: str) -> float:
    """Seconds of one ``shiftbench run`` as a whole process, with its own cache folder."""
    env = {**os.environ, "SHIFTBENCH_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shiftbench", "run", "--out", str(out), *extra],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start
