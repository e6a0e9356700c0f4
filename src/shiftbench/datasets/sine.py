"""``sine``: a 5001-point sine wave, period 100.

y_k = sin(1 + 2*pi*k/100) rounded to 9 decimals, k = 0..5000: the ``sinewave.csv`` used by the
classic Keras LSTM time-series tutorials. The file is vendored (``data/sinewave.csv``) and a test
checks it against the formula. Default protocol: the last 20% (1000 points) forecast one step
ahead; LSTM window 50; season length 100.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shiftbench.datasets.base import frame_sha256, vendored_file
from shiftbench.types import Dataset, FloatArray, Protocol

SOURCE = (
    "sinewave.csv of the Keras LSTM time-series tutorials: sin(1 + 2*pi*k/100), k = 0..5000, "
    "rounded to 9 decimals (vendored as data/sinewave.csv)"
)


def formula(n: int = 5001) -> FloatArray:
    """The series as its formula gives it, for checking the vendored file."""
    k = np.arange(n)
    return np.asarray(np.round(np.sin(1.0 + 2.0 * np.pi * k / 100.0), 9), dtype=np.float64)


def load() -> Dataset:
    """Load ``sine``.

    >>> ds = load()
    >>> len(ds), float(ds.y.iloc[0])
    (5001, 0.841470985)
    """
    raw = pd.read_csv(vendored_file("sinewave.csv"))
    y = pd.Series(raw["sinewave"].astype("float64").to_numpy(), name="sinewave")
    y.index = pd.RangeIndex(0, len(y), name="k")
    return Dataset(
        name="sine",
        y=y,
        exog=None,
        season_length=100,
        frequency=None,
        protocol=Protocol(test_size=0.2, lstm_window=50),
        source=SOURCE,
        sha256=frame_sha256(y, None),
        description="sine wave, period 100",
    )
