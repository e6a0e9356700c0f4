"""Judging a run's forecasts: right-shift verdicts, forecast-comparison tests, seed summaries.

Everything here works on the long forecast frame (the rows of ``forecasts.csv``) and the series
of each dataset, so the same tables can be rebuilt from a run directory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.evaluation.intervals import christoffersen, kupiec, misses
from shiftbench.evaluation.metrics import owa
from shiftbench.evaluation.shift import VERDICTS, detect_shift
from shiftbench.evaluation.stats import diebold_mariano, pesaran_timmermann
from shiftbench.rundir.schema import (
    AGGREGATE_SERIES,
    ALL_SEEDS,
    COMPARISON_COLUMNS,
    METRIC_COLUMNS,
    SHIFT_COLUMNS,
    SHIFT_SUMMARY_KEYS,
    shift_lag_columns,
    time_labels,
)
from shiftbench.types import Dataset

CELL_KEYS = ["dataset", "series", "model", "seed"]
#: A series of a run: (dataset, series id) -> its Dataset.
SeriesMap = Mapping[tuple[str, str], Dataset]
#: The models every other model is tested against.
REFERENCES: tuple[str, ...] = ("naive", "arima")
#: Significance level used for the ``better`` column and for the shift verdicts.
ALPHA = 0.05
#: The interval levels tested against their nominal coverage, and the fewest one-step forecasts
#: a test is run on (fewer say nothing: at 95 % the first miss is expected after 20).
TESTED_LEVELS: tuple[int, ...] = (80, 95)
MIN_INTERVAL_TESTS = 10


def interval_tests(rows: pd.DataFrame) -> list[dict[str, object]]:
    """Kupiec's unconditional coverage and Christoffersen's independence tests of one cell's
    one-step intervals (``rows``: its ``h = 1`` rows in time order), per level, as
    ``comparisons.csv`` rows without the cell's keys: ``reference`` is ``nominal_80`` or
    ``nominal_95``; ``better`` says what a rejection at 5 % means — ``too_narrow`` or
    ``too_wide`` (Kupiec: fewer or more actuals inside than nominal), ``clustered`` or
    ``alternating`` (Christoffersen: a miss makes the next one likelier or less likely) — and is
    empty where the test does not reject. None below :data:`MIN_INTERVAL_TESTS` forecasts or
    where a level's intervals are missing."""
    out: list[dict[str, object]] = []
    if len(rows) < MIN_INTERVAL_TESTS:
        return out
    for level in TESTED_LEVELS:
        lo, hi = rows[f"lo_{level}"].to_numpy(), rows[f"hi_{level}"].to_numpy()
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            continue
        hits = misses(rows["y"].to_numpy(), lo, hi)
        uc = kupiec(hits, level / 100.0)
        ind = christoffersen(hits)
        rate = uc.misses / uc.n
        narrow = "too_narrow" if rate > 1.0 - level / 100.0 else "too_wide"
        after_miss = hits[1:][hits[:-1]]
        after_hit = hits[1:][~hits[:-1]]
        clustered = (after_miss.mean() if len(after_miss) else 0.0) > (
            after_hit.mean() if len(after_hit) else 0.0
        )
        for test, result, meaning in (
            ("kupiec_uc", uc, narrow),
            ("christoffersen_ind", ind, "clustered" if clustered else "alternating"),
        ):
            rejected = math.isfinite(result.p_value) and result.p_value < ALPHA
            out.append(
                {
                    "h": 1,
                    "test": test,
                    "reference": f"nominal_{level}",
                    "statistic": result.statistic,
                    "p_value": result.p_value,
                    "n": result.n,
                    "better": meaning if rejected else "",
                }
            )
    return out


def _tail_positions(ds: Dataset, extra: int) -> dict[object, int]:
    """Time label -> position for the test span and ``extra`` points before it: every label a
    forecast row can carry, without labelling the whole series (cost grows with the test span,
    not the series)."""
    n = len(ds.y)
    start = max(0, n - ds.protocol.n_test(n) - 1 - extra)
    labels = time_labels(ds.y.index[start:])
    return {label: start + i for i, label in enumerate(labels)}


def _cells(frame: pd.DataFrame) -> list[tuple[tuple[object, ...], pd.DataFrame]]:
    grouped = frame.groupby(CELL_KEYS, sort=False, dropna=False)
    return [(tuple(key), group) for key, group in grouped]


