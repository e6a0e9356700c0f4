"""The Box-Cox transform and Guerrero's λ against hand-worked values and R's forecast 8.20, and
the ``boxcox`` parameter of the statistical baselines: the order of transform and seasonal
adjustment, the back-transform of forecasts and intervals, and a λ fixed on the training span."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from shiftbench.baselines.arima import ARIMA
from shiftbench.baselines.statistical import ETS, SES, Comb, Naive2, SeasonalIndices, Theta
from shiftbench.boxcox import (
    BoxCoxTransform,
    box_cox,
    check_boxcox,
    guerrero_lambda,
    inv_box_cox,
)
from shiftbench.datasets.m3 import read_m3_monthly
from shiftbench.errors import FitError
from shiftbench.testing import parametrize_with_checks
from shiftbench.types import Forecast

# -- the transform ------------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [-1.0, -0.5, 0.0, 0.3, 0.5, 1.0, 2.0])
def test_the_inverse_undoes_the_transform(lam: float) -> None:
    y = np.array([0.2, 1.0, 2.5, 40.0, 1234.5])
    np.testing.assert_allclose(inv_box_cox(box_cox(y, lam), lam), y, rtol=1e-12)


def test_the_transform_by_hand() -> None:
    y = np.array([1.0, 4.0, 9.0, np.e])
    np.testing.assert_allclose(box_cox(y, 0.0), [0.0, np.log(4), np.log(9), 1.0])  # log
    np.testing.assert_allclose(box_cox(y, 0.5), [0.0, 2.0, 4.0, 2 * (np.sqrt(np.e) - 1)])
    np.testing.assert_allclose(box_cox(y, 1.0), y - 1.0)  # a shift
    np.testing.assert_allclose(box_cox([2.0, 4.0], -1.0), [0.5, 0.75])  # (1 − 1/y)/1


def test_negative_values_are_handled_as_r_does() -> None:
    # R 4.2.2, forecast 8.20:
    # BoxCox(c(-2, -1, 0, 0.5, 2), -0.5)  -> NA NA NaN -0.82842712474619029 0.58578643762690485
    # BoxCox(c(-2, 0, 2), 0)              -> NaN -Inf 0.69314718055994529
    # BoxCox(c(-8, 0, 8), 1/3)            -> -9 -3 3
    # InvBoxCox(c(-3, 0, 1.9, 2, 2.5), -0.5) -> 0.16 1 399.99999999999926 NaN NA
    # InvBoxCox(c(-4, -3, 0, 3), 0.5)     -> -1 -0.25 1 6.25
    out = box_cox([-2.0, -1.0, 0.0, 0.5, 2.0], -0.5)
    assert np.isnan(out[:3]).all()
    np.testing.assert_allclose(out[3:], [-0.82842712474619029, 0.58578643762690485])
    out = box_cox([-2.0, 0.0, 2.0], 0.0)
    assert np.isnan(out[0])
    assert out[1] == -np.inf
    assert out[2] == pytest.approx(0.69314718055994529)
    np.testing.assert_allclose(box_cox([-8.0, 0.0, 8.0], 1 / 3), [-9.0, -3.0, 3.0])
    back = inv_box_cox([-3.0, 0.0, 1.9, 2.0, 2.5], -0.5)
    np.testing.assert_allclose(back[:3], [0.16, 1.0, 399.99999999999926])
    assert np.isnan(back[3:]).all()
    np.testing.assert_allclose(inv_box_cox([-4.0, -3.0, 0.0, 3.0], 0.5), [-1, -0.25, 1, 6.25])


# -- Guerrero's lambda --------------------------------------------------------------------------


@cache
def _m3() -> pd.DataFrame:
    return read_m3_monthly()[0]


def _m3_train(series: str) -> np.ndarray:
    long = _m3()
    return long.loc[long.unique_id == series, "y"].to_numpy()[:-18]


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        # y <- <the series' first N - 18 values>
        # BoxCox.lambda(ts(y, frequency = 12), method = "guerrero", lower = -1, upper = 2)
        # (R 4.2.2, forecast 8.20)
        ("N1679", 0.10644291423179697),
        ("N1680", -0.44434023138934814),
        ("N1681", 0.57619003583734907),
        ("N1682", -0.99992424816296976),  # at the lower bound
        ("N1746", 0.63799065847359393),
        ("N1781", 0.70412743260125488),
        ("N1844", 1.9999242481629698),  # at the upper bound
    ],
)
def test_guerrero_lambda_equals_rs_on_m3_series(series: str, expected: float) -> None:
    assert guerrero_lambda(_m3_train(series), 12) == pytest.approx(expected, abs=1e-6)


WITH_ZEROS = [0.0, 3, 5, 2, 8, 6, 9, 4, 12, 10, 15, 11, 0, 14, 20, 13]
GROWING = [1.5, 2.5, 2, 4, 3.5, 6, 5, 9, 8, 13, 11, 18, 16, 25]


@pytest.mark.parametrize(
    ("y", "season_length", "expected"),
    [
        # BoxCox.lambda(ts(y, frequency = m), method = "guerrero", lower = -1, upper = 2) in R
        (WITH_ZEROS, 4, 0.21459225373340596),  # a value <= 0: R searches [0, 2]
        (WITH_ZEROS, 1, 0.52164346118946925),  # non-seasonal: subseries of 2
        (WITH_ZEROS[:8], 4, 1.0),  # at most two seasons: R returns 1
        (GROWING, 1, 0.1220609124147144),
        (GROWING, 3, 0.19690193876127832),
    ],
)
def test_guerrero_lambda_equals_rs_at_its_edges(
    y: list[float], season_length: int, expected: float
) -> None:
    assert guerrero_lambda(y, season_length) == pytest.approx(expected, abs=1e-6)


# -- the parameter ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [False, "guerrero", 0, 0.5, -1.0, 2.0])
def test_valid_settings_pass_the_check(value: object) -> None:
    check_boxcox(value)
    SES(boxcox=value).check_params()  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, "auto", 2.5, -1.01, float("nan"), None, [0.5]])
def test_a_bad_setting_is_refused_in_one_line_naming_it(value: object) -> None:
    for model in (Naive2(boxcox=value), ETS(boxcox=value), ARIMA(boxcox=value)):  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"^boxcox: ") as caught:
            model.check_params()
        assert repr(value) in str(caught.value)
        assert "\n" not in str(caught.value)


def test_info_reports_the_lambda_used_and_nothing_without_a_transform() -> None:
    y = _seasonal()
    assert "boxcox_lambda" not in Naive2(season_length=12).fit(y).info()
    assert Naive2(season_length=12, boxcox=0.25).fit(y).info()["boxcox_lambda"] == 0.25
    found = Naive2(season_length=12, boxcox="guerrero").fit(y).info()["boxcox_lambda"]
    assert found == pytest.approx(guerrero_lambda(y, 12))


def _seasonal(n: int = 72, seed: int = 4) -> np.ndarray:
    """A positive monthly series with a season that grows with the level."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (100 + 2.0 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) + rng.normal(size=n)


