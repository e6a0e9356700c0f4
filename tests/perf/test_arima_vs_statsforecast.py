"""The seasonal ARIMA against the tool a user would pick instead: statsforecast's AutoARIMA.

Run with ``tox -e perf`` (statsforecast is a dependency of that environment only). Both do the
same work: the order search on the in-sample part and the rolling one-step forecasts at fixed
parameters (statsforecast: ``forward_arima`` on the whole series and its fitted values over the
test span; shiftbench: its backtest), on

- the 105 M3 monthly series of ``makridakis2018_tenth`` (18 forecasts each). Targets, as ratios
  within one run: shiftbench's time at most :data:`TIME_RATIO` times statsforecast's, and its
  mean sMAPE no worse by more than 0.1;
- ``sine``, one cell: 4000 training points (the CSS search, then one exact-ML fit) and 1000
  origins, non-seasonal for both (the period, 100, is beyond shiftbench's ``max_season``).
  Targets: the time at most :data:`TIME_RATIO` times statsforecast's, the MSE no worse. (The
  0.3 issue's absolute target for this cell, 3 s on the 2-core machine, is printed.)

statsforecast 2.x runs a compiled extension (no numba), so there is no compilation to exclude;
its first call (imports, warm-up) is timed separately and excluded.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.datasets import load_dataset
from shiftbench.evaluation.metrics import mse, smape
from shiftbench.types import Dataset

sfa = pytest.importorskip("statsforecast.arima")

HOLDOUT = 18
#: shiftbench's time over statsforecast's for the same search and backtest.
TIME_RATIO = 1.5
#: The 0.3 issue's target for one ``arima`` cell on sine, on the 2-core machine (printed).
SINE_CELL_TARGET_S = 3.0


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
    assert ratio <= TIME_RATIO
    assert gap <= 0.1


def _clear_search_memo() -> None:
    """The order search is memoised within a process; a timed cell must search."""
    from shiftbench.baselines import arima_search

    memo = getattr(arima_search, "_search_cached", None)
    if memo is not None:
        memo.cache_clear()


def test_arima_cell_on_sine_against_statsforecast(benchmark: Any) -> None:
    ds = load_dataset("sine")
    y = ds.y.to_numpy(dtype=np.float64)
    n_test = ds.protocol.n_test(len(y))

    def theirs() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sfa.auto_arima_f(y[:-n_test], period=1)
            return np.asarray(sfa.fitted_arima(sfa.forward_arima(fit, y))[-n_test:])

    their_times = []
    for _ in range(3):
        start = time.perf_counter()
        path = theirs()
        their_times.append(time.perf_counter() - start)
    their_seconds = sorted(their_times)[1]

    def ours() -> Any:
        _clear_search_memo()
        return run_cell(ds, "arima", {}, None)

    result = benchmark.pedantic(ours, rounds=3, iterations=1)
    assert result.ok
    our_seconds = benchmark.stats.stats.median
    ratio = our_seconds / their_seconds
    our_mse = float(result.metrics[ds.series_id]["mse"])
    their_mse = mse(y[-n_test:], path)
    benchmark.extra_info.update(
        {
            "statsforecast_seconds": their_seconds,
            "time_ratio": ratio,
            "mse_shiftbench": our_mse,
            "mse_statsforecast": their_mse,
        }
    )
    print(
        f"\nsine arima cell: shiftbench {our_seconds:.2f} s (the 0.3 target on the 2-core "
        f"machine: {SINE_CELL_TARGET_S} s), statsforecast {their_seconds:.2f} s: ratio "
        f"{ratio:.2f}; MSE {our_mse:.3g} vs {their_mse:.3g}"
    )
    assert ratio <= TIME_RATIO
    assert our_mse <= their_mse
