"""The LSTM forecasters: determinism, seeds, differencing, batching, failures (tiny networks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.errors import FitError
from shiftbench.lstm import LSTMDiff, LSTMRaw

pytestmark = pytest.mark.slow

TINY = {"units": (8,), "epochs": 3, "batch_size": 16, "window": 4, "validation_size": 0.0}


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    t = np.arange(120)
    return 10.0 + np.sin(t / 4.0) + 0.05 * t


def test_same_seed_gives_bit_identical_forecasts(series: np.ndarray) -> None:
    a = LSTMRaw(**TINY, seed=3).fit(series[:100]).one_step_path(series[100:119])
    b = LSTMRaw(**TINY, seed=3).fit(series[:100]).one_step_path(series[100:119])
    assert np.array_equal(a.mean, b.mean)


def test_different_seeds_give_different_forecasts(series: np.ndarray) -> None:
    a = LSTMRaw(**TINY, seed=0).fit(series[:100]).one_step_path(series[100:119])
    b = LSTMRaw(**TINY, seed=1).fit(series[:100]).one_step_path(series[100:119])
    assert not np.array_equal(a.mean, b.mean)


def test_diff_forecast_is_last_value_plus_predicted_change(series: np.ndarray) -> None:
    model = LSTMDiff(**TINY).fit(series[:100])
    path = model.one_step_path(series[100:109])
    change = path.mean - series[99:109]
    # the network's own output, scaled back, is that change
    from shiftbench.lstm import model as net
    from shiftbench.lstm.windows import last_windows

    features = model._features(series[:109], None)
    windows = last_windows(features, np.arange(99, 109) - 1, model.window)
    raw = model.target_scaler_.inverse_target(net.predict(model.network_, windows))
    np.testing.assert_allclose(change, raw, rtol=1e-6)


def test_recursive_multi_step_feeds_forecasts_back(series: np.ndarray) -> None:
    model = LSTMRaw(**TINY).fit(series[:100])
    two = model.forecast(2).mean
    first = model.forecast(1).mean[0]
    model.update(np.array([first]))
    assert model.forecast(1).mean[0] == pytest.approx(two[1], rel=1e-6)


def test_exploding_loss_fails_with_a_clear_error(series: np.ndarray) -> None:
    huge = series * 1e25
    model = LSTMRaw(window=4, units=(4,), epochs=3, scaler="none", validation_size=0.0)
    with pytest.raises(FitError, match="NaN or inf"):
        model.fit(huge[:100])


def test_exploding_loss_fails_only_its_cell(tmp_path: Path) -> None:
    result = sb.run(
        datasets=["sales"],
        models=["naive", "lstm_raw"],
        seeds=[0],
        out=str(tmp_path),
        model_params={
            "lstm_raw": {
                "scaler": "none",
                "learning_rate": 1e30,
                "epochs": 3,
                "units": [4],
                "validation_size": 0.0,
            }
        },
    )
    status = {c.model: c for c in result.cells}
    assert status["naive"].ok
    assert not status["lstm_raw"].ok
    assert result.exit_code == 3


def test_a_series_too_short_for_the_window_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(sb.DataError, match=r"'sales': 45 points with 10 for testing leave 35"):
        sb.run(
            datasets=["sales"],
            models=["lstm_raw"],
            seeds=[0],
            out=str(tmp_path),
            dataset_options={"sales": {"lstm_window": 40}},
        )


def test_covariates_reach_the_network(series: np.ndarray) -> None:
    x = np.column_stack([np.arange(120) % 2, np.arange(120) % 3]).astype(float)
    with_x = LSTMRaw(**TINY).fit(series[:100], x[:100]).one_step_path(series[100:119], x[100:120])
    without = LSTMRaw(**TINY).fit(series[:100]).one_step_path(series[100:119])
    assert not np.allclose(with_x.mean, without.mean)


def test_in_sample_predictions_start_after_the_first_window(series: np.ndarray) -> None:
    raw = LSTMRaw(**TINY).fit(series[:50]).in_sample_predictions()
    diff = LSTMDiff(**TINY).fit(series[:50]).in_sample_predictions()
    assert np.isnan(raw[:4]).all()
    assert np.isfinite(raw[4:]).all()
    assert np.isnan(diff[:5]).all()
    assert np.isfinite(diff[5:]).all()


def test_a_well_trained_lstm_on_a_sine_is_clean() -> None:
    """Issue 4's labelled case: a good sine forecaster is not a delayed copy."""
    y = np.round(np.sin(1 + 2 * np.pi * np.arange(1200) / 100), 9)
    model = LSTMRaw(
        window=20,
        units=(16,),
        epochs=15,
        batch_size=32,
        learning_rate=0.01,
        validation_size=0.1,
        patience=3,
        seed=0,
    ).fit(y[:1000])
    forecast = model.one_step_path(y[1000:1199]).mean
    verdict = sb.detect_shift(y[1000:], forecast, history=y[990:1000])
    assert float(np.mean((forecast - y[1000:]) ** 2)) < 1e-3
    assert verdict.verdict == "clean"
    assert verdict.best_lag == 0


