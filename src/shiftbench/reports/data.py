"""A run's data as the reports use them, built once: tidy frames and the facts of each dataset.

Every table of the report (:mod:`shiftbench.reports.tables`, :mod:`shiftbench.reports.fits`,
:mod:`shiftbench.reports.event_tables`) is a pure function of a :class:`ReportData` and a dataset
name; nothing asks the run the same question twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from shiftbench.reports.numbers import duration
from shiftbench.rundir.schema import (
    AGGREGATE_SERIES,
    NO_SEED,
    SEED_AGGREGATES,
    RunData,
)


@dataclass(frozen=True)
class DatasetFacts:
    """What the reports need to know of one dataset of the run."""

    name: str
    #: the manifest's entry (length, protocol, source, sha256, ...)
    info: dict[str, Any]
    #: a collection of many series (its metrics summarised by the aggregate rows)
    collection: bool
    #: the ``series`` of the metric rows that summarise it
    summary_series: str
    season_length: int | None


@dataclass(frozen=True)
class ReportData:
    """The run's tables and facts, in the shapes the reports read (see the module docstring)."""

    run: RunData
    #: models in report order: the config's order, then any the files add
    models: list[str]
    seeded_models: frozenset[str]
    datasets: dict[str, DatasetFacts]
    #: per-cell metric rows (the across-seed rows left out)
    cell_metrics: pd.DataFrame
    #: per-series metric rows (without a collection's aggregate rows)
    series_metrics: pd.DataFrame
    #: one row per cell of the manifest: dataset, model, seed (text), status, wall_time_s, info
    cells: pd.DataFrame
    #: compute time of one run of (dataset, model), human form (see :func:`_run_times`)
    run_times: dict[tuple[str, str], str]

    @property
    def manifest(self) -> dict[str, Any]:
        return self.run.manifest

    @property
    def shift(self) -> pd.DataFrame:
        return self.run.shift

    @property
    def comparisons(self) -> pd.DataFrame:
        return self.run.comparisons

    @property
    def forecasts(self) -> pd.DataFrame:
        return self.run.forecasts

    @property
    def shift_summary(self) -> pd.DataFrame | None:
        return self.run.shift_summary

    @property
    def history(self) -> pd.DataFrame | None:
        return self.run.history

    @property
    def events(self) -> pd.DataFrame | None:
        return self.run.events

    @property
    def confusion(self) -> pd.DataFrame | None:
        return self.run.confusion

    @property
    def event_shift(self) -> pd.DataFrame | None:
        return self.run.event_shift

    def collection(self, dataset: str) -> bool:
        facts = self.datasets.get(dataset)
        return bool(facts and facts.collection)

    def summary_metrics(self, dataset: str) -> pd.DataFrame:
        """The metric rows that summarise one dataset (its aggregate rows for a collection)."""
        m = self.cell_metrics
        facts = self.datasets[dataset]
        return m[(m["dataset"] == dataset) & (m["series"] == facts.summary_series)]

    def capability(self, model: str, name: str) -> bool:
        """A model's capability as the manifest records it (False when it is not recorded)."""
        entry = self.manifest.get("models", {}).get(model, {})
        return bool(entry.get("capabilities", {}).get(name, False))


def report_data(run: RunData) -> ReportData:
    """Build the reports' view of a run once."""
    metrics = run.metrics
    cell_metrics = metrics[~metrics["seed"].isin(SEED_AGGREGATES)]
    series_metrics = cell_metrics[cell_metrics["series"] != AGGREGATE_SERIES]
    entries = run.manifest.get("datasets", {})
    datasets = {}
    for name in entries:
        entry = entries[name] if isinstance(entries[name], dict) else {}
        collection = "n_series" in entry
        if collection:
            summary = AGGREGATE_SERIES
        else:
            rows = metrics.loc[metrics["dataset"] == name, "series"]
            summary = str(rows.iloc[0]) if len(rows) else name
        season = entry.get("season_length")
        datasets[name] = DatasetFacts(
            name=name,
            info=entry,
            collection=collection,
            summary_series=summary,
            season_length=season
            if isinstance(season, int) and not isinstance(season, bool)
            else None,
        )
    cells = _cells(run.manifest)
    return ReportData(
        run=run,
        models=run.models,
        seeded_models=frozenset(run.forecasts.loc[run.forecasts["seed"] != NO_SEED, "model"]),
        datasets=datasets,
        cell_metrics=cell_metrics,
        series_metrics=series_metrics,
        cells=cells,
        run_times=_run_times(cells),
    )


def _cells(manifest: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for cell in manifest.get("cells", []):
        if not isinstance(cell, dict):
            continue
        seconds = cell.get("wall_time_s")
        ok_time = (
            isinstance(seconds, int | float)
            and not isinstance(seconds, bool)
            and math.isfinite(seconds)
            and seconds >= 0
        )
        rows.append(
            {
                "dataset": str(cell.get("dataset", "")),
                "model": str(cell.get("model", "")),
                "seed": "" if cell.get("seed") is None else str(cell.get("seed")),
                "status": str(cell.get("status", "")),
                "wall_time_s": float(seconds) if ok_time else math.nan,  # type: ignore[arg-type]
                "info": cell.get("info", {}),
            }
        )
    return pd.DataFrame(rows, columns=["dataset", "model", "seed", "status", "wall_time_s", "info"])


def _run_times(cells: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Seconds of compute of one run of a model on a dataset: its cells' times (a collection's
    chunks added up), averaged over seeds; as computed, also when the cells came from the
    cache."""
    timed = cells[cells["wall_time_s"].notna()]
    per_seed = timed.groupby(["dataset", "model", "seed"], sort=False)["wall_time_s"].sum()
    mean = per_seed.groupby(level=["dataset", "model"], sort=False).mean()
    out: dict[tuple[str, str], str] = {}
    for key, value in mean.items():
        pair: tuple[Any, Any] = key  # type: ignore[assignment]
        out[(str(pair[0]), str(pair[1]))] = duration(float(value))
    return out
