"""Events and classes: the excess-heat index, bins, classifier scores, McNemar and the event
right-shift detector on labelled cases (fixed seeds; reference values worked out by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shiftbench.datasets import load_dataset
from shiftbench.evaluation.events import (
    actual_ehi,
    bin_classes,
    classification_scores,
    confusion_rows,
    detect_event_shift,
    excess_heat_index,
    mcnemar,
)


@pytest.fixture
def persistent_events() -> np.ndarray:
    """Events in spells, as heat events come: a two-state Markov chain that stays put with
    probability 0.8."""
    rng = np.random.default_rng(7)
    state, out = 0, []
    for _ in range(400):
        if rng.random() > 0.8:
            state = 1 - state
        out.append(state)
    return np.array(out)


def test_ehi_by_hand() -> None:
    # coming days 30, 31, 32 (mean 31) against thirty days at 28: +3
    assert excess_heat_index([28.0] * 30, [30.0, 31.0, 32.0]) == pytest.approx(3.0)
    # only the last `long` days of history count
    assert excess_heat_index([100.0] + [20.0] * 30, [20.0, 20.0, 20.0]) == 0.0


def test_the_vectorised_actual_index_equals_the_definition() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(15, 5, size=120)
    fast = actual_ehi(x, short=3, long=30)
    for t in range(120):
        if 30 <= t <= 117:
            assert fast[t] == pytest.approx(excess_heat_index(x[:t], x[t : t + 3], long=30))
        else:
            assert math.isnan(fast[t])


def test_consumption_interval_bins_as_in_the_study() -> None:
    gaps = [0, 3, 20, 39, 45, 61, 99, 100, 180]
    assert bin_classes(gaps, [0, 20, 40, 60, 80, 100]).tolist() == [0, 0, 1, 1, 2, 3, 4, 4, 4]
    with pytest.raises(ValueError, match="increasing"):
        bin_classes(gaps, [0, 20, 20])


def test_scores_by_hand() -> None:
    actual = [1, 1, 1, 0, 0, 0, 0, 0]
    predicted = [1, 1, 0, 1, 0, 0, 0, 0]
    s = classification_scores(actual, predicted)
    # TP 2, FN 1, FP 1, TN 4
    assert s["accuracy"] == pytest.approx(6 / 8)
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(2 / 3)
    assert s["balanced_accuracy"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert "brier" not in s  # no probability given
    assert confusion_rows(actual, predicted, [0, 1]) == [(0, 0, 4), (0, 1, 1), (1, 0, 1), (1, 1, 2)]


def test_mcnemar_by_hand() -> None:
    # b = 3 (only A right), c = 1: p = 2 * P(X <= 1 | n = 4) = 2 * 5/16
    r = mcnemar([1, 1, 1, 0, 1], [0, 0, 0, 1, 1])
    assert r.statistic == 2.0
    assert r.p_value == pytest.approx(10 / 16)
    assert r.n == 5


def _pairs(b: int, c: int, both: int = 0) -> tuple[list[int], list[int]]:
    """Correctness of A and B: b cases only A gets right, c only B, ``both`` that both do."""
    return [1] * b + [0] * c + [1] * both, [0] * b + [1] * c + [1] * both


def test_mcnemar_is_exact_for_small_counts() -> None:
    # b = 1, c = 6, n = 7: P(X <= 1) = (1 + 7) / 128, two-sided twice that
    a, b = _pairs(1, 6, both=5)
    r = mcnemar(a, b)
    assert (r.statistic, r.n) == (-5.0, 12)
    assert r.p_value == pytest.approx(2 * 8 / 128)
    assert mcnemar(a, b, "less").p_value == pytest.approx(8 / 128)  # A right less often
    assert mcnemar(a, b, "greater").p_value == pytest.approx(127 / 128)  # P(X >= 1)


def test_mcnemar_one_sided_is_exact_not_half_the_two_sided_value() -> None:
    # b = c = 2, n = 4: two-sided 1 (b = c), P(X >= 2) = (6 + 4 + 1) / 16, not 1/2
    a, b = _pairs(2, 2)
    assert mcnemar(a, b).p_value == 1.0
    assert mcnemar(a, b, "greater").p_value == pytest.approx(11 / 16)
    assert mcnemar(a, b, "less").p_value == pytest.approx(11 / 16)
    # b = 3, c = 1: P(X >= 3) = 5/16; P(X <= 3) = 15/16, not 1 - (10/16)/2 = 11/16
    a, b = _pairs(3, 1)
    assert mcnemar(a, b, "greater").p_value == pytest.approx(5 / 16)
    assert mcnemar(a, b, "less").p_value == pytest.approx(15 / 16)


def test_mcnemar_with_equal_discordant_counts_is_one() -> None:
    # b = c: P(X <= b) >= 1/2 by symmetry, so the doubled tail is capped at 1
    for k in (1, 5, 40):
        r = mcnemar(*_pairs(k, k, both=3))
        assert (r.statistic, r.p_value) == (0.0, 1.0)


def test_mcnemar_with_no_discordant_case_is_one_in_every_direction() -> None:
    a, b = [1, 0, 1], [1, 0, 1]
    for alternative in ("two-sided", "greater", "less"):
        r = mcnemar(a, b, alternative)
        assert (r.statistic, r.p_value, r.n) == (0.0, 1.0, 3)


def test_mcnemar_refuses_cases_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same cases"):
        mcnemar([1, 0], [1, 0, 1])


def test_yesterdays_event_exactly_is_a_right_shift(persistent_events: np.ndarray) -> None:
    v = detect_event_shift(persistent_events[1:], persistent_events[:-1])
    assert (v.verdict, v.best_lag) == ("right_shift", 1)
    assert math.isinf(v.shift_gain)


def test_events_delayed_two_days_are_a_right_shift_at_lag_2(persistent_events: np.ndarray) -> None:
    v = detect_event_shift(persistent_events[2:], persistent_events[:-2])
    assert (v.verdict, v.best_lag) == ("right_shift", 2)


def test_a_noisy_delayed_copy_is_still_a_right_shift(persistent_events: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    copy = persistent_events[:-1].copy()
    flip = rng.random(len(copy)) < 0.05
    copy[flip] = 1 - copy[flip]
    v = detect_event_shift(persistent_events[1:], copy)
    assert (v.verdict, v.best_lag) == ("right_shift", 1)
    assert v.shift_gain >= 2


def test_a_good_classifier_is_clean(persistent_events: np.ndarray) -> None:
    rng = np.random.default_rng(2)
    good = persistent_events.copy()
    flip = rng.random(len(good)) < 0.03
    good[flip] = 1 - good[flip]
    v = detect_event_shift(persistent_events, good)
    assert (v.verdict, v.best_lag) == ("clean", 0)
    assert v.dm_p_vs_naive < 0.05  # significantly better than yesterday's event


def test_a_coin_toss_is_worse_than_event_persistence(persistent_events: np.ndarray) -> None:
    coin = np.random.default_rng(4).integers(0, 2, size=len(persistent_events))
    v = detect_event_shift(persistent_events, coin)
    assert v.verdict == "worse_than_naive"


def test_events_that_never_change_are_undetermined() -> None:
    assert detect_event_shift(np.zeros(40), np.zeros(40)).verdict == "undetermined"


def test_the_ehi_dataset_is_vendored_daily_weather() -> None:
    ds = load_dataset("ehi")
    assert len(ds.y) == 1461
    assert ds.frequency == "D"
    assert ds.observed == ("precipitation", "temp_min")
    # the warmest day of 2012-2015 in the NOAA record: 35.6 °C
    assert float(ds.y.max()) == pytest.approx(35.6)
    events = actual_ehi(ds.y.to_numpy()) > 0
    assert 0.3 < float(np.mean(events[30:-2])) < 0.7  # a balanced question, not a rare one
