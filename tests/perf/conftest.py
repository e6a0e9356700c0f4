"""Shared fixtures of the speed suite."""

from __future__ import annotations

from collections.abc import Callable

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
