"""The run directory's schema: its files, their columns and types, and the conventions of their
values; the manifest's structure; and :class:`RunData`, a run's tables and manifest in memory
(as the engine hands them to the reports, and as :func:`shiftbench.rundir.io.load_run` reads
them back: the same frames either way).

Conventions kept here and nowhere else:

- **Seeds.** In memory, before writing, a cell's seed is an ``int`` or ``None`` (a model without
  randomness). In a file, and in every frame of a :class:`RunData`, the ``seed`` column is text:
  the seed's digits, :data:`NO_SEED` (an empty field) for a model without randomness, or one of
  :data:`SEED_AGGREGATES` for the across-seed rows of ``metrics.csv``.
- **Time labels.** ``cutoff`` and ``ds`` hold ISO dates where the data have dates (ISO
  date-times if any time is not midnight), integers otherwise (:func:`time_labels`).
- **Floats** are written in their shortest round-trip form and read back bit for bit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.errors import DataError
from shiftbench.types import Collection, Dataset, Protocol

#: ``forecasts.csv``: one row per forecast.
FORECAST_COLUMNS: tuple[str, ...] = (
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
)
#: ``metrics.csv``: long format, one row per (cell, metric), plus the across-seed rows.
METRIC_COLUMNS: tuple[str, ...] = ("dataset", "series", "model", "seed", "metric", "value")
#: ``shift.csv``: one right-shift verdict per cell, followed by ``loss_lag0..loss_lagK``.
SHIFT_COLUMNS: tuple[str, ...] = (
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
    "n_origins",
    "max_lag_used",
)
#: ``shift_summary.csv``: per (dataset, model, seed), the series per verdict (one column per
#: verdict between ``n`` and ``majority``); seeded models add ``seed = all`` rows over seeds
#: (:data:`ALL_SEEDS`).
SHIFT_SUMMARY_KEYS: tuple[str, ...] = ("dataset", "model", "seed", "n")
#: ``event_shift.csv`` (runs with an event question): one right-shift verdict per (cell, series)
#: of its events, followed by ``disagreement_lag0..K`` (the share of targets where the predicted
#: event differs from the actual one k steps earlier). Skill is McNemar's exact test against
#: event persistence: ``error_rate_ratio`` (errors of the model over those of persistence),
#: ``mcnemar_b_minus_c`` and ``mcnemar_p_vs_persistence`` (one-sided).
EVENT_SHIFT_COLUMNS: tuple[str, ...] = (
    "dataset",
    "series",
    "model",
    "seed",
    "best_lag",
    "shift_gain",
    "error_rate_ratio",
    "mcnemar_b_minus_c",
    "mcnemar_p_vs_persistence",
    "verdict",
    "reason",
    "n_origins",
    "max_lag_used",
)
#: The prefix of the lag-profile columns of ``shift.csv`` and of ``event_shift.csv``.
LAG_PREFIX = {"shift": "loss_lag", "event_shift": "disagreement_lag"}
#: ``comparisons.csv``: forecast-comparison tests.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "dataset",
    "series",
    "model",
    "seed",
    "h",
    "test",
    "reference",
    "statistic",
    "p_value",
    "n",
    "better",
)
#: ``training_history.csv``: loss per epoch of every trained network.
HISTORY_COLUMNS: tuple[str, ...] = (
    "dataset",
    "series",
    "model",
    "seed",
    "fit",
    "epoch",
    "loss",
    "val_loss",
)

#: ``events.csv`` (runs with an event question): one row per (cell, series, target): the
#: actual and the predicted event or class, and the probability of the event (binary) or of the
#: predicted class (classes) where the model gives one.
EVENT_COLUMNS: tuple[str, ...] = (
    "dataset", "series", "model", "seed", "ds", "actual", "predicted", "probability",
)  # fmt: skip
#: ``confusion.csv``: every (cell, series)'s confusion matrix in long format.
CONFUSION_COLUMNS: tuple[str, ...] = (
    "dataset", "series", "model", "seed", "actual", "predicted", "count",
)  # fmt: skip

#: The seed of a model without randomness, as it stands in a file.
NO_SEED = ""
#: The ``seed`` values of the across-seed rows of ``metrics.csv``.
SEED_AGGREGATES: tuple[str, ...] = ("mean", "sd", "ci_low", "ci_high")
#: The ``series`` of a collection's aggregate rows in ``metrics.csv`` (each metric's mean over
#: its series): an empty field. No series can have that id (the CSV reader refuses an empty id,
#: registered collections have none, and a single series is named after its non-empty dataset
#: name), so an aggregate row never shares a key with a series' own rows.
AGGREGATE_SERIES = ""
#: The ``seed`` of ``shift_summary.csv``'s rows over every seed (a seed is digits, so this
#: cannot collide with one).
ALL_SEEDS = "all"
#: The files every run directory holds (``shift_summary.csv`` and ``training_history.csv``
#: only when the run has seeded or trained models).
REQUIRED_FILES: tuple[str, ...] = (
    "manifest.json",
    "forecasts.csv",
    "metrics.csv",
    "shift.csv",
    "comparisons.csv",
)


def shift_lag_columns(max_lag: int, prefix: str = "loss_lag") -> list[str]:
    """The lag-profile columns of ``shift.csv`` (of ``event_shift.csv`` with
    ``prefix="disagreement_lag"``).

    >>> shift_lag_columns(2)
    ['loss_lag0', 'loss_lag1', 'loss_lag2']
    """
    return [f"{prefix}{k}" for k in range(max_lag + 1)]


def seed_text(value: object) -> str:
    """A seed as it stands in a file: digits, :data:`NO_SEED`, or an aggregate's name.

    >>> [seed_text(v) for v in (3, None, 2.0, "mean", float("nan"), "")]
    ['3', '', '2', 'mean', '', '']
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return NO_SEED
    if isinstance(value, bool):
        raise ValueError(f"not a seed: {value!r}")
    if isinstance(value, int | float):
        return str(int(value))
    text = str(value).strip()
    if re.fullmatch(r"[0-9]+(\.0*)?", text):
        return str(int(text.split(".")[0]))
    return text


