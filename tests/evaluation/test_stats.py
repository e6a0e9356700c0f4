"""Diebold–Mariano (HLN) against a reference implementation; Pesaran–Timmermann by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shiftbench.evaluation.stats import diebold_mariano, pesaran_timmermann

# A fixed input, and the output of a reference implementation on it: the PyPI package
# `dieboldmariano` 1.1.0, `dm_test(V, P1, P2, ...)` (squared-error loss, HLN correction, Student-t
# with n - 1 degrees of freedom, as R's forecast::dm.test), run once by hand:
#   dm_test(V, P1, P2)
#       -> (-2.83635332159949, 0.016187127677263574)
#   dm_test(V, P1, P2, one_sided=True)
#       -> (-2.83635332159949, 0.008093563838631787)
#   dm_test(V, P1, P2, h=3, variance_estimator="bartlett")
#       -> (-2.7183234768911033, 0.019991269163154888)
V = np.array([10.2, 11.5, 9.8, 12.1, 13.0, 12.4, 11.9, 13.8, 14.2, 13.5, 15.1, 14.8])
P1 = np.array([10.0, 11.0, 10.5, 11.8, 12.5, 12.9, 12.0, 13.1, 14.0, 14.1, 14.6, 15.2])
P2 = np.array([9.5, 10.2, 11.5, 9.8, 12.1, 13.0, 12.4, 11.9, 13.8, 14.2, 13.5, 15.1])


def losses() -> tuple[np.ndarray, np.ndarray]:
    return (V - P1) ** 2, (V - P2) ** 2


def test_dm_hln_two_sided_matches_the_reference() -> None:
    r = diebold_mariano(*losses(), h=1)
    assert r.statistic == pytest.approx(-2.83635332159949, rel=1e-12)
    assert r.p_value == pytest.approx(0.016187127677263574, rel=1e-8)
    assert r.n == 12


def test_dm_hln_one_sided_matches_the_reference() -> None:
    r = diebold_mariano(*losses(), h=1, alternative="less")
    assert r.p_value == pytest.approx(0.008093563838631787, rel=1e-8)
    assert diebold_mariano(*losses(), alternative="greater").p_value == pytest.approx(
        1 - 0.008093563838631787, rel=1e-8
    )


def test_dm_newey_west_for_three_steps_matches_the_reference() -> None:
    r = diebold_mariano(*losses(), h=3)
    assert r.statistic == pytest.approx(-2.7183234768911033, rel=1e-12)
    assert r.p_value == pytest.approx(0.019991269163154888, rel=1e-8)


def test_dm_hln_correction_by_hand_for_four_points() -> None:
    # d = [-1, -1, -0.7, -1.2]: mean -0.975, gamma_0 = 0.031875, var = gamma_0 / 4
    # DM = -0.975 / sqrt(0.00796875) = -10.922; HLN factor sqrt((4 + 1 - 2) / 4) = sqrt(0.75)
    r = diebold_mariano([1.0, 0.5, 0.2, 0.4], [2.0, 1.5, 0.9, 1.6])
    assert r.statistic == pytest.approx(-0.975 / math.sqrt(0.031875 / 4) * math.sqrt(0.75))


def test_identical_forecasts_give_no_evidence() -> None:
    r = diebold_mariano(np.ones(10), np.ones(10), alternative="less")
    assert r.statistic == 0.0
    assert r.p_value == 1.0


def test_pesaran_timmermann_by_hand() -> None:
    # 8 signs, forecast right on 7: P = 7/8; P_y = 5/8 rises, P_x = 4/8 rises.
    y = [1, 1, 1, 1, 1, -1, -1, -1]
    x = [1, 1, 1, 1, -1, -1, -1, -1]
    py, px, n = 5 / 8, 4 / 8, 8
    p_star = py * px + (1 - py) * (1 - px)  # 0.5
    var_p = p_star * (1 - p_star) / n
    var_star = (
        (2 * py - 1) ** 2 * px * (1 - px) / n
        + (2 * px - 1) ** 2 * py * (1 - py) / n
        + 4 * py * px * (1 - py) * (1 - px) / n**2
    )
    expected = (7 / 8 - p_star) / math.sqrt(var_p - var_star)
    r = pesaran_timmermann(y, x)
    assert r.statistic == pytest.approx(expected)
    assert 0 < r.p_value < 0.05


def test_pesaran_timmermann_is_undefined_for_a_no_change_forecast() -> None:
    assert math.isnan(pesaran_timmermann([1, -1, 1, 1], [0, 0, 0, 0]).statistic)
