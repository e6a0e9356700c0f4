"""Speed of the rolling-origin ARIMA backtest on ``sine``: 1000 one-step origins vs one fit.

Run with ``tox -e perf``. The target is a ratio measured within one run, so it holds on any
machine: the whole backtest (its one fit included) must cost less than 3 fits of the same model,
which is what fitting once and absorbing each new observation at fixed parameters buys. The
whole cell, its order search included, is timed here for the gate's baseline; its target is a
ratio to statsforecast (``test_arima_vs_statsforecast.py``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import pandas as pd
import pytest

from shiftbench.baselines import ARIMA
from shiftbench.benchmarks.backtest import backtest
from shiftbench.datasets import load_dataset

# The order the stepwise search picks on sine's training span (shiftbench run's manifest);
# fixing it times one fit and the backtest of the same model, without the search.
SINE_ORDER = (2, 0, 2)
SINE_TREND = "n"


@pytest.fixture(scope="module")
def sine() -> Any:
    return load_dataset("sine")


def _one_fit(ds: Any) -> None:
    n_train = len(ds) - ds.protocol.n_test(len(ds))
    ARIMA(order=SINE_ORDER, trend=SINE_TREND).fit(pd.Series(ds.y.to_numpy()[:n_train]))


def test_one_arima_fit_on_sine(benchmark: Any, sine: Any) -> None:
    benchmark.pedantic(_one_fit, args=(sine,), rounds=3, iterations=1)


def test_rolling_backtest_costs_less_than_three_fits(benchmark: Any, sine: Any) -> None:
    model = ARIMA(order=SINE_ORDER, trend=SINE_TREND)
    done = benchmark.pedantic(backtest, args=(model, sine), rounds=3, iterations=1)
    assert len(done.frame) == 1000
    fits = []
    for _ in range(3):
        start = time.perf_counter()
        _one_fit(sine)
        fits.append(time.perf_counter() - start)
    ratio = benchmark.stats.stats.median / statistics.median(fits)
    benchmark.extra_info["fit_seconds_median"] = statistics.median(fits)
    benchmark.extra_info["backtest_over_fit"] = ratio
    print(f"\nrolling backtest (1000 origins, fit included) / one fit = {ratio:.3f}")
    assert ratio < 3.0


def test_one_arima_cell_on_sine_searches_and_backtests(benchmark: Any, sine: Any) -> None:
    """The default ``arima`` on sine (period 100 > max_season: non-seasonal; 4000 training
    points > 150: the CSS search, then one exact-ML fit), search included, as a cell runs it."""
    from shiftbench.baselines.arima_search import _search_cached

    def cell() -> Any:
        _search_cached.cache_clear()  # the search is memoised within a process
        return backtest(ARIMA(season_length=sine.season_length), sine)

    done = benchmark.pedantic(cell, rounds=3, iterations=1)
    assert len(done.frame) == 1000
    seconds = benchmark.stats.stats.median
    benchmark.extra_info["cell_seconds"] = seconds
    print(f"\nsine ARIMA cell (search + 1000-origin backtest): {seconds:.2f} s")
