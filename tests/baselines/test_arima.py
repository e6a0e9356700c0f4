"""ARIMA: order selection, drift handled across updates, intervals, batched origins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftbench.baselines import ARIMA
from shiftbench.baselines.arima import kpss_lags, ndiffs_kpss, select_order


def test_kpss_lag_truncation_is_the_short_one() -> None:
    # floor(4 * (100/100)^(1/4)) = 4; floor(4 * (1600/100)^(1/4)) = 8
    assert kpss_lags(100) == 4
    assert kpss_lags(1600) == 8


def test_ndiffs_is_zero_for_white_noise_and_one_for_a_random_walk() -> None:
    rng = np.random.default_rng(42)
    noise = rng.normal(size=400)
    assert ndiffs_kpss(noise) == 0
    assert ndiffs_kpss(np.cumsum(noise)) == 1
    assert ndiffs_kpss(np.cumsum(np.cumsum(noise))) == 2


def test_ndiffs_of_a_constant_series_is_zero() -> None:
    assert ndiffs_kpss(np.full(50, 3.0)) == 0


def test_order_search_finds_an_ar1(ar1_series: np.ndarray) -> None:
    order, trend, tried = select_order(ar1_series)
    assert order == (1, 0, 0)
    assert trend == "c"
    assert len(tried) >= 5


def test_full_grid_tries_every_order() -> None:
    rng = np.random.default_rng(3)
    order, _, tried = select_order(rng.normal(size=60), max_p=1, max_q=1, stepwise=False)
    assert len(tried) == 2 * 2 * 2  # p, q in {0, 1}, with and without a constant
    best_label, _ = min(tried, key=lambda item: item[1])
    assert best_label.startswith(f"({order[0]},0,{order[2]})")


def test_fitted_ar1_coefficient_is_close_to_the_truth(ar1_series: np.ndarray) -> None:
    model = ARIMA(order=(1, 0, 0)).fit(pd.Series(ar1_series))
    params = dict(zip(model.result_.model.param_names, model.result_.params, strict=True))
    assert params["ar.L1"] == pytest.approx(0.6, abs=0.15)
    assert params["const"] == pytest.approx(10.0, abs=0.5)  # the process mean


def test_random_walk_interval_widens_with_the_square_root_of_h() -> None:
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.normal(scale=2.0, size=300))
    model = ARIMA(order=(0, 1, 0), trend="n").fit(pd.Series(y))
    f = model.forecast(4)
    sigma = np.sqrt(model.result_.params[-1])
    # ARIMA(0,1,0): the h-step forecast is y_T with variance h * sigma^2.
    np.testing.assert_allclose(f.mean, np.full(4, y[-1]))
    np.testing.assert_allclose(f.sd, sigma * np.sqrt([1, 2, 3, 4]), rtol=1e-6)
    _lo, hi = f.intervals[95]
    np.testing.assert_allclose(hi - f.mean, 1.959963984540054 * f.sd, rtol=1e-9)


def test_drift_survives_updates_like_a_refiltered_model() -> None:
    """The drift is the d = 1 trend: after updates it must match statsmodels' own 't' trend."""
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    rng = np.random.default_rng(8)
    y = 50 + np.cumsum(1.5 + rng.normal(size=60))
    ours = ARIMA(order=(1, 1, 0), trend="t").fit(pd.Series(y[:40]))
    reference = SMARIMA(y[:40], order=(1, 1, 0), trend="t").fit()
    np.testing.assert_allclose(ours.result_.params, reference.params, rtol=1e-5)
    ours.update(pd.Series(y[40:55]))
    expected = reference.append(y[40:55]).get_forecast(3).predicted_mean
    np.testing.assert_allclose(ours.forecast(3).mean, expected, rtol=1e-8)


def test_covariates_are_required_for_forecasting_once_fitted_with_them(exog_dataset) -> None:  # type: ignore[no-untyped-def]
    from shiftbench.benchmarks.protocol import design
    from shiftbench.errors import FitError

    des = design(exog_dataset)
    assert des is not None
    model = ARIMA(order=(1, 0, 0)).fit(exog_dataset.y.iloc[:60], des.X[:60])
    with pytest.raises(FitError, match="covariates"):
        model.forecast(1)
    assert model.forecast(2, des.future(59, 2)).horizon == 2


def test_weekday_regressor_is_estimated(exog_dataset) -> None:  # type: ignore[no-untyped-def]
    from shiftbench.benchmarks.protocol import design

    des = design(exog_dataset)
    assert des is not None
    model = ARIMA(order=(0, 0, 0)).fit(exog_dataset.y.iloc[:60], des.X[:60])
    names = list(model.result_.model.param_names)
    # regressors: const, x1 = cases (lagged), x2 = workday, simulated as +20
    assert model.result_.params[names.index("x2")] == pytest.approx(20.0, abs=2.0)


def test_an_unusable_chosen_order_falls_back_to_the_next_best_aicc() -> None:
    """M3 series N1686: the search's best ARIMA(2,1,2) has a non-invertible MA at the boundary
    (θ ≈ (1 − B)²) and an infinite forecast variance; the fit moves to the next-best order and
    says so."""
    from shiftbench.datasets import load_dataset

    m3 = load_dataset("m3_monthly")
    series = next(m for m in m3.members if m.series == "N1686")  # type: ignore[union-attr]
    y = series.y.to_numpy()[:-18]
    model = ARIMA().fit(y)
    assert model.fallbacks_ == 1
    assert model.order_ != (2, 1, 2)
    assert model.fit_warnings()[0].startswith("fell back to ARIMA")
    assert (
        "ARIMA(2, 1, 2) trend='t': its one-step forecast is not finite" in model.fit_warnings()[0]
    )
    assert np.all(np.isfinite(model.forecast(3).mean))
    assert model.info()["fallbacks"] == 1
