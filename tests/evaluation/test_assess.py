"""The run-level tables: shift.csv, comparisons.csv and the across-seed summaries."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import run_cell
from shiftbench.datasets import load_dataset
from shiftbench.evaluation.assess import (
    comparisons_table,
    interval_tests,
    seed_aggregates,
    shift_summary,
    shift_table,
)


@pytest.fixture(scope="module")
def sales_forecasts() -> pd.DataFrame:
    ds = load_dataset("sales")
    cells = [
        run_cell(ds, m, {"order": [1, 1, 0]} if m == "arima" else {}, None)
        for m in ("naive", "drift", "arima")
    ]
    return pd.concat([c.forecasts for c in cells], ignore_index=True)  # type: ignore[misc]


def test_persistence_is_flagged_and_arima_is_not(sales_forecasts: pd.DataFrame) -> None:
    table = shift_table(sales_forecasts, {("sales", "sales"): load_dataset("sales")})
    verdicts = dict(zip(table["model"], table["verdict"], strict=True))
    assert verdicts["naive"] == "right_shift"
    assert verdicts["arima"] != "right_shift"
    naive = table[table["model"] == "naive"].iloc[0]
    assert naive["best_lag"] == 1
    assert naive["n_origins"] == 10  # history lets every origin count
    assert naive["theil_u2"] == 1.0
    assert {"loss_lag0", "loss_lag5"} <= set(table.columns)


def test_comparisons_pair_every_model_with_naive_and_arima(sales_forecasts: pd.DataFrame) -> None:
    table = comparisons_table(sales_forecasts, {("sales", "sales"): load_dataset("sales")})
    dm = table[table["test"] == "diebold_mariano_hln"]
    pairs = set(zip(dm["model"], dm["reference"], strict=True))
    assert pairs == {("naive", "arima"), ("drift", "naive"), ("drift", "arima"), ("arima", "naive")}
    # The two directions of one pair are the same test with the sign flipped.
    a = dm[(dm.model == "naive") & (dm.reference == "arima")].iloc[0]
    b = dm[(dm.model == "arima") & (dm.reference == "naive")].iloc[0]
    assert a["statistic"] == pytest.approx(-b["statistic"])
    assert a["p_value"] == pytest.approx(b["p_value"])
    assert b["better"] == "arima"
    pt = table[table["test"] == "pesaran_timmermann"]
    assert set(pt["model"]) == {"naive", "drift", "arima"}
    # Persistence never predicts a direction: its PT test is undefined.
    assert math.isnan(pt[pt.model == "naive"]["statistic"].iloc[0])


def test_seed_aggregates_by_hand() -> None:
    metrics = pd.DataFrame(
        {
            "dataset": "d",
            "series": "d",
            "model": "m",
            "seed": [0, 1, 2],
            "metric": "mse",
            "value": [1.0, 2.0, 6.0],
        }
    )
    rows = seed_aggregates(metrics, {"m"}).set_index("seed")["value"]
    # mean 3, sd sqrt(((-2)^2 + (-1)^2 + 3^2) / 2) = sqrt(7); t_{0.975, 2} = 4.302652729911275
    assert rows["mean"] == 3.0
    assert rows["sd"] == pytest.approx(math.sqrt(7))
    half = 4.302652729911275 * math.sqrt(7) / math.sqrt(3)
    assert rows["ci_low"] == pytest.approx(3 - half)
    assert rows["ci_high"] == pytest.approx(3 + half)


def test_seed_aggregates_skip_unseeded_models() -> None:
    metrics = pd.DataFrame(
        {
            "dataset": "d",
            "series": "d",
            "model": "naive",
            "seed": [None],
            "metric": "mse",
            "value": [1.0],
        }
    )
    assert seed_aggregates(metrics, {"lstm_raw"}).empty


def test_shift_summary_counts_verdicts_per_seed() -> None:
    shift = pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "seed": [0, 1, 2],
            "verdict": ["right_shift", "right_shift", "clean"],
        }
    )
    row = shift_summary(shift, {"m"}, set()).iloc[0]
    assert row["seed"] == "all"
    assert (row["n"], row["right_shift"], row["clean"], row["lagging"]) == (3, 2, 1, 0)
    assert row["majority"] == "right_shift"


def test_shift_summary_counts_the_series_of_a_collection_per_seed() -> None:
    shift = pd.DataFrame(
        {
            "dataset": "c",
            "series": ["a", "b", "c", "a", "b", "c"],
            "model": "m",
            "seed": [0, 0, 0, 1, 1, 1],
            "verdict": ["right_shift", "clean", "clean", "right_shift", "right_shift", "lagging"],
        }
    )
    table = shift_summary(shift, {"m"}, {"c"}).set_index("seed")
    assert table.loc[0, "n"] == 3
    assert (table.loc[0, "right_shift"], table.loc[0, "clean"]) == (1, 2)
    assert (table.loc[1, "right_shift"], table.loc[1, "lagging"]) == (2, 1)
    assert (table.loc["all", "n"], table.loc["all", "right_shift"]) == (6, 3)


def test_collection_aggregates_average_over_series_and_give_owa_against_naive2() -> None:
    from shiftbench.evaluation.assess import collection_aggregates

    rows = []
    for model, smape, mase in (
        ("naive2", (10.0, 14.0), (1.0, 1.4)),
        ("theta", (8.0, 10.0), (0.8, 1.0)),
    ):
        for series, s_val, m_val in zip(("a", "b"), smape, mase, strict=True):
            rows += [
                {"dataset": "c", "series": series, "model": model, "seed": None,
                 "metric": "smape", "value": s_val},
                {"dataset": "c", "series": series, "model": model, "seed": None,
                 "metric": "mase_seasonal", "value": m_val},
            ]  # fmt: skip
    metrics = pd.DataFrame(rows)
    metrics["seed"] = metrics["seed"].astype("Int64")
    out = collection_aggregates(metrics, {"c"}).set_index(["model", "metric"])["value"]
    assert out[("naive2", "smape")] == 12.0
    assert out[("theta", "smape")] == 9.0
    # OWA = (9/12 + 0.9/1.2) / 2 = 0.75
    assert out[("theta", "owa")] == pytest.approx(0.75)
    assert out[("naive2", "owa")] == pytest.approx(1.0)


def _one_step_rows(inside_95: list[bool], inside_80: list[bool] | None = None) -> pd.DataFrame:
    """Forecast rows with y = 0 and intervals that hold it or not, as given."""
    inside_80 = inside_95 if inside_80 is None else inside_80
    return pd.DataFrame(
        {
            "y": 0.0,
            "lo_95": [-1.0 if i else 1.0 for i in inside_95],
            "hi_95": 2.0,
            "lo_80": [-1.0 if i else 1.0 for i in inside_80],
            "hi_80": 2.0,
        }
    )


def test_kupiec_names_intervals_with_too_many_misses_too_narrow() -> None:
    # 5 misses in 20 at 95 %: LR = −2[15 ln 0.95 + 5 ln 0.05 − 15 ln 0.75 − 5 ln 0.25]
    rows = _one_step_rows([False] * 5 + [True] * 15)
    tests = {(t["test"], t["reference"]): t for t in interval_tests(rows)}
    k95 = tests["kupiec_uc", "nominal_95"]
    lr = -2.0 * (15 * math.log(0.95) + 5 * math.log(0.05) - 15 * math.log(0.75)
                 - 5 * math.log(0.25))  # fmt: skip
    assert k95["statistic"] == pytest.approx(lr)
    assert k95["p_value"] == pytest.approx(math.erfc(math.sqrt(lr / 2.0)))  # χ²(1) tail
    assert (k95["better"], k95["n"], k95["h"]) == ("too_narrow", 20, 1)
    # at 80 % the same 5 misses of 20 are 25 % against 20 %: no evidence either way
    assert tests["kupiec_uc", "nominal_80"]["better"] == ""


def test_kupiec_names_intervals_that_never_miss_at_80_percent_too_wide() -> None:
    rows = _one_step_rows([True] * 20)
    tests = {(t["test"], t["reference"]): t for t in interval_tests(rows)}
    k80 = tests["kupiec_uc", "nominal_80"]
    assert k80["statistic"] == pytest.approx(-2.0 * 20 * math.log(0.8))  # 8.93, p = 0.003
    assert k80["better"] == "too_wide"
    assert tests["kupiec_uc", "nominal_95"]["better"] == ""  # 0 of 20 at 5 %: p = 0.13


def test_christoffersen_names_misses_that_come_in_runs_clustered() -> None:
    rows = _one_step_rows([True] * 12 + [False] * 6 + [True] * 12)
    tests = {(t["test"], t["reference"]): t for t in interval_tests(rows)}
    assert tests["christoffersen_ind", "nominal_95"]["better"] == "clustered"
    spread = _one_step_rows(([True] * 4 + [False]) * 6)
    found = {(t["test"], t["reference"]): t for t in interval_tests(spread)}
    assert found["christoffersen_ind", "nominal_95"]["better"] == ""


def test_no_interval_test_on_fewer_than_ten_forecasts_or_without_intervals() -> None:
    assert interval_tests(_one_step_rows([False] * 9)) == []
    rows = _one_step_rows([True] * 20)
    rows["lo_95"] = math.nan
    assert {t["reference"] for t in interval_tests(rows)} == {"nominal_80"}


def test_comparisons_carry_the_coverage_tests_of_one_step_intervals(
    sales_forecasts: pd.DataFrame,
) -> None:
    ds = load_dataset("sales")
    table = comparisons_table(sales_forecasts, {("sales", "sales"): ds})
    coverage = table[table["test"].isin(["kupiec_uc", "christoffersen_ind"])]
    # arima's own intervals, conformal ones (the default protocol) for naive and drift
    assert set(coverage["model"]) == {"naive", "drift", "arima"}
    assert set(coverage["reference"]) == {"nominal_80", "nominal_95"}
    assert (coverage["n"] == 10).all()
