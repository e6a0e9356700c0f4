"""The report's calibration view: observed against nominal coverage by model, where each
model's intervals come from, the coverage tests in words, and the networks' intervals beside
ARIMA-GARCH's (the sales study's question, answered with uncertainty)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import shiftbench as sb
from shiftbench.reports.calibration import outcome_text
from shiftbench.reports.plots import is_safe_svg


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = sb.run(
        datasets=["sales"],
        models=["naive", "arima_garch", "lstm_raw"],
        seeds=[0],
        out=str(tmp_path_factory.mktemp("calibration")),
        protocol={"intervals": "aci"},
        model_params={
            "arima_garch": {"order": [1, 1, 0]},
            "lstm_raw": {"epochs": 2, "units": [4], "dense": []},
        },
    )
    return result.path


def _calibration_table(md: str) -> list[list[str]]:
    block = md[md.index("Interval calibration") :]
    lines = [ln for ln in block.splitlines() if ln.startswith("| ")][2:]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_every_model_with_intervals_has_a_row_saying_where_they_come_from(run_dir: Path) -> None:
    rows = {r[0]: r for r in _calibration_table((run_dir / "report.md").read_text())}
    assert set(rows) == {"naive", "arima\\_garch", "lstm\\_raw"}
    assert rows["naive"][1] == "ACI"
    assert rows["lstm\\_raw"][1] == "ACI"
    assert rows["arima\\_garch"][1] == "own"


def test_the_observed_coverage_is_the_share_of_actuals_inside_the_intervals(
    run_dir: Path,
) -> None:
    forecasts = pd.read_csv(run_dir / "forecasts.csv")
    rows = {r[0]: r for r in _calibration_table((run_dir / "report.md").read_text())}
    for model, row in (("naive", rows["naive"]), ("arima_garch", rows["arima\\_garch"])):
        f = forecasts[forecasts["model"] == model]
        for column, level in ((2, 80), (4, 95)):
            inside = ((f["y"] >= f[f"lo_{level}"]) & (f["y"] <= f[f"hi_{level}"])).mean()
            assert float(row[column]) == pytest.approx(inside, abs=5e-4)


def test_the_coverage_tests_are_in_comparisons_and_in_words_in_the_report(run_dir: Path) -> None:
    c = pd.read_csv(run_dir / "comparisons.csv")
    kupiec = c[(c["test"] == "kupiec_uc") & (c["model"] == "naive")]
    assert set(kupiec["reference"]) == {"nominal_80", "nominal_95"}
    row = next(r for r in _calibration_table((run_dir / "report.md").read_text())
               if r[0] == "naive")  # fmt: skip
    assert re.fullmatch(r"(consistent|too narrow|too wide), p (=|<) [0-9.]+", row[3])


def test_the_networks_intervals_are_drawn_beside_arima_garchs(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    assert "one-step intervals side by side: 2 = arima_garch, 3 = lstm_raw" in html
    for name in ("d1_calibration.svg", "d1_intervals_side_by_side.svg", "d1_m3_intervals.svg"):
        svg = (run_dir / "figures" / name).read_text()
        assert is_safe_svg(svg)
    assert "Interval calibration" in html


def test_a_run_without_intervals_has_no_calibration_view(tmp_path: Path) -> None:
    result = sb.run(
        datasets=["sales"], models=["naive", "drift"], out=str(tmp_path),
        protocol={"intervals": "model"},
    )  # fmt: skip
    assert "Interval calibration" not in (result.path / "report.md").read_text()


def test_outcomes_over_many_cells_count_each_kind_of_rejection() -> None:
    rows = pd.DataFrame(
        {
            "p_value": [0.001, 0.2, 0.04, 0.01],
            "better": ["too_narrow", "", "too_wide", "too_narrow"],
        }
    )
    assert outcome_text(rows) == "too narrow 2/4, too wide 1/4"
    calm = pd.DataFrame({"p_value": [0.3, 0.5], "better": ["", ""]})
    assert outcome_text(calm, holds="independent") == "independent 2/2"
