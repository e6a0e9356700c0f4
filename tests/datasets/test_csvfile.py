"""A user's CSV file: good files load, bad ones give one-line errors naming the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shiftbench.datasets import load_csv
from shiftbench.errors import DataError


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def daily(n: int = 30) -> str:
    rows = [f"2024-01-{i + 1:02d},{10 + i},{i % 2}" for i in range(n)]
    return "date,sales,promo\n" + "\n".join(rows) + "\n"


def test_good_file_loads_with_dates_and_covariates(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, daily()), "sales", date="date", exog=["promo"], test_size=5)
    assert len(ds) == 30
    assert ds.frequency == "D"
    assert ds.y.iloc[-1] == 39.0
    assert ds.observed == ("promo",)
    assert ds.exog is not None
    assert ds.exog["promo"].tolist()[:3] == [0.0, 1.0, 0.0]
    assert ds.name == "data"


def test_known_ahead_columns_are_marked(tmp_path: Path) -> None:
    ds = load_csv(
        write(tmp_path, daily()),
        "sales",
        date="date",
        exog=["promo"],
        known_ahead=["promo"],
        test_size=5,
    )
    assert ds.known_ahead == ("promo",)
    assert ds.observed == ()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nothere\.csv: no such file"):
        load_csv(tmp_path / "nothere.csv", "y")


def test_misspelt_target_column_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match=r"data\.csv: no target column 'sale'.*did you mean 'sales'"
    ):
        load_csv(write(tmp_path, daily()), "sale")


def test_missing_covariate_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no covariate column 'price'"):
        load_csv(write(tmp_path, daily()), "sales", exog=["price"])


def test_non_numeric_value_names_the_line(tmp_path: Path) -> None:
    text = daily().replace("2024-01-04,13,", "2024-01-04,thirteen,")
    with pytest.raises(DataError, match=r"column 'sales' line 5: non-numeric value 'thirteen'"):
        load_csv(write(tmp_path, text), "sales")


def test_missing_target_value_is_refused(tmp_path: Path) -> None:
    text = daily().replace("2024-01-03,12,", "2024-01-03,,")
    with pytest.raises(DataError, match=r"column 'sales' line 4: NaN"):
        load_csv(write(tmp_path, text), "sales")


def test_infinite_target_value_is_refused(tmp_path: Path) -> None:
    text = daily().replace("2024-01-03,12,", "2024-01-03,inf,")
    with pytest.raises(DataError, match=r"line 4: infinite value"):
        load_csv(write(tmp_path, text), "sales")


def test_unsorted_dates_are_refused(tmp_path: Path) -> None:
    lines = daily().splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    with pytest.raises(DataError, match=r"column 'date' line 5: dates not sorted"):
        load_csv(write(tmp_path, "\n".join(lines) + "\n"), "sales", date="date")


def test_duplicate_dates_are_refused(tmp_path: Path) -> None:
    text = daily().replace("2024-01-05", "2024-01-04")
    with pytest.raises(DataError, match=r"line 6: duplicate date 2024-01-04"):
        load_csv(write(tmp_path, text), "sales", date="date")


def test_unparsable_date_is_refused(tmp_path: Path) -> None:
    text = daily().replace("2024-01-05", "someday")
    with pytest.raises(DataError, match=r"line 6: not a date: 'someday'"):
        load_csv(write(tmp_path, text), "sales", date="date")


def test_too_short_for_the_protocol(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"data\.csv: .*too short.*12 points, 10 for testing"):
        load_csv(write(tmp_path, daily(12)), "sales", test_size=10)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"data\.csv: "):
        load_csv(write(tmp_path, ""), "sales")


def test_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_csv(write(tmp_path, daily()), "nope")
    assert "\n" not in str(info.value)


def test_integer_time_without_date_column(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, daily()), "sales", test_size=0.2)
    np.testing.assert_array_equal(ds.y.index.to_numpy(), np.arange(30))
    assert ds.protocol.n_test(30) == 6


def test_dates_with_mixed_time_zones_are_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tz.csv"
    path.write_text(
        "day,y\n2020-01-01T00:00+01:00,1\n2020-01-02T00:00+01:00,2\n2020-01-03T00:00+02:00,3\n"
    )
    with pytest.raises(DataError, match=r"tz\.csv: column 'day' line 4: dates with mixed time"):
        load_csv(path, "y", date="day", test_size=1)


def test_irregular_dates_warn_once_naming_the_first_gap(tmp_path: Path) -> None:
    from shiftbench.errors import ShiftbenchWarning

    days = [f"2020-01-{d:02d}" for d in (1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14)]
    path = tmp_path / "gaps.csv"
    path.write_text("day,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(days)))
    with pytest.warns(ShiftbenchWarning) as caught:
        load_csv(path, "y", date="day", test_size=3)
    assert len(caught) == 1
    assert "first gap follows line 4 (2020-01-03T00:00:00 -> 2020-01-05T00:00:00)" in str(
        caught[0].message
    )


def test_a_monthly_file_gets_season_12_and_a_daily_one_7_unless_told(tmp_path: Path) -> None:
    monthly = tmp_path / "monthly.csv"
    dates = pd.date_range("2019-01-01", periods=48, freq="MS")
    pd.DataFrame({"month": dates.strftime("%Y-%m-%d"), "y": range(48)}).to_csv(monthly, index=False)
    assert load_csv(monthly, "y", date="month").season_length == 12
    assert load_csv(monthly, "y", date="month", season_length=3).season_length == 3
    daily = tmp_path / "daily.csv"
    days = pd.date_range("2020-03-01", periods=60, freq="D")
    pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "y": range(60)}).to_csv(daily, index=False)
    assert load_csv(daily, "y", date="day").season_length == 7
    assert load_csv(daily, "y").season_length == 1  # no dates: no calendar season
