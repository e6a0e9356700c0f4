"""The per-series cost of each classical model on a fixed sample of M3 monthly series.

The sample: every 50th series of the 1045 of Makridakis et al. (2018), 21 series, each
backtested with the paper's protocol (18 rolling one-step forecasts, fitted once). The figure
of interest is ``seconds_per_series`` in each benchmark's extra info.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.types import Dataset

CLASSICAL = ("naive2", "ses", "holt", "damped", "theta", "comb", "ets", "arima")


@pytest.fixture(scope="module")
def sample(m3_subset: Callable[[str], tuple[Dataset, ...]]) -> tuple[Dataset, ...]:
    return m3_subset("makridakis2018")[::50]


@pytest.mark.parametrize("model", CLASSICAL)
def test_per_series_cost_on_m3(benchmark: Any, sample: tuple[Dataset, ...], model: str) -> None:
    result = benchmark.pedantic(run_cell, args=(sample, model, {}, None), rounds=1, iterations=1)
    assert result.ok
    assert not result.series_failed
    per_series = benchmark.stats.stats.median / len(sample)
    benchmark.extra_info["series"] = len(sample)
    benchmark.extra_info["seconds_per_series"] = per_series
    print(f"\n{model}: {per_series * 1000:.1f} ms per series")
