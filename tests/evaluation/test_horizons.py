"""sMAPE and seasonal MASE by band of steps ahead (Makridakis, Spiliotis & Assimakopoulos 2018,
Tables 8 and 9), worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shiftbench.evaluation.horizons import band_name, band_scores, parse_band


def test_each_band_scores_only_its_steps_with_the_seasonal_scale_of_the_training_span() -> None:
    # training 1..6 with m = 2: the in-sample MAE of y_t - y_{t-2} is 2
    train = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([10.0, 10.0, 10.0])
    y_hat = np.array([8.0, 14.0, 10.0])
    out = band_scores(y, y_hat, np.array([1, 2, 3]), train, 2, [(1, 1), (2, 3)])
    assert out["smape_h1-1"] == pytest.approx(200 * 2 / 18)
    assert out["mase_seasonal_h1-1"] == pytest.approx(2 / 2)
    assert out["smape_h2-3"] == pytest.approx((200 * 4 / 24 + 0.0) / 2)
    assert out["mase_seasonal_h2-3"] == pytest.approx((4 + 0) / 2 / 2)


def test_a_band_without_forecasts_is_nan_not_zero() -> None:
    out = band_scores(
        np.array([1.0]), np.array([2.0]), np.array([1]), np.array([1.0, 2.0, 4.0]), 1, [(5, 6)]
    )
    assert math.isnan(out["smape_h5-6"])
    assert math.isnan(out["mase_seasonal_h5-6"])


def test_band_names_read_back_and_other_names_are_not_bands() -> None:
    assert parse_band(band_name("mase_seasonal", (7, 12))) == ("mase_seasonal", (7, 12))
    assert parse_band("smape") is None
    assert parse_band("mse_h1-6") is None  # not a band metric
    assert parse_band("smape_h0-6") is None