def is_seeded(seed: str) -> bool:
    """Whether a seed label (as :func:`seed_text` gives it) is one seed's."""
    return seed.isdigit()


def time_labels(index: pd.Index) -> list[Any]:
    """Time points as written to files: ISO dates for dates, integers otherwise.

    >>> time_labels(pd.date_range("2020-01-30", periods=2, freq="D"))
    ['2020-01-30', '2020-01-31']
    >>> time_labels(pd.RangeIndex(3))
    [0, 1, 2]
    """
    if isinstance(index, pd.DatetimeIndex):
        if (index == index.normalize()).all():
            return [ts.date().isoformat() for ts in index]
        return [ts.isoformat() for ts in index]
    return [int(v) for v in index]


def _event_entry(ds: Dataset | Collection) -> dict[str, Any]:
    """The dataset's event question, when it has one (its fields and a description)."""
    spec = ds.event
    if spec is None:
        return {}
    fields = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(spec).items()}
    return {"event": {**fields, "description": spec.describe(), "classes": spec.classes}}


def dataset_entry(ds: Dataset | Collection) -> dict[str, Any]:
    """What the manifest records of one dataset (for a collection: its series and what was
    dropped)."""
    return {**_dataset_entry(ds), **_event_entry(ds)}


def _protocol_entry(protocol: Protocol, n: int) -> dict[str, Any]:
    """A dataset's protocol as the manifest records it (``n``: the length of a series)."""
    return {
        "test_size": protocol.test_size,
        "n_test": protocol.n_test(n),
        "horizon": protocol.horizon,
        "refit_every": protocol.refit_every,
        "lstm_window": protocol.lstm_window,
        "origins": protocol.origins,
        "horizon_bands": [list(band) for band in protocol.bands()],
        "intervals": protocol.intervals,
        "calibration_size": protocol.calibration_size,
    }