def test_naive2_transforms_first_then_adjusts_the_season() -> None:
    y = _seasonal()
    got = Naive2(season_length=12, boxcox=0.0).fit(y).forecast(12).mean
    # by hand: log, the multiplicative indices of the logs, persistence of the adjusted last
    # log, the next season's indices back, exp
    z = np.log(y)
    s = SeasonalIndices.fit(z, 12)
    assert s.adjusted
    steps = np.arange(len(y), len(y) + 12)
    expected = np.exp(z[-1] / s.at(np.array([len(y) - 1]))[0] * s.at(steps))
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # the other order (adjust, then transform) would leave Naive2 as it is without Box-Cox
    assert not np.allclose(got, Naive2(season_length=12).fit(y).forecast(12).mean, rtol=1e-3)


def test_arima_intervals_are_the_back_transformed_quantiles() -> None:
    y = _seasonal()
    s = float(np.std(np.log(y)))  # the logs are fitted divided by their training sd
    logged = ARIMA(order=(1, 1, 0), seasonal=False).fit(np.log(y) / s).forecast(6)
    got = ARIMA(order=(1, 1, 0), seasonal=False, boxcox=0.0).fit(y).forecast(6)
    np.testing.assert_allclose(got.mean, np.exp(s * logged.mean), rtol=1e-10)  # the median
    for level, (lo, hi) in logged.intervals.items():
        np.testing.assert_allclose(got.intervals[level][0], np.exp(s * lo), rtol=1e-10)
        np.testing.assert_allclose(got.intervals[level][1], np.exp(s * hi), rtol=1e-10)
    assert logged.sd is not None
    assert got.sd is not None
    delta = s * logged.sd * np.exp(s * logged.mean)  # sd·dy/dw at the median
    np.testing.assert_allclose(got.sd, delta, rtol=1e-10)


