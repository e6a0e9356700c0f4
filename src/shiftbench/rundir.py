"""The run directory: its files and columns, how it is written and how it is read back.

This module is the one owner of the format described in ``docs/contract.md``. The engine hands
it finished frames and a manifest (:func:`write_run`); the reports, ``compare`` and the Python
API read it back (:func:`load_run`). Nothing else writes or parses these files.

Conventions kept here and nowhere else:

- **Seeds.** In memory, before writing, a cell's seed is an ``int`` or ``None`` (a model without
  randomness). In a file, and in every frame :func:`load_run` returns, the ``seed`` column is
  text: the seed's digits, :data:`NO_SEED` (an empty field) for a model without randomness, or
  one of :data:`SEED_AGGREGATES` for the across-seed rows of ``metrics.csv``.
- **Time labels.** ``cutoff`` and ``ds`` hold ISO dates where the data have dates (ISO
  date-times if any time is not midnight), integers otherwise (:func:`time_labels`).
- **Floats** are written in their shortest round-trip form and read back bit for bit.
- **Atomic files.** Every file is written to a temporary name and renamed, so a reader sees the
  old or the new content, never a part (:func:`write_atomic`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.csvio import read_csv_or_fail
from shiftbench.errors import DataError
from shiftbench.runcheck import check_columns, check_manifest
from shiftbench.types import Collection, Dataset

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


def shift_lag_columns(max_lag: int) -> list[str]:
    """The lag-profile columns of ``shift.csv``.

    >>> shift_lag_columns(2)
    ['loss_lag0', 'loss_lag1', 'loss_lag2']
    """
    return [f"loss_lag{k}" for k in range(max_lag + 1)]


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


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def new_run_dir(out: Path, config_hash: str, started: dt.datetime) -> Path:
    """Create ``out/<UTC time>-<config hash>`` (with a counter when it exists already)."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{config_hash[:8]}"
    out.mkdir(parents=True, exist_ok=True)
    for i in range(1000):
        candidate = out / (base if i == 0 else f"{base}-{i}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise DataError(f"{out}: cannot create a new run directory")


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
            "protocol": {
                "test_size": ds.protocol.test_size,
                "n_test": ds.protocol.n_test(len(first)),
                "horizon": ds.protocol.horizon,
                "refit_every": ds.protocol.refit_every,
                "lstm_window": ds.protocol.lstm_window,
            },
            "observed_covariates": list(ds.observed),
            "known_ahead_covariates": list(ds.known_ahead),
        }
    return {
        "sha256": ds.sha256,
        "length": len(ds),
        "frequency": ds.frequency,
        "season_length": ds.season_length,
        "source": ds.source,
        "protocol": {
            "test_size": ds.protocol.test_size,
            "n_test": ds.protocol.n_test(len(ds)),
            "horizon": ds.protocol.horizon,
            "refit_every": ds.protocol.refit_every,
            "lstm_window": ds.protocol.lstm_window,
        },
        "observed_covariates": list(ds.observed),
        "known_ahead_covariates": list(ds.known_ahead),
    }


#: The distributions whose versions the manifest records; a tuple lists alternatives that
#: install the same import package (TensorFlow is ``tensorflow-cpu`` on Linux x86-64).
VERSIONED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("numpy", ("numpy",)),
    ("pandas", ("pandas",)),
    ("scipy", ("scipy",)),
    ("statsmodels", ("statsmodels",)),
    ("arch", ("arch",)),
    ("tensorflow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")),
    ("keras", ("keras",)),
    ("scikit-learn", ("scikit-learn",)),
    ("shiftbench", ("shiftbench",)),
)


