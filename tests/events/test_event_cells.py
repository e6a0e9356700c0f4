"""Event questions in the harness: events from forecasts and from classifiers, scored alike,
with no look-ahead, cached, and refused clearly where they cannot be asked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.baselines.events import EventClimatology, EventPersistence
from shiftbench.benchmarks.backtest import backtest
from shiftbench.benchmarks.events import point_events, run_event_cell
from shiftbench.cli import main
from shiftbench.evaluation.events import EventSpec
from shiftbench.lstm.event import LSTMEvent
from shiftbench.models import get_model
from shiftbench.rundir import time_labels

from ..conftest import make_dataset

TINY_EVENT_LSTM = {"units": [4], "epochs": 2, "window": 5}


@pytest.fixture(scope="module")
def ehi_run(tmp_path_factory: pytest.TempPathFactory) -> sb.RunResult:
    return sb.run(
        datasets=["ehi"],
        models=["naive", "arima", "event_persistence", "event_climatology", "lstm_event"],
        seeds=[0],
        out=str(tmp_path_factory.mktemp("ehi")),
        model_params={"arima": {"order": [1, 0, 0]}, "lstm_event": TINY_EVENT_LSTM},
    )


def test_every_model_on_ehi_is_scored_as_a_classifier_with_a_verdict(
    ehi_run: sb.RunResult,
) -> None:
    run = ehi_run.run
    assert run.events is not None
    assert run.confusion is not None
    assert run.event_shift is not None
    models = ["naive", "arima", "event_persistence", "event_climatology", "lstm_event"]
    assert sorted(set(run.events["model"])) == sorted(models)
    # 365 test days, less the last two whose 3-day window runs past the data
    for _, cell in run.events.groupby("model"):
        assert len(cell) == 363
    scored = run.metrics[run.metrics["metric"] == "event_accuracy"]
    assert sorted(set(scored["model"])) == sorted(models)
    tests = run.comparisons[run.comparisons["test"] == "mcnemar_exact"]
    assert sorted(set(tests["model"])) == sorted(models)
    assert set(run.event_shift["verdict"]) <= set(sb.evaluation.shift.VERDICTS)
    # the latest known heat event is the one 3 days back: a delayed copy by construction
    persistence = run.event_shift[run.event_shift["model"] == "event_persistence"].iloc[0]
    assert persistence["verdict"] == "right_shift"
    assert int(persistence["best_lag"]) == 3
    # climatology predicts the majority class every day: its confusion matrix has one column
    cm = run.confusion[run.confusion["model"] == "event_climatology"]
    assert int(cm.loc[cm["predicted"] == 1, "count"].sum()) == 0
    html = (run.path / "report.html").read_text()
    assert "<h3>Events</h3>" in html
    assert "heat event: mean of the 3 days from t minus the mean of the 30 days before t" in html


def test_naive_forecasts_give_heat_events_by_the_rule_worked_by_hand() -> None:
    # short 2, long 2: the forecast index at cutoff c is (y_c + y_c)/2 − (y_{c−1} + y_c)/2,
    # i.e. (y_c − y_{c−1})/2: a predicted event exactly when the series rose into c
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.normal(size=60))
    spec = EventSpec(short=2, long=2)
    ds = replace(make_dataset(y, test_size=20, horizon=2), event=spec)
    frame = backtest(get_model("naive").build(ds, {}), ds).frame
    labels = time_labels(ds.y.index)
    cell = pd.DataFrame(
        {
            "model": "naive",
            "seed": pd.array([None] * len(frame), dtype="Int64"),
            "cutoff": [labels[c] for c in frame["cutoff_pos"]],
            "h": frame["h"],
            "y_hat": frame["y_hat"],
        }
    )
    events = point_events(cell, ds, spec)
    targets = np.arange(40, 59)  # the last target has no day after it
    assert events["predicted"].tolist() == (y[targets - 1] > y[targets - 2]).astype(int).tolist()
    actual = (y[targets] + y[targets + 1]) / 2 - (y[targets - 2] + y[targets - 1]) / 2 > 0
    assert events["actual"].tolist() == actual.astype(int).tolist()


@pytest.mark.parametrize(
    "model", [EventPersistence(), EventClimatology(), LSTMEvent(units=(4,), epochs=2, window=5)]
)
def test_a_classifier_never_sees_what_follows_its_cutoff(model: object) -> None:
    rng = np.random.default_rng(3)
    y = 15 + 5 * np.sin(np.arange(300) / 20) + rng.normal(size=300)
    features = np.column_stack([y, rng.random(300)])
    spec = EventSpec(short=3, long=10)
    labels = spec.actual(y)
    cutoffs = np.arange(250, 296)
    model.fit_events(features, labels, spec, 250)  # type: ignore[attr-defined]
    before = model.predict_proba(features, labels, cutoffs)  # type: ignore[attr-defined]
    changed_features, changed_y = features.copy(), y.copy()
    changed_features[271:] += 40.0
    changed_y[271:] += 40.0
    after = model.predict_proba(  # type: ignore[attr-defined]
        changed_features, spec.actual(changed_y), cutoffs
    )
    # predictions made at cutoffs up to 270 (rows 0..20) cannot move
    np.testing.assert_array_equal(before[:21], after[:21])


def test_the_event_lstm_is_deterministic_for_a_seed() -> None:
    rng = np.random.default_rng(8)
    y = 15 + 5 * np.sin(np.arange(260) / 15) + rng.normal(size=260)
    ds = replace(make_dataset(y, test_size=40), event=EventSpec(short=3, long=10))
    first = run_event_cell(ds, "lstm_event", TINY_EVENT_LSTM, 1)
    again = run_event_cell(ds, "lstm_event", TINY_EVENT_LSTM, 1)
    other = run_event_cell(ds, "lstm_event", TINY_EVENT_LSTM, 2)
    assert first.ok, first.error
    assert first.events is not None
    assert again.events is not None
    assert other.events is not None
    pd.testing.assert_frame_equal(first.events, again.events)
    assert not np.array_equal(first.events["probability"], other.events["probability"])


def test_consumption_interval_bins_come_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "bins.toml"
    config.write_text(
        'datasets = ["consumption_intervals"]\n'
        'models = ["naive", "arima", "event_persistence"]\n'
        "[model.arima]\norder = [1, 0, 0]\n"
        "[event.consumption_intervals]\nbins = [0, 20, 40, 60, 80, 100]\n"
    )
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "runs")]) == 0
    run_dir = next((tmp_path / "runs").iterdir())
    events = pd.read_csv(run_dir / "events.csv")
    assert set(events["predicted"]) <= set(range(5))
    assert set(events["actual"]) <= set(range(5))
    confusion = pd.read_csv(run_dir / "confusion.csv")
    assert (confusion.groupby("model").size() == 25).all()  # 5 classes x 5
    metrics = pd.read_csv(run_dir / "metrics.csv")
    assert "event_f1" in set(metrics["metric"])


def test_a_run_from_the_cache_gives_the_same_events(tmp_path: Path) -> None:
    args = {
        "datasets": ["ehi"],
        "models": ["event_persistence", "event_climatology"],
        "cache_dir": str(tmp_path / "cache"),
    }
    first = sb.run(out=str(tmp_path / "a"), **args)
    second = sb.run(out=str(tmp_path / "b"), **args)
    assert all(c.cached for c in second.cells)
    assert first.run.events is not None
    assert second.run.events is not None
    pd.testing.assert_frame_equal(first.run.events, second.run.events)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[event.sales]\nkind = "bogus"\n', "event.sales.kind: one of excess_heat, bins"),
        ("[event.sales]\nbins = [0, 20, 20]\n", "event.sales.bins: at least three increasing"),
        ("[event.sine]\nbins = [0, 1, 2]\n", "event.sine: 'sine' is not a selected dataset"),
    ],
)
def test_a_bad_event_definition_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('datasets = ["sales"]\nmodels = ["naive"]\n' + config)
    assert main(["run", "--config", str(path), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_an_event_classifier_on_a_dataset_without_events_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "--datasets", "sales", "--models", "event_persistence", "--out", str(tmp_path)]
    )
    assert code == 2
    assert "dataset 'sales' has no event question" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