def _dataset_entry(ds: Dataset | Collection) -> dict[str, Any]:
    if isinstance(ds, Collection):
        first = ds.members[0]
        return {
            "sha256": ds.sha256,
            "length": len(ds),
            "n_series": len(ds.members),
            "series": [m.series_id for m in ds.members],
            "dropped_series": list(ds.dropped),
            "frequency": ds.frequency,
            "season_length": ds.season_length,
            "source": ds.source,
            "protocol": _protocol_entry(ds.protocol, len(first)),
            "observed_covariates": list(ds.observed),
            "known_ahead_covariates": list(ds.known_ahead),
        }
    return {
        "sha256": ds.sha256,
        "length": len(ds),
        "frequency": ds.frequency,
        "season_length": ds.season_length,
        "source": ds.source,
        "protocol": _protocol_entry(ds.protocol, len(ds)),
        "observed_covariates": list(ds.observed),
        "known_ahead_covariates": list(ds.known_ahead),
    }


def build_manifest(
    *,
    run_id: str,
    started: dt.datetime,
    finished: dt.datetime,
    command: list[str] | None,
    config: Mapping[str, Any],
    config_sha256: str,
    datasets: Iterable[Dataset | Collection],
    models: Mapping[str, Mapping[str, Any]],
    seeds: Iterable[int],
    environment: Mapping[str, Any],
    cells: list[dict[str, Any]],
    warnings: Iterable[str] = (),
) -> dict[str, Any]:
    """``manifest.json``: what was run, on what, by which versions, and every cell's outcome.

    ``models`` maps each model to what the reports need to know of it (its capabilities and
    summary); ``environment`` holds ``versions``, ``platform``, ``git_commit`` and
    ``determinism``; ``cells`` one entry per cell (status, wall time, error, warnings, info).
    """
    ok = all(c.get("status") == "ok" for c in cells)
    return {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "command": command,
        "config": dict(config),
        "config_sha256": config_sha256,
        "datasets": {ds.name: dataset_entry(ds) for ds in datasets},
        "models": {name: dict(entry) for name, entry in models.items()},
        **environment,
        "seeds": list(seeds),
        "cells": cells,
        "warnings": list(warnings),
        "status": "completed" if ok else "completed_with_failures",
    }


@dataclass(frozen=True)
class RunFrames:
    """The tables of a run, as the engine computed them (seeds as ``int`` or ``None``)."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    shift: pd.DataFrame
    comparisons: pd.DataFrame
    shift_summary: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None
    event_shift: pd.DataFrame | None = None


@dataclass(frozen=True)
class RunData:
    """A run directory read back: everything a report or a comparison needs."""

    path: Path
    manifest: dict[str, Any]
    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    shift: pd.DataFrame
    comparisons: pd.DataFrame
    shift_summary: pd.DataFrame | None
    history: pd.DataFrame | None
    events: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None
    event_shift: pd.DataFrame | None = None

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id", self.path.name))

    @property
    def datasets(self) -> list[str]:
        return list(self.manifest.get("datasets", {}))

    @property
    def models(self) -> list[str]:
        listed = list(self.manifest.get("config", {}).get("models", []))
        seen = list(dict.fromkeys(self.metrics["model"]))
        if self.events is not None:
            seen += [m for m in dict.fromkeys(self.events["model"]) if m not in seen]
        return [m for m in listed if m in seen] + [m for m in seen if m not in listed]

    @property
    def seeded_models(self) -> set[str]:
        return set(self.forecasts.loc[self.forecasts["seed"] != NO_SEED, "model"])

    def is_collection(self, dataset: str) -> bool:
        """Whether a dataset of the run is a collection of many series."""
        entry = self.manifest.get("datasets", {}).get(dataset, {})
        return isinstance(entry, dict) and "n_series" in entry

    def summary_series(self, dataset: str) -> str:
        """The ``series`` whose metric rows summarise a dataset: :data:`AGGREGATE_SERIES` (an
        empty field) for a collection, the one series otherwise."""
        if self.is_collection(dataset):
            return AGGREGATE_SERIES
        series = self.metrics.loc[self.metrics["dataset"] == dataset, "series"]
        return str(series.iloc[0]) if len(series) else dataset

    def capability(self, model: str, name: str) -> bool:
        """A model's capability as the manifest records it (False when it is not recorded)."""
        entry = self.manifest.get("models", {}).get(model, {})
        return bool(entry.get("capabilities", {}).get(name, False))

    def cell_metrics(self) -> pd.DataFrame:
        """Per-cell metric rows (the across-seed aggregate rows left out)."""
        m = self.metrics
        return m[~m["seed"].isin(SEED_AGGREGATES)]

    def series_metrics(self) -> pd.DataFrame:
        """Per-series metric rows: :meth:`cell_metrics` without a collection's aggregate rows
        (those with an empty ``series``)."""
        m = self.cell_metrics()
        return m[m["series"] != AGGREGATE_SERIES]

    def failed_cells(self) -> list[dict[str, Any]]:
        return [c for c in self.manifest.get("cells", []) if c.get("status") != "ok"]


