"""The report's tables built from a run's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from shiftbench.evaluation.metrics import METRICS
from shiftbench.reports.data import ReportData, report_data
from shiftbench.reports.fits import arima_fits
from shiftbench.reports.numbers import column_format
from shiftbench.reports.tables import GROUPS
from shiftbench.rundir import (
    COMPARISON_COLUMNS,
    FORECAST_COLUMNS,
    METRIC_COLUMNS,
    SHIFT_COLUMNS,
    RunData,
)


def _report(manifest: dict[str, Any]) -> ReportData:
    """The reports' view of a run that has only a manifest (empty files)."""

    def empty(columns: tuple[str, ...]) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})

    run = RunData(
        path=Path("run"),
        manifest=manifest,
        forecasts=empty(FORECAST_COLUMNS),
        metrics=empty(METRIC_COLUMNS),
        shift=empty(SHIFT_COLUMNS),
        comparisons=empty(COMPARISON_COLUMNS),
        shift_summary=None,
        history=None,
    )
    return report_data(run)


def test_arima_fits_pool_a_collections_chunks_and_count_fallbacks() -> None:
    def fit(label: str, fallbacks: object = 0, converged: bool = True) -> dict[str, object]:
        return {
            "model": label,
            "search": "exact ML",
            "fallbacks": fallbacks,
            "converged": converged,
        }

    def cell(dataset: str, model: str, info: dict[str, object]) -> dict[str, object]:
        return {"dataset": dataset, "model": model, "seed": None, "info": info}

    manifest = {
        "datasets": {"m3": {"n_series": 3}, "sales": {"length": 45}},
        "cells": [  # a collection's two chunks, keyed by series; a single series' cell, flat
            cell("m3", "arima", {"a": fit("A"), "b": fit("B", 1)}),
            cell("m3", "arima", {"c": fit("A", 0, False)}),
            cell("m3", "naive", {}),
            cell("sales", "arima", fit("C")),
            cell("sales", "arima_garch", fit("C", "9; rm -rf")),  # not a count: not counted
        ],
    }
    rows = arima_fits(_report(manifest))
    assert [(r.dataset, r.model, r.series, r.fallbacks, r.not_converged) for r in rows] == [
        ("m3", "arima", 3, 1, 1),
        ("sales", "arima", 1, 0, 0),
        ("sales", "arima_garch", 1, 0, 0),
    ]
    assert rows[0].orders == "2 distinct; most often A (2)"
    assert rows[1].orders == "C"


def _fits_run(cells: list[dict[str, object]]) -> ReportData:
    return _report({"datasets": {"sales": {"length": 45}}, "cells": cells})


def test_a_garch_with_alpha_near_zero_is_called_degenerate() -> None:
    info = {
        "model": "ARIMA(1,1,0)",
        "fallbacks": 0,
        "converged": True,
        "garch": {"omega": 0.0247, "alpha": [2.4e-13], "beta": [0.992], "nu": None},
    }
    cell = {"dataset": "sales", "model": "arima_garch", "seed": None, "info": info}
    cell["warnings"] = ["Maximum Likelihood optimization failed to converge"]
    (row,) = arima_fits(_fits_run([cell]))
    assert row.garch.startswith("ω = 0.0247, α = 2.4e-13, β = 0.992")
    assert "degenerate" in row.garch
    assert row.warnings == ["Maximum Likelihood optimization failed to converge"]
    lively = dict(info, garch={"omega": 0.04, "alpha": [0.136], "beta": [0.82]})
    cell = {"dataset": "sales", "model": "arima_garch", "seed": None, "info": lively}
    (row,) = arima_fits(_fits_run([cell]))
    assert row.garch == "ω = 0.04, α = 0.136, β = 0.82"


def test_every_metric_is_in_exactly_one_leaderboard_table() -> None:
    grouped = [m for _, _, metrics in GROUPS for m in metrics]
    assert sorted(grouped) == sorted(METRICS)


def test_a_column_never_mixes_plain_and_scientific_notation() -> None:
    for values in ([0.4417, 1.0, 3.2e-6], [136.57, 161883.0, 1125.0], [1e-10, 2e-10]):
        render = column_format(values)
        texts = [render(v) for v in values]
        kinds = {"e" in t for t in texts}
        assert len(kinds) == 1, texts
        decimals = {len(t.partition(".")[2]) for t in texts if "e" not in t}
        assert len(decimals) <= 1, texts  # one number of decimals per column
    assert column_format([136.57, 161883.0])(136.57) == "137"
