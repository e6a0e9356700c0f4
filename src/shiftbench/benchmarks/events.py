"""Event cells, and events from every point forecaster's forecasts, scored alike.

An event classifier's cell (``lstm_event``, ``event_persistence``, ``event_climatology``) fits on
the training span and predicts the class of the event at every test target from what is known at
its cutoff. A point forecaster's events come from its forecasts by the dataset's rule
(:class:`~shiftbench.evaluation.events.EventSpec`): for an excess-heat event at t, the forecasts
h = 1..short made at cutoff t − 1 and the observed days before t; for classes, the bin of the
one-step forecast. Every model is then scored by the same functions on the same targets: the
classifier scores, the confusion matrix, McNemar's test against event persistence, and the
event right-shift verdict.

Probabilities. A classifier gives its own. For a point forecaster with intervals (``arima``,
``arima_garch``) the probability of an excess-heat event is P(EHI > threshold) under a normal
predictive distribution of the forecast index, with mean the forecast index and sd the mean of
the h = 1..short forecast sds (each read off its 95 % interval as half-width / 1.96). Taking the
mean of the sds treats the h-step errors as perfectly correlated: exact for a random walk's
leading term, conservative (too wide) for weakly persistent errors. Other point forecasters give
no probability, and their Brier score and log loss are left out.
"""

from __future__ import annotations

import math
import time
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.benchmarks.backtest import CellResult, is_transient
from shiftbench.evaluation.events import (
    classification_scores,
    confusion_rows,
    detect_event_shift,
    mcnemar,
)
from shiftbench.evaluation.shift import VERDICTS, ShiftVerdict
from shiftbench.eventspec import EventSpec, bin_classes
from shiftbench.models import ModelSpec, get_model
from shiftbench.rundir.schema import (
    CONFUSION_COLUMNS,
    EVENT_COLUMNS,
    EVENT_SHIFT_COLUMNS,
    LAG_PREFIX,
    shift_lag_columns,
    time_labels,
)
from shiftbench.types import Dataset, FloatArray

Z95 = float(stats.norm.ppf(0.975))


def features_of(ds: Dataset) -> FloatArray:
    """The inputs of an event classifier: the target and the observed covariates, by row."""
    columns = [ds.y.to_numpy(dtype=np.float64)]
    if ds.exog is not None:
        columns += [ds.exog[c].to_numpy(dtype=np.float64) for c in ds.observed]
    return np.column_stack(columns)


def event_targets(ds: Dataset, spec: EventSpec) -> np.ndarray:
    """The test targets whose actual event is defined (an excess-heat event needs ``short − 1``
    days after its target, so the last test days have none)."""
    n = len(ds)
    targets = np.arange(n - ds.protocol.n_test(n), n)
    actual = spec.actual(ds.y.to_numpy(dtype=np.float64))
    return targets[~np.isnan(actual[targets])]


def score_events(
    actual: np.ndarray, predicted: np.ndarray, probabilities: np.ndarray | None, spec: EventSpec
) -> dict[str, float]:
    """The event scores under their ``metrics.csv`` names. ``probabilities``: one row of class
    probabilities per case (the multi-class Brier score is the mean over cases of
    Σ_k (p_k − 1{y = k})², Brier 1950), or None."""
    scores = classification_scores(actual, predicted)
    out = {f"event_{k}": v for k, v in scores.items()}
    if probabilities is not None and np.all(np.isfinite(probabilities)):
        from sklearn.metrics import log_loss

        k = len(spec.classes)
        onehot = np.zeros((len(actual), k))
        onehot[np.arange(len(actual)), actual.astype(np.int64)] = 1.0
        p = np.clip(probabilities, 0.0, 1.0)
        out["event_brier"] = float(
            np.mean(np.sum((p - onehot) ** 2, axis=1)) / (2 if k == 2 else 1)
        )
        out["event_log_loss"] = float(log_loss(actual, p, labels=spec.classes))
    return out


