"""``consumption_intervals``: one customer's gaps between purchases, in days.

Source: the CDNOW transaction log (Fader & Hardie), 69,659 purchases by 23,570 customers between
1997-01-01 and 1998-06-30, as distributed in the MIT-licensed ``lifetimes`` package
(``lifetimes/datasets/CDNOW_master.txt``; vendored unchanged as ``data/CDNOW_master.txt``).
Whitespace-separated with CRLF line ends; columns customer id, date (YYYYMMDD), number of CDs,
dollar value.

The series is customer 14048's purchases (217, the longest history in the log) in date order,
turned into the 216 gaps between consecutive purchases, in days. Two purchases on one day give a
gap of 0. Time is the gap's number (1..216). Default protocol: the last 20% forecast one step
ahead; LSTM window 3; no seasonality.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.errors import DataError
from shiftbench.types import Dataset, Protocol

CUSTOMER = "14048"
SOURCE = (
    "CDNOW transaction log (Fader & Hardie), customer 14048's 217 purchases turned into the 216 "
    "gaps between consecutive purchases, in days"
)


def purchase_intervals(log: Path, customer: str = CUSTOMER) -> pd.Series:
    """Gaps in days between one customer's consecutive purchases in a CDNOW-format log."""
    frame = pd.read_csv(
        log,
        sep=r"\s+",
        header=0,
        names=["customer_id", "date", "cds", "dollars"],
        dtype={"customer_id": "string", "date": "string"},
    )
    rows = frame.loc[frame["customer_id"].str.lstrip("0") == customer.lstrip("0"), "date"]
    if len(rows) < 2:
        raise DataError(f"{log.name}: customer {customer} has fewer than two purchases")
    dates = pd.to_datetime(rows, format="%Y%m%d").sort_values(kind="stable")
    gaps = np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(np.float64)
    index = pd.RangeIndex(1, len(gaps) + 1, name="interval")
    return pd.Series(gaps, index=index, name=f"days_between_purchases_{customer}")


def load() -> Dataset:
    """Load ``consumption_intervals``.

    >>> ds = load()
    >>> len(ds)
    216
    """
    y = purchase_intervals(vendored_file("CDNOW_master.txt"))
    return Dataset(
        name="consumption_intervals",
        y=y,
        exog=None,
        season_length=1,
        frequency=None,
        protocol=Protocol(test_size=0.2, lstm_window=3),
        source=SOURCE,
        sha256=frame_sha256(y, None),
        description="CDNOW customer 14048, days between purchases",
    )
