"""Scores and tests of prediction intervals and predictive distributions: pure functions.

- **Interval score** (Gneiting & Raftery, "Strictly proper scoring rules, prediction, and
  estimation", JASA 102, 2007, §6.2, eq. 43) of a central (1 − α) interval [l, u] for y:
  (u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u}; lower is better.
- **MSIS** (the M4 competition's interval score, Makridakis, Spiliotis & Assimakopoulos, "The M4
  Competition: 100,000 time series and 61 forecasting methods", IJF 36, 2020, eq. 4): the mean
  interval score over the forecasts divided by the mean absolute seasonal difference of the
  training series, (1/(n − m)) Σ |y_t − y_{t−m}|; M4 used α = 0.05.
- **CRPS of an ensemble** (Gneiting & Raftery 2007, eq. 21, with F the empirical distribution of
  the members X_1..X_k): E|X − y| − ½ E|X − X'|.
- **Kupiec's unconditional coverage test** (Kupiec, "Techniques for verifying the accuracy of
  risk measurement models", J. Derivatives 3, 1995): with x misses of n at a nominal miss rate
  p, LR_uc = −2 ln[(1 − p)^(n − x) p^x] + 2 ln[(1 − x/n)^(n − x) (x/n)^x] ~ χ²(1).
- **Christoffersen's independence test** (Christoffersen, "Evaluating interval forecasts",
  International Economic Review 39, 1998, §3): a first-order Markov chain of the misses against
  independence, LR_ind = −2 ln[(1 − π)^(n00 + n10) π^(n01 + n11)]
  + 2 ln[(1 − π01)^n00 π01^n01 (1 − π11)^n10 π11^n11] ~ χ²(1), with π01 = n01/(n00 + n01),
  π11 = n11/(n10 + n11), π = (n01 + n11)/(n00 + n01 + n10 + n11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

FloatArray = npt.NDArray[np.float64]


def _arrays(*values: ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(f"shapes differ: {[a.shape for a in arrays]}")
    return arrays


def interval_score(y: ArrayLike, lower: ArrayLike, upper: ArrayLike, alpha: float) -> float:
    """Mean interval score of central (1 − ``alpha``) intervals (module docstring).

    >>> interval_score([5.0, 1.0], [0.0, 2.0], [4.0, 3.0], 0.05)  # (4 + 40 + 1 + 40) / 2
    42.5
    """
    a, lo, hi = _arrays(y, lower, upper)
    if not len(a):
        return math.nan
    below = np.maximum(lo - a, 0.0)
    above = np.maximum(a - hi, 0.0)
    return float(np.mean((hi - lo) + (2.0 / alpha) * (below + above)))


def msis(
    y: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    y_train: ArrayLike,
    season_length: int = 1,
    alpha: float = 0.05,
) -> float:
    """M4's mean scaled interval score (module docstring); NaN when the training series has no
    seasonal difference or they are all zero.

    >>> msis([5.0], [0.0], [4.0], [1.0, 2.0, 4.0], 1, 0.05)  # 44 / mean(1, 2)
    29.333333333333332
    """
    train = np.asarray(y_train, dtype=np.float64)
    m = max(int(season_length), 1)
    if len(train) <= m:
        return math.nan
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    if not scale > 0:
        return math.nan
    return interval_score(y, lower, upper, alpha) / scale


def mean_width(lower: ArrayLike, upper: ArrayLike) -> float:
    """Mean width u − l of the intervals.

    >>> mean_width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    lo, hi = _arrays(lower, upper)
    return float(np.mean(hi - lo)) if len(lo) else math.nan


