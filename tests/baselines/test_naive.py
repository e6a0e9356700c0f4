"""Persistence, seasonal persistence and drift, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftbench.baselines import Drift, Naive, SeasonalNaive
from shiftbench.errors import FitError


def test_naive_repeats_the_last_value_for_every_step() -> None:
    f = Naive().fit(pd.Series([3.0, 1.0, 4.0])).forecast(3)
    assert f.mean.tolist() == [4.0, 4.0, 4.0]
    assert f.sd is None
    assert f.intervals == {}


def test_naive_update_moves_to_the_newest_value() -> None:
    model = Naive().fit(pd.Series([3.0, 1.0])).update(pd.Series([4.0, 1.0, 5.0]))
    assert model.forecast(1).mean.tolist() == [5.0]


def test_naive_one_step_path_is_the_series_shifted_by_one() -> None:
    path = Naive().fit(pd.Series([1.0, 2.0])).one_step_path(np.array([3.0, 4.0]))
    assert path.mean.tolist() == [2.0, 3.0, 4.0]


def test_seasonal_naive_cycles_through_the_last_season() -> None:
    model = SeasonalNaive(season_length=4).fit(pd.Series(np.arange(1.0, 11.0)))
    # last season is 7, 8, 9, 10
    assert model.forecast(6).mean.tolist() == [7.0, 8.0, 9.0, 10.0, 7.0, 8.0]
    model.update(pd.Series([11.0]))
    assert model.forecast(4).mean.tolist() == [8.0, 9.0, 10.0, 11.0]


def test_seasonal_naive_needs_a_full_season() -> None:
    with pytest.raises(FitError, match="season_length 12"):
        SeasonalNaive(season_length=12).fit(pd.Series(np.ones(5)))


def test_drift_extends_the_line_through_first_and_last_points() -> None:
    # y_1 = 10, y_T = 16, T = 4: slope (16 - 10) / 3 = 2.
    f = Drift().fit(pd.Series([10.0, 13.0, 11.0, 16.0])).forecast(3)
    assert f.mean.tolist() == [18.0, 20.0, 22.0]


def test_drift_slope_follows_new_observations() -> None:
    model = Drift().fit(pd.Series([10.0, 13.0, 11.0, 16.0])).update(pd.Series([20.0]))
    # slope (20 - 10) / 4 = 2.5
    assert model.forecast(1).mean.tolist() == [22.5]


def test_drift_one_step_path_matches_update_and_forecast() -> None:
    base = Drift().fit(pd.Series([10.0, 13.0, 11.0, 16.0]))
    path = base.one_step_path(np.array([20.0, 19.0]))
    # origins: T=4 (16, slope 2) -> 18; T=5 (20, slope 2.5) -> 22.5; T=6 (19, slope 9/5) -> 20.8
    np.testing.assert_allclose(path.mean, [18.0, 22.5, 20.8])
    assert base.forecast(1).mean.tolist() == [18.0]  # the path left the model as it was
