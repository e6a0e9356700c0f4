"""Conformal intervals in the engine: models without intervals get them when the protocol asks,
from a calibration on the training span and the test's earlier residuals only."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.benchmarks.calibration import calibration_set, calibration_size
from shiftbench.types import Dataset

from ..conftest import make_dataset


def _series(n: int = 80, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50.0 + np.cumsum(rng.normal(size=n))


def _with(ds: Dataset, **protocol: object) -> Dataset:
    return replace(ds, protocol=replace(ds.protocol, **protocol))  # type: ignore[arg-type]


def test_the_calibration_is_the_training_span_with_its_last_k_points_as_test() -> None:
    ds = _with(make_dataset(_series(), test_size=10), intervals="conformal")
    assert calibration_size(ds) == 20  # max(10 test points, horizon 1 + 19)
    cal = calibration_set(ds)
    assert len(cal.y) == 70
    assert cal.protocol.n_test(70) == 20
    assert cal.protocol.intervals == "model"
    assert calibration_size(_with(ds, calibration_size=30)) == 30


def test_a_model_without_intervals_gets_conformal_ones_and_their_scores() -> None:
    ds = _with(make_dataset(_series(), test_size=10), intervals="conformal")
    result = run_cell(ds, "naive", {}, None)
    assert result.ok
    assert result.forecasts is not None
    assert result.forecasts[["lo_80", "hi_80", "lo_95", "hi_95"]].notna().all().all()
    widths = result.forecasts["hi_95"] - result.forecasts["lo_95"]
    assert (widths >= result.forecasts["hi_80"] - result.forecasts["lo_80"]).all()
    for metric in ("coverage_80", "coverage_95", "width_95", "msis"):
        assert metric in result.metrics[ds.series_id]


def test_with_intervals_model_a_model_without_its_own_has_none() -> None:
    ds = _with(make_dataset(_series(), test_size=10), intervals="model")
    result = run_cell(ds, "naive", {}, None)
    assert result.forecasts is not None
    assert result.forecasts["lo_80"].isna().all()
    assert "coverage_80" not in result.metrics[ds.series_id]


@pytest.mark.parametrize("method", ["conformal", "aci"])
def test_a_conformal_interval_never_moves_when_later_actuals_change(method: str) -> None:
    y = _series()
    ds = _with(make_dataset(y, test_size=10), intervals=method)
    changed = y.copy()
    changed[75:] += 40.0  # positions 75..79: targets of the cutoffs 74..78
    ds_changed = _with(make_dataset(changed, test_size=10), intervals=method)
    first = run_cell(ds, "drift", {}, None).forecasts
    second = run_cell(ds_changed, "drift", {}, None).forecasts
    assert first is not None
    assert second is not None
    before = np.arange(len(first)) < 5  # cutoffs 69..73 see nothing from 75 on
    for col in ("lo_80", "hi_80", "lo_95", "hi_95"):
        pd.testing.assert_series_equal(first[col][before], second[col][before])
    assert not np.allclose(first["hi_95"][~before], second["hi_95"][~before])


def test_a_model_with_its_own_intervals_keeps_them() -> None:
    ds = make_dataset(_series(), test_size=10)
    own = run_cell(ds, "arima", {"order": (1, 1, 0), "seasonal": False}, None).forecasts
    asked = run_cell(_with(ds, intervals="conformal"), "arima",
                     {"order": (1, 1, 0), "seasonal": False}, None).forecasts  # fmt: skip
    assert own is not None
    assert asked is not None
    pd.testing.assert_frame_equal(own, asked)


def test_too_short_a_training_span_leaves_the_forecasts_without_intervals() -> None:
    ds = _with(make_dataset(_series(30), test_size=10), intervals="conformal",
               calibration_size=19)  # fmt: skip
    result = run_cell(ds, "drift", {}, None)
    assert result.ok
    assert result.forecasts is not None
    assert result.forecasts["y_hat"].notna().all()
    assert any("conformal" in w for w in result.warnings)


@pytest.mark.slow
def test_a_collections_networks_and_their_calibration_train_together_as_alone() -> None:
    members = []
    for i in range(4):
        ds = make_dataset(_series(70, seed=i), test_size=6, name="coll")
        members.append(replace(_with(ds, intervals="conformal"), series=f"S{i}"))
    params = {"units": (4,), "epochs": 4, "batch_size": 8, "window": 3}
    together = run_cell(members, "lstm_raw", params, seed=0)
    alone = run_cell(members[1:2], "lstm_raw", params, seed=0)
    assert together.forecasts is not None
    assert alone.forecasts is not None
    mine = together.forecasts[together.forecasts["series"] == "S1"].reset_index(drop=True)
    for col in ("y_hat", "lo_80", "hi_95"):
        np.testing.assert_allclose(mine[col], alone.forecasts[col], rtol=1e-5)
    assert mine["lo_80"].notna().all()


def test_a_calibration_larger_than_the_training_span_is_refused_before_the_run() -> None:
    from shiftbench.errors import DataError
    from shiftbench.types import Protocol, check_origins

    protocol = Protocol(test_size=10, intervals="conformal", calibration_size=10**12)
    with pytest.raises(DataError, match=r"calibration_size = 1000000000000 leaves no training"):
        check_origins("sales", 45, protocol)
    check_origins("sales", 45, replace(protocol, intervals="model"))  # unused without conformal
    check_origins("sales", 45, replace(protocol, calibration_size=0))  # automatic K


def test_conformal_cells_are_scored_by_the_crps_of_their_conformal_distribution() -> None:
    y = _series()
    ds = _with(make_dataset(y, test_size=10), intervals="conformal")
    crps = run_cell(ds, "naive", {}, None).metrics[ds.series_id]["crps"]
    assert math.isfinite(crps)
    assert crps > 0.0
    # the CRPS is in the data's units: scaling the series (hence forecasts and residuals) by 10
    # scales it by 10
    scaled = _with(make_dataset(10.0 * y, test_size=10), intervals="conformal")
    assert run_cell(scaled, "naive", {}, None).metrics[ds.series_id]["crps"] == pytest.approx(
        10.0 * crps
    )
    plain = run_cell(_with(make_dataset(y, test_size=10), intervals="model"), "naive", {}, None)
    assert "crps" not in plain.metrics[ds.series_id]


@pytest.mark.parametrize(
    ("intervals", "model", "source"),
    [("aci", "naive", "aci"), ("conformal", "drift", "conformal"), ("model", "naive", None),
     ("aci", "arima", "model")],
)  # fmt: skip
def test_each_cell_records_where_its_intervals_came_from(
    intervals: str, model: str, source: str | None
) -> None:
    ds = _with(make_dataset(_series(), test_size=10), intervals=intervals)
    params = {"order": (1, 1, 0), "seasonal": False} if model == "arima" else {}
    result = run_cell(ds, model, params, None)
    assert result.info[ds.series_id]["intervals"] == source
