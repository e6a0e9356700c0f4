"""The M-competition statistical benchmarks against hand-worked values and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from shiftbench.baselines.statistical import (
    ETS,
    SES,
    Comb,
    Damped,
    Holt,
    Naive2,
    SeasonalIndices,
    Theta,
    acf_at,
    seasonality_test,
)


def _seasonal(n: int = 72, seed: int = 4) -> np.ndarray:
    """A positive monthly series with a multiplicative season and a trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (100 + 0.5 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + rng.normal(size=n)


def test_acf_by_hand() -> None:
    # mean 2.5; numerator (1-2.5)(3-2.5)+(2-2.5)(4-2.5) = -0.75-0.75 = -1.5; denominator 5
    assert acf_at(np.array([1.0, 2.0, 3.0, 4.0]), 2) == pytest.approx(-0.3)


def test_the_seasonality_test_uses_the_ninety_percent_bound() -> None:
    x = np.array([1.0, 1.0, -1.0, -1.0] * 4)  # mean 0, sum of squares 16
    # r_1 = (1 - 1 + 1 - ... + 1)/16 = 1/16 (15 alternating terms); r_2 = -14/16
    assert acf_at(x, 1) == pytest.approx(1 / 16)
    assert acf_at(x, 2) == pytest.approx(-14 / 16)
    bound = 1.645 * np.sqrt((1 + 2 * (1 / 16) ** 2) / 16)  # 0.41285
    assert bound == pytest.approx(0.41285, abs=1e-5)
    assert seasonality_test(x, 2)  # |r_2| = 0.875 > 0.41285
    assert not seasonality_test(np.arange(30.0), 12)


def test_seasonal_adjustment_is_skipped_without_seasonality_or_with_non_positive_values() -> None:
    assert not SeasonalIndices.fit(np.arange(1.0, 49.0), 12).adjusted
    y = _seasonal()
    assert SeasonalIndices.fit(y, 12).adjusted
    y_neg = y.copy()
    y_neg[5] = -1.0
    assert not SeasonalIndices.fit(y_neg, 12).adjusted
    assert not SeasonalIndices.fit(y[:20], 12).adjusted  # fewer than two seasons


def test_naive2_forecasts_the_last_adjusted_value_times_the_season() -> None:
    y = _seasonal()
    model = Naive2(season_length=12).fit(y)
    s = model.indices_.values
    n = len(y)
    expected = y[-1] / s[(n - 1) % 12] * s[np.arange(n, n + 3) % 12]
    np.testing.assert_allclose(model.forecast(3).mean, expected, rtol=1e-12)
    assert not Naive2(season_length=1).fit(y).indices_.adjusted
    assert Naive2(season_length=1).fit(y).forecast(2).mean.tolist() == [y[-1], y[-1]]


@pytest.mark.parametrize("cls", [SES, Holt, Damped])
def test_smoothing_recursions_end_where_the_ets_filter_ends(cls: type) -> None:
    """The level model's step-by-step recursion, from its fitted initial states, ends where the
    ETS filter (R's ``etscalc``) ends, and forecasts from there. (Until issue 23 this test
    compared with statsmodels' Holt-Winters estimates; the models now follow R's ses/holt, whose
    own numbers are checked in test_ets_r.py.)"""
    from shiftbench.baselines.ets import ETSForm, Smoothing, one_step, point_forecast

    y = 50 + np.cumsum(np.random.default_rng(2).normal(size=80))
    ours = cls().fit(y)
    level = ours.level_
    trend = cls is not SES
    form = ETSForm("A", "A" if trend else "N", cls is Damped, "N")
    par = Smoothing(level.alpha, level.beta if trend else 0.0, 0.0, level.phi)
    _, state = one_step(form, par, level.initial, y)
    expected = point_forecast(form, par, state, 5)
    np.testing.assert_allclose(ours.forecast(5).mean, expected, rtol=1e-10)


def test_theta_is_ses_with_half_the_linear_drift() -> None:
    y = 50 + np.cumsum(np.random.default_rng(3).normal(loc=0.3, size=60))
    model = Theta().fit(y)
    level = model.level_
    alpha, b, ell = level.ses.alpha, level.b, level.ses.level  # type: ignore[attr-defined]
    assert b == pytest.approx(np.polyfit(np.arange(60.0), y, 1)[0])
    h = np.arange(1, 5)
    expected = ell + b / 2 * ((h - 1) + (1 - (1 - alpha) ** 60) / alpha)
    np.testing.assert_allclose(model.forecast(4).mean, expected, rtol=1e-12)


def test_comb_is_the_mean_of_ses_holt_and_damped() -> None:
    y = _seasonal(seed=8)
    parts = [cls(season_length=12).fit(y).forecast(6).mean for cls in (SES, Holt, Damped)]
    np.testing.assert_allclose(
        Comb(season_length=12).fit(y).forecast(6).mean, np.mean(parts, axis=0), rtol=1e-12
    )


def test_updates_run_the_recursion_without_refitting() -> None:
    y = _seasonal(seed=9)
    model = Holt(season_length=12).fit(y[:60])
    alpha = model.level_.alpha  # type: ignore[attr-defined]
    model.update(y[60:])
    assert model.level_.alpha == alpha  # type: ignore[attr-defined]
    assert model.t_next_ == len(y)


def test_ets_chooses_and_forecasts_as_r_on_a_seasonal_series() -> None:
    # R (forecast 8.20): f <- ets(ts(y, frequency = 12)) on _seasonal(seed=11) written with 17
    # digits: f$method "ETS(M,A,M)", f$aicc 333.095237974,
    # forecast(f, h = 4)$mean 136.464717123 150.991664779 161.537835408 165.278432523
    # (until issue 23 the reference was statsmodels' ETSModel at our own estimates)
    y = _seasonal(seed=11)
    model = ETS(season_length=12).fit(y)
    assert model.info()["model"] == "ETS(M,A,M)"
    assert model.results_.aicc == pytest.approx(333.095237974, abs=1e-6)
    np.testing.assert_allclose(
        model.forecast(4).mean,
        [136.464717123, 150.991664779, 161.537835408, 165.278432523],
        rtol=1e-9,
    )


def test_ets_never_tries_multiplicative_forms_on_non_positive_data() -> None:
    y = np.sin(np.arange(60) / 3.0) + np.random.default_rng(1).normal(scale=0.1, size=60)
    model = ETS(season_length=12).fit(y)
    assert model.results_.form.error == "A"
    assert model.results_.form.season != "M"


def test_a_refit_keeping_the_first_fits_indices_smooths_the_series_they_adjust() -> None:
    # the article's refit variant: the indices of the training span, the smoothing re-estimated
    y = _seasonal(n=96, seed=6)
    first = SES(season_length=12, seasonal_indices="first_fit").fit(y[:72])
    s = SeasonalIndices.fit(y[:72], 12)
    assert s.adjusted
    z = y[:84] / s.at(np.arange(84))
    expected = SES().fit(z).forecast(3).mean * s.at(np.arange(84, 87))
    np.testing.assert_allclose(first.refit(y[:84]).forecast(3).mean, expected, rtol=1e-12)
    assert first.t_next_ == 72  # the fitted model is left as it was


def test_a_refit_keeps_the_box_cox_lambda_with_the_indices_it_was_estimated_with() -> None:
    y = _seasonal(n=96, seed=7)
    first = Holt(season_length=12, boxcox="guerrero", seasonal_indices="first_fit").fit(y[:72])
    again = first.refit(y[:96])
    assert again.boxcox_.lam == first.boxcox_.lam
    np.testing.assert_array_equal(again.indices_.values, first.indices_.values)
    fresh = Holt(season_length=12, boxcox="guerrero").fit(y[:96])
    assert fresh.boxcox_.lam != first.boxcox_.lam


@pytest.mark.parametrize("cls", [Naive2, SES, Holt, Damped, Theta, Comb])
def test_a_refit_estimating_the_indices_at_each_fit_is_a_fresh_fit(cls: type) -> None:
    y = _seasonal(n=96, seed=8)
    again = cls(season_length=12).fit(y[:72]).refit(y[:84])
    fresh = cls(season_length=12).fit(y[:84])
    np.testing.assert_array_equal(again.forecast(4).mean, fresh.forecast(4).mean)


def test_seasonal_indices_takes_each_fit_or_first_fit() -> None:
    with pytest.raises(ValueError, match="seasonal_indices: expected 'each_fit' or 'first_fit'"):
        SES(seasonal_indices="first").check_params()  # type: ignore[arg-type]
