"""ARIMA: the seasonal order search, drift handled across updates, intervals, fallbacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftbench.baselines import ARIMA
from shiftbench.baselines.arima_search import Spec, difference, fit_exact, search_orders
from shiftbench.baselines.arima_search.likelihood import arma_acov
from shiftbench.baselines.arima_search.polynomials import ar_to_pacf, min_root_modulus, pacf_to_ar
from shiftbench.baselines.arima_search.unitroot import kpss_lags, ndiffs_kpss, nsdiffs_strength


def test_kpss_lag_truncation_is_forecasts_ndiffs_rule() -> None:
    # floor(3 * sqrt(100) / 13) = floor(2.31) = 2; floor(3 * 40 / 13) = floor(9.23) = 9
    assert kpss_lags(100) == 2
    assert kpss_lags(1600) == 9


def test_ndiffs_is_zero_for_white_noise_and_one_for_a_random_walk() -> None:
    rng = np.random.default_rng(42)
    noise = rng.normal(size=400)
    assert ndiffs_kpss(noise) == 0
    assert ndiffs_kpss(np.cumsum(noise)) == 1
    assert ndiffs_kpss(np.cumsum(np.cumsum(noise))) == 2


def test_ndiffs_of_a_constant_series_is_zero() -> None:
    assert ndiffs_kpss(np.full(50, 3.0)) == 0


def test_order_search_finds_an_ar1() -> None:
    # 400 points of y_t - 10 = 0.6 (y_{t-1} - 10) + e_t (120 are too few for KPSS with
    # forecast's short lag rule to accept stationarity: auto.arima then differences too)
    rng = np.random.default_rng(0)
    y = np.empty(400)
    y[0] = 10.0
    for t in range(1, 400):
        y[t] = 10.0 + 0.6 * (y[t - 1] - 10.0) + rng.normal()
    search = search_orders(y)
    best = search.ranked()[0].spec
    assert best.order == (1, 0, 0)
    assert best.trend == "c"
    assert len(search.scored) >= 5


def test_full_grid_tries_every_order() -> None:
    rng = np.random.default_rng(3)
    search = search_orders(rng.normal(size=60), max_p=1, max_q=1, stepwise=False)
    assert len(search.scored) == 2 * 2 * 2  # p, q in {0, 1}, with and without a constant


def test_full_grid_keeps_the_sum_of_the_four_orders_within_max_order() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=120)
    search = search_orders(y, season_length=4, max_order=2, stepwise=False, max_D=0)
    orders = {(f.spec.p, f.spec.q, f.spec.P, f.spec.Q) for f in search.scored}
    assert max(sum(o) for o in orders) == 2
    # p, q <= m - 1 = 3 and P, Q <= 2 with p + q + P + Q <= 2: 15 combinations
    assert len(orders) == 15


def test_seasonal_difference_is_taken_for_a_strongly_seasonal_series() -> None:
    rng = np.random.default_rng(11)
    k = np.arange(144)
    seasonal = 10 * np.sin(2 * np.pi * k / 12) + rng.normal(scale=0.5, size=144)
    assert nsdiffs_strength(seasonal, 12) == 1
    assert nsdiffs_strength(rng.normal(size=144), 12) == 0
    assert nsdiffs_strength(seasonal[:24], 12) == 0  # 2m points or fewer: not tested


def test_difference_applies_seasonal_then_regular_differences() -> None:
    x = np.array([1.0, 2, 4, 7, 11, 16, 22])
    # (1 - B^2) x = [3, 5, 7, 9, 11]; then (1 - B) = [2, 2, 2, 2]
    np.testing.assert_allclose(difference(x, 1, 1, 2), [2.0, 2, 2, 2])


def test_jones_transform_round_trips_and_gives_stationary_ar() -> None:
    phi = np.array([1.2, -0.5])  # roots of 1 - 1.2z + 0.5z^2 have modulus sqrt(2) > 1
    raw = ar_to_pacf(phi)
    assert raw is not None
    np.testing.assert_allclose(pacf_to_ar(raw), phi)
    assert ar_to_pacf(np.array([1.0, 0.5])) is None  # 1 - z - 0.5z^2 has a root inside
    wild = pacf_to_ar(np.array([3.0, -4.0, 5.0]))
    assert min_root_modulus(wild, np.zeros(0), 1, -1.0) > 1.0


def test_arma_autocovariances_match_the_closed_forms() -> None:
    # MA(1) θ = 0.5: γ0 = 1 + θ² = 1.25, γ1 = θ = 0.5, γ2 = 0
    np.testing.assert_allclose(
        arma_acov(np.array([1.0]), np.array([1.0, 0.5]), 3), [1.25, 0.5, 0.0]
    )
    # ARMA(1,1) φ = 0.5, θ = 0.4 (Brockwell & Davis ex. 3.3.1):
    # γ0 = 1 + (θ + φ)²/(1 − φ²) = 1.81/0.75 ... γ0 = 1 + 0.81/0.75 = 2.08
    # γ1 = θ + φ + (θ + φ)²φ/(1 − φ²) = 0.9 + 0.54 = 1.44, γ2 = φγ1 = 0.72
    np.testing.assert_allclose(
        arma_acov(np.array([1.0, -0.5]), np.array([1.0, 0.4]), 3), [2.08, 1.44, 0.72]
    )


def test_exact_likelihood_equals_statsmodels_for_a_stationary_model() -> None:
    """The search's exact AICc of an ARMA with a mean equals statsmodels' at the same optimum."""
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    rng = np.random.default_rng(21)
    e = rng.normal(size=121)
    y = 3.0 + e[1:] + 0.5 * e[:-1]
    spec = Spec(1, 0, 1, constant=True)
    ours = fit_exact(y, np.ones((120, 1)), spec, 120)
    assert ours is not None
    reference = SMARIMA(y, order=(1, 0, 1), trend="c").fit()
    assert ours.aicc == pytest.approx(reference.aicc, abs=0.01)


def test_seasonal_search_finds_an_airline_type_model() -> None:
    """A simulated ARIMA(0,1,1)(0,1,1)[12] ("airline"): the search takes one regular and one
    seasonal difference and keeps a seasonal MA term."""
    rng = np.random.default_rng(7)
    n = 144
    e = rng.normal(size=n + 13)
    u = e[13:] - 0.4 * e[12:-1] - 0.6 * e[1:-12] + 0.24 * e[:-13]
    y = np.zeros(n + 13)
    for t in range(13, n + 13):
        y[t] = y[t - 1] + y[t - 12] - y[t - 13] + u[t - 13]
    y = 100.0 + y[13:] + 5.0 * np.sin(2 * np.pi * np.arange(n) / 12)
    model = ARIMA(season_length=12).fit(pd.Series(y))
    spec = model.results_.spec
    assert (spec.d, spec.D) == (1, 1)
    assert spec.Q >= 1
    assert model.info()["search"] == "exact ML"


def test_long_season_lengths_are_searched_without_seasonal_terms() -> None:
    rng = np.random.default_rng(2)
    model = ARIMA(season_length=100).fit(pd.Series(rng.normal(size=300)))
    assert model.results_.seasonal_order == (0, 0, 0, 0)
    assert "max_season" in model.info()["notes"][0]
    model = ARIMA(season_length=12, seasonal=False).fit(pd.Series(rng.normal(size=300)))
    assert model.results_.seasonal_order == (0, 0, 0, 0)


def test_fitted_ar1_coefficient_is_close_to_the_truth(ar1_series: np.ndarray) -> None:
    model = ARIMA(order=(1, 0, 0)).fit(pd.Series(ar1_series))
    params = dict(zip(model.results_.param_names, model.results_.params, strict=True))
    assert params["ar.L1"] == pytest.approx(0.6, abs=0.15)
    assert params["const"] == pytest.approx(10.0, abs=0.5)  # the process mean


def test_random_walk_interval_widens_with_the_square_root_of_h() -> None:
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.normal(scale=2.0, size=300))
    model = ARIMA(order=(0, 1, 0), trend="n").fit(pd.Series(y))
    f = model.forecast(4)
    sigma = np.sqrt(model.results_.params[-1])
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
    np.testing.assert_allclose(ours.results_.params, reference.params, rtol=1e-5)
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
    names = list(model.results_.param_names)
    # regressors: const, x1 = cases (lagged), x2 = workday, simulated as +20
    assert model.results_.params[names.index("x2")] == pytest.approx(20.0, abs=2.0)


def test_an_unusable_chosen_order_falls_back_to_the_next_best_aicc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the best order's fit cannot be used, the next-best is fitted and the warning
    names both."""
    from shiftbench.baselines import arima as arima_module
    from shiftbench.errors import FitError

    rng = np.random.default_rng(9)
    y = np.cumsum(rng.normal(size=120))
    best = ARIMA().fit(y)
    original = arima_module.ARIMA._fit_one

    def refuse_the_best(self, values, x, spec, start):  # type: ignore[no-untyped-def]
        if spec == best.results_.spec:
            raise FitError("its one-step forecast is not finite")
        return original(self, values, x, spec, start)

    monkeypatch.setattr(arima_module.ARIMA, "_fit_one", refuse_the_best)
    model = ARIMA().fit(y)
    assert model.results_.fallbacks == 1
    assert model.results_.spec != best.results_.spec
    assert model.fit_warnings()[0].startswith("fell back to ARIMA")
    assert (
        f"{best.results_.spec.label}: its one-step forecast is not finite"
        in model.fit_warnings()[0]
    )
    assert np.all(np.isfinite(model.forecast(3).mean))
    assert model.info()["fallbacks"] == 1


def test_the_state_of_the_airline_model_has_27_entries() -> None:
    from shiftbench.baselines.arima import state_dimension

    # ARIMA(0,1,1)(0,1,1)[12]: max(p + 12P, q + 12Q + 1) = 14, plus d + 12D = 13 differences
    assert state_dimension(0, 1, 1, 0, 1, 1, 12) == 27


def test_the_full_grid_counts_its_candidates() -> None:
    from shiftbench.baselines.arima import grid_candidates

    by_hand = sum(
        1
        for p in range(6)
        for q in range(6)
        for P in range(3)
        for Q in range(3)
        if p + q + P + Q <= 5
    )
    assert grid_candidates(5, 5, 2, 2, 5) == 2 * by_hand  # with and without a constant


def test_a_search_beyond_memory_on_the_data_is_refused() -> None:
    from shiftbench.baselines.arima import ARIMA

    ARIMA().check_sizes(5000, 0)  # the defaults on a long series
    with pytest.raises(ValueError, match=r"max_p: orders up to ARIMA\(1666,2,1666\)"):
        ARIMA(max_p=10**6, max_q=10**6).check_sizes(5000, 0)
