"""The default season length of a frequency: statsmodels' ``freq_to_period`` where it knows the
frequency, and the documented exceptions where it does not (reference values: the number of
periods in the next larger calendar cycle, as R's ``frequency()`` of a ``ts`` gives them)."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.tseries.frequencies import to_offset
from statsmodels.tsa.tsatools import freq_to_period

from shiftbench.seasonality import SEASON_EXCEPTIONS, season_for_frequency


@pytest.mark.parametrize(
    ("frequency", "season"),
    [
        ("YS-JAN", 1),  # a year has no larger cycle
        ("YE-DEC", 1),
        ("QS-OCT", 4),  # quarters in a year
        ("QE-DEC", 4),
        ("MS", 12),  # months in a year
        ("ME", 12),
        ("W-SUN", 52),  # weeks in a year
        ("2W-MON", 52),  # the multiple does not change the cycle
        ("D", 7),  # days in a week
        ("3D", 7),
        ("B", 5),  # business days in a week
        ("h", 24),  # hours in a day
    ],
)
def test_calendar_frequencies_take_their_calendar_cycle(frequency: str, season: int) -> None:
    assert season_for_frequency(frequency) == season


@pytest.mark.parametrize(
    ("frequency", "season"),
    [
        ("SMS", 24),  # the 1st and the 15th of each of 12 months
        ("SME", 24),
        ("BMS", 12),  # a business month is still a twelfth of the year
        ("BME", 12),
        ("CBMS", 12),
        ("BQS-JAN", 4),
        ("BYE-DEC", 1),
        ("C", 5),  # custom business days: five a week, like B
        ("bh", 8),  # business hours 09:00-17:00: eight a day
        ("ms", 1),  # milliseconds have no calendar cycle (statsmodels reads "MS": 12)
    ],
)
def test_the_exceptions_take_their_own_season(frequency: str, season: int) -> None:
    assert season_for_frequency(frequency) == season


@pytest.mark.parametrize("frequency", [None, "", "min", "15min", "s", "us", "not a frequency"])
def test_no_frequency_or_no_calendar_cycle_is_season_one(frequency: str | None) -> None:
    assert season_for_frequency(frequency) == 1


def test_every_exception_is_one_statsmodels_refuses_or_reads_otherwise() -> None:
    for code, season in SEASON_EXCEPTIONS.items():
        offset = to_offset(code)
        assert offset.rule_code.split("-")[0] == code  # spelled as pandas spells it
        try:
            theirs: int | None = freq_to_period(offset)
        except ValueError:
            theirs = None
        assert theirs != season, code


def test_a_frequency_pandas_gives_for_dates_gets_the_calendar_season() -> None:
    monthly = pd.date_range("2020-01-31", periods=6, freq="ME").freqstr
    hourly = pd.date_range("2020-01-01", periods=6, freq="h").freqstr
    assert (season_for_frequency(monthly), season_for_frequency(hourly)) == (12, 24)