#: The columns of each file that must parse as numbers (empty fields allowed).
NUMERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "forecasts": ("h", "y", "y_hat", "lo_80", "hi_80", "lo_95", "hi_95"),
    "metrics": ("value",),
    "shift": (
        "best_lag",
        "shift_gain",
        "theil_u2",
        "dm_stat_vs_naive",
        "dm_p_vs_naive",
        "n_origins",
        "max_lag_used",
    ),
    "comparisons": ("h", "statistic", "p_value", "n"),
    "shift_summary": ("n",),
    "training_history": ("fit", "epoch", "loss", "val_loss"),
    "events": ("actual", "predicted", "probability"),
    "confusion": ("actual", "predicted", "count"),
    "event_shift": (
        "best_lag",
        "shift_gain",
        "error_rate_ratio",
        "mcnemar_b_minus_c",
        "mcnemar_p_vs_persistence",
        "n_origins",
        "max_lag_used",
    ),
}
#: The columns each file must have.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "forecasts": FORECAST_COLUMNS,
    "metrics": METRIC_COLUMNS,
    "shift": SHIFT_COLUMNS,
    "comparisons": COMPARISON_COLUMNS,
    "shift_summary": (*SHIFT_SUMMARY_KEYS, "majority"),
    "training_history": HISTORY_COLUMNS,
    "events": EVENT_COLUMNS,
    "confusion": CONFUSION_COLUMNS,
    "event_shift": EVENT_SHIFT_COLUMNS,
}
TEXT_COLUMNS = ("dataset", "series", "model", "seed", "cutoff", "ds", "metric", "verdict",
                 "reason", "test", "reference", "better", "majority")  # fmt: skip


def normalise(frame: pd.DataFrame, name: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """A file's frame as every reader sees it, whether read from disk or handed over in memory:
    text columns as ``str`` (an empty field as ""), numeric columns as numbers (an empty field
    as NaN), seeds as text; also the names of the ``shift_summary`` verdict-count columns.

    A value that should be a number and is not is a :class:`DataError` naming ``where``, the
    column and the line."""
    frame = frame.reset_index(drop=True)
    for column in NUMERIC_COLUMNS[name]:
        frame[column] = _numbers(frame, column, where)
    for column in TEXT_COLUMNS:
        if column in frame.columns:
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), "").astype(str)
    if "seed" in frame.columns:
        frame["seed"] = [seed_text(v) for v in frame["seed"]]
    extra: list[str] = []
    if name == "shift_summary":  # the verdict counts between n and majority
        columns = list(frame.columns)
        extra = [str(c) for c in columns[columns.index("n") + 1 : columns.index("majority")]]
        for column in extra:
            frame[column] = _numbers(frame, column, where)
    prefix = LAG_PREFIX.get(name)
    for column in [c for c in frame.columns if prefix and str(c).startswith(prefix)]:
        frame[column] = _numbers(frame, column, where)
    return frame, extra


def _numbers(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """A column as numbers (empty fields NaN); anything else is a :class:`DataError`."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        shown = str(frame[column].iloc[row])[:40]
        raise DataError(f"{where}: column {column!r} line {row + 2}: not a number: {shown!r}")
    if isinstance(values.dtype, pd.api.extensions.ExtensionDtype):  # nullable Int64/Float64
        whole = pd.api.types.is_integer_dtype(values.dtype) and not values.isna().any()
        values = values.astype("int64" if whole else "float64")
    return values
