"""The report's tables built from a run's manifest."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from shiftbench.reports.tables import arima_fits
from shiftbench.rundir import RunData


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
    run = SimpleNamespace(manifest=manifest)
    run.is_collection = lambda dataset: RunData.is_collection(cast(RunData, run), dataset)
    rows = arima_fits(cast(RunData, run))
    assert [(r.dataset, r.model, r.series, r.fallbacks, r.not_converged) for r in rows] == [
        ("m3", "arima", 3, 1, 1),
        ("sales", "arima", 1, 0, 0),
        ("sales", "arima_garch", 1, 0, 0),
    ]
    assert rows[0].orders == "2 distinct; most often A (2)"
    assert rows[1].orders == "C"
