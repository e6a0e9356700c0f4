"""Conformal prediction intervals around any point forecasts, without look-ahead: pure functions.

Split conformal prediction (Vovk, Gammerman & Shafer, *Algorithmic Learning in a Random World*,
2005; Lei et al., "Distribution-free predictive inference for regression", JASA 113, 2018): with
n calibration residuals e_1..e_n of the same kind of forecast, the interval ŷ ± q where q is the
⌈(n + 1)(1 − α)⌉-th smallest |e_i| covers a new exchangeable actual with probability ≥ 1 − α
(the whole line when that rank exceeds n).

Here the residuals of a forecast made at cutoff c for step h are, rolling forward in time,

- the **calibration residuals** of step h: errors of the same model fitted before the test span
  (for example on the training span less its last K points, forecasting those K), and
- the **realised residuals** of the earlier forecasts of step h whose targets are at or before
  c: known at c, so the interval uses nothing after its cutoff (tested).

**Adaptive conformal inference** (ACI; Gibbs & Candès, "Adaptive conformal inference under
distribution shift", NeurIPS 2021, eq. 2) replaces α by α_t, updated after each realised
forecast: α_{t+1} = α_t + γ(α − err_t), err_t = 1 when the actual fell outside its interval at
α_t. Where α_t ≤ 0 the article's interval is the whole line; here it is capped at the largest
residual seen (rank n), so that every interval is finite; γ = 0.005 is the article's choice.

**The conformal predictive distribution** behind these intervals puts mass 1/(2n) on each of
ŷ + |e_i| and ŷ − |e_i| (the absolute residuals, mirrored: split conformal's intervals are its
central intervals, up to the (n + 1) rank correction). Its CRPS at the actual is that of an
ensemble (Gneiting & Raftery 2007, eq. 21): E|X − y| − ½ E|X − X'|; for one residual e it is
|y − ŷ| averaged over ŷ ± |e|, less |e|/2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from shiftbench.evaluation.intervals import crps_ensemble

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Method = Literal["split", "aci"]


def conformal_quantile(residuals: npt.ArrayLike, alpha: float) -> float:
    """The split-conformal half-width: the ⌈(n + 1)(1 − α)⌉-th smallest absolute residual, or
    +∞ when that rank exceeds n (too few residuals for the level).

    >>> conformal_quantile([3.0, -1.0, 2.0, -4.0], 0.5)  # rank ⌈5 · 0.5⌉ = 3 of 1, 2, 3, 4
    3.0
    >>> conformal_quantile([1.0, 2.0], 0.05)
    inf
    """
    r = np.sort(np.abs(np.asarray(residuals, dtype=np.float64)))
    n = len(r)
    rank = math.ceil((n + 1) * (1.0 - alpha))
    if rank > n or n == 0:
        return math.inf
    return float(r[max(rank, 1) - 1])


@dataclass(frozen=True)
class Intervals:
    """Conformal intervals per level (as in :class:`shiftbench.types.Forecast`), the
    miscoverage level each row used (α, or ACI's α_t), and each row's CRPS under the conformal
    predictive distribution of the same residuals (module docstring; NaN without residuals)."""

    bounds: dict[int, tuple[FloatArray, FloatArray]]
    alphas: dict[int, FloatArray]
    crps: FloatArray


def mirrored_crps(y: float, y_hat: float, residuals: npt.ArrayLike) -> float:
    """CRPS at ``y`` of the distribution with mass 1/(2n) on ``y_hat`` ± |e_i| (module
    docstring); NaN for no residuals.

    >>> mirrored_crps(0.0, 0.0, [1.0])  # members −1, +1: E|X − y| = 1, E|X − X'| = 1
    0.5
    >>> mirrored_crps(3.0, 0.0, [1.0])  # E|X − y| = (2 + 4)/2 = 3, less ½ · 1
    2.5
    """
    r = np.abs(np.asarray(residuals, dtype=np.float64))
    if not len(r):
        return math.nan
    return crps_ensemble([y], np.concatenate([y_hat - r, y_hat + r])[None, :])


def conformal_intervals(
    y_hat: npt.ArrayLike,
    cutoffs: npt.ArrayLike,
    steps: npt.ArrayLike,
    actuals: npt.ArrayLike,
    calibration: Mapping[int, npt.ArrayLike],
    levels: Sequence[int] = (80, 95),
    method: Method = "split",
    gamma: float = 0.005,
) -> Intervals:
    """Intervals for forecast rows (``y_hat`` made at position ``cutoffs`` for ``steps``
    ahead; ``actuals`` their targets' values) from ``calibration`` residuals by step and the
    rows' own realised residuals (module docstring). A row's interval depends only on the
    calibration residuals and on rows whose targets are at or before its cutoff.

    >>> out = conformal_intervals([10.0, 11.0], [4, 5], [1, 1], [12.0, 11.0],
    ...                           {1: [1.0, -1.0, 2.0, -2.0]}, levels=(50,))
    >>> out.bounds[50][0].tolist(), out.bounds[50][1].tolist()  # the second adds |12 − 10|
    ([8.0, 9.0], [12.0, 13.0])
    """
    if method not in ("split", "aci"):
        raise ValueError(f"method: 'split' or 'aci', got {method!r}")
    f = np.asarray(y_hat, dtype=np.float64)
    c = np.asarray(cutoffs, dtype=np.int64)
    h = np.asarray(steps, dtype=np.int64)
    a = np.asarray(actuals, dtype=np.float64)
    if not (len(f) == len(c) == len(h) == len(a)):
        raise ValueError("y_hat, cutoffs, steps and actuals must have the same length")
    targets = c + h
    order = np.lexsort((h, c))  # by cutoff, then step: the order in which forecasts are made
    lower = {lv: np.full(len(f), np.nan) for lv in levels}
    upper = {lv: np.full(len(f), np.nan) for lv in levels}
    alphas = {lv: np.full(len(f), np.nan) for lv in levels}
    crps = np.full(len(f), np.nan)
    by_target = np.argsort(targets, kind="stable")
    realised = 0  # rows of by_target whose targets are known at the current cutoff
    pools: dict[int, list[float]] = {
        int(step): list(np.asarray(calibration.get(int(step), []), dtype=np.float64))
        for step in np.unique(h)
    }
    # ACI: α_t per (step, level); each realised row adds γ(α − err) with err at its own α_t
    drift = {(int(step), lv): 0.0 for step in np.unique(h) for lv in levels}
    for i in order:
        while realised < len(by_target) and targets[by_target[realised]] <= c[i]:
            j = by_target[realised]
            realised += 1
            step = int(h[j])
            pools[step].append(float(a[j] - f[j]))
            if method == "aci":
                for lv in levels:
                    miss = not (lower[lv][j] <= a[j] <= upper[lv][j])
                    drift[step, lv] += gamma * ((1.0 - lv / 100.0) - float(miss))
        step = int(h[i])
        pool = pools[step]
        for lv in levels:
            alpha = 1.0 - lv / 100.0
            if method == "aci":
                alpha = alpha + drift[step, lv]
                alpha = max(alpha, 1.0 / (len(pool) + 1)) if pool else alpha
            q = conformal_quantile(pool, min(alpha, 1.0))
            lower[lv][i], upper[lv][i] = f[i] - q, f[i] + q
            alphas[lv][i] = alpha
        crps[i] = mirrored_crps(float(a[i]), float(f[i]), pool)
    return Intervals({lv: (lower[lv], upper[lv]) for lv in levels}, alphas, crps)
