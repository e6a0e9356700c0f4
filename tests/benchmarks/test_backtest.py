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


def _seasonal(n: int = 96) -> np.ndarray:
    t = np.arange(n)
    noise = np.random.default_rng(11).normal(size=n)
    return (100 + 0.8 * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 12)) + noise


def test_a_refitting_protocol_keeps_the_first_fits_indices_where_the_model_says_so() -> None:
    from shiftbench.baselines.statistical import Naive2, SeasonalIndices
    from shiftbench.benchmarks.backtest import backtest

    y = _seasonal()
    ds = make_dataset(y, test_size=12, refit_every=1, season_length=12)
    s = SeasonalIndices.fit(y[:84], 12).at(np.arange(97))  # the training span's indices
    assert SeasonalIndices.fit(y[:84], 12).adjusted
    # Naive2 by hand from each origin c: y_c / s_c * s_{c+1}, the indices of the first fit
    cutoffs = np.arange(83, 95)
    by_hand = y[cutoffs] / s[cutoffs] * s[cutoffs + 1]
    kept = backtest(Naive2(season_length=12, seasonal_indices="first_fit"), ds).frame
    np.testing.assert_allclose(kept["y_hat"], by_hand, rtol=1e-12)
    again = backtest(Naive2(season_length=12), ds).frame  # indices estimated at every fit
    assert np.max(np.abs(again["y_hat"].to_numpy() / by_hand - 1)) > 1e-4


def test_a_batched_model_with_its_own_refit_has_only_its_first_fit_batched() -> None:
    from dataclasses import replace

    from shiftbench.models import ModelSpec

    y = np.arange(1.0, 21.0)
    ds = make_dataset(y, test_size=6, refit_every=2)
    members = (replace(ds, series="a"), replace(ds, y=ds.y * 10, series="b"))
    spec = ModelSpec("first_mean", "tests.plugin_models:FirstMean", origin="python")
    result = run_cell(members, spec, {}, None)
    assert result.ok, result.error
    f = result.forecasts
    assert f is not None
    # every refit keeps the mean of the training span 1..14 (7.5), not the longer spans'
    np.testing.assert_allclose(f.loc[f["series"] == "a", "y_hat"], 7.5)
    np.testing.assert_allclose(f.loc[f["series"] == "b", "y_hat"], 75.0)
    fresh = run_cell(members, spec, {"keep": False}, None).forecasts
    assert fresh is not None
    # refits at cutoffs 13, 15, 17: means of 1..14, 1..16, 1..18, each for two origins
    np.testing.assert_allclose(
        fresh.loc[fresh["series"] == "a", "y_hat"], [7.5, 7.5, 8.5, 8.5, 9.5, 9.5]
    )


def test_a_protocol_only_model_with_a_refit_of_its_own_is_refitted_through_it() -> None:
    from shiftbench.models import ModelSpec

    ds = make_dataset(np.arange(1.0, 21.0), test_size=6, refit_every=3)
    spec = ModelSpec("kept", "tests.plugin_models:FirstMeanProtocol", origin="python")
    f = run_cell(ds, spec, {}, None).forecasts
    assert f is not None
    np.testing.assert_allclose(f["y_hat"], 7.5)  # the mean of 1..14 at every origin


def test_a_refit_starts_from_the_previous_fit_as_fitted_whatever_the_horizon() -> None:
    from shiftbench.models import ModelSpec

    y = np.array([10.0] * 14 + [20.0, 30.0, 40.0, 50.0, 60.0, 70.0])
    spec = ModelSpec("keeps", "tests.plugin_models:KeepsLevel", origin="python")
    for horizon in (1, 3):
        ds = make_dataset(y, test_size=6, refit_every=2, horizon=horizon)
        f = run_cell(ds, spec, {"alpha": 0.5}, None).forecasts
        assert f is not None
        first = f[f["h"] == 1]["y_hat"].to_numpy()
        # the fit on 14 tens has level 10; every refit keeps that level, not the one after the
        # updates of its block (20 then 25 at the third origin)
        assert first[0] == first[2] == first[4] == 10.0


def test_a_model_whose_fit_returns_nothing_still_refits() -> None:
    from shiftbench.models import ModelSpec

    ds = make_dataset(np.arange(1.0, 21.0), test_size=6, refit_every=2)
    spec = ModelSpec("nothing", "tests.plugin_models:FitReturnsNothing", origin="python")
    assert run_cell(ds, spec, {}, None).ok


def test_a_plain_refit_that_returns_nothing_fails_its_cell_saying_so() -> None:
    from shiftbench.models import ModelSpec

    ds = make_dataset(np.arange(1.0, 21.0), test_size=6, refit_every=2)
    spec = ModelSpec("none", "tests.plugin_models:ProtocolRefitNone", origin="python")
    result = run_cell(ds, spec, {}, None)
    assert result.status == "failed"
    assert "ProtocolRefitNone.refit must return a new fitted model, got NoneType" in (
        result.error or ""
    )


def test_only_a_model_with_a_refit_of_its_own_is_refitted_from_its_previous_fit() -> None:
    from shiftbench.baselines.naive import Naive
    from shiftbench.forecaster import as_forecaster, keeps_from_previous_fit

    from ..plugin_models import FirstMean, FirstMeanProtocol, ProtocolOnly

    assert not keeps_from_previous_fit(Naive())
    assert not keeps_from_previous_fit(as_forecaster(ProtocolOnly()))  # wrapped, no refit
    assert keeps_from_previous_fit(FirstMean())
    assert keeps_from_previous_fit(as_forecaster(FirstMeanProtocol()))
