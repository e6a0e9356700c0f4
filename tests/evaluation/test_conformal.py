"""Conformal intervals: the split-conformal rank, no look-ahead, coverage on exchangeable
errors, and ACI's recovery under a shift (Gibbs & Candès 2021)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftbench.evaluation.conformal import Method, conformal_intervals, conformal_quantile


def test_the_half_width_is_the_n_plus_one_rank_of_the_absolute_residuals() -> None:
    residuals = np.arange(1.0, 20.0)  # 19 residuals: at 95 % rank ⌈20 · 0.95⌉ = 19
    assert conformal_quantile(residuals, 0.05) == 19.0
    assert conformal_quantile(residuals, 0.2) == 16.0  # ⌈20 · 0.8⌉ = 16
    assert math.isinf(conformal_quantile(residuals[:18], 0.05))  # ⌈19 · 0.95⌉ = 19 > 18


def _rows(n: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    cutoffs = np.repeat(np.arange(100, 100 + n), horizon)
    steps = np.tile(np.arange(1, horizon + 1), n)
    return cutoffs, steps


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    horizon=st.integers(1, 3),
    row=st.integers(0, 20),
    method=st.sampled_from(["split", "aci"]),
)
def test_an_interval_never_depends_on_an_actual_after_its_cutoff(
    seed: int, horizon: int, row: int, method: Method
) -> None:
    rng = np.random.default_rng(seed)
    cutoffs, steps = _rows(8, horizon)
    row = row % len(cutoffs)
    y_hat = rng.normal(size=len(cutoffs))
    actuals = rng.normal(size=len(cutoffs))
    calibration = {h: rng.normal(size=15) for h in range(1, horizon + 1)}
    before = conformal_intervals(y_hat, cutoffs, steps, actuals, calibration, method=method,
                                 gamma=0.05)  # fmt: skip
    future = (cutoffs + steps) > cutoffs[row]
    changed = actuals.copy()
    changed[future] += rng.normal(scale=50.0, size=int(future.sum()))
    after = conformal_intervals(y_hat, cutoffs, steps, changed, calibration, method=method,
                                gamma=0.05)  # fmt: skip
    for level in (80, 95):
        assert before.bounds[level][0][row] == after.bounds[level][0][row]
        assert before.bounds[level][1][row] == after.bounds[level][1][row]


def _coverage(out: object, actuals: np.ndarray, level: int, part: slice) -> float:
    lo, hi = out.bounds[level]  # type: ignore[attr-defined]
    return float(np.mean((actuals[part] >= lo[part]) & (actuals[part] <= hi[part])))


@pytest.mark.parametrize("level", [80, 95])
def test_split_conformal_covers_exchangeable_errors_at_the_nominal_rate(level: int) -> None:
    rng = np.random.default_rng(1)
    n = 4000
    cutoffs, steps = _rows(n, 1)
    y_hat = np.zeros(n)
    actuals = rng.standard_t(df=4, size=n)
    out = conformal_intervals(y_hat, cutoffs, steps, actuals, {1: rng.standard_t(4, size=200)})
    assert _coverage(out, actuals, level, slice(None)) == pytest.approx(level / 100, abs=0.02)


def test_aci_recovers_the_coverage_that_split_conformal_loses_after_a_shift() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    cutoffs, steps = _rows(n, 1)
    y_hat = np.zeros(n)
    actuals = np.where(np.arange(n) < 300, 1.0, 3.0) * rng.normal(size=n)
    calibration = {1: rng.normal(size=3000)}  # residuals from before the shift
    split = conformal_intervals(y_hat, cutoffs, steps, actuals, calibration)
    aci = conformal_intervals(y_hat, cutoffs, steps, actuals, calibration, method="aci",
                              gamma=0.02)  # fmt: skip
    late = slice(1500, None)
    assert _coverage(split, actuals, 80, late) < 0.70
    assert _coverage(aci, actuals, 80, late) == pytest.approx(0.80, abs=0.04)


def test_each_step_ahead_is_calibrated_on_its_own_residuals() -> None:
    cutoffs, steps = _rows(1, 2)
    out = conformal_intervals(
        [0.0, 0.0], cutoffs, steps, [0.0, 0.0], {1: [1.0] * 9, 2: [5.0] * 9}, levels=(80,)
    )
    assert out.bounds[80][1].tolist() == [1.0, 5.0]


def test_the_conformal_crps_is_that_of_the_forecast_plus_the_mirrored_residuals() -> None:
    # residuals {1, −3}: members ŷ − 3, ŷ − 1, ŷ + 1, ŷ + 3 with mass ¼ each; at y = ŷ,
    # E|X − y| = (3 + 1 + 1 + 3)/4 = 2 and E|X − X'| = 40/16 (all 16 ordered pairs), so
    # CRPS = 2 − 2.5/2 = 0.75
    out = conformal_intervals([5.0], [10], [1], [5.0], {1: [1.0, -3.0]}, levels=(80,))
    assert out.crps[0] == pytest.approx(0.75)
    # an actual 4 above the forecast: E|X − y| = (7 + 5 + 3 + 1)/4 = 4, CRPS = 4 − 1.25
    out = conformal_intervals([5.0], [10], [1], [9.0], {1: [1.0, -3.0]}, levels=(80,))
    assert out.crps[0] == pytest.approx(2.75)


def test_each_forecasts_crps_uses_only_the_residuals_known_at_its_cutoff() -> None:
    # the second forecast (cutoff 11) sees the first's residual (target 11): 12 − 10 = 2;
    # the first sees only the calibration residual 1
    out = conformal_intervals([10.0, 11.0], [10, 11], [1, 1], [12.0, 11.0], {1: [1.0]},
                              levels=(80,))  # fmt: skip
    assert out.crps[0] == pytest.approx(2.0 - 0.5)  # members 9, 11 at y = 12: (3 + 1)/2 − 1/2
    # members 9, 10, 12, 13 at y = 11: E|X − y| = 1.5, E|X − X'| = 28/16 → 1.5 − 0.875
    assert out.crps[1] == pytest.approx(0.625)
    assert math.isnan(conformal_intervals([1.0], [3], [1], [1.0], {}, levels=(80,)).crps[0])
