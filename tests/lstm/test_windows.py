"""Windowing and scaling, worked out by hand (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from shiftbench.lstm.windows import Scaler, last_windows, step_features, training_windows


def test_minmax_scaler_maps_training_range_to_unit_interval() -> None:
    s = Scaler.fit(np.array([2.0, 4.0, 6.0]), "minmax")
    np.testing.assert_allclose(s.transform(np.array([[2.0], [6.0], [8.0]]))[:, 0], [0, 1, 1.5])
    np.testing.assert_allclose(s.inverse_target(np.array([0.5])), [4.0])


def test_standard_and_maxabs_scalers() -> None:
    x = np.array([1.0, 3.0])
    std = Scaler.fit(x, "standard")  # mean 2, sd 1
    np.testing.assert_allclose(std.transform(x[:, None])[:, 0], [-1.0, 1.0])
    mx = Scaler.fit(np.array([-4.0, 2.0]), "maxabs")  # divide by 4
    np.testing.assert_allclose(mx.transform(np.array([[2.0]])), [[0.5]])


def test_constant_column_does_not_divide_by_zero() -> None:
    s = Scaler.fit(np.array([[3.0, 1.0], [3.0, 2.0]]), "minmax")
    np.testing.assert_allclose(s.transform(np.array([[3.0, 1.5]])), [[0.0, 0.5]])


def test_scaler_uses_only_what_it_is_given() -> None:
    train = np.array([0.0, 1.0, 2.0])
    with_test = np.array([0.0, 1.0, 2.0, 100.0])
    assert Scaler.fit(train, "minmax") != Scaler.fit(with_test, "minmax")


def test_step_features_pair_each_value_with_the_next_design_row() -> None:
    # design row s+1 holds the observed covariate at s and the calendar of s+1
    f = step_features(np.array([1.0, 2.0, 3.0]), np.array([[0.0], [10.0], [20.0], [30.0]]))
    assert f.tolist() == [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]


def test_step_features_need_one_design_row_more() -> None:
    with pytest.raises(ValueError, match="expected 3"):
        step_features(np.array([1.0, 2.0]), np.zeros((2, 1)))


def test_training_windows_by_hand() -> None:
    X, y = training_windows(np.arange(6.0)[:, None], np.arange(6.0) + 100, 2)
    assert X[:, :, 0].tolist() == [[0, 1], [1, 2], [2, 3], [3, 4]]
    assert y.tolist() == [102, 103, 104, 105]


def test_last_windows_end_at_the_origins() -> None:
    w = last_windows(np.arange(10.0)[:, None], np.array([4, 9]), 3)
    assert w[:, :, 0].tolist() == [[2, 3, 4], [7, 8, 9]]
    with pytest.raises(ValueError, match="fewer than"):
        last_windows(np.arange(10.0)[:, None], np.array([1]), 3)
