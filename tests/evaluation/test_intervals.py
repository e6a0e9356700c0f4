"""Interval scores and coverage tests, against values worked out by hand from the published
definitions (Gneiting & Raftery 2007; M4, Makridakis et al. 2020; Kupiec 1995; Christoffersen
1998) and the Gaussian CRPS closed form."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from shiftbench.evaluation import intervals as iv
from shiftbench.evaluation.metrics import crps_gaussian


def test_the_interval_score_charges_width_plus_two_over_alpha_per_unit_missed() -> None:
    # y = 12 above [8, 10] by 2 at alpha 0.2: 2 + (2 / 0.2) * 2 = 22; y = 9 inside: 2
    assert iv.interval_score([12.0, 9.0], [8.0, 8.0], [10.0, 10.0], 0.2) == pytest.approx(12.0)


def test_msis_scales_by_the_seasonal_naives_in_sample_error() -> None:
    train = [1.0, 2.0, 5.0, 3.0]  # lag-2 differences: |5 - 1|, |3 - 2| -> mean 2.5
    # one forecast, y = 7 above [4, 6] by 1 at alpha 0.05: 2 + 40 * 1 = 42 -> 42 / 2.5
    assert iv.msis([7.0], [4.0], [6.0], train, 2, 0.05) == pytest.approx(16.8)
    assert math.isnan(iv.msis([7.0], [4.0], [6.0], [3.0, 3.0, 3.0], 1))


def test_the_ensemble_crps_is_the_double_sum_of_its_definition() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5))
    y = rng.normal(size=3)
    by_hand = [
        np.mean(np.abs(x[i] - y[i]))
        - 0.5 * np.mean([abs(a - b) for a, b in itertools.product(x[i], x[i])])
        for i in range(3)
    ]
    assert iv.crps_ensemble(y, x) == pytest.approx(float(np.mean(by_hand)), rel=1e-12)


def test_a_dense_gaussian_ensemble_has_the_gaussian_crps() -> None:
    k = 4000
    members = stats.norm.ppf((np.arange(k) + 0.5) / k)[None, :] * 2.0 + 1.0
    expected = crps_gaussian([0.5], [1.0], [2.0])
    assert iv.crps_ensemble([0.5], members) == pytest.approx(expected, abs=1e-3)


def test_kupiec_at_four_misses_in_twenty_at_95_percent() -> None:
    # -2[16 ln .95 + 4 ln .05] + 2[16 ln .8 + 4 ln .2]
    by_hand = -2 * (16 * math.log(0.95) + 4 * math.log(0.05)) + 2 * (
        16 * math.log(0.8) + 4 * math.log(0.2)
    )
    assert by_hand == pytest.approx(5.5911, abs=1e-4)
    test = iv.kupiec([True] * 4 + [False] * 16, 0.95)
    assert test.statistic == pytest.approx(by_hand, rel=1e-12)
    assert test.p_value == pytest.approx(stats.chi2.sf(by_hand, 1))
    assert (test.n, test.misses) == (20, 4)


def test_kupiec_with_no_miss_compares_with_a_perfect_record() -> None:
    test = iv.kupiec([False] * 60, 0.95)  # -2 * 60 ln .95
    assert test.statistic == pytest.approx(-120 * math.log(0.95))


def test_christoffersen_sees_no_dependence_when_both_transition_rates_agree() -> None:
    # F F T T F F F T F F: n00 = 4, n01 = 2, n10 = 2, n11 = 1 -> pi01 = pi11 = 1/3
    hits = [c == "T" for c in "FFTTFFFTFF"]
    test = iv.christoffersen(hits)
    assert test.statistic == pytest.approx(0.0, abs=1e-12)
    assert test.p_value == pytest.approx(1.0)


def test_christoffersen_on_clustered_misses() -> None:
    # T T T F F F F F F F: n00 = 6, n01 = 0, n10 = 1, n11 = 2; pi = 2/9, pi01 = 0, pi11 = 2/3
    by_hand = -2 * (
        (7 * math.log(7 / 9) + 2 * math.log(2 / 9)) - (math.log(1 / 3) + 2 * math.log(2 / 3))
    )
    assert by_hand == pytest.approx(5.7156, abs=1e-4)
    test = iv.christoffersen([c == "T" for c in "TTTFFFFFFF"])
    assert test.statistic == pytest.approx(by_hand, rel=1e-12)


def test_misses_and_widths() -> None:
    assert iv.misses([1.0, 3.0, -1.0], [0.0] * 3, [2.0] * 3).tolist() == [False, True, True]
    assert iv.mean_width([0.0, 1.0], [1.0, 4.0]) == 2.0
