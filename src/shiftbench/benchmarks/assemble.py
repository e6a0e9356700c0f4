"""From computed cells to the tables and the manifest of a run: forecasts and metrics
concatenated, verdicts, tests and aggregates computed (:mod:`shiftbench.evaluation.assess`),
every cell's and model's entry for the manifest."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from shiftbench.benchmarks.backtest import CellResult
from shiftbench.benchmarks.events import event_tables
from shiftbench.benchmarks.plan import model_code
from shiftbench.evaluation.assess import (
    collection_aggregates,
    comparisons_table,
    seed_aggregates,
    shift_summary,
    shift_table,
)
from shiftbench.models import ModelSpec
from shiftbench.rundir.schema import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    METRIC_COLUMNS,
    RunFrames,
)
from shiftbench.types import Collection, Dataset, members_of


def _frames(results: list[CellResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    forecast_parts = [r.forecasts for r in results if r.forecasts is not None]
    forecasts = (
        pd.concat(forecast_parts, ignore_index=True)
        if forecast_parts
        else pd.DataFrame(columns=list(FORECAST_COLUMNS))
    )
    rows = [
        {
            "dataset": r.dataset,
            "series": series,
            "model": r.model,
            "seed": r.seed,
            "metric": k,
            "value": v,
        }
        for r in results
        for series, values in r.metrics.items()
        for k, v in values.items()
    ]
    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    metrics["seed"] = metrics["seed"].astype("Int64")
    return forecasts, metrics


def _with_rows(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with rows appended (the event tests beside the forecast tests)."""
    if not rows:
        return frame
    extra = pd.DataFrame(rows, columns=list(frame.columns))
    extra["seed"] = extra["seed"].astype("Int64")
    return extra if frame.empty else pd.concat([frame, extra], ignore_index=True)


def _histories(results: list[CellResult]) -> pd.DataFrame:
    """Loss and validation loss per epoch of every trained network (one row per epoch)."""
    rows = []
    for r in results:
        fits: dict[str, int] = {}
        for series, history in r.histories:
            fit = fits.get(series, 0)
            fits[series] = fit + 1
            losses = history.get("loss", [])
            val = history.get("val_loss", [])
            for epoch, loss in enumerate(losses, start=1):
                rows.append(
                    {
                        "dataset": r.dataset,
                        "series": series,
                        "model": r.model,
                        "seed": r.seed,
                        "fit": fit,
                        "epoch": epoch,
                        "loss": loss,
                        "val_loss": val[epoch - 1] if epoch <= len(val) else math.nan,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    frame["seed"] = frame["seed"].astype("Int64")
    return frame


def _cell_entry(r: CellResult, collection: bool) -> dict[str, Any]:
    """A cell's manifest entry; for a single series, ``info`` is what its fit chose, for a
    collection's chunk it maps each series to that."""
    info: dict[str, Any] = r.info if collection else next(iter(r.info.values()), {})
    entry: dict[str, Any] = {
        "dataset": r.dataset,
        "model": r.model,
        "seed": r.seed,
        "status": r.status,
        "wall_time_s": r.wall_time_s,
        "cached": r.cached,
        "key": r.key,
        "error": r.error,
        "warnings": r.warnings,
        "info": info,
    }
    if collection:
        entry["chunk"] = r.chunk
        entry["n_series"] = len(r.metrics) + len(r.series_failed)
        entry["series_failed"] = r.series_failed
    return entry


def model_entries(specs: dict[str, ModelSpec]) -> dict[str, dict[str, Any]]:
    """What the manifest records of each model: its summary, capabilities and origin, and for
    a model that is not built in, its class, its parameters and the source of its module."""
    out = {}
    for name, spec in specs.items():
        caps = spec.capabilities
        entry: dict[str, Any] = {
            "summary": spec.describe(),
            "capabilities": {
                "covariates": caps.covariates,
                "variance": caps.variance,
                "seeded": caps.seeded,
                "kind": caps.kind,
                "cost": caps.cost,
                "family": caps.family,  # the two fields above in one, as 0.3 wrote it
            },
            "origin": spec.origin,
        }
        if not spec.builtin:
            code = model_code(spec)
            entry["class"] = spec.target
            entry["params"] = dict(spec.params)
            entry["module_sources"] = code["modules"]
        out[name] = entry
    return out


def assemble(
    results: list[CellResult],
    datasets: list[Dataset | Collection],
    seeded: set[str],
) -> RunFrames:
    """The run's tables from its cells: forecasts, metrics (with the event scores of point
    forecasts, a collection's aggregate rows and the across-seed rows), verdicts, tests,
    summaries, training histories and the events' tables."""
    forecasts, metrics = _frames(results)
    by_series = {(m.name, m.series_id): m for ds in datasets for m in members_of(ds)}
    collections = {ds.name for ds in datasets if isinstance(ds, Collection)}
    shift = shift_table(forecasts, by_series)
    event_frames = [r.events for r in results if r.events is not None]
    events = confusion = event_shift = None
    event_comparisons: list[dict[str, Any]] = []
    if any(m.event is not None for m in by_series.values()):
        events, point_metrics, confusion, event_comparisons, event_shift = event_tables(
            forecasts, event_frames, by_series
        )
        if point_metrics:
            extra = pd.DataFrame(point_metrics, columns=list(METRIC_COLUMNS))
            extra["seed"] = extra["seed"].astype("Int64")
            metrics = pd.concat([metrics, extra], ignore_index=True)
    if collections:
        metrics = pd.concat(
            [metrics, collection_aggregates(metrics, collections)], ignore_index=True
        )
    if seeded:
        metrics = pd.concat(
            [metrics.astype({"seed": "object"}), seed_aggregates(metrics, seeded)],
            ignore_index=True,
        )
    return RunFrames(
        forecasts=forecasts,
        metrics=metrics,
        shift=shift,
        comparisons=_with_rows(comparisons_table(forecasts, by_series), event_comparisons),
        shift_summary=shift_summary(shift, seeded, collections)
        if (seeded or collections)
        else None,
        history=_histories(results),
        events=events,
        confusion=confusion,
        event_shift=event_shift,
    )


def cell_entries(
    results: list[CellResult], datasets: list[Dataset | Collection]
) -> list[dict[str, Any]]:
    """Every cell's manifest entry, in the cells' order."""
    collections = {ds.name for ds in datasets if isinstance(ds, Collection)}
    return [_cell_entry(r, r.dataset in collections) for r in results]
