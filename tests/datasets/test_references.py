"""The reference figures of the M3 replay: the article's tables and R's measured means."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from shiftbench.datasets.references import (
    ALL_SERIES,
    paper_figures,
    r_figures,
    reference_columns,
)
from tests.reference.make_r_reference_summary import REFIT_KEPT as REFIT

KEYS = ["method", "protocol", "boxcox", "band"]
BANDS = {"all", "short", "medium", "long"}

#: Mean sMAPE of R's forecast 8.20 (R 4.2.2) on the 1045 series, measured by the project lead
#: before this file existed (../shared/refs/makridakis2018.md, "Measured with R's own forecast
#: package"): one-step with ses(z), holt(z), holt(z, damped = TRUE) on the adjusted series z,
#: ets(x), auto.arima(x), then ets(full, model = fit, use.initial.values = TRUE) /
#: Arima(full, model = fit) fitted values of the last 18 points; 18-step forecast(fit, h = 18);
#: refitted at every one of the 18 origins, the in-sample seasonal indices kept.
R_MEASURED = {
    ("ses", "one_step"): 7.370,
    ("holt", "one_step"): 7.677,
    ("damped", "one_step"): 7.341,
    ("ets", "one_step"): 7.294,
    ("arima", "one_step"): 7.670,
    ("ses", "multi_step_18"): 11.382,
    ("holt", "multi_step_18"): 12.290,
    ("damped", "multi_step_18"): 11.224,
    ("ets", "multi_step_18"): 11.166,
    ("arima", "multi_step_18"): 12.144,
    ("ses", REFIT): 7.381,
    ("holt", REFIT): 7.455,
    ("damped", REFIT): 7.309,
}


def test_paper_figures_are_the_articles_tables() -> None:
    paper = paper_figures()
    assert len(paper) == 8 + 8 + 9 * 4
    assert not paper.duplicated(KEYS).any()
    assert set(paper["table"]) == {"5", "6", "8/9"}

    def at(method: str, table: str, band: str = "all") -> tuple[float, float]:
        row = paper[(paper.method == method) & (paper.table == table) & (paper.band == band)]
        return float(row.smape.item()), float(row.mase.item())

    # PLoS ONE 13(3): e0194889, Tables 5, 6, 8 and 9, as printed
    assert at("naive2", "5") == (8.59, 0.56)
    assert at("ets", "6") == (7.12, 0.47)
    assert at("theta", "8/9") == (10.89, 0.90)
    assert at("comb", "8/9", "medium") == (10.57, 0.902)
    assert at("mlp_iterative", "8/9", "long") == (15.00, 1.24)
    assert paper.loc[paper.table == "6", "boxcox"].all()
    assert not paper.loc[paper.table != "6", "boxcox"].any()


SMOOTHING = ("ses", "holt", "damped")
PROTOCOLS = ("one_step", "multi_step_18")
#: What the stored R column holds, all on the 1045 series: without Box-Cox every method fitted
#: once, one-step and 18-step, and the smoothing methods refitted at every origin; with Box-Cox
#: the smoothing methods and ETS, one-step and 18-step (R's Box-Cox auto.arima, four times the
#: cost of the rest, is checked by the reference test on its sample only).
STORED_PLAIN = [(m, p) for m in (*SMOOTHING, "ets", "arima") for p in PROTOCOLS] + [
    (m, REFIT) for m in SMOOTHING
]
STORED_BOXCOX = [(m, p) for m in (*SMOOTHING, "ets") for p in PROTOCOLS]


def test_r_figures_reproduce_rs_measured_means() -> None:
    r = r_figures()
    plain = r[~r.boxcox & (r.band == "all")].set_index(["method", "protocol"])
    assert sorted(set(plain.index)) == sorted(STORED_PLAIN)
    for method, protocol in STORED_PLAIN:
        expected = R_MEASURED[(method, protocol)]
        got = float(plain.loc[(method, protocol), "smape"])
        # the fitted-once figures to the printed digit; the refit ones within 0.005: the
        # lead's refit script is not recorded, and the stored run (tests/reference/
        # m3_reference.R) gives 7.377, 7.452, 7.311 against its 7.381, 7.455, 7.309
        tolerance = 0.005 if protocol == REFIT else 0.0005
        assert abs(got - expected) <= tolerance + 1e-9, (method, protocol, got, expected)


def test_r_figures_cover_every_band_of_what_is_stored() -> None:
    r = r_figures()
    assert not r.duplicated(KEYS).any()
    for boxcox, stored in ((False, STORED_PLAIN), (True, STORED_BOXCOX)):
        part = r[r.boxcox == boxcox]
        assert sorted(set(zip(part.method, part.protocol, strict=True))) == sorted(stored)
        for method, protocol in stored:
            bands = set(part.loc[(part.method == method) & (part.protocol == protocol), "band"])
            assert bands == (BANDS if protocol == "multi_step_18" else {"all"})
    assert set(r.n_series) == {1045}
    assert set(r.subset) == {ALL_SERIES}
    assert set(r.forecast_version) == {"8.20"}
    assert r.r_version.str.startswith("R version 4.").all()


def test_box_cox_lowers_rs_one_step_error_of_the_smoothing_methods() -> None:
    # the direction of the article's Table 6 against its Table 5 for SES, Holt and Damped
    r = r_figures()
    one = r[(r.protocol == "one_step") & (r.band == "all")].set_index(["method", "boxcox"])
    for method in SMOOTHING:
        assert one.loc[(method, True), "smape"] < one.loc[(method, False), "smape"], method


def test_r_figures_are_plausible_scores_with_timings() -> None:
    r = r_figures()
    assert r.smape.between(5, 20).all()
    assert r.mase.between(0.3, 2).all()
    timed = r[r.protocol != REFIT]  # R's seconds are of one fit, not of 18 refits
    assert (timed.seconds_per_series > 0).all()
    assert (timed.cpu_seconds_per_series > 0).all()
    assert r.loc[r.protocol == REFIT, "seconds_per_series"].isna().all()
    seconds = timed.groupby("method").cpu_seconds_per_series.first()
    # one SES fit estimates fewer parameters than Holt's, and Holt's fewer than Damped's; the
    # automatic methods fit many candidates, auto.arima's each by numerical likelihood
    assert seconds["ses"] < seconds["damped"] < seconds["ets"] < seconds["arima"]


def test_reference_columns_put_paper_and_r_beside_ours() -> None:
    ours = pd.DataFrame(
        {
            "method": ["damped", "theta", "arima"],
            "protocol": ["multi_step_18", "one_step", "one_step"],
            "boxcox": [False, False, True],
            "band": ["short", "all", "all"],
            "smape": [9.0, 7.3, 7.2],
            "mase": [0.6, 0.5, 0.5],
        }
    )
    out = reference_columns(ours)
    assert list(out.smape_paper) == [8.96, 7.31, 7.19]
    assert math.isnan(out.smape_r.iloc[1])  # R's figures have no Theta
    assert out.smape_r.iloc[0] == pytest.approx(
        r_figures()
        .query(
            "method == 'damped' and protocol == 'multi_step_18' and band == 'short' and not boxcox"
        )
        .smape.item()
    )


def test_r_figures_over_fewer_series_do_not_sit_beside_a_mean_over_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shiftbench.datasets import references

    stored = r_figures()
    partial = stored[(stored.method == "ses") & (stored.protocol == "one_step")].copy()
    partial["method"], partial["boxcox"] = "arima", True
    partial["subset"], partial["n_series"] = "makridakis2018[::5]", 209
    monkeypatch.setattr(references, "r_figures", lambda: pd.concat([stored, partial]))
    ours = pd.DataFrame(
        {
            "method": ["arima", "ses"],
            "protocol": ["one_step", "one_step"],
            "boxcox": [True, False],
            "band": ["all", "all"],
            "smape": [7.2, 7.4],
            "mase": [0.5, 0.5],
        }
    )
    out = references.reference_columns(ours)
    assert math.isnan(out.smape_r.iloc[0])  # R's mean over 209 series is not shown
    assert out.smape_r.iloc[1] == pytest.approx(7.37, abs=0.0005)
    assert out.smape_paper.iloc[0] == 7.19  # the article's Table 6 still is