def shift_table(
    forecasts: pd.DataFrame,
    datasets: SeriesMap,
    *,
    max_lag: int = 5,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """One right-shift verdict per (dataset, series, model, seed), from its one-step forecasts.

    The observations before the first target are passed as history, so the delayed series and
    the persistence forecast exist from the first origin on.
    """
    rows = []
    for (dataset, series, model, seed), group in _cells(forecasts[forecasts["h"] == 1]):
        ds = datasets[(str(dataset), str(series))]
        y = ds.y.to_numpy(dtype=np.float64)
        first = _tail_positions(ds, max_lag)[group["ds"].iloc[0]]
        history = y[max(0, first - max_lag) : first]
        verdict = detect_shift(
            group["y"].to_numpy(),
            group["y_hat"].to_numpy(),
            max_lag=max_lag,
            alpha=alpha,
            history=history,
        )
        rows.append(
            {
                "dataset": dataset,
                "series": series,
                "model": model,
                "seed": seed,
                **verdict.as_row(max_lag),
            }
        )
    columns = [*SHIFT_COLUMNS, *shift_lag_columns(max_lag)]
    table = pd.DataFrame(rows, columns=columns)
    table["seed"] = table["seed"].astype("Int64")
    table["best_lag"] = table["best_lag"].astype("Int64")
    return table


def _count_row(keys: dict[str, object], verdicts: pd.Series) -> dict[str, object]:
    counts = verdicts.value_counts()
    row: dict[str, object] = {**keys, "n": len(verdicts)}
    for verdict in VERDICTS:
        row[verdict] = int(counts.get(verdict, 0))
    row["majority"] = max(VERDICTS, key=lambda v: (counts.get(v, 0), -VERDICTS.index(v)))
    return row


def shift_summary(shift: pd.DataFrame, seeded: set[str], collections: set[str]) -> pd.DataFrame:
    """How many series (per seed) show each verdict, and the most common one.

    For a collection, one row per (dataset, model, seed) counts its series; for a seeded model,
    a row with ``seed = all`` counts every (series, seed) pair, so that for a single series it
    counts the seeds.
    """
    rows = []
    for (dataset, model), group in shift.groupby(["dataset", "model"], sort=False):
        if dataset in collections:
            for seed, per_seed in group.groupby("seed", sort=True, dropna=False):
                keys = {"dataset": dataset, "model": model, "seed": seed}
                rows.append(_count_row(keys, per_seed["verdict"]))
        if model in seeded:
            keys = {"dataset": dataset, "model": model, "seed": ALL_SEEDS}
            rows.append(_count_row(keys, group["verdict"]))
    return pd.DataFrame(rows, columns=[*SHIFT_SUMMARY_KEYS, *VERDICTS, "majority"])


def _better(model: str, reference: str, loss_m: np.ndarray, loss_r: np.ndarray) -> str:
    diff = float(np.mean(loss_m) - np.mean(loss_r))
    if diff < 0:
        return model
    if diff > 0:
        return reference
    return "tie"


def comparisons_table(forecasts: pd.DataFrame, datasets: SeriesMap) -> pd.DataFrame:
    """Diebold–Mariano (HLN) of every model against ``naive`` and ``arima`` on the same origins,
    per step ahead, the Pesaran–Timmermann directional test of every model, and the coverage
    tests of every model's one-step intervals (:func:`interval_tests`).

    DM p-values are two-sided; ``better`` names the forecast with the smaller mean squared error
    on the common origins. For h > 1 the DM variance uses Newey–West weights up to lag h − 1.
    """
    rows: list[dict[str, object]] = []
    references = {
        (str(key[0]), str(key[1]), str(key[2]), int(str(key[3]))): group
        for key, group in forecasts[forecasts["model"].isin(REFERENCES)].groupby(
            ["dataset", "series", "model", "h"], sort=False
        )
    }
    for (dataset, series, model, seed), group in _cells(forecasts):
        ds = datasets[(str(dataset), str(series))]
        y = ds.y.to_numpy(dtype=np.float64)
        position = _tail_positions(ds, 0)
        for h, rows_h in group.groupby("h", sort=True):
            h = int(str(h))
            # a DM test needs two common origins: one origin per step (origins = "last") has
            # none to test, and skipping its merges keeps a collection's assembly fast
            for reference in REFERENCES if len(rows_h) >= 2 else ():
                if reference == model:
                    continue
                ref = references.get((str(dataset), str(series), reference, h))
                if ref is None or ref["seed"].notna().any():
                    continue
                joined = rows_h.merge(ref[["cutoff", "y_hat"]], on="cutoff", suffixes=("", "_ref"))
                if len(joined) < 2:
                    continue
                lm = (joined["y"] - joined["y_hat"]).to_numpy() ** 2
                lr = (joined["y"] - joined["y_hat_ref"]).to_numpy() ** 2
                test = diebold_mariano(lm, lr, h=h, alternative="two-sided")
                rows.append(
                    {
                        "dataset": dataset,
                        "series": series,
                        "model": model,
                        "seed": seed,
                        "h": h,
                        "test": "diebold_mariano_hln",
                        "reference": reference,
                        "statistic": test.statistic,
                        "p_value": test.p_value,
                        "n": test.n,
                        "better": _better(str(model), reference, lm, lr),
                    }
                )
            previous = y[[position[c] for c in rows_h["cutoff"]]]
            pt = pesaran_timmermann(
                rows_h["y"].to_numpy() - previous, rows_h["y_hat"].to_numpy() - previous
            )
            rows.append(
                {
                    "dataset": dataset,
                    "series": series,
                    "model": model,
                    "seed": seed,
                    "h": h,
                    "test": "pesaran_timmermann",
                    "reference": "chance",
                    "statistic": pt.statistic,
                    "p_value": pt.p_value,
                    "n": pt.n,
                    "better": (model if pt.p_value < ALPHA else "")
                    if not math.isnan(pt.p_value)
                    else "",
                }
            )
            if h == 1:
                keys = {"dataset": dataset, "series": series, "model": model, "seed": seed}
                rows.extend(keys | test for test in interval_tests(rows_h))
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    table["seed"] = table["seed"].astype("Int64")
    return table


def seed_aggregates(metrics: pd.DataFrame, seeded: set[str]) -> pd.DataFrame:
    """Across-seed rows for seeded models: ``seed`` = mean, sd, ci_low, ci_high.

    ``sd`` is the sample standard deviation over seeds (ddof 1); the interval is the 95% Student-t
    interval of the mean over seeds, mean ± t_{0.975, k−1}·sd/√k (NaN with one seed).
    """
    rows = []
    subset = metrics[metrics["model"].isin(seeded)]
    for (dataset, series, model, metric), group in subset.groupby(
        ["dataset", "series", "model", "metric"], sort=False
    ):
        values = group["value"].to_numpy(dtype=np.float64)
        values = values[np.isfinite(values)]
        k = len(values)
        mean = float(values.mean()) if k else math.nan
        sd = float(values.std(ddof=1)) if k > 1 else math.nan
        half = float(stats.t.ppf(0.975, k - 1) * sd / math.sqrt(k)) if k > 1 else math.nan
        for label, value in (
            ("mean", mean),
            ("sd", sd),
            ("ci_low", mean - half),
            ("ci_high", mean + half),
        ):
            rows.append(
                {
                    "dataset": dataset,
                    "series": series,
                    "model": model,
                    "seed": label,
                    "metric": metric,
                    "value": value,
                }
            )
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def collection_aggregates(metrics: pd.DataFrame, collections: set[str]) -> pd.DataFrame:
    """For every cell of a collection, rows with an empty ``series`` (:data:`AGGREGATE_SERIES`):
    each metric's mean over the
    series where it is finite (sMAPE and MASE averaged as the M competitions average them), and
    ``owa`` against ``naive2`` where it ran (:func:`shiftbench.evaluation.metrics.owa`, from
    the mean sMAPE and the mean seasonal MASE)."""
    subset = metrics[metrics["dataset"].isin(collections)]
    rows: list[dict[str, object]] = []
    means: dict[tuple[object, object, int | None, object], float] = {}
    for (dataset, model, seed, metric), group in subset.groupby(
        ["dataset", "model", "seed", "metric"], sort=False, dropna=False
    ):
        values = group["value"].to_numpy(dtype=np.float64)
        values = values[np.isfinite(values)]
        key_seed = int(str(seed)) if str(seed).isdigit() else None
        means[(dataset, model, key_seed, metric)] = (
            float(values.mean()) if len(values) else math.nan
        )
    for (dataset, model, seed, metric), mean in means.items():
        rows.append(_metric_row(dataset, model, seed, metric, mean))
    for (dataset, model, seed, metric), mean in list(means.items()):
        base_smape = means.get((dataset, "naive2", None, "smape"))
        base_mase = means.get((dataset, "naive2", None, "mase_seasonal"))
        mase = means.get((dataset, model, seed, "mase_seasonal"))
        if metric != "smape" or base_smape is None or base_mase is None or mase is None:
            continue
        rows.append(
            _metric_row(dataset, model, seed, "owa", owa(mean, mase, base_smape, base_mase))
        )
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def _metric_row(
    dataset: object, model: object, seed: int | None, metric: object, value: float
) -> dict[str, object]:
    return {
        "dataset": dataset,
        "series": AGGREGATE_SERIES,
        "model": model,
        "seed": seed,
        "metric": metric,
        "value": value,
    }