def versions() -> dict[str, str | None]:
    """Python's and every recorded distribution's installed version (None when absent)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name, distributions in VERSIONED:
        out[name] = None
        for dist in distributions:
            try:
                out[name] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out


def git_commit() -> str | None:
    """The commit of the source tree shiftbench runs from, when it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def environment(seeds: Iterable[int], seeded: bool, cell_threads: int) -> dict[str, Any]:
    """The manifest's account of where and how the run ran."""
    seeds = list(seeds)
    return {
        "versions": versions(),
        "platform": {
            "system": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
        },
        "git_commit": git_commit(),
        "determinism": {
            "seeds": seeds,
            "note": "classical models are deterministic; seeded models run once per seed",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED"),
            "keras_set_random_seed": seeded,
            "tf_op_determinism": seeded,
            "threads_per_cell": cell_threads,
        },
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


def _csv(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    out = frame.copy()
    if columns is not None:
        missing = [c for c in columns if c not in out.columns]
        if missing:
            raise ValueError(f"frame lacks the columns {missing} of the run directory's format")
    if "seed" in out.columns:
        out["seed"] = [seed_text(v) for v in out["seed"]]
    return str(out.to_csv(index=False, lineterminator="\n"))


def write_run(run_dir: Path, manifest: Mapping[str, Any], frames: RunFrames) -> None:
    """Write the run directory's data files and, last, its manifest.

    The manifest is written last, so a directory with a manifest holds every data file.
    """
    files: list[tuple[str, pd.DataFrame, Iterable[str] | None]] = [
        ("forecasts.csv", frames.forecasts, FORECAST_COLUMNS),
        ("metrics.csv", frames.metrics, METRIC_COLUMNS),
        ("shift.csv", frames.shift, SHIFT_COLUMNS),
        ("comparisons.csv", frames.comparisons, COMPARISON_COLUMNS),
    ]
    if frames.history is not None and not frames.history.empty:
        files.append(("training_history.csv", frames.history, HISTORY_COLUMNS))
    if frames.shift_summary is not None:
        files.append(("shift_summary.csv", frames.shift_summary, SHIFT_SUMMARY_KEYS))
    if frames.events is not None and not frames.events.empty:
        files.append(("events.csv", frames.events, EVENT_COLUMNS))
        if frames.confusion is not None:
            files.append(("confusion.csv", frames.confusion, CONFUSION_COLUMNS))
        if frames.event_shift is not None:
            files.append(("event_shift.csv", frames.event_shift, SHIFT_COLUMNS))
    for name, frame, columns in files:
        write_atomic(run_dir / name, _csv(frame, columns))
    text = json.dumps(_finite(dict(manifest)), indent=2, default=_json_default, allow_nan=False)
    write_atomic(run_dir / "manifest.json", text + "\n")


def _finite(value: Any) -> Any:
    """JSON has no NaN or inf: they are written as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


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
        "theil_u2",
        "dm_stat_vs_naive",
        "dm_p_vs_naive",
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
    "event_shift": SHIFT_COLUMNS,
}
_TEXT_COLUMNS = ("dataset", "series", "model", "seed", "cutoff", "ds", "metric", "verdict",
                 "reason", "test", "reference", "better", "majority")  # fmt: skip


def _read(path: Path, name: str, required: bool) -> pd.DataFrame | None:
    """One CSV file of a run, checked: every required column present, numbers where numbers
    belong; anything else is a :class:`DataError` naming the file and the column."""
    if not path.is_file():
        if required:
            raise DataError(f"{path}: missing; is {path.parent} a shiftbench run directory?")
        return None
    dtypes = {c: str for c in _TEXT_COLUMNS}
    frame = read_csv_or_fail(
        path, dtype=dtypes, keep_default_na=False, na_values=[""], low_memory=False
    )
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column {missing[0]!r}")
    for column in NUMERIC_COLUMNS[name]:
        frame[column] = _numbers(frame, column, path)
    for column in _TEXT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna("").astype(str)
    if "seed" in frame.columns:
        frame["seed"] = [seed_text(v) for v in frame["seed"]]
    extra: list[str] = []
    if name == "shift_summary":  # the verdict counts between n and majority
        columns = list(frame.columns)
        extra = [str(c) for c in columns[columns.index("n") + 1 : columns.index("majority")]]
        for column in extra:
            frame[column] = _numbers(frame, column, path)
    for column in [c for c in frame.columns if str(c).startswith("loss_lag")]:
        frame[column] = _numbers(frame, column, path)
    check_columns(frame, name, str(path), extra)
    return frame


def _numbers(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column as numbers (empty fields NaN); anything else is a :class:`DataError`."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        shown = str(frame[column].iloc[row])[:40]
        raise DataError(f"{path}: column {column!r} line {row + 2}: not a number: {shown!r}")
    return values


def _check_not_emptied(
    root: Path, manifest: dict[str, Any], frames: dict[str, pd.DataFrame | None]
) -> None:
    """A file cut down to its header while the manifest lists finished cells that write rows
    into it is broken, not a run with fewer cells: every finished cell has metric rows, and
    every finished forecaster cell (not an event classifier) has forecasts and a verdict."""
    finished = [c for c in manifest["cells"] if c.get("status") == "ok"]
    models = manifest.get("models", {})

    def forecaster(cell: dict[str, Any]) -> bool:
        entry = models.get(cell["model"], {})
        return bool(entry.get("capabilities", {}).get("family") != "event")

    for name, cells in (
        ("metrics", finished),
        ("forecasts", [c for c in finished if forecaster(c)]),
        ("shift", [c for c in finished if forecaster(c)]),
    ):
        frame = frames[name]
        if cells and frame is not None and frame.empty:
            raise DataError(
                f"{root / (name + '.csv')}: no rows, but the manifest lists {len(cells)} "
                "finished cell(s) that write rows there"
            )


def load_run(path: str | Path) -> RunData:
    """Read a run directory; a missing or malformed file is a :class:`DataError` naming it."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root}: no such run directory")
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise DataError(f"{manifest_path}: missing; is {root} a shiftbench run directory?")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise DataError(f"{manifest_path}: not valid JSON ({reason})") from None
    manifest = check_manifest(manifest, str(manifest_path))
    frames = {
        name: _read(root / f"{name}.csv", name, required)
        for name, required in (
            ("forecasts", True),
            ("metrics", True),
            ("shift", True),
            ("comparisons", True),
            ("shift_summary", False),
            ("training_history", False),
            ("events", False),
            ("confusion", False),
            ("event_shift", False),
        )
    }
    _check_not_emptied(root, manifest, frames)
    return RunData(
        path=root,
        manifest=manifest,
        forecasts=frames["forecasts"],  # type: ignore[arg-type]
        metrics=frames["metrics"],  # type: ignore[arg-type]
        shift=frames["shift"],  # type: ignore[arg-type]
        comparisons=frames["comparisons"],  # type: ignore[arg-type]
        shift_summary=frames["shift_summary"],
        history=frames["training_history"],
        events=frames["events"],
        confusion=frames["confusion"],
        event_shift=frames["event_shift"],
    )
