"""``shiftbench compare``: what changed between two runs, whether it is more than noise, and gates.

Cells are matched by (dataset, model, seed). For every metric the change is reported; a change is
*more than noise* when a test says so at the 5 % level: for unseeded cells forecasting the same
origins, a Diebold–Mariano test (HLN correction, two-sided) on the per-origin squared errors of
the two runs; for seeded models, Welch's t-test on the per-seed values of the metric.

Gates (``--fail-on``), comma-separated:

- ``METRIC:P%`` fails when the metric worsens by more than P percent of the base value;
- ``METRIC:X`` fails when it worsens by more than X in absolute terms;
- ``verdict`` fails when any verdict turns to ``right_shift``.

Gates fail closed: a cell (or a gated metric of a cell) that BASE has and NEW lacks — a failed
cell, a truncated file — crosses every gate, unless ``allow_missing`` (``--allow-missing``).

"Worse" follows the metric: larger for errors, smaller for R² and directional accuracy, farther
from the nominal level for interval coverage. Seeded models are gated on their mean over seeds
(and on their majority verdict), unseeded models cell by cell.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.errors import InputError
from shiftbench.evaluation.assess import ALPHA
from shiftbench.evaluation.horizons import parse_band
from shiftbench.evaluation.metrics import METRICS
from shiftbench.evaluation.stats import diebold_mariano
from shiftbench.reports.escape import slug
from shiftbench.rundir.schema import AGGREGATE_SERIES, RunData

#: How a collection's aggregate rows (an empty ``series`` in the files) are shown.
AGGREGATE_LABEL = "(mean over series)"


@dataclass(frozen=True)
class Gate:
    """One rule of ``--fail-on``."""

    text: str
    metric: str | None  # None for the verdict gate
    threshold: float = 0.0
    relative: bool = False


def parse_gates(spec: str | None) -> list[Gate]:
    """Parse ``"mse:5%,mase:0.02,verdict"``; a malformed rule is an :class:`InputError`.

    >>> [(g.metric, g.threshold, g.relative) for g in parse_gates("mse:5%,mase:0.02,verdict")]
    [('mse', 5.0, True), ('mase', 0.02, False), (None, 0.0, False)]
    """
    gates: list[Gate] = []
    for raw in (spec or "").split(","):
        rule = raw.strip()
        if not rule:
            continue
        if rule == "verdict":
            gates.append(Gate(rule, None))
            continue
        metric, sep, amount = rule.partition(":")
        if not sep or not metric.strip():
            raise InputError(f"--fail-on: rule {rule!r} is not METRIC:N, METRIC:N% or verdict")
        relative = amount.strip().endswith("%")
        try:
            threshold = float(amount.strip().rstrip("%"))
        except ValueError:
            raise InputError(f"--fail-on: rule {rule!r}: {amount!r} is not a number") from None
        if threshold < 0 or not math.isfinite(threshold):
            raise InputError(f"--fail-on: rule {rule!r}: the threshold must be >= 0")
        gates.append(Gate(rule, metric.strip(), threshold, relative))
    return gates


def worsening(metric: str, base: float, new: float) -> float:
    """How much worse ``new`` is than ``base`` (negative: better); a band's metric
    (``smape_h1-6``) is judged as its metric."""
    band = parse_band(metric)
    if band is not None:
        metric = band[0]
    if metric not in METRICS:
        return new - base
    return METRICS[metric].worsening(base, new)


@dataclass
class GateResult:
    gate: Gate
    held: bool
    crossings: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    base: RunData
    new: RunData
    changes: pd.DataFrame
    noise: pd.DataFrame
    verdicts: pd.DataFrame
    only_base: list[str]
    only_new: list[str]
    gates: list[GateResult]
    data_changed: list[str]
    #: how the code behind the two runs differs (shiftbench's source, library versions)
    code_changed: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(not g.held for g in self.gates) else 0


Key = tuple[str, str, str, str]  # dataset, series, model, seed


def _cells(run: RunData) -> set[Key]:
    m = run.series_metrics()
    return set(zip(m["dataset"], m["series"], m["model"], m["seed"], strict=True))


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for display: a collection's aggregate rows named as such."""
    if frame.empty or "series" not in frame.columns:
        return frame
    out = frame.copy()
    out["series"] = out["series"].replace({AGGREGATE_SERIES: AGGREGATE_LABEL})
    return out