def test_a_lambda_near_minus_one_on_a_series_in_thousands_still_fits_arima() -> None:
    # on R's scale 1 − 1/y varies by 1e-5 here; statsmodels' ARIMA failed on it unscaled
    y = _m3_train("N2684")
    model = ARIMA(season_length=12, boxcox=-1.0).fit(y)
    assert np.all(np.isfinite(model.one_step_path(y[-17:] * 1.01).mean))


def test_an_upper_bound_beyond_a_negative_lambdas_range_is_infinite() -> None:
    # λ = −1: y = 1/(1 − w), defined for w < 1; dy/dw = 1/(1 − w)² = y²
    f = Forecast(np.array([0.5]), np.array([1.0]), {80: (np.zeros(1), np.full(1, 2.0))})
    back = BoxCoxTransform(-1.0, "fixed").inverse_forecast(f)
    assert back.mean.tolist() == [2.0]
    assert back.sd is not None
    assert back.sd.tolist() == [4.0]
    assert back.intervals[80][0].tolist() == [1.0]
    assert back.intervals[80][1].tolist() == [np.inf]


# -- non-positive data --------------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.0, -0.5])
def test_a_value_without_a_transform_fails_the_fit_clearly(lam: float) -> None:
    y = np.array([3.0, 4, 0, 5, 6, 7, 5, 8, 9, 7])
    with pytest.raises(FitError, match=r"Box-Cox with lambda .* undefined for values <= 0"):
        Naive2(boxcox=lam).fit(y)


def test_a_new_value_without_a_transform_fails_the_update() -> None:
    model = SES(boxcox=0.0).fit(np.array([3.0, 4, 5, 5, 6, 7, 5, 8, 9, 7]))
    with pytest.raises(FitError, match="undefined for values <= 0"):
        model.update(np.array([-1.0]))


def test_guerrero_on_data_with_zeros_searches_non_negative_lambdas_as_r_does() -> None:
    model = Naive2(boxcox="guerrero").fit(np.array(WITH_ZEROS))
    assert model.info()["boxcox_lambda"] == pytest.approx(0.52164346118946925, abs=1e-6)
    assert np.all(np.isfinite(model.forecast(3).mean))


# -- lambda is fixed on the training span -------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        SES(season_length=12, boxcox="guerrero"),
        Theta(season_length=12, boxcox="guerrero"),
        ETS(season_length=1, maxiter=30, boxcox="guerrero"),
        ARIMA(order=(0, 1, 1), seasonal=False, boxcox="guerrero"),
    ],
    ids=lambda m: type(m).__name__,
)
def test_the_lambda_never_looks_at_test_data(model: SES | Theta | ETS | ARIMA) -> None:
    y = _seasonal(96)
    train, test = y[:60], y[60:] * np.linspace(1, 3, 36)  # a test span of another shape
    fitted = model.fit(train)
    alone = fitted.info()["boxcox_lambda"]
    everything = guerrero_lambda(np.concatenate([train, test]), model.season_length)
    assert everything != pytest.approx(alone, abs=0.01)
    fitted.update(test)
    assert fitted.info()["boxcox_lambda"] == alone
    # the new observations are transformed at that lambda: a fixed-lambda model agrees
    fixed = model.clone().set_params(boxcox=alone).fit(train).update(test)
    np.testing.assert_allclose(fitted.forecast(3).mean, fixed.forecast(3).mean, rtol=1e-10)


# -- the public checks, transformed -------------------------------------------------------------


@parametrize_with_checks(
    [
        Naive2(season_length=7, boxcox="guerrero"),
        Comb(season_length=7, boxcox=0.0),
        ARIMA(order=(1, 0, 0), seasonal=False, boxcox=-0.5),
    ]
)
def test_transformed_models_pass_the_public_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)
