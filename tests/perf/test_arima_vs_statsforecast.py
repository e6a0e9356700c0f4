"""The seasonal ARIMA against the tool a user would pick instead: statsforecast's AutoARIMA.

Run with ``tox -e perf`` (statsforecast is a dependency of that environment only). Both do the
same work on the same 105 M3 monthly series (``makridakis2018_tenth``): the order search on the
in-sample part and the 18 rolling one-step forecasts at fixed parameters (statsforecast:
``forward_arima`` on the whole series and its fitted values over the last 18 points;
shiftbench: its backtest). The targets, as ratios within one run: shiftbench's time at most 1.5
times statsforecast's, and its mean sMAPE no worse by more than 0.1. statsforecast 2.x runs a
compiled extension (no numba), so there is no compilation to exclude; its first call (imports,
warm-up) is timed separately and excluded.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.evaluation.metrics import smape
from shiftbench.types import Dataset

sfa = pytest.importorskip("statsforecast.arima")

HOLDOUT = 18


@pytest.fixture(scope="module")
def sample(m3_subset: Callable[[str], tuple[Dataset, ...]]) -> tuple[Dataset, ...]:
    members = m3_subset("makridakis2018_tenth")
    assert len(members) == 105
    return members


def _statsforecast(members: tuple[Dataset, ...]) -> list[float]:
    scores = []
    for ds in members:
        y = ds.y.to_numpy(dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sfa.auto_arima_f(y[:-HOLDOUT], period=ds.season_length)
            path = sfa.fitted_arima(sfa.forward_arima(fit, y))[-HOLDOUT:]
        scores.append(smape(y[-HOLDOUT:], np.asarray(path, dtype=np.float64)))
    return scores


def test_arima_search_and_backtest_against_statsforecast(
    benchmark: Any, sample: tuple[Dataset, ...]
) -> None:
    start = time.perf_counter()
    _statsforecast(sample[:1])
    warm_up = time.perf_counter() - start
    start = time.perf_counter()
    theirs = _statsforecast(sample)
    their_seconds = time.perf_counter() - start

    result = benchmark.pedantic(run_cell, args=(sample, "arima", {}, None), rounds=1, iterations=1)
    assert result.ok
    assert not result.series_failed
    ours = [float(result.metrics[ds.series]["smape"]) for ds in sample]
    our_seconds = benchmark.stats.stats.median
    ratio = our_seconds / their_seconds
    gap = float(np.mean(ours) - np.mean(theirs))
    benchmark.extra_info.update(
        {
            "series": len(sample),
            "statsforecast_seconds": their_seconds,
            "statsforecast_first_call_seconds": warm_up,
            "time_ratio": ratio,
            "smape_shiftbench": float(np.mean(ours)),
            "smape_statsforecast": float(np.mean(theirs)),
        }
    )
    print(
        f"\n{len(sample)} M3 series: shiftbench {our_seconds:.1f} s, statsforecast "
        f"{their_seconds:.1f} s (first call {warm_up:.2f} s): ratio {ratio:.2f}; mean sMAPE "
        f"{np.mean(ours):.3f} vs {np.mean(theirs):.3f}"
    )
    assert ratio <= 1.5
    assert gap <= 0.1
