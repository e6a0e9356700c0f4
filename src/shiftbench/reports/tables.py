"""Leaderboards and verdict panels as plain data for the HTML, Markdown and LaTeX renderers."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shiftbench.evaluation.assess import ALPHA, REFERENCES
from shiftbench.evaluation.events import EVENT_METRICS, LOWER_IS_BETTER
from shiftbench.evaluation.metrics import METRICS
from shiftbench.evaluation.ranks import RankTest, rank_test
from shiftbench.evaluation.shift import VERDICTS
from shiftbench.reports.numbers import column_format, duration, p_value
from shiftbench.rundir import RunData, is_seeded

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
    ("intervals", "Forecast intervals", ("coverage_80", "coverage_95", "crps")),
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


def _agreed_verdict(run: RunData, dataset: str, model: str) -> str:
    """The verdict when every cell of a model on a single series agrees, else ""."""
    if run.is_collection(dataset):
        return ""
    s = run.shift[(run.shift["dataset"] == dataset) & (run.shift["model"] == model)]
    verdicts = set(s["verdict"].astype(str))
    return next(iter(verdicts)) if len(verdicts) == 1 and verdicts <= set(VERDICTS) else ""


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
        if not row.entries:  # an event classifier: no point forecast to score here
            continue
        row.verdict = verdict_text(run, dataset, model)
        row.badge = _agreed_verdict(run, dataset, model)
        row.time = _run_time(run, dataset, model)
        if model == "seasonal_naive" and _season_length(run, dataset) == 1:
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


def _season_length(run: RunData, dataset: str) -> int | None:
    info = run.manifest.get("datasets", {}).get(dataset, {})
    value = info.get("season_length") if isinstance(info, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _run_time(run: RunData, dataset: str, model: str) -> str:
    """Seconds of compute of one run of a model on a dataset: its cells' times (a collection's
    chunks added up), averaged over seeds; as computed, also when the cells came from the cache."""
    per_seed: dict[object, float] = {}
    for cell in run.manifest.get("cells", []):
        if not isinstance(cell, dict) or cell.get("dataset") != dataset:
            continue
        seconds = cell.get("wall_time_s")
        if cell.get("model") != model or not isinstance(seconds, int | float):
            continue
        if isinstance(seconds, bool) or not math.isfinite(seconds) or seconds < 0:
            continue
        seed = cell.get("seed")
        per_seed[seed] = per_seed.get(seed, 0.0) + float(seconds)
    return duration(sum(per_seed.values()) / len(per_seed)) if per_seed else "–"


@dataclass
class SummaryCell:
    text: str
    badge: str
    verdict: str


def summary(
    run: RunData, boards: list[Leaderboard]
) -> tuple[list[str], list[tuple[str, list[SummaryCell | None]]]]:
    """The first table of the report: U2 and the verdict of every model on every dataset
    (columns: datasets; rows: models)."""
    names = [b.dataset for b in boards]
    out = []
    for model in run.models:
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
    #: GARCH(1,1) parameters (one series) or how many fits were degenerate (a collection)
    garch: str = ""
    #: the fits' own notes and the cells' warnings (convergence), distinct, with counts
    warnings: list[str] = field(default_factory=list)


#: Below this α + (GARCH's ARCH terms), the conditional variance is constant in effect.
DEGENERATE_ALPHA = 1e-3


def _garch_text(fits: list[dict[str, object]]) -> str:
    garch = [f["garch"] for f in fits if isinstance(f.get("garch"), dict)]
    if not garch:
        return ""

    def alpha(g: object) -> float | None:
        values = g.get("alpha") if isinstance(g, dict) else None
        if isinstance(values, list) and values and all(_finite(v) for v in values):
            return float(sum(values))
        return None

    if len(garch) == 1:
        g = garch[0]
        assert isinstance(g, dict)
        parts = []
        for name, symbol in (("omega", "ω"), ("alpha", "α"), ("beta", "β"), ("nu", "ν")):
            value = g.get(name)
            if isinstance(value, list) and value and all(_finite(v) for v in value):
                value = float(sum(value))
            if _finite(value):
                parts.append(f"{symbol} = {float(value):.3g}")  # type: ignore[arg-type]
        text = ", ".join(parts)
        a = alpha(g)
        if a is not None and a < DEGENERATE_ALPHA:
            text += " (α ≈ 0: degenerate, the variance is constant and the intervals equal ARIMA's)"
        return text
    degenerate = sum(1 for g in garch if (a := alpha(g)) is not None and a < DEGENERATE_ALPHA)
    return f"{degenerate} of {len(garch)} fits degenerate (α ≈ 0: intervals equal ARIMA's)"


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive_number(value: object) -> bool:
    """A count read back from a manifest: only a real number above zero counts (a hand-edited
    or hostile string is not a fallback)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def arima_fits(run: RunData) -> list[FitRow]:
    """One row per (dataset, model) of the cells whose fits report an order search (``arima``,
    ``arima_garch``), pooled over a collection's chunks; the first seed of a seeded model."""
    pooled: dict[tuple[str, str], list[dict[str, object]]] = {}
    warned: dict[tuple[str, str], Counter[str]] = {}
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
        counter = warned.setdefault(key, Counter())
        for text in cell.get("warnings") or []:
            counter[str(text)] += 1
        for f in fits:
            notes = f.get("notes")
            for text in notes if isinstance(notes, list) else []:
                counter[str(text)] += 1
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
                garch=_garch_text(fits),
                warnings=[
                    text if n == 1 else f"{text} (×{n})"
                    for text, n in warned.get((dataset, model), Counter()).most_common(5)
                ],
            )
        )
    return rows


