"""One cell: the published sales example, horizons, and failures that stay inside their cell."""

from __future__ import annotations

import numpy as np
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.datasets import load_dataset
from shiftbench.types import Protocol

from ..conftest import make_dataset


def test_persistence_on_sales_has_mse_1125_1() -> None:
    """The foundation issue's worked example: naive over the last 10 sales points."""
    result = run_cell(load_dataset("sales"), "naive", {}, None)
    assert result.ok
    assert result.metrics["sales"]["mse"] == pytest.approx(1125.1, abs=1e-9)
    assert result.metrics["sales"]["theil_u2"] == 1.0
    assert result.forecasts is not None
    assert result.forecasts["ds"].tolist() == list(range(36, 46))
    assert result.forecasts["cutoff"].tolist() == list(range(35, 45))


def test_forecast_rows_follow_the_contract_columns() -> None:
    result = run_cell(load_dataset("sales"), "arima", {"order": [1, 1, 0]}, None)
    assert result.forecasts is not None
    assert list(result.forecasts.columns) == [
        "dataset",
        "series",
        "model",
        "seed",
        "cutoff",
        "ds",
        "h",
        "y",
        "y_hat",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
    ]
    f = result.forecasts
    assert (f["lo_95"] < f["lo_80"]).all()
    assert (f["hi_80"] < f["hi_95"]).all()
    assert {"coverage_80", "coverage_95", "crps"} <= set(result.metrics["sales"])
    assert result.info["sales"]["order"] == [1, 1, 0]


def test_dated_series_write_iso_dates() -> None:
    result = run_cell(load_dataset("covid_trips"), "naive", {}, None)
    assert result.forecasts is not None
    assert result.forecasts["ds"].iloc[0] == "2020-06-16"
    assert result.forecasts["cutoff"].iloc[-1] == "2020-07-15"


def test_multi_step_rows_stop_at_the_end_of_the_series() -> None:
    ds = make_dataset(np.arange(20.0), test_size=4, horizon=3)
    result = run_cell(ds, "drift", {}, None)
    assert result.forecasts is not None
    f = result.forecasts
    # cutoffs 15..18; from 17 only h = 1, 2 fit; from 18 only h = 1
    assert f.groupby("cutoff")["h"].max().tolist() == [3, 3, 2, 1]
    np.testing.assert_allclose(f["y_hat"], f["y"])  # a straight line is drift's exact case


def test_a_failing_cell_is_recorded_not_raised() -> None:
    ds = make_dataset(np.arange(30.0), test_size=10, season_length=25)
    result = run_cell(ds, "seasonal_naive", {}, None)
    assert result.status == "failed"
    assert result.error is not None
    assert "needs at least 25" in result.error  # one full season (minimum_train)
    assert result.forecasts is None


def test_too_short_training_span_for_a_model_fails_its_cell() -> None:
    ds = make_dataset(np.arange(24.0), test_size=10).with_protocol(Protocol(test_size=10))
    result = run_cell(ds, "arima_garch", {}, None)
    assert result.status == "failed"
    assert "needs at least 20" in (result.error or "")
