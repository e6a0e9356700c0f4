"""Origins and the covariate design: what a forecast made at a cutoff may see."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.protocol import design, refit_blocks
from shiftbench.errors import DataError
from shiftbench.types import Protocol, check_protocol_fits

from ..conftest import make_dataset


def test_cutoffs_forecast_every_test_point_once() -> None:
    cutoffs = Protocol(test_size=10).cutoffs(45)
    assert cutoffs.tolist() == list(range(34, 44))
    assert (cutoffs + 1).tolist() == list(range(35, 45))  # the last 10 points


def test_share_test_size_rounds_to_nearest_point() -> None:
    assert Protocol(test_size=0.2).n_test(216) == 43  # 43.2
    assert Protocol(test_size=0.2).n_test(5001) == 1000  # 1000.2


def test_refit_blocks() -> None:
    assert [b.tolist() for b in refit_blocks(np.arange(3, 8), 0)] == [[3, 4, 5, 6, 7]]
    assert [b.tolist() for b in refit_blocks(np.arange(3, 8), 2)] == [[3, 4], [5, 6], [7]]


def test_protocol_that_leaves_no_training_is_refused() -> None:
    with pytest.raises(DataError, match="too short"):
        check_protocol_fits("tiny", 12, Protocol(test_size=10))


def test_observed_covariates_are_lagged_and_calendar_ones_are_not() -> None:
    exog = pd.DataFrame({"cases": [1.0, 2.0, 3.0, 4.0, 5.0], "weekday": [1.0, 0.0, 1.0, 1.0, 0.0]})
    ds = make_dataset(
        np.arange(5.0), exog=exog, observed=("cases",), known_ahead=("weekday",), test_size=2
    )
    des = design(ds)
    assert des is not None
    assert des.columns == ("cases_lag1", "weekday")
    np.testing.assert_array_equal(des.X[:, 0], [1.0, 1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(des.X[:, 1], exog["weekday"].to_numpy())


def test_future_rows_hold_observed_covariates_at_their_cutoff_value() -> None:
    exog = pd.DataFrame(
        {"cases": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "weekday": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]}
    )
    ds = make_dataset(
        np.arange(6.0), exog=exog, observed=("cases",), known_ahead=("weekday",), test_size=3
    )
    des = design(ds)
    assert des is not None
    rows = des.future(cutoff=2, horizon=3)  # targets 3, 4, 5
    np.testing.assert_array_equal(rows[:, 0], [3.0, 3.0, 3.0])  # cases known up to t = 2 only
    np.testing.assert_array_equal(rows[:, 1], [1.0, 0.0, 1.0])  # the calendar is known ahead
