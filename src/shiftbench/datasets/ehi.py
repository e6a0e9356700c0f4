"""``ehi``: daily weather at Seattle, 2012–2015, for the excess-heat (EHI) event benchmark.

Source: public-domain NOAA daily records for Seattle, 2012-01-01 .. 2015-12-31 (1,461 days), as
packaged in the BSD-licensed ``vega-datasets`` Python package (0.9.0,
``vega_datasets/_data/seattle-weather.csv``), vendored unchanged as ``data/seattle-weather.csv``
(sha256 in ``data/SHA256SUMS``). Columns: date (YYYY/MM/DD), precipitation (mm), temp_max and
temp_min (°C), wind (m/s), weather (a word).

The target is ``temp_max``; ``precipitation`` and ``temp_min`` are observed covariates (known up
to the cutoff only). Season length 7: the weekly baselines and the seasonal ARIMA use a week; the
yearly cycle (365 days) is beyond a seasonal ARIMA's reach (``max_season`` 24) and is left to the
models that can learn it from the data (the LSTMs see it only through their window). Default
protocol: the last 365 days (2015) forecast one to three days ahead from every origin (h = 1..3
is what the excess-heat index needs), LSTM window 10 as in the study.

The event question (:mod:`shiftbench.evaluation.events`): EHI_t = mean(temp_max over days
t..t+2) − mean(temp_max over the 30 days before t); a heat event is EHI_t > 0.
"""

from __future__ import annotations

import pandas as pd

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.errors import DataError
from shiftbench.eventspec import EventSpec
from shiftbench.types import Dataset, Protocol

SOURCE = (
    "NOAA daily weather at Seattle 2012-2015 (public domain), as packaged in vega-datasets 0.9.0 "
    "(seattle-weather.csv, vendored unchanged)"
)
FILE = "seattle-weather.csv"


def load() -> Dataset:
    """Load ``ehi``.

    >>> ds = load()
    >>> len(ds), str(ds.y.index[0].date()), str(ds.y.index[-1].date()), list(ds.exog.columns)
    (1461, '2012-01-01', '2015-12-31', ['precipitation', 'temp_min'])
    >>> float(ds.y.iloc[0]), ds.season_length, ds.protocol.horizon
    (12.8, 7, 3)
    """
    raw = pd.read_csv(vendored_file(FILE))
    dates = pd.to_datetime(raw["date"], format="%Y/%m/%d")
    index = pd.DatetimeIndex(dates, name="date")
    expected = pd.date_range(index[0], index[-1], freq="D")
    if len(index) != len(expected) or not (index == expected).all():
        raise DataError(f"{FILE}: the dates are not one row per day")
    index = pd.DatetimeIndex(index, freq="D", name="date")
    y = pd.Series(raw["temp_max"].astype("float64").to_numpy(), index=index, name="temp_max")
    exog = pd.DataFrame(
        {
            "precipitation": raw["precipitation"].astype("float64").to_numpy(),
            "temp_min": raw["temp_min"].astype("float64").to_numpy(),
        },
        index=index,
    )
    return Dataset(
        name="ehi",
        y=y,
        exog=exog,
        season_length=7,
        frequency="D",
        protocol=Protocol(test_size=365, horizon=3, lstm_window=10),
        source=SOURCE,
        sha256=frame_sha256(y, exog),
        observed=("precipitation", "temp_min"),
        event=EventSpec(kind="excess_heat", short=3, long=30, threshold=0.0),
        description="Seattle daily maximum temperature with precipitation and minimum temperature",
    )
