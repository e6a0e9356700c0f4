"""Forecast-comparison tests: Diebold–Mariano with the HLN correction, and Pesaran–Timmermann."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats


@dataclass(frozen=True)
class TestResult:
    """A test statistic, its p-value and the number of observations it used."""

    statistic: float
    p_value: float
    n: int


def _autocovariance(d: np.ndarray, lag: int) -> float:
    centred = d - d.mean()
    return float(np.sum(centred[lag:] * centred[: len(d) - lag]) / len(d))


def diebold_mariano(
    loss_a: npt.ArrayLike,
    loss_b: npt.ArrayLike,
    *,
    h: int = 1,
    alternative: Literal["less", "two-sided", "greater"] = "two-sided",
) -> TestResult:
    """Diebold–Mariano test of equal predictive accuracy, with the HLN small-sample correction.

    Diebold & Mariano, "Comparing predictive accuracy", *JBES* 13 (1995); Harvey, Leybourne &
    Newbold, "Testing the equality of prediction mean squared errors", *IJF* 13 (1997).

    With d_t = loss_a_t − loss_b_t over n origins, d̄ its mean and γ_k its autocovariances, the
    long-run variance of d̄ is (γ_0 + 2 Σ_{k=1}^{h−1} w_k γ_k)/n with Newey–West (Bartlett)
    weights w_k = 1 − k/h (for h = 1 only γ_0 enters, as in R's ``forecast::dm.test``). The
    statistic is d̄/√var multiplied by HLN's √((n + 1 − 2h + h(h − 1)/n)/n), and is compared with
    Student's t with n − 1 degrees of freedom.

    ``alternative="less"`` tests whether forecast a has the smaller expected loss (a negative
    statistic). When d is constant the test is undefined: two identical forecasts give statistic 0
    and p-value 1; a constant non-zero difference gives ±inf and p-value 0 or 1.

    >>> r = diebold_mariano([1.0, 0.5, 0.2, 0.4], [2.0, 1.5, 0.9, 1.6], alternative="less")
    >>> r.statistic < 0 and r.p_value < 0.05
    True
    """
    a = np.asarray(loss_a, dtype=np.float64)
    b = np.asarray(loss_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("the two loss series must be 1-d and of one length")
    d = a - b
    n = len(d)
    if n < 2:
        return TestResult(math.nan, math.nan, n)
    mean = float(d.mean())
    variance = _autocovariance(d, 0)
    for k in range(1, h):
        variance += 2.0 * (1.0 - k / h) * _autocovariance(d, k)
    variance /= n
    if variance <= 0.0:
        stat = 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
    else:
        correction = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
        stat = correction * mean / math.sqrt(variance)
    t = stats.t(df=n - 1)
    if alternative == "less":
        p = float(t.cdf(stat)) if stat != 0.0 or variance > 0 else 1.0
    elif alternative == "greater":
        p = float(t.sf(stat)) if stat != 0.0 or variance > 0 else 1.0
    else:
        p = float(2.0 * t.sf(abs(stat))) if stat != 0.0 or variance > 0 else 1.0
    return TestResult(float(stat), p, n)


def pesaran_timmermann(actual_change: npt.ArrayLike, forecast_change: npt.ArrayLike) -> TestResult:
    """Pesaran–Timmermann test of directional accuracy (one-sided: better than chance).

    Pesaran & Timmermann, "A simple nonparametric test of predictive performance", *JBES* 10
    (1992). With P the hit rate of the signs of the changes, P_y and P_x the shares of actual and
    forecast rises, P* = P_y·P_x + (1 − P_y)(1 − P_x) the hit rate of independent signs,
    var(P) = P*(1 − P*)/n and var(P*) = (2P_y − 1)² P_x(1 − P_x)/n + (2P_x − 1)² P_y(1 − P_y)/n
    + 4 P_y P_x (1 − P_y)(1 − P_x)/n², the statistic (P − P*)/√(var(P) − var(P*)) is standard
    normal under independence. A "rise" is a change > 0. The test is undefined (NaN) when the
    forecast or the actual always moves the same way, for example a forecast of no change.

    Eight signs all called right, five of them rises: P = 1, P_y = P_x = 5/8, P* = 0.53125,
    var(P) = 0.0311279, var(P*) = 0.0070953, statistic 0.46875/√0.0240326 = 3.0237.

    >>> r = pesaran_timmermann([1, -1, 1, -1, 1, -1, 1, 1], [1, -1, 1, -1, 1, -1, 1, 1])
    >>> round(r.statistic, 4)
    3.0237
    """
    y = np.asarray(actual_change, dtype=np.float64) > 0
    x = np.asarray(forecast_change, dtype=np.float64) > 0
    n = len(y)
    if n < 2 or len(x) != n:
        return TestResult(math.nan, math.nan, n)
    p_hit = float(np.mean(y == x))
    py, px = float(y.mean()), float(x.mean())
    p_star = py * px + (1 - py) * (1 - px)
    var_p = p_star * (1 - p_star) / n
    var_star = (
        (2 * py - 1) ** 2 * px * (1 - px) / n
        + (2 * px - 1) ** 2 * py * (1 - py) / n
        + 4 * py * px * (1 - py) * (1 - px) / n**2
    )
    denom = var_p - var_star
    if denom <= 0.0:
        return TestResult(math.nan, math.nan, n)
    stat = (p_hit - p_star) / math.sqrt(denom)
    return TestResult(stat, float(stats.norm.sf(stat)), n)
