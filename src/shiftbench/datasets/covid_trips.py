"""``covid_trips`` and ``covid_trips_nyc``: daily transit trips in the first months of COVID-19.

``covid_trips`` is Chicago Transit Authority total rides per day, 2020-01-01 .. 2020-07-16 (198
days), with three covariates:

- ``new_cases``: Chicago's daily new COVID-19 cases (observed: usable up to the cutoff only);
- ``cum_cases``: cumulative cases since the start of the case file (observed);
- ``day_type``: 1 on CTA workdays (day type ``W``), 0 on Saturdays, Sundays and holidays (``A``,
  ``U``). A calendar covariate, known ahead.

Raw files, vendored unchanged from the publishers (see ``data/SHA256SUMS``):

- ``cta_daily_boarding_totals.csv``: City of Chicago data portal, "CTA - Ridership - Daily
  Boarding Totals" (dataset 6iiy-9s97), 2001-01-01 .. 2021-05-31. Columns service_date
  (MM/DD/YYYY), day_type, bus, rail_boardings, total_rides. 62 dates of October 2011 appear twice
  with identical values; exact duplicates are dropped.
- ``chicago_daily_new_cases_from_2018-01-01.txt``: City of Chicago COVID-19 Daily Cases ("Cases -
  Total"), one number a line, line 1 = 2018-01-01, one line a day.

``covid_trips_nyc`` is the same question for New York: MTA subway plus bus estimated ridership
(data.ny.gov dataset vxuj-8kew, file ``mta_daily_ridership_from_2020-03-01.csv``, rows not sorted)
with NYC DOHMH daily cases (``nyc_daily_new_cases_from_2018-01-01.txt``, same layout as Chicago's),
2020-03-01 .. 2020-08-27 (180 days). The MTA file has no day type, so ``day_type`` is 1 on Monday
to Friday except US federal holidays.

Default protocol for both: the last 31 days forecast one step ahead; season length 7; LSTM window 5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.errors import DataError
from shiftbench.types import Dataset, Protocol

CASES_EPOCH = pd.Timestamp("2018-01-01")
CHICAGO_SPAN = (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-07-16"))
NYC_SPAN = (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-08-27"))

CHICAGO_SOURCE = (
    "Chicago Transit Authority daily boarding totals (City of Chicago data portal, dataset "
    "6iiy-9s97), total_rides 2020-01-01..2020-07-16, with City of Chicago COVID-19 daily cases "
    "(Cases - Total) as covariates"
)
NYC_SOURCE = (
    "MTA daily ridership (data.ny.gov dataset vxuj-8kew), subway plus bus estimated ridership "
    "2020-03-01..2020-08-27, with NYC DOHMH daily COVID-19 case counts as covariates"
)


def read_daily_cases(path: Path) -> pd.Series:
    """Daily new cases from a one-number-a-line file whose first line is 2018-01-01."""
    values = np.loadtxt(path, dtype=np.float64, ndmin=1)
    index = pd.date_range(CASES_EPOCH, periods=len(values), freq="D", name="date")
    return pd.Series(values, index=index, name="new_cases")


def _case_covariates(cases: pd.Series, dates: pd.DatetimeIndex, label: str) -> pd.DataFrame:
    missing = dates.difference(pd.DatetimeIndex(cases.index))
    if len(missing):
        raise DataError(f"{label}: no case count for {missing[0].date()}")
    cumulative = cases.cumsum()
    return pd.DataFrame(
        {
            "new_cases": cases.reindex(dates).to_numpy(),
            "cum_cases": cumulative.reindex(dates).to_numpy(),
        },
        index=dates,
    )


def _check_daily(
    dates: pd.DatetimeIndex, span: tuple[pd.Timestamp, pd.Timestamp], label: str
) -> None:
    expected = pd.date_range(span[0], span[1], freq="D")
    if not dates.equals(expected):
        missing = expected.difference(dates)
        where = missing[0].date() if len(missing) else "a duplicate date"
        raise DataError(f"{label}: the daily series is not complete over the span ({where})")


def build_chicago(
    cta_csv: Path,
    cases_txt: Path,
    start: pd.Timestamp = CHICAGO_SPAN[0],
    end: pd.Timestamp = CHICAGO_SPAN[1],
) -> tuple[pd.Series, pd.DataFrame]:
    """Derive the Chicago series and covariates from the two raw files.

    Returns the target (``total_rides``, float, daily ``DatetimeIndex``) and a frame with
    ``new_cases``, ``cum_cases`` and ``day_type``.
    """
    cta = pd.read_csv(cta_csv, dtype={"day_type": "string"})
    cta = cta.drop_duplicates()
    cta["date"] = pd.to_datetime(cta["service_date"], format="%m/%d/%Y")
    if cta["date"].duplicated().any():
        dup = cta.loc[cta["date"].duplicated(), "date"].iloc[0]
        raise DataError(f"{cta_csv.name}: conflicting rows for {dup.date()}")
    cta = cta.set_index("date").sort_index().loc[start:end]
    dates = pd.DatetimeIndex(cta.index, freq="D", name="date")
    _check_daily(dates, (start, end), cta_csv.name)
    y = pd.Series(cta["total_rides"].astype("float64").to_numpy(), index=dates, name="total_rides")
    exog = _case_covariates(read_daily_cases(cases_txt), dates, cases_txt.name)
    day_type = cta["day_type"].map({"W": 1.0, "A": 0.0, "U": 0.0})
    if day_type.isna().any():
        bad = cta.loc[day_type.isna(), "day_type"].iloc[0]
        raise DataError(f"{cta_csv.name}: unknown day_type {bad!r}")
    exog["day_type"] = day_type.to_numpy(dtype=np.float64)
    return y, exog


def build_nyc(
    mta_csv: Path,
    cases_txt: Path,
    start: pd.Timestamp = NYC_SPAN[0],
    end: pd.Timestamp = NYC_SPAN[1],
) -> tuple[pd.Series, pd.DataFrame]:
    """Derive the New York series (subway + bus) and covariates from the two raw files."""
    mta = pd.read_csv(mta_csv)
    mta["date"] = pd.to_datetime(mta["Date"], format="%m/%d/%Y")
    mta = mta.set_index("date").sort_index().loc[start:end]
    dates = pd.DatetimeIndex(mta.index, freq="D", name="date")
    _check_daily(dates, (start, end), mta_csv.name)
    total = mta["Subways: Total Estimated Ridership"] + mta["Buses: Total Estimated Ridership"]
    y = pd.Series(total.astype("float64").to_numpy(), index=dates, name="subway_bus_ridership")
    exog = _case_covariates(read_daily_cases(cases_txt), dates, cases_txt.name)
    holidays = USFederalHolidayCalendar().holidays(start=start, end=end)
    workday = (dates.day_of_week < 5) & ~dates.isin(holidays)
    exog["day_type"] = workday.astype(np.float64)
    return y, exog


def _dataset(name: str, y: pd.Series, exog: pd.DataFrame, source: str, what: str) -> Dataset:
    return Dataset(
        name=name,
        y=y,
        exog=exog,
        season_length=7,
        frequency="D",
        protocol=Protocol(test_size=31, lstm_window=5),
        source=source,
        sha256=frame_sha256(y, exog),
        observed=("new_cases", "cum_cases"),
        known_ahead=("day_type",),
        description=what,
    )


def load() -> Dataset:
    """Load ``covid_trips`` (Chicago).

    >>> ds = load()
    >>> len(ds), str(ds.y.index[0].date()), list(ds.exog.columns)
    (198, '2020-01-01', ['new_cases', 'cum_cases', 'day_type'])
    """
    y, exog = build_chicago(
        vendored_file("cta_daily_boarding_totals.csv"),
        vendored_file("chicago_daily_new_cases_from_2018-01-01.txt"),
    )
    return _dataset(
        "covid_trips", y, exog, CHICAGO_SOURCE, "CTA daily total rides with COVID cases"
    )


def load_nyc() -> Dataset:
    """Load ``covid_trips_nyc`` (New York)."""
    y, exog = build_nyc(
        vendored_file("mta_daily_ridership_from_2020-03-01.csv"),
        vendored_file("nyc_daily_new_cases_from_2018-01-01.txt"),
    )
    return _dataset(
        "covid_trips_nyc", y, exog, NYC_SOURCE, "MTA subway+bus ridership with COVID cases"
    )
