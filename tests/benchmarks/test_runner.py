"""A whole run: the run directory's files, the manifest, failures, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.benchmarks.runner import plan_cells, resolve_datasets, run_config
from shiftbench.config import RunConfig
from shiftbench.csvio import read_csv_exact
from shiftbench.evaluation.shift import VERDICTS


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> sb.benchmarks.runner.RunResult:  # type: ignore[name-defined]
    out = tmp_path_factory.mktemp("runs")
    return sb.run(
        datasets=["sales", "covid_trips"],
        models=["naive", "drift", "arima"],
        out=str(out),
        model_params={"arima": {"max_p": 2, "max_q": 2}},
    )


def test_run_directory_holds_the_contract_files(small_run) -> None:  # type: ignore[no-untyped-def]
    names = {p.name for p in small_run.path.iterdir()}
    assert {
        "manifest.json",
        "forecasts.csv",
        "metrics.csv",
        "shift.csv",
        "comparisons.csv",
    } <= names
    assert not any(name.startswith(".") for name in names)  # no temporary files left


def test_forecasts_csv_columns_and_row_count(small_run) -> None:  # type: ignore[no-untyped-def]
    f = pd.read_csv(small_run.path / "forecasts.csv")
    assert list(f.columns) == [
        "dataset",
        "series",
        "model",
        "seed",
        "cutoff",
        "ds",
        "h",
        "y",
        "y_hat",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
    ]
    assert len(f) == 3 * 10 + 3 * 31
    assert f["seed"].isna().all()  # no seeded model in this run


def test_floats_are_written_with_full_precision(small_run) -> None:  # type: ignore[no-untyped-def]
    written = read_csv_exact(small_run.path / "forecasts.csv")
    computed = pd.concat([c.forecasts for c in small_run.cells], ignore_index=True)
    assert (written["y_hat"].to_numpy() == computed["y_hat"].to_numpy()).all()
    assert (small_run.forecasts["y_hat"].to_numpy() == computed["y_hat"].to_numpy()).all()


def test_metrics_csv_is_long_format_with_every_metric(small_run) -> None:  # type: ignore[no-untyped-def]
    m = pd.read_csv(small_run.path / "metrics.csv")
    assert list(m.columns) == ["dataset", "series", "model", "seed", "metric", "value"]
    arima = set(m.loc[(m.model == "arima") & (m.dataset == "sales"), "metric"])
    assert {
        "mse",
        "rmse",
        "mae",
        "mape",
        "smape",
        "mase",
        "mase_seasonal",
        "r2",
        "theil_u2",
        "directional_accuracy",
        "coverage_80",
        "coverage_95",
        "width_80",
        "width_95",
        "msis",
        "crps",
    } == arima
    naive_mse = m.loc[(m.model == "naive") & (m.dataset == "sales") & (m.metric == "mse"), "value"]
    assert float(naive_mse.iloc[0]) == pytest.approx(1125.1)


def test_manifest_records_what_reproduces_the_run(small_run) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads((small_run.path / "manifest.json").read_text())
    for key in (
        "run_id",
        "started_at",
        "finished_at",
        "config",
        "config_sha256",
        "datasets",
        "versions",
        "platform",
        "seeds",
        "determinism",
        "cells",
        "git_commit",
    ):
        assert key in manifest
    assert manifest["datasets"]["sales"]["sha256"] == sb.load_dataset("sales").sha256
    assert manifest["datasets"]["covid_trips"]["length"] == 198
    for package in (
        "python",
        "numpy",
        "pandas",
        "statsmodels",
        "arch",
        "scikit-learn",
        "shiftbench",
    ):
        assert manifest["versions"][package]
    assert len(manifest["cells"]) == 6
    assert all(c["status"] == "ok" and c["wall_time_s"] >= 0 for c in manifest["cells"])
    assert small_run.exit_code == 0


def test_same_config_gives_identical_files(tmp_path: Path) -> None:
    config = RunConfig(datasets=("sales",), models=("naive", "arima_garch"), out=str(tmp_path))
    a = run_config(config)
    b = run_config(config)
    assert a.path != b.path
    for name in ("forecasts.csv", "metrics.csv"):
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes()


def test_failed_cell_is_recorded_and_the_rest_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shiftbench.baselines.naive import SeasonalNaive
    from shiftbench.errors import FitError

    def fail(*args: object, **kwargs: object) -> None:
        raise FitError("no season fits today")

    monkeypatch.setattr(SeasonalNaive, "fit", fail)  # a failure no check before the run foresees
    config = RunConfig(
        datasets=("sales",),
        models=("naive", "seasonal_naive"),
        out=str(tmp_path),
        jobs=1,
        use_cache=False,
    )
    result = run_config(config)
    assert result.exit_code == 3
    manifest = json.loads((result.path / "manifest.json").read_text())
    status = {c["model"]: c for c in manifest["cells"]}
    assert status["naive"]["status"] == "ok"
    assert status["seasonal_naive"]["status"] == "failed"
    assert "no season fits today" in status["seasonal_naive"]["error"]
    assert set(pd.read_csv(result.path / "forecasts.csv")["model"]) == {"naive"}


def test_a_model_may_set_its_own_refit_schedule(tmp_path: Path) -> None:
    config = RunConfig(
        datasets=("sales",),
        models=("naive", "arima"),
        out=str(tmp_path),
        model_params={"arima": {"order": [1, 1, 0], "refit_every": 5}},
    )
    cells = plan_cells(config, resolve_datasets(config))
    assert [c.members[0].protocol.refit_every for c in cells] == [0, 5]
    assert "refit_every" not in cells[1].spec.params
    result = run_config(config)
    assert result.exit_code == 0
    once = run_config(
        RunConfig(**{**config.__dict__, "model_params": {"arima": {"order": [1, 1, 0]}}})
    )
    refit = result.forecasts[result.forecasts.model == "arima"]["y_hat"].to_numpy()
    fixed = once.forecasts[once.forecasts.model == "arima"]["y_hat"].to_numpy()
    # origins 1-5 share the first fit; from origin 6 on, the re-estimated parameters move them
    assert (refit[:5] == fixed[:5]).all()
    assert (refit[5:] != fixed[5:]).all()


def test_shift_csv_has_a_verdict_for_every_cell(small_run) -> None:  # type: ignore[no-untyped-def]
    shift = pd.read_csv(small_run.path / "shift.csv")
    assert list(shift.columns[:11]) == [
        "dataset",
        "series",
        "model",
        "seed",
        "best_lag",
        "shift_gain",
        "theil_u2",
        "dm_stat_vs_naive",
        "dm_p_vs_naive",
        "verdict",
        "reason",
    ]
    assert len(shift) == 6
    assert set(shift["verdict"]) <= set(VERDICTS)
    naive = shift[shift.model == "naive"].set_index("dataset")["verdict"]
    assert naive.to_dict() == {"sales": "right_shift", "covid_trips": "right_shift"}


def test_comparisons_csv_has_dm_and_pt_rows(small_run) -> None:  # type: ignore[no-untyped-def]
    comparisons = pd.read_csv(small_run.path / "comparisons.csv")
    assert set(comparisons["test"]) == {
        "diebold_mariano_hln", "pesaran_timmermann", "kupiec_uc", "christoffersen_ind",
    }  # fmt: skip
    assert set(comparisons["reference"]) == {
        "naive", "arima", "chance", "nominal_80", "nominal_95",
    }  # fmt: skip
