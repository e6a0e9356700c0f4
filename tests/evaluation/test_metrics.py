"""Metrics against values worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from shiftbench.errors import ShiftbenchWarning
from shiftbench.evaluation import metrics as m

Y = np.array([10.0, 12.0, 9.0, 11.0])
F = np.array([11.0, 12.0, 7.0, 12.0])  # errors -1, 0, 2, -1
PREV = np.array([9.0, 10.0, 12.0, 9.0])  # the last value before each target


def test_mse_rmse_mae_by_hand() -> None:
    assert m.mse(Y, F) == pytest.approx((1 + 0 + 4 + 1) / 4)
    assert m.rmse(Y, F) == pytest.approx(math.sqrt(1.5))
    assert m.mae(Y, F) == pytest.approx((1 + 0 + 2 + 1) / 4)


def test_mape_in_percent() -> None:
    # |1/10| + 0 + |2/9| + |1/11|, times 100 / 4
    expected = 100 * (0.1 + 0 + 2 / 9 + 1 / 11) / 4
    assert m.mape(Y, F) == pytest.approx(expected)


def test_mape_with_a_zero_actual_is_nan_with_a_warning_never_inf() -> None:
    with pytest.warns(ShiftbenchWarning, match="actual value is 0"):
        value = m.mape([0.0, 2.0], [1.0, 2.0])
    assert math.isnan(value)


def test_smape_by_hand() -> None:
    # 200 * |e| / (|y| + |f|): 200/21, 0, 400/16, 200/23
    expected = (200 / 21 + 0 + 400 / 16 + 200 / 23) / 4
    assert m.smape(Y, F) == pytest.approx(expected)


def test_smape_counts_zero_over_zero_as_zero() -> None:
    assert m.smape([0.0, 1.0], [0.0, 1.0]) == 0.0


def test_mase_scales_by_in_sample_naive_mae() -> None:
    train = np.array([1.0, 3.0, 2.0, 6.0])  # naive in-sample errors 2, 1, 4: MAE 7/3
    assert m.mase(Y, F, train) == pytest.approx(1.0 / (7 / 3))


def test_mase_seasonal_scale() -> None:
    train = np.array([1.0, 5.0, 2.0, 7.0, 4.0])  # m = 2: |2-1|, |7-5|, |4-2| -> MAE 5/3
    assert m.mase(Y, F, train, season_length=2) == pytest.approx(1.0 / (5 / 3))


def test_mase_is_nan_for_a_constant_training_span() -> None:
    assert math.isnan(m.mase(Y, F, np.ones(5)))


def test_r2_by_hand() -> None:
    # mean 10.5, SST = 0.25 + 2.25 + 2.25 + 0.25 = 5, SSE = 6
    assert m.r2(Y, F) == pytest.approx(1 - 6 / 5)


def test_theil_u2_is_rmse_ratio_to_persistence() -> None:
    # persistence errors: 1, 2, -3, 2 -> MSE 18/4; model MSE 6/4
    assert m.theil_u2(Y, F, PREV) == pytest.approx(math.sqrt(6 / 18))
    assert m.theil_u2(Y, PREV, PREV) == 1.0


def test_directional_accuracy_by_hand() -> None:
    # actual moves: +1, +2, -3, +2; forecast moves: +2, +2, -5, +3 -> all four agree
    assert m.directional_accuracy(Y, F, PREV) == 1.0
    # persistence predicts no move: never agrees with a real move
    assert m.directional_accuracy(Y, PREV, PREV) == 0.0


def test_coverage() -> None:
    assert m.coverage(Y, Y - 1, Y + 1) == 1.0
    assert m.coverage(Y, F - 0.5, F + 0.5) == 0.25  # only the exact forecast at 12


def test_crps_of_a_standard_normal_at_its_mean() -> None:
    # sigma * (2 phi(0) - 1/sqrt(pi)) = 2/sqrt(2 pi) - 1/sqrt(pi) = (sqrt 2 - 1)/sqrt(pi)
    assert m.crps_gaussian([0.0], [0.0], [1.0]) == pytest.approx(
        (math.sqrt(2) - 1) / math.sqrt(math.pi)
    )


def test_crps_tends_to_absolute_error_as_sd_vanishes() -> None:
    assert m.crps_gaussian([3.0], [1.0], [1e-9]) == pytest.approx(2.0, rel=1e-6)
    assert m.crps_gaussian([3.0], [1.0], [0.0]) == 2.0


def test_crps_scales_with_sigma() -> None:
    a = m.crps_gaussian([1.0], [0.0], [1.0])
    b = m.crps_gaussian([2.0], [0.0], [2.0])
    assert b == pytest.approx(2 * a)


def test_score_names_every_metric_and_adds_interval_ones_only_with_intervals() -> None:
    train = np.array([1.0, 3.0, 2.0, 6.0])
    plain = m.score(m.Inputs(Y, F, PREV, train))
    assert tuple(plain) == m.POINT_METRICS
    full = m.score(
        m.Inputs(
            Y, F, PREV, train, sd=np.ones(4), intervals={80: (F - 1, F + 1), 95: (F - 2, F + 2)}
        )
    )
    assert tuple(full) == (
        *m.POINT_METRICS, "coverage_80", "coverage_95", "width_80", "width_95", "msis", "crps"
    )  # fmt: skip
    assert full["coverage_95"] == 1.0


def test_every_metric_is_declared_once_with_a_label_and_a_direction() -> None:
    assert list(m.METRICS) == [metric.name for metric in m.METRICS.values()]
    for metric in m.METRICS.values():
        assert metric.label
        assert (metric.direction == "nominal") == (metric.nominal is not None)
    assert m.METRICS["coverage_95"].badness(0.95) == 0.0
    assert m.METRICS["coverage_95"].worsening(0.95, 0.85) == pytest.approx(0.10)
    assert m.METRICS["directional_accuracy"].badness(0.7) < m.METRICS[
        "directional_accuracy"
    ].badness(0.6)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one length"):
        m.mse([1.0, 2.0], [1.0])


def test_metrics_agree_with_scikit_learn_on_random_data() -> None:
    """An independent implementation of the same definitions (scikit-learn's MAPE is a share,
    shiftbench's a percentage)."""
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    y = rng.uniform(1.0, 10.0, size=200)
    y_hat = y + rng.normal(size=200)
    assert m.mse(y, y_hat) == pytest.approx(sk.mean_squared_error(y, y_hat), rel=1e-12)
    assert m.mae(y, y_hat) == pytest.approx(sk.mean_absolute_error(y, y_hat), rel=1e-12)
    assert m.r2(y, y_hat) == pytest.approx(sk.r2_score(y, y_hat), rel=1e-12)
    assert m.mape(y, y_hat) == pytest.approx(
        100.0 * sk.mean_absolute_percentage_error(y, y_hat), rel=1e-12
    )


@pytest.mark.figure_fallback
def test_a_run_on_values_near_the_largest_float_reports_nan_not_a_perfect_score(
    tmp_path: Path,
) -> None:
    """Today's trap: the MASE scale overflowed to inf and the MASE came out 0.0. The report is
    written all the same, with a placeholder where a figure cannot be drawn."""
    import shiftbench as sb
    from shiftbench.config import CsvDataset

    path = tmp_path / "huge.csv"
    values = [(-1) ** i * 1.5e308 for i in range(30)]
    path.write_text("y\n" + "".join(f"{v!r}\n" for v in values))
    run = sb.run(
        datasets=[], csv=(CsvDataset(str(path), "y", test_size=10),), models=["naive"],
        out=str(tmp_path / "runs"), use_cache=False,
    )  # fmt: skip
    mase = run.metrics.query("metric == 'mase'")["value"].iloc[0]
    assert math.isnan(mase)
    warnings = run.manifest["cells"][0]["warnings"]
    assert "mase: overflow while computing it; reported as NaN" in warnings
    from shiftbench.reports.plots import UNAVAILABLE

    assert UNAVAILABLE in (run.path / "report.html").read_text()


def test_crps_is_the_gaussians_where_there_is_an_sd_else_the_mean_of_the_values_given() -> None:
    one = np.array([0.0])
    gaussian = m.score(m.Inputs(one, one, one, np.array([0.0, 1.0]), sd=np.array([1.0])))
    assert gaussian["crps"] == pytest.approx((math.sqrt(2.0) - 1.0) / math.sqrt(math.pi))
    zeros = np.zeros(2)
    given = m.score(
        m.Inputs(zeros, zeros, zeros, np.array([0.0, 1.0]), crps_values=np.array([0.5, 1.5]))
    )
    assert given["crps"] == 1.0
    assert "crps" not in m.score(m.Inputs(one, one, one, np.array([0.0, 1.0])))
