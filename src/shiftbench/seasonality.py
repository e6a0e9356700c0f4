"""Seasonality: the M competitions' test for it and the classical multiplicative seasonal
indices, estimated on a training span (used by the statistical benchmarks and by the LSTM's
optional preprocessing).

The test is the M4 benchmark code's ``seasonality_test`` (github.com/Mcompetitions/M4-methods):
the lag-m autocorrelation is significant at 90 % when
|r_m| > 1.645·√((1 + 2·Σ_{k=1}^{m−1} r_k²)/n). The indices are those of
``statsmodels.tsa.seasonal.seasonal_decompose(model="multiplicative")``. The default season
length of a frequency is statsmodels' ``freq_to_period``, but for the few frequencies it does
not know (:data:`SEASON_EXCEPTIONS`).
"""

from __future__ import annotations

import math
import warnings
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


#: Where shiftbench's season length departs from statsmodels' ``freq_to_period`` (which maps
#: yearly data to 1, quarterly 4, monthly 12, weekly 52, daily 7, business days 5, hourly 24:
#: the number of periods in the next larger calendar cycle, R's ``frequency()`` of a ``ts``),
#: keyed by the offset's rule code without its anchor (as pandas ≥ 2.2 spells it: "BME", not
#: "BM"). Each is a frequency that statsmodels refuses or reads wrongly:
#:
#: - business and custom-business year, quarter and month ends and starts: statsmodels knows
#:   only the plain calendar ones, and a business month is still a twelfth of the year;
#: - semi-monthly (the 15th and the month's end or start): 24 in a year; statsmodels refuses it;
#: - custom business days: five in a week, like business days (``B``), which statsmodels knows;
#: - business hours (09:00 to 17:00 by default): eight in a business day; statsmodels refuses it;
#: - milliseconds (``ms``): statsmodels upper-cases the rule code and takes it for month starts
#:   (``MS``, 12); sub-hourly data have no default season here (1), like minutes and seconds,
#:   which statsmodels refuses.
SEASON_EXCEPTIONS: dict[str, int] = {
    "BYE": 1, "BYS": 1, "BQE": 4, "BQS": 4, "BME": 12, "BMS": 12, "CBME": 12, "CBMS": 12,
    "SME": 24, "SMS": 24,
    "C": 5,
    "bh": 8, "cbh": 8,
    "ms": 1,
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
    """The default season length for a pandas frequency alias: statsmodels'
    ``freq_to_period`` (12 for monthly data, 4 quarterly, 1 yearly, 52 weekly, 7 daily, 5 for
    business days, 24 hourly), but for the frequencies of :data:`SEASON_EXCEPTIONS`; 1 when
    there is none, or it has no calendar cycle (minutes, seconds), or pandas cannot read it.

    The multiple does not change the season: "2W" is read as weekly (52).

    >>> season_for_frequency("MS"), season_for_frequency("D"), season_for_frequency("W-SUN")
    (12, 7, 52)
    >>> season_for_frequency("QS-OCT"), season_for_frequency(None), season_for_frequency("15min")
    (4, 1, 1)
    >>> season_for_frequency("SMS"), season_for_frequency("BMS"), season_for_frequency("ms")
    (24, 12, 1)
    """
    if not frequency:
        return 1
    from pandas.tseries.frequencies import to_offset
    from statsmodels.tsa.tsatools import freq_to_period

    try:
        with warnings.catch_warnings():  # an alias pandas 2 still reads but deprecates ("M")
            warnings.simplefilter("ignore", FutureWarning)
            offset = to_offset(frequency)
    except ValueError:  # not an alias of this pandas
        return 1
    code = offset.rule_code.split("-")[0]
    if code in SEASON_EXCEPTIONS:
        return SEASON_EXCEPTIONS[code]
    try:
        return int(freq_to_period(offset))
    except ValueError:  # no calendar cycle that statsmodels knows (minutes, seconds)
        return 1


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
