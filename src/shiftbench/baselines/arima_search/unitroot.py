"""How often the order search differences a series: the seasonal-strength heuristic of
``forecast::nsdiffs`` for D and the KPSS test of ``forecast::ndiffs`` for d, and the differencing
itself.

- **Seasonal differencing D** (0 or 1), ``forecast::nsdiffs(test = "seas")``, R's default: an
  STL decomposition (Cleveland et al. 1990; seasonal window 11 and seasonal degree 0, as
  ``forecast::mstl`` calls R's ``stl``) gives the seasonal strength
  F_S = max(0, 1 − Var(R)/Var(S + R)) (Wang, Smith & Hyndman 2006), and D = 1 when
  F_S > 0.64. A series of 2·m points or fewer is not tested.
- **Differencing d** (0..``max_d``), ``forecast::ndiffs(test = "kpss")``: the KPSS test
  (Kwiatkowski et al. 1992) of level stationarity at 5 %, with the lag truncation ⌊3·√n/13⌋,
  on the series and then on its successive differences until it no longer rejects.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from shiftbench.types import FloatArray

#: The threshold of seasonal strength above which one seasonal difference is taken
#: (``forecast:::seas.heuristic`` via ``nsdiffs``).
SEASONAL_STRENGTH_THRESHOLD = 0.64


def is_constant(x: FloatArray) -> bool:
    """Whether ``x`` is constant, or all but constant (its range within 1e-12 of its size);
    a series of fewer than two points counts as constant.

    >>> is_constant(np.array([2.0, 2.0])), is_constant(np.array([2.0, 3.0]))
    (True, False)
    """
    return len(x) < 2 or bool(np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))))


def kpss_lags(n: int) -> int:
    """The KPSS lag truncation ⌊3·√n/13⌋ of ``forecast::ndiffs`` (Hyndman's forecast ≥ 8.0,
    followed by statsforecast), from Schwert's (1989) rule.

    >>> kpss_lags(100), kpss_lags(1600)
    (2, 9)
    """
    return math.floor(3.0 * math.sqrt(n) / 13.0)


def ndiffs_kpss(y: FloatArray, *, alpha: float = 0.05, max_d: int = 2) -> int:
    """Number of differences the KPSS test asks for (``forecast::ndiffs(test="kpss")``).

    A constant (or all but constant) series, or one of fewer than five points, needs no
    (further) differencing.

    >>> rng = np.random.default_rng(0)
    >>> ndiffs_kpss(np.cumsum(rng.normal(size=300)))
    1
    """
    from statsmodels.tsa.stattools import kpss

    x = np.asarray(y, dtype=np.float64)
    d = 0
    while d < max_d:
        if len(x) < 5 or is_constant(x):
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # InterpolationWarning outside the p-value table
            p_value = kpss(x, regression="c", nlags=kpss_lags(len(x)))[1]
        if p_value >= alpha:
            break
        x = np.diff(x)
        d += 1
    return d


def seasonal_strength(y: FloatArray, m: int) -> float:
    """F_S = max(0, 1 − Var(remainder)/Var(seasonal + remainder)) of an STL decomposition
    (Wang, Smith & Hyndman 2006; ``forecast:::seas.heuristic``), in [0, 1].

    >>> k = np.arange(120)
    >>> round(seasonal_strength(np.sin(2 * np.pi * k / 12) + 0.01 * np.cos(k * 1.3), 12), 2)
    1.0
    """
    from statsmodels.tsa.seasonal import STL

    x = np.asarray(y, dtype=np.float64)
    fit = STL(x, period=m, seasonal=11, seasonal_deg=0, robust=False).fit()
    remainder = np.asarray(fit.resid)
    seasonal = np.asarray(fit.seasonal)
    total = float(np.var(remainder + seasonal, ddof=1))
    if total <= 0.0:
        return 0.0
    return float(max(0.0, min(1.0, 1.0 - float(np.var(remainder, ddof=1)) / total)))


def nsdiffs_strength(y: FloatArray, m: int) -> int:
    """Seasonal differences (0 or 1) by seasonal strength > 0.64 (``nsdiffs(test="seas")``);
    0 for m < 2, for 2·m points or fewer and for a constant series.

    >>> k = np.arange(48)
    >>> nsdiffs_strength(np.sin(2 * np.pi * k / 12), 12), nsdiffs_strength(np.ones(48), 12)
    (1, 0)
    """
    x = np.asarray(y, dtype=np.float64)
    if m < 2 or len(x) <= 2 * m or is_constant(x):
        return 0
    return int(seasonal_strength(x, m) > SEASONAL_STRENGTH_THRESHOLD)


def difference(x: FloatArray, d: int, D: int, m: int) -> FloatArray:
    """(1 − B)^d (1 − B^m)^D x along the first axis (a series, or the columns of a design).

    >>> difference(np.array([1.0, 2, 4, 7, 11, 16, 22]), 1, 1, 2).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    out = np.asarray(x, dtype=np.float64)
    for _ in range(D):
        out = out[m:] - out[:-m]
    for _ in range(d):
        out = out[1:] - out[:-1]
    return out