@dataclass
class EventRow:
    model: str
    n_seeds: int
    entries: dict[str, Entry] = field(default_factory=dict)
    versus: str = ""
    symbol: str = ""
    badge: str = ""
    verdict: str = ""


@dataclass
class Confusion:
    """One cell's confusion matrix: rows actual classes, columns predicted."""

    model: str
    seed: str
    classes: list[str]
    counts: list[list[int]]


@dataclass
class EventBoard:
    dataset: str
    description: str
    metrics: list[str]
    rows: list[EventRow]
    confusions: list[Confusion]
    n: int


def event_board(run: RunData, dataset: str) -> EventBoard | None:
    """A dataset's events section: every model's classifier scores (mean ± sd over seeds),
    McNemar against event persistence, the event verdicts, and the confusion matrices (first
    seed of each model). None when the run scored no events on this dataset."""
    if run.events is None:
        return None
    events = run.events[run.events["dataset"] == dataset]
    if events.empty:
        return None
    entry = run.manifest.get("datasets", {}).get(dataset, {})
    event = entry.get("event") if isinstance(entry, dict) else None
    description = str(event.get("description", "")) if isinstance(event, dict) else ""
    m = run.cell_metrics()
    m = m[(m["dataset"] == dataset) & m["metric"].isin(list(EVENT_METRICS))]
    present = [k for k in EVENT_METRICS if k in set(m["metric"])]
    models = [x for x in run.models if x in set(events["model"])]
    rows = []
    for model in models:
        mm = m[m["model"] == model]
        seeds = sorted(set(mm["seed"]))
        row = EventRow(model=model, n_seeds=len([s for s in seeds if is_seeded(s)]))
        for metric in present:
            values = mm.loc[mm["metric"] == metric, "value"].to_numpy(dtype=np.float64)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            sd = float(values.std(ddof=1)) if row.n_seeds > 1 and len(values) > 1 else None
            row.entries[metric] = Entry(float(values.mean()), sd)
        c = run.comparisons
        tests = c[
            (c["dataset"] == dataset) & (c["model"] == model) & (c["test"] == "mcnemar_exact")
        ]
        if len(tests) == 1:
            p = float(tests["p_value"].iloc[0])
            better = str(tests["better"].iloc[0])
            row.symbol = "·" if p >= ALPHA else ("▲" if better == model else "▼")
            row.versus = f"b−c = {float(tests['statistic'].iloc[0]):g}, p {_p_text(p)}"
        elif len(tests) > 1:
            wins = int(((tests["p_value"] < ALPHA) & (tests["better"] == model)).sum())
            losses = int(((tests["p_value"] < ALPHA) & (tests["better"] != model)).sum())
            row.versus = f"{wins}▲ {losses}▼ of {len(tests)} seeds"
        if run.event_shift is not None:
            s = run.event_shift[
                (run.event_shift["dataset"] == dataset) & (run.event_shift["model"] == model)
            ]
            verdicts = Counter(s["verdict"].astype(str))
            if len(verdicts) == 1:
                row.badge = next(iter(verdicts)) if next(iter(verdicts)) in VERDICTS else ""
                row.verdict = next(iter(verdicts))
            else:
                row.verdict = ", ".join(f"{v} ×{k}" for v, k in verdicts.most_common())
        rows.append(row)
    for metric in present:
        entries = [r.entries[metric] for r in rows if metric in r.entries]
        if not entries:
            continue
        render = column_format([e.mean for e in entries])
        best = (min if metric in LOWER_IS_BETTER else max)(e.mean for e in entries)
        for e in entries:
            e.text = render(e.mean)
            e.sd_text = "" if e.sd is None else render(e.sd)
            e.best = e.mean == best
    confusions = []
    if run.confusion is not None:
        cf = run.confusion[run.confusion["dataset"] == dataset]
        classes = sorted({int(v) for v in cf["actual"]} | {int(v) for v in cf["predicted"]})
        for model in models:
            cm = cf[cf["model"] == model]
            if cm.empty:
                continue
            seed = sorted(set(cm["seed"]))[0]
            cm = cm[cm["seed"] == seed]
            counts = [
                [
                    int(cm.loc[(cm["actual"] == a) & (cm["predicted"] == p), "count"].sum())
                    for p in classes
                ]
                for a in classes
            ]
            confusions.append(Confusion(model, seed, [str(k) for k in classes], counts))
    n = len(events[events["model"] == models[0]]) if models else 0
    return EventBoard(dataset, description, present, rows, confusions, n)


def _p_text(p: float) -> str:
    shown = p_value(p)
    return shown if shown.startswith("<") else f"= {shown}"
