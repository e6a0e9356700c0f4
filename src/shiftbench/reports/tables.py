"""Leaderboards and verdict panels as plain data for the HTML, Markdown and LaTeX renderers."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shiftbench.evaluation.assess import ALPHA, REFERENCES
from shiftbench.evaluation.metrics import METRICS
from shiftbench.evaluation.ranks import RankTest, rank_test
from shiftbench.evaluation.shift import VERDICTS
from shiftbench.reports.data import ReportData
from shiftbench.reports.numbers import column_format, p_value
from shiftbench.rundir.schema import is_seeded

#: Column labels of the metrics (from :data:`shiftbench.evaluation.metrics.METRICS`).
LABELS: dict[str, str] = {name: metric.label for name, metric in METRICS.items()}

#: The leaderboard as several narrow tables (every column visible at 1280 px and in print):
#: (key, title, metrics). Every metric of METRICS is in exactly one (a test checks it).
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("errors", "Errors in the data's units", ("mse", "rmse", "mae", "mse_all_points")),
    ("scaled", "Scale-free errors", ("mape", "smape", "mase", "mase_seasonal", "owa")),
    (
        "persistence",
        "Against persistence, tests and verdict",
        ("theil_u2", "r2", "directional_accuracy"),
    ),
    (
        "intervals",
        "Forecast intervals",
        ("coverage_80", "coverage_95", "width_80", "width_95", "msis", "crps"),
    ),
)


def fmt(value: float) -> str:
    """Four significant digits; NaN as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}"


@dataclass
class Entry:
    """One metric of one model: the value (mean over seeds), its sd over seeds, and both as
    text in the notation of their column (see :func:`shiftbench.reports.numbers.column_format`)."""

    mean: float
    sd: float | None = None
    best: bool = False
    text: str = ""
    sd_text: str = ""


@dataclass
class Versus:
    """Diebold–Mariano outcome against a reference: symbol, and a short text."""

    symbol: str = ""
    text: str = ""
    short: str = ""


@dataclass
class Row:
    model: str
    n_seeds: int
    entries: dict[str, Entry] = field(default_factory=dict)
    vs: dict[str, Versus] = field(default_factory=dict)
    verdict: str = ""
    #: the badge's verdict where every seed (or the one cell) agrees, else ""
    badge: str = ""
    #: compute time of one run of the model on the dataset (mean over seeds), human form
    time: str = ""
    #: what the model is here where its name would mislead (seasonal naive with m = 1)
    note: str = ""


@dataclass
class Table:
    """One of the leaderboard's tables: a group of metric columns and the rows that have any."""

    key: str
    title: str
    metrics: list[str]
    rows: list[Row]


@dataclass
class Leaderboard:
    dataset: str
    metrics: list[str]
    rows: list[Row]
    tables: list[Table] = field(default_factory=list)


def _versus(data: ReportData, dataset: str, model: str, reference: str) -> Versus:
    """The DM test against a reference; over seeds or series, the counts of significant wins
    and losses."""
    unit = "series" if data.collection(dataset) else "seeds"
    c = data.comparisons
    rows = c[
        (c["dataset"] == dataset)
        & (c["model"] == model)
        & (c["reference"] == reference)
        & (c["test"] == "diebold_mariano_hln")
        & (c["h"] == 1)
    ]
    if model == reference:
        return Versus("", "reference", "ref.")
    if rows.empty:
        return Versus("", "–", "–")
    better = [
        bool(p < ALPHA and b == model) for p, b in zip(rows["p_value"], rows["better"], strict=True)
    ]
    worse = [
        bool(p < ALPHA and b == reference)
        for p, b in zip(rows["p_value"], rows["better"], strict=True)
    ]
    n = len(rows)
    if n == 1:
        p = float(rows["p_value"].iloc[0])
        shown = p_value(p)
        short = f"p {shown}" if shown.startswith("<") else f"p = {shown}"
        if better[0]:
            return Versus("▲", f"better ({short})", short)
        if worse[0]:
            return Versus("▼", f"worse ({short})", short)
        return Versus("·", f"no significant difference ({short})", short)
    symbol = "▲" if sum(better) > n / 2 else "▼" if sum(worse) > n / 2 else "·"
    text = f"{sum(better)}/{n} {unit} significantly better, {sum(worse)}/{n} worse"
    return Versus(symbol, text, f"{sum(better)}▲ {sum(worse)}▼ of {n}")


