"""The two seed studies, replayed from the shipped configs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.config import load_config

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_sine_study_reaches_the_tutorials_accuracy_on_every_seed(tmp_path: Path) -> None:
    """The tutorial reported a test MSE of about 6e-6; every seed must reach 1e-4 or better."""
    run = sb.run(
        config=str(EXAMPLES / "sine_study.toml"),
        models=["lstm_raw"],
        out=str(tmp_path),
        protocol={"intervals": "model"},  # the point forecasts alone: no calibration fits
    )
    assert run.exit_code == 0
    mse = run.metrics[(run.metrics.metric == "mse") & run.metrics.seed.isin(["0", "1", "2"])]
    assert len(mse) == 3
    assert (mse["value"] <= 1e-4).all(), mse


def test_sales_study_reports_all_points_mse_beside_out_of_sample(tmp_path: Path) -> None:
    config = load_config(EXAMPLES / "sales_study.toml")
    assert config.mse_all_points
    assert config.model_params["lstm_diff"]["units"] == [128, 128]
    assert config.model_params["lstm_diff"]["output_activation"] == "tanh"
    assert config.protocol["intervals"] == "conformal"
    assert config.model_params["lstm_diff_normal"]["distribution"] == "normal"
    run = sb.run(
        config=str(EXAMPLES / "sales_study.toml"),
        models=["naive", "arima", "lstm_diff"],
        seeds=[0],
        out=str(tmp_path),
        protocol={"intervals": "model"},  # the point forecasts alone: no calibration fits
    )
    assert run.exit_code == 0
    metrics = pd.read_csv(run.path / "metrics.csv", dtype={"seed": str})
    both = metrics[metrics.metric.isin(["mse", "mse_all_points"])]
    assert set(both.groupby("model")["metric"].nunique()) == {2}
    naive = both[(both.model == "naive") & (both.metric == "mse")]["value"].iloc[0]
    assert naive == pytest.approx(1125.1)
