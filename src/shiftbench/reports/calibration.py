"""The report's calibration view: each model's observed coverage of its 80 % and 95 % intervals
against the nominal levels, where the intervals come from, and what Kupiec's and
Christoffersen's tests (``comparisons.csv``, :func:`shiftbench.evaluation.assess.interval_tests`)
say of them, as plain data for the renderers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.evaluation.assess import ALPHA, TESTED_LEVELS
from shiftbench.reports.data import ReportData
from shiftbench.reports.numbers import p_value

#: Where a cell's intervals came from (the ``intervals`` of its manifest ``info``), in words.
SOURCES: dict[str, str] = {"model": "own", "conformal": "conformal", "aci": "ACI"}
#: What a rejection in ``comparisons.csv``'s ``better`` column means, in words.
MEANINGS: dict[str, str] = {
    "too_narrow": "too narrow",
    "too_wide": "too wide",
    "clustered": "misses cluster",
    "alternating": "misses alternate",
}


@dataclass
class LevelCheck:
    """One nominal level of one model: the observed coverage (mean over seeds or series) and
    the coverage test's outcome in words."""

    level: int
    observed: float
    kupiec: str


@dataclass
class CalibrationRow:
    model: str
    source: str
    levels: list[LevelCheck] = field(default_factory=list)
    #: Christoffersen's independence test of the 95 % intervals' misses, in words
    independence: str = ""


def _source(data: ReportData, dataset: str, model: str) -> str:
    cells = data.cells[(data.cells["dataset"] == dataset) & (data.cells["model"] == model)]
    for info in cells["info"]:
        found = _intervals_of(info)
        if found:
            return SOURCES.get(found, "–")
    return "–"


def _intervals_of(info: Any) -> str:
    """The ``intervals`` entry of a cell's info (a single series' info, or a chunk's per-series
    infos)."""
    if not isinstance(info, dict):
        return ""
    if isinstance(info.get("intervals"), str):
        return str(info["intervals"])
    for value in info.values():
        if isinstance(value, dict) and isinstance(value.get("intervals"), str):
            return str(value["intervals"])
    return ""


def outcome_text(rows: pd.DataFrame, holds: str = "consistent") -> str:
    """One test's outcome over a model's cells: the rejection (at 5 %) and p-value for one
    cell; over several, the share of cells with each kind of rejection. ``holds`` says what a
    test that does not reject finds.

    >>> one = pd.DataFrame({"p_value": [0.003], "better": ["too_narrow"]})
    >>> outcome_text(one)
    'too narrow, p = 0.003'
    >>> many = pd.DataFrame({"p_value": [0.5, 0.01, 0.02], "better": ["", "too_wide", "too_wide"]})
    >>> outcome_text(many)
    'too wide 2/3'
    """
    if rows.empty:
        return "–"
    rejected = rows[(rows["p_value"] < ALPHA) & (rows["better"].astype(str) != "")]
    if len(rows) == 1:
        p = float(rows["p_value"].iloc[0])
        if not math.isfinite(p):
            return "–"
        shown = p_value(p)
        where = f"p {shown}" if shown.startswith("<") else f"p = {shown}"
        if rejected.empty:
            return f"{holds}, {where}"
        return f"{MEANINGS.get(str(rejected['better'].iloc[0]), '?')}, {where}"
    if rejected.empty:
        return f"{holds} {len(rows)}/{len(rows)}"
    counts = rejected["better"].astype(str).value_counts()
    return ", ".join(f"{MEANINGS.get(str(k), str(k))} {v}/{len(rows)}" for k, v in counts.items())


def calibration_rows(data: ReportData, dataset: str) -> list[CalibrationRow]:
    """Every model of ``dataset`` whose forecasts have intervals, in report order."""
    m = data.summary_metrics(dataset)
    c = data.comparisons
    c = c[(c["dataset"] == dataset) & (c["h"] == 1)]
    rows = []
    for model in data.models:
        mm = m[m["model"] == model]
        values = {
            level: mm.loc[mm["metric"] == f"coverage_{level}", "value"].to_numpy(np.float64)
            for level in TESTED_LEVELS
        }
        if not any(len(v) for v in values.values()):
            continue
        row = CalibrationRow(model=model, source=_source(data, dataset, model))
        tests = c[c["model"] == model]
        for level in TESTED_LEVELS:
            finite = values[level][np.isfinite(values[level])]
            kupiec = tests[
                (tests["test"] == "kupiec_uc") & (tests["reference"] == f"nominal_{level}")
            ]
            row.levels.append(
                LevelCheck(
                    level,
                    float(finite.mean()) if len(finite) else math.nan,
                    outcome_text(kupiec),
                )
            )
        independence = tests[
            (tests["test"] == "christoffersen_ind") & (tests["reference"] == "nominal_95")
        ]
        row.independence = outcome_text(independence, holds="independent")
        rows.append(row)
    return rows


def coverage_points(rows: list[CalibrationRow]) -> pd.DataFrame:
    """The calibration figure's points: model, nominal and observed coverage."""
    return pd.DataFrame(
        [
            {"model": r.model, "nominal": lv.level / 100.0, "observed": lv.observed}
            for r in rows
            for lv in r.levels
            if math.isfinite(lv.observed)
        ],
        columns=["model", "nominal", "observed"],
    )