def verdict_text(data: ReportData, dataset: str, model: str) -> str:
    s = data.shift[(data.shift["dataset"] == dataset) & (data.shift["model"] == model)]
    if s.empty:
        return ""
    counts = Counter(s["verdict"])
    if len(s) == 1:
        return str(s["verdict"].iloc[0])
    if data.collection(dataset):
        share = counts.get("right_shift", 0) / len(s)
        return f"right_shift {share:.0%} of {len(s)}"
    return ", ".join(f"{v} ×{k}" for v, k in counts.most_common())


def _agreed_verdict(data: ReportData, dataset: str, model: str) -> str:
    """The verdict when every cell of a model on a single series agrees, else ""."""
    if data.collection(dataset):
        return ""
    s = data.shift[(data.shift["dataset"] == dataset) & (data.shift["model"] == model)]
    verdicts = set(s["verdict"].astype(str))
    return next(iter(verdicts)) if len(verdicts) == 1 and verdicts <= set(VERDICTS) else ""


def leaderboard(data: ReportData, dataset: str) -> Leaderboard:
    """One dataset's leaderboard: every model's metrics (mean ± sd over seeds), the best marked."""
    m = data.summary_metrics(dataset)
    present = [x for x in METRICS if x in set(m["metric"])]
    rows: list[Row] = []
    for model in data.models:
        mm = m[m["model"] == model]
        if mm.empty:
            continue
        seeds = sorted(set(mm["seed"]))
        row = Row(model=model, n_seeds=len([s for s in seeds if is_seeded(s)]))
        for metric in present:
            values = mm.loc[mm["metric"] == metric, "value"].to_numpy(dtype=np.float64)
            if not len(values):
                continue
            if row.n_seeds > 1:
                finite = values[np.isfinite(values)]
                mean = float(finite.mean()) if len(finite) else math.nan
                sd = float(finite.std(ddof=1)) if len(finite) > 1 else math.nan
                row.entries[metric] = Entry(mean, sd)
            else:
                row.entries[metric] = Entry(float(values[0]))
        for reference in REFERENCES:
            row.vs[reference] = _versus(data, dataset, model, reference)
        if not row.entries:  # an event classifier: no point forecast to score here
            continue
        row.verdict = verdict_text(data, dataset, model)
        row.badge = _agreed_verdict(data, dataset, model)
        row.time = data.run_times.get((dataset, model), "–")
        if model == "seasonal_naive" and data.datasets[dataset].season_length == 1:
            row.note = "m = 1: the same forecast as naive"
        rows.append(row)
    for metric in present:
        candidates = [
            (r, r.entries[metric].mean)
            for r in rows
            if metric in r.entries and math.isfinite(r.entries[metric].mean)
        ]
        if not candidates:
            continue
        key = [METRICS[metric].badness(v) for _, v in candidates]
        best = min(key)
        for (r, _), k in zip(candidates, key, strict=True):
            r.entries[metric].best = k == best
    for metric in present:
        entries = [r.entries[metric] for r in rows if metric in r.entries]
        render = column_format([e.mean for e in entries])
        for e in entries:
            e.text = render(e.mean)
            e.sd_text = "" if e.sd is None else render(e.sd)
    tables = []
    for group_key, title, group in GROUPS:
        shown = [metric for metric in group if metric in present]
        if not shown and group_key != "persistence":
            continue
        members = [
            r for r in rows if group_key == "persistence" or any(m in r.entries for m in shown)
        ]
        tables.append(Table(group_key, title, shown, members))
    return Leaderboard(dataset=dataset, metrics=present, rows=rows, tables=tables)


