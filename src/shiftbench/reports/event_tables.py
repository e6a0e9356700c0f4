"""The report's tables of event classifiers: their scores (one notation per column, the best
marked), McNemar against event persistence, the event verdicts and the confusion matrices; a
pure function of the run's :class:`~shiftbench.reports.data.ReportData`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from shiftbench.evaluation.assess import ALPHA
from shiftbench.evaluation.events import EVENT_METRICS, LOWER_IS_BETTER
from shiftbench.evaluation.shift import VERDICTS
from shiftbench.reports.data import ReportData
from shiftbench.reports.numbers import column_format, p_value
from shiftbench.reports.tables import Entry
from shiftbench.rundir.schema import is_seeded


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


def event_board(data: ReportData, dataset: str) -> EventBoard | None:
    """A dataset's events section: every model's classifier scores (mean ± sd over seeds),
    McNemar against event persistence, the event verdicts, and the confusion matrices (first
    seed of each model). None when the run scored no events on this dataset."""
    if data.events is None:
        return None
    events = data.events[data.events["dataset"] == dataset]
    if events.empty:
        return None
    entry = data.manifest.get("datasets", {}).get(dataset, {})
    event = entry.get("event") if isinstance(entry, dict) else None
    description = str(event.get("description", "")) if isinstance(event, dict) else ""
    m = data.cell_metrics
    m = m[(m["dataset"] == dataset) & m["metric"].isin(list(EVENT_METRICS))]
    present = [k for k in EVENT_METRICS if k in set(m["metric"])]
    models = [x for x in data.models if x in set(events["model"])]
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
        c = data.comparisons
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
        if data.event_shift is not None:
            s = data.event_shift[
                (data.event_shift["dataset"] == dataset) & (data.event_shift["model"] == model)
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
    if data.confusion is not None:
        cf = data.confusion[data.confusion["dataset"] == dataset]
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