def test_a_seeded_run_writes_seed_rows_summaries_and_histories(tmp_path: Path) -> None:
    result = sb.run(
        datasets=["sales"],
        models=["naive", "lstm_diff"],
        seeds=2,
        out=str(tmp_path),
        model_params={"lstm_diff": {"units": [4], "epochs": 2, "validation_size": 0.0}},
    )
    forecasts = pd.read_csv(result.path / "forecasts.csv")
    assert set(forecasts.loc[forecasts.model == "lstm_diff", "seed"]) == {0, 1}
    assert forecasts.loc[forecasts.model == "naive", "seed"].isna().all()
    metrics = pd.read_csv(result.path / "metrics.csv", dtype={"seed": str})
    lstm = metrics[metrics.model == "lstm_diff"]
    assert {"0", "1", "mean", "sd", "ci_low", "ci_high"} == set(lstm["seed"])
    summary = pd.read_csv(result.path / "shift_summary.csv")
    assert summary.iloc[0]["n"] == 2  # the seeds of the one series
    assert summary.iloc[0]["seed"] == "all"
    history = pd.read_csv(result.path / "training_history.csv")
    assert set(history["seed"]) == {0, 1}
    assert history.groupby("seed")["epoch"].max().tolist() == [2, 2]


def _imports_tensorflow(code: str) -> bool:
    probe = f"{code}\nimport sys\nprint('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1] == "True"


def test_import_and_listings_never_import_tensorflow() -> None:
    assert not _imports_tensorflow("import shiftbench")
    assert not _imports_tensorflow(
        "from shiftbench.cli import main\nmain(['datasets'])\nmain(['models'])"
    )


def test_a_run_without_lstm_never_imports_tensorflow(tmp_path: Path) -> None:
    code = (
        "import shiftbench as sb\n"
        f"sb.run(datasets=['sales'], models=['naive', 'arima'], out={str(tmp_path)!r})"
    )
    assert not _imports_tensorflow(code)


def test_training_imports_tensorflow_quietly(tmp_path: Path) -> None:
    code = (
        "import shiftbench as sb\n"
        f"sb.run(datasets=['sales'], models=['lstm_raw'], seeds=[0], out={str(tmp_path)!r},"
        " model_params={'lstm_raw': {'epochs': 1, 'units': [2]}})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""


def test_the_papers_preprocessing_is_undone_on_every_forecast() -> None:
    """Box-Cox, Naive2 seasonal indices and a linear trend, fitted on the training span: the
    one-step path equals the forecast/update loop and forecasts come back on the data's scale."""
    t = np.arange(120)
    y = 200 + 1.5 * t + 30 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(5).normal(size=120)
    model = LSTMRaw(**TINY, preprocess="makridakis2018", season_length=12).fit(y[:100])
    assert model.prep_ is not None
    assert model.prep_.lam is not None  # positive data: Box-Cox applied
    path = model.one_step_path(y[100:111])
    loop = []
    for i in range(100, 112):
        loop.append(model.forecast(1).mean[0])
        model.update(y[i : i + 1])
    np.testing.assert_allclose(path.mean, loop, rtol=1e-5)
    assert np.all(np.abs(path.mean - y[100:112]) < 100)  # on the scale of the data


def test_preprocessing_is_an_option_of_the_raw_network_only() -> None:
    from shiftbench.config import config_from_dict
    from shiftbench.errors import ConfigError

    with pytest.raises(ConfigError, match=r"lstm_diff\.preprocess: is an option of lstm_raw"):
        config_from_dict({"model": {"lstm_diff": {"preprocess": "makridakis2018"}}})


def test_draws_from_pythons_global_random_elsewhere_do_not_change_the_network(
    series: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask worker's other threads draw from ``random`` while a cell builds its network; the
    weights must not depend on that (they did: Keras seeds unseeded layers from it)."""
    import random

    from shiftbench.lstm import model as net

    quiet = LSTMRaw(**TINY, seed=4).fit(series[:100]).one_step_path(series[100:110]).mean
    build = net.build_network

    def noisy_build(*args: object, **kwargs: object) -> object:
        for _ in range(7):
            random.random()  # what another thread of the process might do meanwhile
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(net, "build_network", noisy_build)
    noisy = LSTMRaw(**TINY, seed=4).fit(series[:100]).one_step_path(series[100:110]).mean
    np.testing.assert_array_equal(noisy, quiet)


def test_a_whole_epoch_per_compiled_call_trains_the_very_same_network(series: np.ndarray) -> None:
    from shiftbench.lstm import model as net

    lstm = LSTMRaw(**{**TINY, "validation_size": 0.2, "epochs": 4}, seed=5)
    spec = lstm._spec()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4, 1))
    y = rng.normal(size=90)
    per_batch = net.train(spec, X, y, 5, steps_per_execution=1)
    per_epoch = net.train(spec, X, y, 5)  # ceil(72 / 16) = 5 steps in one call
    assert per_batch.history == per_epoch.history
    np.testing.assert_array_equal(net.predict(per_batch, X), net.predict(per_epoch, X))
    assert len(per_epoch.epoch_seconds) == per_epoch.epochs_run == 4
    # whichever device trained (op determinism holds on a GPU as on a CPU), it is recorded
    assert per_batch.device == per_epoch.device == net.device_name()
    assert per_epoch.device == "CPU" or per_epoch.device.startswith("GPU (")


def test_info_and_history_report_the_training_of_the_fit(series: np.ndarray) -> None:
    from shiftbench.lstm import model as net

    model = LSTMRaw(**{**TINY, "validation_size": 0.2}, seed=2).fit(series[:100])
    history = model.training_history()
    assert history is not None
    info = model.info()
    assert info["window"] == 4
    assert info["epochs_run"] == len(history["loss"]) == 3  # patience 5 > 3 epochs
    assert info["final_loss"] == history["loss"][-1]
    assert info["best_val_loss"] == min(history["val_loss"])
    assert info["parameters"] == 4 * (8 * (1 + 8) + 8) + (8 + 1)  # LSTM(8) on 1 input, Dense(1)
    assert info["device"] == net.device_name()
    assert model.clone().get_params() == model.get_params()
    assert not any(k.endswith("_") for k in vars(model.clone()))
