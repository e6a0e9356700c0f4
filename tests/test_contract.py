"""docs/contract.md names every file's columns; the code writes exactly those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shiftbench import rundir
from shiftbench.evaluation.shift import VERDICTS

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract.md"


def _documented_columns() -> dict[str, list[str]]:
    """File name -> the 'Columns, in order' list under its heading."""
    text = CONTRACT.read_text(encoding="utf-8")
    out = {}
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        name = re.match(r"`([^`]+)`", section)
        columns = re.search(r"^Columns, in order: `([^`]+)`", section, flags=re.MULTILINE)
        if name and columns:
            out[name.group(1)] = [c.strip() for c in columns.group(1).split(",")]
    return out


@pytest.mark.parametrize(
    ("file", "columns"),
    [
        ("forecasts.csv", list(rundir.FORECAST_COLUMNS)),
        ("metrics.csv", list(rundir.METRIC_COLUMNS)),
        ("shift.csv", list(rundir.SHIFT_COLUMNS)),
        ("shift_summary.csv", [*rundir.SHIFT_SUMMARY_KEYS, *VERDICTS, "majority"]),
        ("comparisons.csv", list(rundir.COMPARISON_COLUMNS)),
        ("training_history.csv", list(rundir.HISTORY_COLUMNS)),
        ("events.csv", list(rundir.EVENT_COLUMNS)),
        ("confusion.csv", list(rundir.CONFUSION_COLUMNS)),
        ("event_shift.csv", list(rundir.EVENT_SHIFT_COLUMNS)),
    ],
)
def test_the_contract_lists_the_columns_the_code_writes(file: str, columns: list[str]) -> None:
    assert _documented_columns()[file] == columns


def test_the_contract_documents_every_csv_file_of_the_run_directory() -> None:
    documented = set(_documented_columns())
    assert {f for f in rundir.REQUIRED_FILES if f.endswith(".csv")} <= documented


def test_the_contract_names_every_verdict() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    assert all(f"- `{v}`" in text for v in VERDICTS)


def test_a_written_run_has_the_documented_columns_in_order(tmp_path: Path) -> None:
    import shiftbench as sb

    run = sb.run(datasets=["sales"], models=["naive", "drift"], out=str(tmp_path), use_cache=False)
    documented = _documented_columns()
    for file in ("forecasts.csv", "metrics.csv", "comparisons.csv"):
        header = (run.path / file).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == documented[file]
    shift_header = (run.path / "shift.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    n = len(documented["shift.csv"])
    assert shift_header[:n] == documented["shift.csv"]
    assert shift_header[n:] == rundir.shift_lag_columns(len(shift_header) - n - 1)
