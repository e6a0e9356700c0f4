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
