"""ARIMA-GARCH: the GARCH recursion against arch's own forecasts; intervals follow volatility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftbench.baselines import ARIMA, ARIMAGARCH
from shiftbench.baselines.arima_garch import garch_variance_path, ma_weights


def simulate_garch(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    omega, alpha, beta = 0.1, 0.15, 0.8
    e = np.empty(n)
    s2 = omega / (1 - alpha - beta)
    for t in range(n):
        e[t] = np.sqrt(s2) * rng.normal()
        s2 = omega + alpha * e[t] ** 2 + beta * s2
    return e


def test_garch_variance_path_by_hand() -> None:
    # sigma2_{T+1} = 0.1 + 0.2 * 4 + 0.7 * 1 = 1.6; sigma2_{T+2} = 0.1 + 0.9 * 1.6 = 1.54
    path = garch_variance_path(
        0.1, np.array([0.2]), np.array([0.7]), np.array([4.0]), np.array([1.0]), 3
    )
    np.testing.assert_allclose(path, [1.6, 1.54, 0.1 + 0.9 * 1.54])


def test_variance_recursion_matches_arch_forecasts() -> None:
    from arch import arch_model

    e = simulate_garch(600, seed=1)
    res = arch_model(e[:500], mean="Zero", vol="GARCH", p=1, q=1, rescale=False).fit(disp="off")
    omega, alpha, beta = (float(res.params[k]) for k in ("omega", "alpha[1]", "beta[1]"))
    ours = garch_variance_path(
        omega,
        np.array([alpha]),
        np.array([beta]),
        e[499:500] ** 2,
        np.asarray(res.conditional_volatility)[-1:] ** 2,
        5,
    )
    theirs = res.forecast(horizon=5, reindex=False).variance.to_numpy()[-1]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_ma_weights_of_an_integrated_ar1() -> None:
    # (1 - 0.5L)(1 - L) y = e: psi_0 = 1, psi_1 = 1.5, psi_2 = 1.75
    rng = np.random.default_rng(2)
    y = np.cumsum(rng.normal(size=200))
    model = ARIMA(order=(1, 1, 0), trend="n").fit(pd.Series(y))
    phi = float(model.results_.params[0])
    psi = ma_weights(model.state_, 3)
    np.testing.assert_allclose(psi, [1.0, 1 + phi, 1 + phi + phi**2], rtol=1e-10)


def test_point_forecast_is_the_arima_mean() -> None:
    y = 100 + np.cumsum(simulate_garch(300, seed=4))
    arima = ARIMA(order=(1, 1, 0)).fit(pd.Series(y))
    garch = ARIMAGARCH(order=(1, 1, 0)).fit(pd.Series(y))
    np.testing.assert_allclose(garch.forecast(3).mean, arima.forecast(3).mean, rtol=1e-12)


def test_interval_width_follows_volatility() -> None:
    e = simulate_garch(400, seed=9)
    calm = np.concatenate([e, np.full(5, 0.01)])
    stormy = np.concatenate([e, np.full(5, 4.0)])
    model = ARIMAGARCH(order=(0, 0, 0), trend="n").fit(pd.Series(e))
    a = model.clone().fit(pd.Series(e)).update(pd.Series(calm[400:])).forecast(1).sd
    b = model.clone().fit(pd.Series(e)).update(pd.Series(stormy[400:])).forecast(1).sd
    assert a is not None
    assert b is not None
    assert b[0] > 2 * a[0]


def test_student_t_intervals_are_wider_in_the_tails() -> None:
    rng = np.random.default_rng(12)
    y = pd.Series(rng.standard_t(4, size=400))
    f = ARIMAGARCH(order=(0, 0, 0), dist="t").fit(y).forecast(1)
    lo95, hi95 = f.intervals[95]
    lo80, hi80 = f.intervals[80]
    assert f.sd is not None
    ratio = float((hi95 - lo95)[0] / (hi80 - lo80)[0])
    # Gaussian ratio is 1.959964 / 1.281552 = 1.5294; a t with few degrees of freedom exceeds it
    assert ratio > 1.53


def test_too_few_residuals_fail_clearly() -> None:
    from shiftbench.errors import FitError

    with pytest.raises(FitError, match="too few"):
        ARIMAGARCH(order=(0, 0, 0)).fit(pd.Series(np.arange(8.0)))


def test_ma_weights_include_the_seasonal_difference() -> None:
    """ARIMA(0,0,0)(0,1,0)[4], the seasonal random walk y_t = y_{t-4} + e_t: ψ_j = 1 at
    j = 0, 4, 8, … and 0 elsewhere; with a seasonal MA Θ = 0.5, (1 + 0.5B^4)/(1 − B^4) gives
    ψ = 1, 0, 0, 0, 1.5, 0, 0, 0, 1.5."""
    rng = np.random.default_rng(4)
    y = pd.Series(np.cumsum(rng.normal(size=(40, 4)), axis=0).ravel())
    walk = ARIMA(order=(0, 0, 0), seasonal_order=(0, 1, 0), season_length=4, trend="n").fit(y)
    np.testing.assert_allclose(ma_weights(walk.state_, 9), [1, 0, 0, 0, 1, 0, 0, 0, 1], atol=1e-12)
    with_ma = ARIMA(order=(0, 0, 0), seasonal_order=(0, 1, 1), season_length=4, trend="n").fit(y)
    theta = float(with_ma.results_.params[0])
    expected = [1, 0, 0, 0, 1 + theta, 0, 0, 0, 1 + theta]
    np.testing.assert_allclose(ma_weights(with_ma.state_, 9), expected, atol=1e-10)
    # the h-step variance σ²Σψ² is the forecast's own
    sigma2 = float(with_ma.results_.params[-1])
    psi = ma_weights(with_ma.state_, 9)
    np.testing.assert_allclose(
        with_ma.forecast(9).sd, np.sqrt(sigma2 * np.cumsum(psi**2)), rtol=1e-6
    )
