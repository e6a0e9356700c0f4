"""Forecast accuracy metrics: small pure functions over aligned arrays.

Every function takes the actuals ``y`` and forecasts ``y_hat`` (and, where the definition needs
them, the last observation before each target or the training span) and returns a float. The
definitions are those of Hyndman & Koehler, "Another look at measures of forecast accuracy",
*International Journal of Forecasting* 22(4), 2006, unless a docstring says otherwise.
Percentage metrics are in percent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy import stats

from shiftbench.errors import ShiftbenchWarning
from shiftbench.types import FloatArray

ArrayLike = npt.ArrayLike


def _pair(y: ArrayLike, y_hat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y, dtype=np.float64)
    b = np.asarray(y_hat, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"y and y_hat must be 1-d of one length, got {a.shape} and {b.shape}")
    return a, b


def mse(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean squared error, mean((y − ŷ)²).

    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    a, b = _pair(y, y_hat)
    return float(np.mean((a - b) ** 2)) if len(a) else math.nan


def rmse(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Root mean squared error, √MSE.

    >>> rmse([0.0, 0.0], [3.0, 4.0])  # √((9 + 16) / 2)
    3.5355339059327378
    """
    return math.sqrt(mse(y, y_hat))


def mae(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean absolute error, mean|y − ŷ|.

    >>> mae([1.0, 2.0], [2.0, 0.0])
    1.5
    """
    a, b = _pair(y, y_hat)
    return float(np.mean(np.abs(a - b))) if len(a) else math.nan


def mape(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Mean absolute percentage error, mean(|100·(y − ŷ)/y|) (Hyndman & Koehler 2006, §3.2).

    Undefined when an actual is 0: returns NaN and warns, never inf.

    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    a, b = _pair(y, y_hat)
    if not len(a):
        return math.nan
    if np.any(a == 0.0):
        warnings.warn(
            "mape is undefined when an actual value is 0; reported as NaN",
            ShiftbenchWarning,
            stacklevel=2,
        )
        return math.nan
    return float(np.mean(np.abs(100.0 * (a - b) / a)))


def smape(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Symmetric MAPE, mean(200·|y − ŷ| / (|y| + |ŷ|)), as in the M3 and M4 competitions.

    Ranges over [0, 200]; a term with y = ŷ = 0 counts as 0.

    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    a, b = _pair(y, y_hat)
    if not len(a):
        return math.nan
    num = 200.0 * np.abs(a - b)
    den = np.abs(a) + np.abs(b)
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(np.mean(terms))


def mase(y: ArrayLike, y_hat: ArrayLike, y_train: ArrayLike, season_length: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006, eq. 3.3).

    The MAE of the forecasts divided by the in-sample MAE of the (seasonal) naive one-step
    forecast on the training span: mean|y_t − y_{t−m}| over t = m+1..T. NaN when that scale is 0.

    >>> mase([3.0, 5.0], [4.0, 4.0], [1.0, 2.0, 4.0])
    0.6666666666666666
    """
    a, b = _pair(y, y_hat)
    train = np.asarray(y_train, dtype=np.float64)
    m = int(season_length)
    if len(train) <= m or not len(a):
        return math.nan
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    if scale == 0.0:
        return math.nan
    return mae(a, b) / scale


def r2(y: ArrayLike, y_hat: ArrayLike) -> float:
    """Coefficient of determination, 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over the forecast points.

    The definition of ``sklearn.metrics.r2_score``; NaN for a constant target.

    >>> r2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    0.5
    """
    a, b = _pair(y, y_hat)
    sst = float(np.sum((a - a.mean()) ** 2)) if len(a) else 0.0
    if sst == 0.0:
        return math.nan
    return 1.0 - float(np.sum((a - b) ** 2)) / sst


def theil_u2(y: ArrayLike, y_hat: ArrayLike, y_prev: ArrayLike) -> float:
    """Theil's U2: RMSE of the forecasts over the RMSE of persistence on the same origins.

    Theil, *Applied Economic Forecasting* (1966); in the RMSE-ratio form of Hyndman & Koehler
    (2006, §3.4, "relative RMSE" against the naive method). ``y_prev`` is the last value each
    forecast could see (the persistence forecast). Below 1: better than persistence.

    >>> theil_u2([2.0, 4.0], [2.0, 3.0], [1.0, 2.0])
    0.4472135954999579
    """
    a, b = _pair(y, y_hat)
    _, p = _pair(y, y_prev)
    base = rmse(a, p)
    if base == 0.0 or math.isnan(base):
        return math.nan
    return rmse(a, b) / base


def directional_accuracy(y: ArrayLike, y_hat: ArrayLike, y_prev: ArrayLike) -> float:
    """Share of origins where sign(ŷ_t − y_{t−1}) equals sign(y_t − y_{t−1}).

    The hit rate that the Pesaran–Timmermann (1992) test examines; ``y_prev`` is the last value
    before each target. A forecast that predicts no change (sign 0) scores only where the actual
    did not change either.

    >>> directional_accuracy([2.0, 1.0, 3.0], [1.5, 2.0, 2.5], [1.0, 2.0, 2.0])
    0.6666666666666666
    """
    a, b = _pair(y, y_hat)
    _, p = _pair(y, y_prev)
    if not len(a):
        return math.nan
    return float(np.mean(np.sign(b - p) == np.sign(a - p)))


def coverage(y: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside their interval [lower, upper] (empirical coverage).

    >>> coverage([1.0, 5.0], [0.0, 0.0], [2.0, 2.0])
    0.5
    """
    a = np.asarray(y, dtype=np.float64)
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    if not len(a):
        return math.nan
    return float(np.mean((a >= lo) & (a <= hi)))


def crps_gaussian(y: ArrayLike, mean: ArrayLike, sd: ArrayLike) -> float:
    """Mean continuous ranked probability score of Gaussian predictive distributions.

    Closed form of Gneiting & Raftery, "Strictly proper scoring rules, prediction, and
    estimation", *JASA* 102 (2007), eq. 21: with z = (y − μ)/σ,
    CRPS = σ·[z·(2Φ(z) − 1) + 2φ(z) − 1/√π]. Lower is better; for σ → 0 it tends to |y − μ|.

    >>> round(crps_gaussian([0.0], [0.0], [1.0]), 6)  # (√2 − 1)/√π
    0.233695
    """
    a, mu = _pair(y, mean)
    s = np.asarray(sd, dtype=np.float64)
    if not len(a):
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (a - mu) / s
        value = s * (
            z * (2.0 * stats.norm.cdf(z) - 1.0) + 2.0 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
        )
    value = np.where(s > 0, value, np.abs(a - mu))
    return float(np.mean(value))


#: The metrics every cell reports, in this order.
POINT_METRICS: tuple[str, ...] = (
    "mse",
    "rmse",
    "mae",
    "mape",
    "smape",
    "mase",
    "r2",
    "theil_u2",
    "directional_accuracy",
)
#: The extra metrics of models that give intervals.
INTERVAL_METRICS: tuple[str, ...] = ("coverage_80", "coverage_95", "crps")


def score(
    y: ArrayLike,
    y_hat: ArrayLike,
    y_prev: ArrayLike,
    y_train: ArrayLike,
    *,
    season_length: int = 1,
    sd: ArrayLike | None = None,
    intervals: Mapping[int, tuple[FloatArray, FloatArray]] | None = None,
) -> dict[str, float]:
    """All metrics of one cell, named as in ``metrics.csv``.

    ``season_length`` is the m of the MASE scale (1: the one-step naive).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShiftbenchWarning)
        values = {
            "mse": mse(y, y_hat),
            "rmse": rmse(y, y_hat),
            "mae": mae(y, y_hat),
            "mape": mape(y, y_hat),
            "smape": smape(y, y_hat),
            "mase": mase(y, y_hat, y_train, season_length),
            "r2": r2(y, y_hat),
            "theil_u2": theil_u2(y, y_hat, y_prev),
            "directional_accuracy": directional_accuracy(y, y_hat, y_prev),
        }
    if intervals:
        values["coverage_80"] = coverage(y, *intervals[80])
        values["coverage_95"] = coverage(y, *intervals[95])
    if sd is not None:
        values["crps"] = crps_gaussian(y, y_hat, sd)
    return values
