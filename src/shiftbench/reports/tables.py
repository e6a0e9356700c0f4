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
from shiftbench.rundir import RunData, is_seeded

#: Column labels of the metrics (from :data:`shiftbench.evaluation.metrics.METRICS`).
LABELS: dict[str, str] = {name: metric.label for name, metric in METRICS.items()}


def fmt(value: float) -> str:
    """Four significant digits; NaN as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}"


@dataclass
class Entry:
    mean: float
    sd: float | None = None
    best: bool = False

    @property
    def text(self) -> str:
        if self.sd is None:
            return fmt(self.mean)
        return f"{fmt(self.mean)} ± {fmt(self.sd)}"


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


@dataclass
class Leaderboard:
    dataset: str
    metrics: list[str]
    rows: list[Row]


def _versus(run: RunData, dataset: str, model: str, reference: str) -> Versus:
    """The DM test against a reference; over seeds or series, the counts of significant wins
    and losses."""
    unit = "series" if run.is_collection(dataset) else "seeds"
    c = run.comparisons
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
        if better[0]:
            return Versus("▲", f"better (p = {p:.2g})", f"p={p:.2g}")
        if worse[0]:
            return Versus("▼", f"worse (p = {p:.2g})", f"p={p:.2g}")
        return Versus("·", f"no significant difference (p = {p:.2g})", f"p={p:.2g}")
    symbol = "▲" if sum(better) > n / 2 else "▼" if sum(worse) > n / 2 else "·"
    text = f"{sum(better)}/{n} {unit} significantly better, {sum(worse)}/{n} worse"
    return Versus(symbol, text, f"{sum(better)}▲ {sum(worse)}▼ of {n}")


def verdict_text(run: RunData, dataset: str, model: str) -> str:
    s = run.shift[(run.shift["dataset"] == dataset) & (run.shift["model"] == model)]
    if s.empty:
        return ""
    counts = Counter(s["verdict"])
    if len(s) == 1:
        return str(s["verdict"].iloc[0])
    if run.is_collection(dataset):
        share = counts.get("right_shift", 0) / len(s)
        return f"right_shift {share:.0%} of {len(s)}"
    return ", ".join(f"{v} ×{k}" for v, k in counts.most_common())


def leaderboard(run: RunData, dataset: str) -> Leaderboard:
    """One dataset's leaderboard: every model's metrics (mean ± sd over seeds), the best marked."""
    m = run.cell_metrics()
    m = m[(m["dataset"] == dataset) & (m["series"] == run.summary_series(dataset))]
    present = [x for x in METRICS if x in set(m["metric"])]
    rows: list[Row] = []
    for model in run.models:
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
            row.vs[reference] = _versus(run, dataset, model, reference)
        row.verdict = verdict_text(run, dataset, model)
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
    return Leaderboard(dataset=dataset, metrics=present, rows=rows)


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


def shift_rows(run: RunData, dataset: str) -> list[ShiftRow]:
    """Every cell's verdict and lag profile (none for a collection: see :func:`shift_shares`)."""
    if run.is_collection(dataset):
        return []
    s = run.shift[run.shift["dataset"] == dataset]
    lag_columns = sorted(
        (c for c in s.columns if c.startswith("loss_lag")), key=lambda c: int(c[len("loss_lag") :])
    )
    out = []
    order = {m: i for i, m in enumerate(run.models)}
    for _, r in s.sort_values("model", key=lambda col: col.map(order)).iterrows():
        profile = [float(r[c]) for c in lag_columns if pd.notna(r[c])]
        out.append(
            ShiftRow(
                model=str(r["model"]),
                seed=str(r["seed"]),
                verdict=str(r["verdict"]),
                best_lag="–" if pd.isna(r["best_lag"]) else str(int(float(r["best_lag"]))),
                shift_gain=fmt(float(r["shift_gain"])),
                dm_p=fmt(float(r["dm_p_vs_naive"])),
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


def shift_shares(run: RunData, dataset: str) -> list[ShareRow]:
    """The headline of a collection: how often each model's forecast is a delayed copy."""
    if not run.is_collection(dataset) or run.shift_summary is None:
        return []
    s = run.shift_summary[run.shift_summary["dataset"] == dataset]
    order = {m: i for i, m in enumerate(run.models)}
    rows = []
    for _, r in s.sort_values("model", key=lambda col: col.map(order)).iterrows():
        counts = {v: int(r[v]) for v in VERDICTS if v in r}
        rows.append(ShareRow(str(r["model"]), str(r["seed"]), int(r["n"]), counts))
    return rows


def per_series(run: RunData, dataset: str, metric: str) -> pd.DataFrame:
    """A collection's per-series values of one metric: rows series, columns models (seeded
    models: the mean over seeds)."""
    m = run.series_metrics()
    m = m[(m["dataset"] == dataset) & (m["metric"] == metric)]
    if m.empty:
        return pd.DataFrame()
    table = m.pivot_table(index="series", columns="model", values="value", aggfunc="mean")
    return table[[c for c in run.models if c in table.columns]]


def ranks(run: RunData, dataset: str, metric: str = "smape") -> RankTest | None:
    """Friedman–Nemenyi over a collection's series (see :mod:`shiftbench.evaluation.ranks`)."""
    if not run.is_collection(dataset):
        return None
    table = per_series(run, dataset, metric)
    return rank_test(table, metric, ALPHA) if not table.empty else None


@dataclass(frozen=True)
class FitRow:
    """How the ARIMA-family fits of one cell went: the orders chosen, how they were searched,
    and how many series fell back to a next-best order or stopped before converging."""

    dataset: str
    model: str
    series: int
    orders: str
    search: str
    fallbacks: int
    not_converged: int


def _positive_number(value: object) -> bool:
    """A count read back from a manifest: only a real number above zero counts (a hand-edited
    or hostile string is not a fallback)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def arima_fits(run: RunData) -> list[FitRow]:
    """One row per (dataset, model) of the cells whose fits report an order search (``arima``,
    ``arima_garch``), pooled over a collection's chunks; the first seed of a seeded model."""
    pooled: dict[tuple[str, str], list[dict[str, object]]] = {}
    seen_seed: dict[tuple[str, str], object] = {}
    for cell in run.manifest.get("cells", []):
        info = cell.get("info")
        if not isinstance(info, dict):
            continue
        key = (str(cell.get("dataset")), str(cell.get("model")))
        # a collection's chunk maps each series to what its fit chose; a single series' cell
        # holds that directly (the manifest's cell entry)
        entries = list(info.values()) if run.is_collection(key[0]) else [info]
        fits = [v for v in entries if isinstance(v, dict) and "fallbacks" in v]
        if not fits:
            continue
        if seen_seed.setdefault(key, cell.get("seed")) != cell.get("seed"):
            continue
        pooled.setdefault(key, []).extend(fits)
    rows = []
    for (dataset, model), fits in pooled.items():
        labels = Counter(str(f.get("model", f.get("order"))) for f in fits)
        if len(labels) == 1:
            orders = next(iter(labels))
        else:
            label, count = labels.most_common(1)[0]
            orders = f"{len(labels)} distinct; most often {label} ({count})"
        rows.append(
            FitRow(
                dataset=dataset,
                model=model,
                series=len(fits),
                orders=orders,
                search=", ".join(sorted({str(f.get("search", "")) for f in fits} - {""})),
                fallbacks=sum(1 for f in fits if _positive_number(f.get("fallbacks"))),
                not_converged=sum(1 for f in fits if f.get("converged") is False),
            )
        )
    return rows
