"""The right-shift detector on labelled cases (fixed seeds)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.evaluation.shift import SHIFT_GAIN_THRESHOLD, lags_for


@pytest.fixture
def wavy() -> np.ndarray:
    """A random walk plus a slow wave: persistent, like most series LSTMs are tried on."""
    rng = np.random.default_rng(2024)
    t = np.arange(300)
    return np.cumsum(rng.normal(size=300)) + 5.0 * np.sin(t / 6.0)


def test_exact_persistence_copy_is_a_right_shift_at_lag_1(wavy: np.ndarray) -> None:
    v = sb.detect_shift(wavy[1:], wavy[:-1])
    assert v.verdict == "right_shift"
    assert v.best_lag == 1
    assert math.isinf(v.shift_gain)
    assert v.theil_u2 == pytest.approx(1.0)


def test_persistence_plus_small_noise_is_a_right_shift(wavy: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    v = sb.detect_shift(wavy[1:], wavy[:-1] + rng.normal(scale=0.2, size=299))
    assert v.verdict == "right_shift"
    assert v.best_lag == 1
    assert v.shift_gain > SHIFT_GAIN_THRESHOLD


def test_copy_delayed_two_steps_is_a_right_shift_at_lag_2(wavy: np.ndarray) -> None:
    v = sb.detect_shift(wavy[2:], wavy[:-2])
    assert v.verdict == "right_shift"
    assert v.best_lag == 2


def test_the_actuals_themselves_are_clean(wavy: np.ndarray) -> None:
    v = sb.detect_shift(wavy, wavy.copy())
    assert v.verdict == "clean"
    assert v.best_lag == 0
    assert v.shift_gain == 1.0


def test_actuals_plus_small_noise_are_clean(wavy: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    v = sb.detect_shift(wavy, wavy + rng.normal(scale=0.2, size=300))
    assert v.verdict == "clean"
    assert v.best_lag == 0
    assert v.dm_p_vs_naive < 0.05


def test_optimal_ar1_forecast_is_not_a_right_shift() -> None:
    rng = np.random.default_rng(5)
    y = np.zeros(500)
    for t in range(1, 500):
        y[t] = 0.5 * y[t - 1] + rng.normal()
    v = sb.detect_shift(y[1:], 0.5 * y[:-1])
    assert v.verdict != "right_shift"
    # It trails the series (best at lag 1) yet clearly beats persistence: "lagging".
    assert v.verdict == "lagging"
    assert v.dm_p_vs_naive < 1e-3


def test_forecast_unrelated_to_the_actuals_is_no_delayed_copy(wavy: np.ndarray) -> None:
    rng = np.random.default_rng(9)
    noise = rng.normal(loc=wavy.mean(), scale=wavy.std(), size=300)
    v = sb.detect_shift(wavy, noise)
    assert v.shift_gain < SHIFT_GAIN_THRESHOLD
    # far from the series at every lag, and far worse than persistence on a random walk: not
    # an artifact, but not a green "clean" either
    assert v.verdict == "worse_than_naive"
    assert "significantly worse than persistence" in v.reason


def test_a_forecast_as_good_as_persistence_without_delay_stays_clean(wavy: np.ndarray) -> None:
    # the mean of the last value and the current one: half a step behind, U2 about 0.5; then
    # persistence's error plus as much noise again: worse, but only just (not significantly)
    half = 0.5 * (wavy[1:] + wavy[:-1])
    assert sb.detect_shift(wavy[1:], half).verdict == "clean"
    rng = np.random.default_rng(11)
    step = np.diff(wavy)
    slightly_worse = wavy[1:] + rng.permutation(step) * 1.02
    v = sb.detect_shift(wavy[1:], slightly_worse)
    assert v.verdict == "clean"
    assert v.dm_p_vs_naive > 0.05


def test_a_best_lag_at_the_edge_of_the_searched_range_is_flagged(wavy: np.ndarray) -> None:
    v = sb.detect_shift(wavy[5:], wavy[:-5], max_lag=5)
    assert (v.verdict, v.best_lag, v.max_lag_used) == ("right_shift", 5, 5)
    assert "lag 5 is the largest examined" in v.reason
    inner = sb.detect_shift(wavy[2:], wavy[:-2], max_lag=5)
    assert "largest examined" not in inner.reason


def test_too_few_origins_are_undetermined() -> None:
    v = sb.detect_shift(np.arange(9.0), np.arange(9.0))
    assert v.verdict == "undetermined"
    assert "9 origins" in v.reason


def test_constant_actuals_are_undetermined() -> None:
    v = sb.detect_shift(np.full(30, 2.0), np.linspace(0, 1, 30))
    assert v.verdict == "undetermined"
    assert "constant" in v.reason


def test_lags_shrink_with_few_origins() -> None:
    assert lags_for(10, 5) == 2
    assert lags_for(12, 5) == 3
    assert lags_for(100, 5) == 5
    v = sb.detect_shift(np.sin(np.arange(12.0)), np.sin(np.arange(12.0)))
    assert v.max_lag_used == 3
    assert len(v.profile) == 4


def test_profile_by_hand() -> None:
    a = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 6.0, 8.0, 7.0, 9.0, 10.0])
    f = a.copy()
    v = sb.detect_shift(a, f, max_lag=1)
    # common span t = 1..9; L(1) = mean((a_t - a_{t-1})^2) = (1 + 4 + 1 + 4 + 1 + 4 + 1 + 4 + 1)/9
    assert v.profile == (0.0, pytest.approx(21 / 9))


def test_history_extends_the_common_span(wavy: np.ndarray) -> None:
    without = sb.detect_shift(wavy[100:130], wavy[99:129])
    with_history = sb.detect_shift(wavy[100:130], wavy[99:129], history=wavy[95:100])
    assert with_history.verdict == without.verdict == "right_shift"
    assert with_history.n_origins == 30


def test_shift_command_reads_a_forecast_file(
    tmp_path: Path, wavy: np.ndarray, capsys: pytest.CaptureFixture[str]
) -> None:
    from shiftbench.cli import main

    path = tmp_path / "f.csv"
    pd.DataFrame({"ds": range(299), "y": wavy[1:], "y_hat": wavy[:-1]}).to_csv(path, index=False)
    assert main(["shift", str(path)]) == 0
    out = capsys.readouterr().out
    assert "verdict:     right_shift" in out  # the forecast is the series delayed one step
    assert "best_lag:    1" in out
    # says why its numbers can differ from a run's shift.csv
    assert out.startswith("note: a forecast file holds no observations before its first row")
    assert "shift.csv" in out.splitlines()[0]


def test_shift_command_refuses_files_without_forecasts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shiftbench.cli import main

    path = tmp_path / "f.csv"
    path.write_text("y,yhat\n1,2\n")
    assert main(["shift", str(path)]) == 2
    assert "no column 'y_hat'" in capsys.readouterr().err


def test_shift_command_refuses_unordered_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shiftbench.cli import main

    path = tmp_path / "f.csv"
    path.write_text("ds,y,y_hat\n2024-01-02,1,1\n2024-01-01,2,2\n")
    assert main(["shift", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"shiftbench: error: {path}: column 'ds' is not in time order\n"