def _event_frame(
    ds: Dataset, model: str, seed: int | None, targets: np.ndarray, actual: np.ndarray,
    predicted: np.ndarray, probability: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    n = len(targets)
    return pd.DataFrame(
        {
            "dataset": ds.name,
            "series": ds.series_id,
            "model": model,
            "seed": pd.array([seed] * n, dtype="Int64"),
            "ds": time_labels(ds.y.index[targets]),
            "actual": actual.astype(np.int64),
            "predicted": predicted.astype(np.int64),
            "probability": probability.astype(np.float64),
        }
    )[list(EVENT_COLUMNS)]


def run_event_cell(
    members: Dataset | Sequence[Dataset],
    model: str | ModelSpec,
    params: dict[str, Any],
    seed: int | None,
    *,
    chunk: int = 0,
) -> CellResult:
    """Run and score one event classifier's cell; a failing series is recorded, the others go
    on (as :func:`shiftbench.benchmarks.backtest.run_cell` does for forecasters)."""
    if isinstance(members, Dataset):
        members = (members,)
    model_spec = model if isinstance(model, ModelSpec) else get_model(model)
    model_name = model_spec.name
    result = CellResult(dataset=members[0].name, model=model_name, seed=seed, chunk=chunk)
    start = time.perf_counter()
    frames = []
    for ds in members:
        sid = ds.series_id
        try:
            spec: EventSpec = ds.event
            if spec is None:
                raise ValueError(f"dataset {ds.name!r} has no event definition ([event.NAME])")
            cell_params = dict(params)
            if model_spec.capabilities.seeded and seed is not None:
                cell_params["seed"] = seed
            classifier = model_spec.build(ds, cell_params)
            y = ds.y.to_numpy(dtype=np.float64)
            labels = spec.actual(y)
            features = features_of(ds)
            n = len(ds)
            n_train = n - ds.protocol.n_test(n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                classifier.fit_events(features, labels, spec, n_train)  # type: ignore[attr-defined]
                targets = event_targets(ds, spec)
                proba = classifier.predict_proba(features, labels, targets - 1)  # type: ignore[attr-defined]
            proba = np.asarray(proba, dtype=np.float64)
            predicted = np.argmax(proba, axis=1)
            actual = labels[targets].astype(np.int64)
            probability = proba[:, 1] if spec.binary else proba[np.arange(len(targets)), predicted]
            frames.append(
                _event_frame(ds, model_name, seed, targets, actual, predicted, probability)
            )
            result.metrics[sid] = score_events(actual, predicted, proba, spec)
            result.info[sid] = classifier.info()
            history = classifier.training_history()
            if history:
                result.histories.append((sid, history))
        except Exception as exc:  # a failing series must not stop the run
            result.series_failed[sid] = f"{type(exc).__name__}: {exc}"
            result.transient = result.transient or is_transient(exc)
            result.info[sid] = {"traceback": traceback.format_exc(limit=-3)}
    if frames:
        result.events = pd.concat(frames, ignore_index=True)
    else:
        first = next(iter(result.series_failed))
        result.status = "failed"
        result.error = result.series_failed[first]
        result.info = {first: result.info[first]}
    result.wall_time_s = time.perf_counter() - start
    return result


def point_events(cell: pd.DataFrame, ds: Dataset, spec: EventSpec) -> pd.DataFrame:
    """The events of one point forecaster's cell on one series (its rows of ``forecasts.csv``):
    see the module docstring for the rule and the probability."""
    y = ds.y.to_numpy(dtype=np.float64)
    labels = spec.actual(y)
    position = {label: i for i, label in enumerate(time_labels(ds.y.index))}
    targets = event_targets(ds, spec)
    wanted = set(targets.tolist())
    steps = spec.steps
    rows = cell[cell["h"] <= steps]
    by_cutoff: dict[int, dict[int, tuple[float, float]]] = {}
    has_sd = "lo_95" in rows and rows["lo_95"].notna().any()
    for cutoff, h, y_hat, lo, hi in zip(
        rows["cutoff"], rows["h"], rows["y_hat"],
        rows["lo_95"] if has_sd else [math.nan] * len(rows),
        rows["hi_95"] if has_sd else [math.nan] * len(rows),
        strict=True,
    ):  # fmt: skip
        c = position.get(cutoff if not isinstance(cutoff, float) else int(cutoff))
        if c is None or c + 1 not in wanted:
            continue
        by_cutoff.setdefault(c, {})[int(h)] = (float(y_hat), (float(hi) - float(lo)) / (2 * Z95))
    kept, predicted, probability = [], [], []
    for c in sorted(by_cutoff):
        steps_seen = by_cutoff[c]
        if any(h not in steps_seen for h in range(1, steps + 1)):
            continue
        means = np.array([steps_seen[h][0] for h in range(1, steps + 1)])
        if spec.kind == "bins":
            predicted.append(int(bin_classes([means[0]], spec.bins)[0]))
            probability.append(math.nan)
        else:
            index = float(means.mean() - y[c + 1 - spec.long : c + 1].mean())
            predicted.append(int(index > spec.threshold))
            sd = float(np.mean([steps_seen[h][1] for h in range(1, steps + 1)]))
            probability.append(
                float(stats.norm.sf((spec.threshold - index) / sd))
                if math.isfinite(sd) and sd > 0
                else math.nan
            )
        kept.append(c + 1)
    targets_kept = np.asarray(kept, dtype=np.int64)
    model = str(cell["model"].iloc[0])
    seed_value = cell["seed"].iloc[0]
    seed = None if pd.isna(seed_value) else int(seed_value)
    return _event_frame(
        ds, model, seed, targets_kept, labels[targets_kept], np.asarray(predicted),
        np.asarray(probability, dtype=np.float64),
    )  # fmt: skip


def _probabilities(frame: pd.DataFrame, spec: EventSpec) -> np.ndarray | None:
    if not spec.binary or frame["probability"].isna().any():
        return None
    p = frame["probability"].to_numpy(dtype=np.float64)
    return np.column_stack([1.0 - p, p])


#: ``event_shift.csv``'s names for the fields of a forecast's verdict row (docs/contract.md).
_EVENT_FIELDS = {
    "theil_u2": "error_rate_ratio",
    "dm_stat_vs_naive": "mcnemar_b_minus_c",
    "dm_p_vs_naive": "mcnemar_p_vs_persistence",
}


def event_shift_row(verdict: ShiftVerdict, max_lag: int) -> dict[str, Any]:
    """An event verdict as a row of ``event_shift.csv``: its own names for the skill test and
    the lag profile (disagreement shares, not losses)."""
    row = verdict.as_row(max_lag)
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("loss_lag"):
            key = LAG_PREFIX["event_shift"] + key.removeprefix("loss_lag")
        out[_EVENT_FIELDS.get(key, key)] = value
    return out


def event_tables(
    forecasts: pd.DataFrame,
    event_frames: list[pd.DataFrame],
    by_series: dict[tuple[str, str], Dataset],
    *,
    max_lag: int = 5,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, list[dict[str, Any]], pd.DataFrame, list[dict[str, Any]], pd.DataFrame]:
    """Everything a run writes about events: the events of every cell (point forecasters'
    derived here, classifiers' from their cells), the point forecasters' event scores as
    ``metrics.csv`` rows, the confusion matrices, McNemar's test of every cell against event
    persistence as ``comparisons.csv`` rows, and the event right-shift verdicts."""
    parts = list(event_frames)
    keys = ["dataset", "series", "model", "seed"]
    point_metrics: list[dict[str, Any]] = []
    with_events = {key for key, ds in by_series.items() if ds.event is not None}
    if not forecasts.empty and with_events:
        pairs = zip(forecasts["dataset"], forecasts["series"], strict=True)
        mask = [(d, s) in with_events for d, s in pairs]
        grouped = forecasts[mask].groupby(keys, sort=False, dropna=False)
        for (dataset, series, model, seed), cell in grouped:
            ds = by_series[(str(dataset), str(series))]
            frame = point_events(cell, ds, ds.event)
            if frame.empty:
                continue
            parts.append(frame)
            scores = score_events(
                frame["actual"].to_numpy(), frame["predicted"].to_numpy(),
                _probabilities(frame, ds.event), ds.event,
            )  # fmt: skip
            point_metrics += [
                {"dataset": dataset, "series": series, "model": model, "seed": seed,
                 "metric": k, "value": v}
                for k, v in scores.items()
            ]  # fmt: skip
    events = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(EVENT_COLUMNS))
    )
    confusion: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    shifts: list[dict[str, Any]] = []
    for (dataset, series, model, seed), group in events.groupby(keys, sort=False, dropna=False):
        ds = by_series[(str(dataset), str(series))]
        spec: EventSpec = ds.event
        labels = spec.actual(ds.y.to_numpy(dtype=np.float64))
        position = {label: i for i, label in enumerate(time_labels(ds.y.index))}
        targets = np.array([position[v] for v in group["ds"]], dtype=np.int64)
        actual = group["actual"].to_numpy(dtype=np.int64)
        predicted = group["predicted"].to_numpy(dtype=np.int64)
        base = {"dataset": dataset, "series": series, "model": model, "seed": seed}
        confusion += [
            {**base, "actual": a, "predicted": p, "count": k}
            for a, p, k in confusion_rows(actual, predicted, spec.classes)
        ]
        lag = spec.known_lag
        earlier = labels[targets - lag]
        known = ~np.isnan(earlier)
        test = mcnemar(predicted[known] == actual[known], earlier[known] == actual[known])
        better = (
            "tie" if test.statistic == 0 else (model if test.statistic > 0 else "event_persistence")
        )
        comparisons.append(
            {**base, "h": 1, "test": "mcnemar_exact", "reference": "event_persistence",
             "statistic": test.statistic, "p_value": test.p_value, "n": test.n, "better": better}
        )  # fmt: skip
        first = int(targets[0])
        history = labels[max(0, first - max_lag - lag) : first]
        history = history[~np.isnan(history)]
        verdict = detect_event_shift(
            actual, predicted, max_lag=max_lag, alpha=alpha, history=history, persistence_lag=lag
        )
        shifts.append({**base, **event_shift_row(verdict, max_lag)})
    confusion_frame = pd.DataFrame(confusion, columns=list(CONFUSION_COLUMNS))
    lags = shift_lag_columns(max_lag, LAG_PREFIX["event_shift"])
    shift_frame = pd.DataFrame(shifts, columns=[*EVENT_SHIFT_COLUMNS, *lags])
    for frame in (events, confusion_frame, shift_frame):
        frame["seed"] = frame["seed"].astype("Int64")
    assert set(shift_frame["verdict"]) <= set(VERDICTS)
    return events, point_metrics, confusion_frame, comparisons, shift_frame