@dataclass
class SummaryCell:
    text: str
    badge: str
    verdict: str


def summary(
    data: ReportData, boards: list[Leaderboard]
) -> tuple[list[str], list[tuple[str, list[SummaryCell | None]]]]:
    """The first table of the report: U2 and the verdict of every model on every dataset
    (columns: datasets; rows: models)."""
    names = [b.dataset for b in boards]
    out = []
    for model in data.models:
        cells: list[SummaryCell | None] = []
        for board in boards:
            row = next((r for r in board.rows if r.model == model), None)
            if row is None:
                cells.append(None)
                continue
            u2 = row.entries.get("theil_u2")
            text = "–" if u2 is None else u2.text
            cells.append(SummaryCell(text, row.badge, row.verdict))
        if any(c is not None for c in cells):
            out.append((model, cells))
    return names, out


@dataclass
class ShiftRow:
    model: str
    seed: str
    verdict: str
    best_lag: str
    shift_gain: str
    dm_p: str
    reason: str
    profile: list[float]


def shift_rows(data: ReportData, dataset: str) -> list[ShiftRow]:
    """Every cell's verdict and lag profile (none for a collection: see :func:`shift_shares`)."""
    if data.collection(dataset):
        return []
    s = data.shift[data.shift["dataset"] == dataset]
    lag_columns = sorted(
        (c for c in s.columns if c.startswith("loss_lag")), key=lambda c: int(c[len("loss_lag") :])
    )
    out = []
    order = {m: i for i, m in enumerate(data.models)}
    for _, r in s.sort_values("model", key=lambda col: col.map(order)).iterrows():
        profile = [float(r[c]) for c in lag_columns if pd.notna(r[c])]
        out.append(
            ShiftRow(
                model=str(r["model"]),
                seed=str(r["seed"]),
                verdict=str(r["verdict"]),
                best_lag="–" if pd.isna(r["best_lag"]) else str(int(float(r["best_lag"]))),
                shift_gain=fmt(float(r["shift_gain"])),
                dm_p=p_value(float(r["dm_p_vs_naive"])),
                reason=str(r["reason"]),
                profile=profile,
            )
        )
    return out


@dataclass
class ShareRow:
    """A model's verdicts over a collection's series (one seed, or all seeds)."""

    model: str
    seed: str
    n: int
    counts: dict[str, int]

    @property
    def right_shift_share(self) -> str:
        return f"{self.counts.get('right_shift', 0) / self.n:.0%}" if self.n else "–"


def shift_shares(data: ReportData, dataset: str) -> list[ShareRow]:
    """The headline of a collection: how often each model's forecast is a delayed copy."""
    if not data.collection(dataset) or data.shift_summary is None:
        return []
    s = data.shift_summary[data.shift_summary["dataset"] == dataset]
    order = {m: i for i, m in enumerate(data.models)}
    rows = []
    for _, r in s.sort_values("model", key=lambda col: col.map(order)).iterrows():
        counts = {v: int(r[v]) for v in VERDICTS if v in r}
        rows.append(ShareRow(str(r["model"]), str(r["seed"]), int(r["n"]), counts))
    return rows


def per_series(data: ReportData, dataset: str, metric: str) -> pd.DataFrame:
    """A collection's per-series values of one metric: rows series, columns models (seeded
    models: the mean over seeds)."""
    m = data.series_metrics
    m = m[(m["dataset"] == dataset) & (m["metric"] == metric)]
    if m.empty:
        return pd.DataFrame()
    table = m.pivot_table(index="series", columns="model", values="value", aggfunc="mean")
    return table[[c for c in data.models if c in table.columns]]


def ranks(data: ReportData, dataset: str, metric: str = "smape") -> RankTest | None:
    """Friedman–Nemenyi over a collection's series (see :mod:`shiftbench.evaluation.ranks`)."""
    if not data.collection(dataset):
        return None
    table = per_series(data, dataset, metric)
    return rank_test(table, metric, ALPHA) if not table.empty else None
