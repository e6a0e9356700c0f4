"""Seasonality: the M competitions' test for it and the classical multiplicative seasonal
indices, estimated on a training span (used by the statistical benchmarks and by the LSTM's
optional preprocessing).

The test is the M4 benchmark code's ``seasonality_test`` (github.com/Mcompetitions/M4-methods):
the lag-m autocorrelation is significant at 90 % when
|r_m| > 1.645·√((1 + 2·Σ_{k=1}^{m−1} r_k²)/n). The indices are those of
``statsmodels.tsa.seasonal.seasonal_decompose(model="multiplicative")``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shiftbench.types import FloatArray

#: The 90 % one-sided critical value of the seasonality test.
SEASONALITY_Z = 1.645


def acf_at(x: FloatArray, k: int) -> float:
    """The lag-k autocorrelation as the M4 benchmark code computes it.

    >>> round(acf_at(np.array([1.0, 2.0, 1.0, 2.0]), 2), 6)
    0.5
    """
    mean = float(np.mean(x))
    denominator = float(np.sum((x - mean) ** 2))
    if denominator == 0.0:
        return 0.0
    return float(np.sum((x[k:] - mean) * (x[:-k] - mean))) / denominator


def seasonality_test(y: FloatArray, m: int) -> bool:
    """Whether lag m's autocorrelation is significant at 90 % (the M4 ``seasonality_test``).

    >>> t = np.arange(48)
    >>> seasonality_test(10 + np.sin(2 * np.pi * t / 12), 12), seasonality_test(t * 1.0, 12)
    (True, False)
    """
    x = np.asarray(y, dtype=np.float64)
    if m <= 1 or len(x) <= m:
        return False
    s = sum(acf_at(x, k) ** 2 for k in range(1, m))
    limit = SEASONALITY_Z * math.sqrt((1.0 + 2.0 * s) / len(x))
    return abs(acf_at(x, m)) > limit


@dataclass(frozen=True)
class SeasonalIndices:
    """Multiplicative seasonal indices by position in the series (index t uses ``values[t % m]``);
    all ones when the series is not adjusted."""

    values: FloatArray
    adjusted: bool

    @classmethod
    def fit(cls, y: FloatArray, m: int) -> SeasonalIndices:
        if m <= 1 or len(y) < 2 * m or np.any(y <= 0) or not seasonality_test(y, m):
            return cls(np.ones(max(m, 1)), adjusted=False)
        from statsmodels.tsa.seasonal import seasonal_decompose

        seasonal = seasonal_decompose(y, model="multiplicative", period=m).seasonal
        return cls(np.asarray(seasonal[:m], dtype=np.float64), adjusted=True)

    def at(self, positions: np.ndarray) -> FloatArray:
        out: FloatArray = self.values[np.asarray(positions) % len(self.values)]
        return out


#: The season length a user of this field expects for a pandas frequency: the number of
#: periods in the next larger calendar cycle (R's ``frequency()`` of a ``ts``; statsforecast's
#: ``season_length`` conventions). Keys are the alias's base, without anchor or multiple.
SEASONS_BY_FREQUENCY: dict[str, int] = {
    "Y": 1, "A": 1, "YS": 1, "AS": 1, "BY": 1, "BYS": 1, "BA": 1, "BAS": 1,
    "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
    "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "SM": 24, "SMS": 24, "SME": 24,
    "W": 52,
    "D": 7, "B": 5, "C": 5,
    "H": 24, "h": 24, "BH": 8, "bh": 8,
}  # fmt: skip

#: Words for the frequencies, for listings.
FREQUENCY_WORDS: dict[str, str] = {
    "Y": "yearly", "Q": "quarterly", "M": "monthly", "SM": "semi-monthly", "W": "weekly",
    "D": "daily", "B": "business days", "C": "business days", "H": "hourly", "BH": "hourly",
}  # fmt: skip


def _base(frequency: str) -> str:
    """An alias without its multiple and anchor: "2W-SUN" → "W", "QS-OCT" → "QS"."""
    return frequency.lstrip("0123456789").split("-")[0]


def season_for_frequency(frequency: str | None) -> int:
    """The default season length for a pandas frequency alias (1 when there is none or it is
    not a calendar one).

    >>> season_for_frequency("MS"), season_for_frequency("D"), season_for_frequency("W-SUN")
    (12, 7, 52)
    >>> season_for_frequency("QS-OCT"), season_for_frequency(None), season_for_frequency("15min")
    (4, 1, 1)
    """
    if not frequency:
        return 1
    return SEASONS_BY_FREQUENCY.get(_base(frequency), 1)


def describe_frequency(frequency: str | None) -> str:
    """A frequency for people: "MS (monthly)", or "integer time" when there is none.

    >>> describe_frequency("MS"), describe_frequency(None)
    ('MS (monthly)', 'integer time')
    """
    if not frequency:
        return "integer time"
    base = _base(frequency)
    word = FREQUENCY_WORDS.get(base) or FREQUENCY_WORDS.get(base.rstrip("SE") or base)
    return f"{frequency} ({word})" if word else frequency