def crps_ensemble(y: ArrayLike, members: ArrayLike) -> float:
    """Mean CRPS of ensemble forecasts: ``members`` is (n, k), one row of k members per
    forecast (module docstring). For one member it is the absolute error.

    >>> crps_ensemble([0.0], [[-1.0, 1.0]])  # E|X − y| = 1, E|X − X'| = 1
    0.5
    """
    a = np.asarray(y, dtype=np.float64)
    x = np.asarray(members, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != len(a):
        raise ValueError(f"members must be (n, k) with n = {len(a)}, got {x.shape}")
    if not len(a):
        return math.nan
    k = x.shape[1]
    to_y = np.mean(np.abs(x - a[:, None]), axis=1)
    # E|X − X'| from the sorted members: Σ_i (2i − k − 1) x_(i) · 2 / k²
    s = np.sort(x, axis=1)
    weights = 2.0 * np.arange(1, k + 1) - k - 1
    spread = 2.0 * (s @ weights) / (k * k)
    return float(np.mean(to_y - 0.5 * spread))


@dataclass(frozen=True)
class CoverageTest:
    """A likelihood-ratio test of interval misses: the statistic, its χ²(1) p-value, and what
    it counted (``n`` forecasts, ``misses``)."""

    statistic: float
    p_value: float
    n: int
    misses: int


def _xlogy(x: float, y: float) -> float:
    return 0.0 if x == 0 else x * math.log(y)


def _chi2_1(statistic: float) -> float:
    from scipy import stats

    return float(stats.chi2.sf(max(statistic, 0.0), 1))


def misses(y: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether each actual falls outside its interval.

    >>> misses([1.0, 5.0], [0.0, 0.0], [2.0, 2.0]).tolist()
    [False, True]
    """
    a, lo, hi = _arrays(y, lower, upper)
    out: npt.NDArray[np.bool_] = (a < lo) | (a > hi)
    return out


def kupiec(hits: ArrayLike, level: float) -> CoverageTest:
    """Kupiec's unconditional coverage test of misses ``hits`` (True where the actual fell
    outside) against the nominal miss rate 1 − ``level`` (module docstring).

    >>> t = kupiec([True] + [False] * 19, 0.95)  # one miss in 20 at 5 %: no evidence
    >>> abs(round(t.statistic, 10)), t.p_value
    (0.0, 1.0)
    """
    h = np.asarray(hits, dtype=bool)
    n, x = len(h), int(h.sum())
    if n == 0:
        return CoverageTest(math.nan, math.nan, 0, 0)
    p = 1.0 - level
    null = _xlogy(n - x, 1.0 - p) + _xlogy(x, p)
    rate = x / n
    alt = _xlogy(n - x, 1.0 - rate) + _xlogy(x, rate)
    statistic = max(-2.0 * (null - alt), 0.0) + 0.0  # ≥ 0 up to rounding; never −0.0
    return CoverageTest(statistic, _chi2_1(statistic), n, x)


def christoffersen(hits: ArrayLike) -> CoverageTest:
    """Christoffersen's test that misses ``hits`` are independent in time against a
    first-order Markov chain (module docstring); NaN with fewer than two forecasts.

    >>> t = christoffersen([False, True] * 10)  # misses alternate: never two in a row
    >>> t.p_value < 0.001
    True
    """
    h = np.asarray(hits, dtype=bool)
    n = len(h)
    if n < 2:
        return CoverageTest(math.nan, math.nan, n, int(h.sum()))
    prev, now = h[:-1], h[1:]
    n00 = int(np.sum(~prev & ~now))
    n01 = int(np.sum(~prev & now))
    n10 = int(np.sum(prev & ~now))
    n11 = int(np.sum(prev & now))
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    null = _xlogy(n00 + n10, 1.0 - pi) + _xlogy(n01 + n11, pi)
    alt = _xlogy(n00, 1.0 - pi01) + _xlogy(n01, pi01) + _xlogy(n10, 1.0 - pi11) + _xlogy(n11, pi11)
    statistic = max(-2.0 * (null - alt), 0.0) + 0.0  # ≥ 0 up to rounding; never −0.0
    return CoverageTest(statistic, _chi2_1(statistic), n, int(h.sum()))