def _label(cell: Key) -> str:
    d, series, m, s = cell
    where = f"{d} / {series}" if series != d else d
    return f"{where} / {m}" + (f" / seed {s}" if s else "")


def _majority(verdicts: list[str]) -> str:
    return Counter(verdicts).most_common(1)[0][0] if verdicts else ""


#: The versions whose change can move a run's numbers (``versions`` of the manifest).
_NUMERICAL_VERSIONS = ("python", "numpy", "scipy", "pandas", "statsmodels", "arch",
                       "scikit-learn", "tensorflow", "keras", "shiftbench")  # fmt: skip


def code_differences(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """How the code behind two runs differs, one line per difference: shiftbench's source
    (``code.shiftbench_sha256``, recorded since 0.4) and each numerical library's version.

    >>> code_differences({"versions": {"numpy": "2.0"}}, {"versions": {"numpy": "2.1"}})
    ['numpy 2.0 -> 2.1']
    """

    def part(manifest: dict[str, Any], key: str) -> dict[str, Any]:
        value = manifest.get(key)
        return value if isinstance(value, dict) else {}

    out = []
    sources = [part(m, "code").get("shiftbench_sha256") for m in (base, new)]
    if sources[0] != sources[1]:
        was, now = (str(s)[:12] if s else "not recorded" for s in sources)
        out.append(f"shiftbench's code differs ({was} -> {now})")
    old_versions, new_versions = part(base, "versions"), part(new, "versions")
    for name in _NUMERICAL_VERSIONS:
        before, after = old_versions.get(name), new_versions.get(name)
        if before != after:
            out.append(f"{name} {before or 'absent'} -> {after or 'absent'}")
    return out


def compare_runs(
    base: RunData,
    new: RunData,
    *,
    fail_on: str | None = None,
    allow_data_change: bool = False,
    allow_missing: bool = False,
) -> Comparison:
    """Compare two runs (see the module docstring); read them with
    :func:`shiftbench.rundir.load_run`."""
    gates = parse_gates(fail_on)
    changed = [
        name
        for name in base.datasets
        if name in new.datasets
        and base.manifest["datasets"][name]["sha256"] != new.manifest["datasets"][name]["sha256"]
    ]
    if changed and not allow_data_change:
        raise InputError(
            f"dataset checksums differ between the runs ({', '.join(changed)}); "
            "pass --allow-data-change to compare anyway"
        )
    base_cells, new_cells = _cells(base), _cells(new)
    common = base_cells & new_cells
    bm, nm = base.cell_metrics(), new.cell_metrics()
    merged = bm.merge(
        nm, on=["dataset", "series", "model", "seed", "metric"], suffixes=("_base", "_new")
    )
    merged = merged.rename(columns={"value_base": "base", "value_new": "new"})
    merged["change"] = merged["new"] - merged["base"]
    merged["relative_change"] = [
        (n - b) / abs(b) if b not in (0.0,) and math.isfinite(b) else math.nan
        for b, n in zip(merged["base"], merged["new"], strict=True)
    ]
    merged["worse_by"] = [
        worsening(m, b, n)
        for m, b, n in zip(merged["metric"], merged["base"], merged["new"], strict=True)
    ]
    noise = _noise(base, new, common, merged)
    verdicts = _verdicts(base, new)
    missing = [] if allow_missing else sorted(_label(c) for c in base_cells - new_cells)
    results = [_evaluate(g, merged, verdicts, base, new, missing, allow_missing) for g in gates]
    return Comparison(
        base=base,
        new=new,
        changes=merged,
        noise=noise,
        verdicts=verdicts,
        only_base=sorted(_label(c) for c in base_cells - new_cells),
        only_new=sorted(_label(c) for c in new_cells - base_cells),
        gates=results,
        data_changed=changed,
        code_changed=code_differences(base.manifest, new.manifest),
    )


def _noise(base: RunData, new: RunData, common: set[Key], merged: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    keys = ["dataset", "series", "model"]
    one_step = {
        name: {
            tuple(str(v) for v in k): g
            for k, g in run.forecasts[(run.forecasts.seed == "") & (run.forecasts.h == 1)].groupby(
                keys, sort=False
            )
        }
        for name, run in (("base", base), ("new", new))
    }
    for dataset, series, model, _ in sorted(c for c in common if c[3] == ""):
        a = one_step["base"].get((dataset, series, model))
        b = one_step["new"].get((dataset, series, model))
        if a is None or b is None:
            continue
        joined = a.merge(b, on=["cutoff", "ds"], suffixes=("_base", "_new"))
        if len(joined) < 2 or len(joined) != len(a) or len(joined) != len(b):
            continue
        test = diebold_mariano(
            (joined["y_new"] - joined["y_hat_new"]) ** 2,
            (joined["y_base"] - joined["y_hat_base"]) ** 2,
        )
        rows.append(
            {
                "dataset": dataset,
                "series": series,
                "model": model,
                "seeds": "",
                "test": "diebold_mariano_hln",
                "metric": "squared error",
                "statistic": test.statistic,
                "p_value": test.p_value,
                "more_than_noise": bool(test.p_value < ALPHA),
            }
        )
    seeded = merged[merged["seed"] != ""]
    for key, group in seeded.groupby(["dataset", "series", "model", "metric"]):
        dataset, series, model, metric = (str(k) for k in key)
        x, y = group["base"].to_numpy(np.float64), group["new"].to_numpy(np.float64)
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        if len(x) < 2 or len(y) < 2:
            continue
        if np.ptp(x) == 0 and np.ptp(y) == 0:
            stat, p = (0.0, 1.0) if x[0] == y[0] else (math.inf, 0.0)
        else:
            result = stats.ttest_ind(y, x, equal_var=False)
            stat, p = float(result.statistic), float(result.pvalue)
        rows.append(
            {
                "dataset": dataset,
                "series": series,
                "model": model,
                "seeds": str(len(group)),
                "test": "welch_t_over_seeds",
                "metric": metric,
                "statistic": stat,
                "p_value": p,
                "more_than_noise": bool(p < ALPHA),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "dataset",
            "series",
            "model",
            "seeds",
            "test",
            "metric",
            "statistic",
            "p_value",
            "more_than_noise",
        ],
    )


def _verdicts(base: RunData, new: RunData) -> pd.DataFrame:
    keys = ["dataset", "series", "model", "seed"]
    joined = base.shift[[*keys, "verdict"]].merge(
        new.shift[[*keys, "verdict"]], on=keys, suffixes=("_base", "_new")
    )
    joined["changed"] = joined["verdict_base"] != joined["verdict_new"]
    return joined


def _evaluate(
    gate: Gate,
    merged: pd.DataFrame,
    verdicts: pd.DataFrame,
    base: RunData,
    new: RunData,
    missing: list[str],
    allow_missing: bool,
) -> GateResult:
    crossings: list[str] = [f"{label}: missing in the new run" for label in missing]
    if gate.metric is None:
        for (dataset, model), group in verdicts.groupby(["dataset", "model"], sort=False):
            before = _majority(list(group["verdict_base"]))
            after = _majority(list(group["verdict_new"]))
            if after == "right_shift" and before != "right_shift":
                crossings.append(f"{dataset} / {model}: {before} -> right_shift")
        return GateResult(gate, not crossings, crossings)
    rows = merged[merged["metric"] == gate.metric]
    if rows.empty and gate.metric not in set(base.metrics["metric"]) | set(new.metrics["metric"]):
        raise InputError(f"--fail-on: no metric {gate.metric!r} in these runs")
    if not allow_missing:
        keys = ["dataset", "series", "model", "seed"]
        bm, nm = base.series_metrics(), new.series_metrics()
        had = bm[bm["metric"] == gate.metric][keys].drop_duplicates()
        has = nm[nm["metric"] == gate.metric][keys].drop_duplicates()
        lost = had.merge(has, on=keys, how="left", indicator=True)
        new_cells = _cells(new)
        for d, ser, m, sd in lost.loc[lost["_merge"] == "left_only", keys].itertuples(index=False):
            if (d, ser, m, sd) in new_cells:  # the cell is there, this metric is not
                cell = (str(d), str(ser), str(m), str(sd))
                crossings.append(f"{_label(cell)}: {gate.metric} missing in the new run")
    # a dataset is gated on its summary row: the series itself, or a collection's mean
    summary = {d: base.summary_series(d) for d in set(rows["dataset"])}
    keep = [summary[d] == ser for d, ser in zip(rows["dataset"], rows["series"], strict=True)]
    rows = rows.loc[np.asarray(keep, dtype=bool)]
    units = rows.groupby(["dataset", "model"], sort=False)
    for (dataset, model), group in units:
        if (group["seed"] != "").any():
            b, n = float(group["base"].mean()), float(group["new"].mean())
            label = f"{dataset} / {model} (mean over {len(group)} seeds)"
            checks = [(label, b, n)]
        else:
            checks = [
                (f"{dataset} / {model}", float(b), float(n))
                for b, n in zip(
                    group["base"].to_numpy(np.float64),
                    group["new"].to_numpy(np.float64),
                    strict=True,
                )
            ]
        for label, b, n in checks:
            worse = worsening(gate.metric, b, n)
            if not math.isfinite(worse):
                continue
            limit = gate.threshold * abs(b) / 100.0 if gate.relative else gate.threshold
            if worse > limit:
                crossings.append(f"{label}: {gate.metric} {b:.6g} -> {n:.6g}")
    return GateResult(gate, not crossings, crossings)


def render_comparison(comparison: Comparison, out_dir: str | Path | None = None) -> Path:
    """Write ``compare.html`` and ``compare.md``; returns the folder (default: inside NEW_RUN)."""
    from shiftbench.files import write_atomic
    from shiftbench.reports.render import _environment

    default = comparison.new.path / f"compare-{slug(comparison.base.run_id)}"
    out = Path(out_dir) if out_dir else default
    out.mkdir(parents=True, exist_ok=True)
    # A collection is shown by its summary rows (the means over its series); its thousands of
    # per-series rows stay in the runs' files.
    base = comparison.base
    summary = {d: base.summary_series(d) for d in set(comparison.changes["dataset"])}

    def summarised(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty or "series" not in frame.columns:
            return frame
        keep = [
            not base.is_collection(d) or s == summary.get(d, s)
            for d, s in zip(frame["dataset"], frame["series"], strict=True)
        ]
        return frame.loc[np.asarray(keep, dtype=bool)]

    changes = _shown(summarised(comparison.changes.copy()))
    noise = _shown(summarised(comparison.noise))
    context = {
        "c": comparison,
        "changes": changes.to_dict("records"),
        "noise": noise.to_dict("records"),
        "verdict_changes": comparison.verdicts[comparison.verdicts["changed"]].to_dict("records"),
    }
    for name, autoescape in (("compare.html", True), ("compare.md", False)):
        env = _environment(autoescape=autoescape)
        write_atomic(out / name, env.get_template(f"{name}.j2").render(**context))
    return out
