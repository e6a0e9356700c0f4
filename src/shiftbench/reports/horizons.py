"""The accuracy-by-horizon table of a dataset whose run scored bands of steps ahead
(``smape_h1-6``... in ``metrics.csv``): sMAPE and seasonal MASE per band and over every step,
one row per model, as Makridakis, Spiliotis & Assimakopoulos (2018, Tables 8 and 9) show them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from shiftbench.evaluation.horizons import BAND_METRICS, band_name, parse_band
from shiftbench.evaluation.metrics import METRICS
from shiftbench.reports.data import ReportData
from shiftbench.reports.numbers import column_format
from shiftbench.reports.tables import Entry
from shiftbench.rundir.schema import is_seeded


@dataclass
class BandColumn:
    """One column: the ``metrics.csv`` name, the metric's label and the steps it covers."""

    metric: str
    group: str
    steps: str


@dataclass
class BandRow:
    model: str
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass
class HorizonBoard:
    """Per base metric (sMAPE, MASE (m)): a column per band, then the average over every step."""

    columns: list[BandColumn]
    rows: list[BandRow]
    #: the base metrics shown, each with how many columns it spans (for a two-line header)
    groups: list[tuple[str, int]]


def _steps(band: tuple[int, int]) -> str:
    return f"h {band[0]}" if band[0] == band[1] else f"h {band[0]}–{band[1]}"


def horizon_board(data: ReportData, dataset: str) -> HorizonBoard | None:
    """The table, or None when the dataset's metrics hold no band (mean over seeds for a
    seeded model; the collection's means over series for a collection)."""
    m = data.summary_metrics(dataset)
    present = set(m["metric"])
    parsed = [(name, parse_band(name)) for name in present]
    bands = sorted({found[1] for _, found in parsed if found is not None})
    if not bands:
        return None
    horizon = max(last for _, last in bands)
    columns: list[BandColumn] = []
    groups: list[tuple[str, int]] = []
    for base in BAND_METRICS:
        mine = [
            BandColumn(band_name(base, band), METRICS[base].label, _steps(band))
            for band in bands
            if band_name(base, band) in present
        ]
        if not mine:
            continue
        if base in present:
            mine.append(BandColumn(base, METRICS[base].label, f"all (1–{horizon})"))
        columns += mine
        groups.append((METRICS[base].label, len(mine)))
    rows: list[BandRow] = []
    for model in data.models:
        mm = m[m["model"] == model]
        if mm.empty:
            continue
        row = BandRow(model)
        seeded = any(is_seeded(s) for s in set(mm["seed"]))
        for column in columns:
            values = mm.loc[mm["metric"] == column.metric, "value"].to_numpy(dtype=np.float64)
            finite = values[np.isfinite(values)]
            if not len(values):
                continue
            mean = float(finite.mean()) if len(finite) else math.nan
            sd = float(finite.std(ddof=1)) if seeded and len(finite) > 1 else None
            row.entries[column.metric] = Entry(mean, sd)
        if row.entries:
            rows.append(row)
    for column in columns:
        entries = [r.entries[column.metric] for r in rows if column.metric in r.entries]
        finite = [e.mean for e in entries if math.isfinite(e.mean)]
        best = min(finite, default=math.nan)
        render = column_format([e.mean for e in entries])
        for e in entries:
            e.best = e.mean == best
            e.text = render(e.mean)
            e.sd_text = "" if e.sd is None else render(e.sd)
    return HorizonBoard(columns, rows, groups)


__all__ = ["BandColumn", "BandRow", "HorizonBoard", "horizon_board"]
