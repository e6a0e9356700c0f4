"""Initial states and starting smoothing parameters, as R's ``forecast`` 8.20 chooses them
(``R/ets.R``: ``initstate`` and ``initparam``), before the joint optimisation.

``initstate``: a seasonal form first decomposes the series (R's ``stats::decompose``, additive
or multiplicative as the season; with fewer than three seasons of data, R fits a linear trend
plus one Fourier pair by least squares instead); the initial seasonal terms are the
decomposition's indices of periods m, m−1, …, 2 (multiplicative ones floored at 0.01 and rescaled
when they sum past m), the last term being implied by the others. On the seasonally adjusted
series (the whole series without a season), the first ``max(10, 2m)`` points give l0 (their
mean, no trend) or l0 and b0 (intercept and slope of a least-squares line on t = 1, 2, …).

``initparam`` (bounds "both" and the default lower (0.0001, 0.0001, 0.0001, 0.8) and upper
(0.9999, 0.9999, 0.9999, 0.98)): α₀ = lo + 0.2·(hi − lo)/m, β₀ = lo + 0.1·(min(hi, α₀) − lo),
γ₀ = lo + 0.05·(min(hi, 1 − α₀) − lo), φ₀ = lo + 0.99·(hi − lo); m is 1 for a non-seasonal form.
"""

from __future__ import annotations

import numpy as np

from shiftbench.baselines.ets.recursions import ETSForm
from shiftbench.errors import FitError
from shiftbench.types import FloatArray

#: R's ``ets()`` defaults: lower and upper bounds of (α, β, γ, φ).
LOWER = (0.0001, 0.0001, 0.0001, 0.8)
UPPER = (0.9999, 0.9999, 0.9999, 0.98)


def decompose_seasonal(y: FloatArray, m: int, multiplicative: bool) -> FloatArray:
    """The seasonal indices by position of R's ``decompose`` (index t is ``figure[t % m]``):
    a centred moving average of order m (2×m for even m), the de-trended values averaged by
    position, then normalised to mean 1 (multiplicative) or 0 (additive).

    >>> decompose_seasonal(np.tile([1.0, 3.0], 4), 2, False).round(6).tolist()
    [-1.0, 1.0]
    """
    n = len(y)
    weights = np.full(m + 1, 1.0 / m) if m % 2 == 0 else np.full(m, 1.0 / m)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5 / m
    half = len(weights) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(y, weights, mode="valid")
    detrended = y / trend if multiplicative else y - trend
    figure = np.array([np.nanmean(detrended[i::m]) for i in range(m)])
    if multiplicative:
        out: FloatArray = figure / np.mean(figure)
    else:
        out = figure - np.mean(figure)
    return out


def _fourier_seasonal(y: FloatArray, m: int, multiplicative: bool) -> FloatArray:
    """R's short-series fallback: ``tslm(y ~ trend + fourier(y, 1))``; the seasonal part is y
    less (or over) the fitted line's trend part, by position."""
    n = len(y)
    t = np.arange(1, n + 1, dtype=np.float64)
    design = np.column_stack([np.ones(n), t, np.sin(2 * np.pi * t / m), np.cos(2 * np.pi * t / m)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    line = coef[0] + coef[1] * t
    out: FloatArray = y / line if multiplicative else y - line
    return out


def initial_state(y: FloatArray, form: ETSForm) -> FloatArray:
    """R's ``initstate``: the free initial states (l0, b0, s_0..s_{m−2}); the last seasonal
    term is implied (m·[multiplicative] − the sum of the others)."""
    n = len(y)
    seasons = np.zeros(0)
    adjusted = y
    m = 1
    if form.season != "N":
        m = form.m
        mult = form.season == "M"
        if n < 4:
            raise FitError("ETS: too few observations for a seasonal form")
        if n < 3 * m:
            seasonal = _fourier_seasonal(y, m, mult)
        else:
            seasonal = np.resize(decompose_seasonal(y, m, mult), n)
        seasons = seasonal[1:m][::-1].copy()
        if mult:
            seasons = np.maximum(seasons, 1e-2)
            if seasons.sum() > m:
                seasons = seasons / np.sum(seasons + 1e-2)
            adjusted = y / np.maximum(seasonal, 1e-2)
        else:
            adjusted = y - seasonal
    maxn = min(max(10, 2 * m), n)
    head = adjusted[:maxn]
    if form.trend == "N":
        return np.concatenate([[np.mean(head)], seasons])
    t = np.arange(1, maxn + 1, dtype=np.float64)
    slope, intercept = np.polyfit(t, head, 1)
    l0, b0 = float(intercept), float(slope)
    if abs(l0 + b0) < 1e-8:  # R perturbs so that a multiplicative error never divides by 0
        l0, b0 = l0 * (1 + 1e-3), b0 * (1 - 1e-3)
    return np.concatenate([[l0, b0], seasons])


def start_params(form: ETSForm) -> list[float]:
    """R's ``initparam``: the starting (α, β, γ, φ), only those the form estimates."""
    m = form.m if form.season != "N" else 1
    lo, hi = LOWER, UPPER
    alpha = lo[0] + 0.2 * (hi[0] - lo[0]) / m
    if alpha > 1 or alpha < 0:
        alpha = lo[0] + 2e-3
    out = [alpha]
    if form.trend != "N":
        upper_beta = min(hi[1], alpha)
        beta = lo[1] + 0.1 * (upper_beta - lo[1])
        if beta < 0 or beta > alpha:
            beta = alpha - 1e-3
        out.append(beta)
    if form.season != "N":
        upper_gamma = min(hi[2], 1 - alpha)
        gamma = lo[2] + 0.05 * (upper_gamma - lo[2])
        if gamma < 0 or gamma > 1 - alpha:
            gamma = 1 - alpha - 1e-3
        out.append(gamma)
    if form.damped:
        phi = lo[3] + 0.99 * (hi[3] - lo[3])
        if phi < 0 or phi > 1:
            phi = hi[3] - 1e-3
        out.append(phi)
    return out
