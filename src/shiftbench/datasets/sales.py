"""``sales``: a 45-month sales series.

Source: the sales series of the 2021 PaperWeekly article that compares an LSTM with ARIMA and
ARIMA-GARCH on one-step forecasts and diagnoses the LSTM's right shift. The 45 values are vendored
verbatim in ``data/sales.csv`` (columns ``month`` 1..45 and ``sales``). The article gives no
calendar dates, so time is the month number (frequency ``MS``: monthly). Default protocol: the
last 10 points are forecast one step ahead; LSTM window 3; season length 12 (monthly data).
"""

from __future__ import annotations

import pandas as pd

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.types import Dataset, Protocol

SOURCE = (
    "Sales series of the 2021 PaperWeekly article comparing an LSTM with ARIMA and ARIMA-GARCH "
    "(45 monthly values, vendored verbatim as data/sales.csv)"
)


def load() -> Dataset:
    """Load ``sales``.

    >>> ds = load()
    >>> len(ds), float(ds.y.iloc[0]), float(ds.y.iloc[-1])
    (45, 2800.0, 4055.0)
    """
    raw = pd.read_csv(vendored_file("sales.csv"))
    y = pd.Series(raw["sales"].astype("float64").to_numpy(), name="sales")
    y.index = pd.RangeIndex(1, len(y) + 1, name="month")
    return Dataset(
        name="sales",
        y=y,
        exog=None,
        season_length=12,
        frequency="MS",  # monthly; the article gives month numbers, not dates
        protocol=Protocol(test_size=10, lstm_window=3),
        source=SOURCE,
        sha256=frame_sha256(y, None),
        description="45 monthly sales values",
    )
