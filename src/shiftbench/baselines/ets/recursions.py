"""The ETS state recursions of R's ``forecast`` package, version 8.20 (``src/etscalc.c``:
``etscalc``, ``update`` and ``forecast``), for the forms shiftbench uses: additive or
multiplicative error, no / additive / damped additive trend, no / additive / multiplicative
season (Hyndman, Koehler, Ord & Snyder, *Forecasting with Exponential Smoothing*, Springer 2008,
Tables 2.2 and 2.3).

The state is R's: ``(l, b, s_1, …, s_m)`` with the trend slot only when there is a trend and
``s_m`` the seasonal term of the next period. Given the observations, the states follow the same
updates for either error type (R's ``update``): with q = l + φ·b (l without a trend),

- level ``l ← q + α·(p − q)``, p = y (no season), y − s_m (additive) or y / s_m (multiplicative);
- slope ``b ← φ·b + (β/α)·(l_new − l − φ·b)``;
- season ``s ← s_m + γ·(t − s_m)``, t = y − q (additive) or y / q (multiplicative), the other
  seasonal terms shifting one place.

The one-step forecast is ``(l + φ·b) ⊕ s_m`` (⊕ = + or ×); the error is y − f (additive) or
(y − f)/f (multiplicative). :class:`Filter` runs these recursions in statsmodels' compiled
Holt–Winters kernels, which are R's once β is written as β/α; :func:`one_step_loop` is R's loop
transcribed (the fallback, and the tests' check on the kernels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shiftbench.types import FloatArray

#: R's ``TOL`` and ``HUGEN`` in ``etscalc.c``: a seasonal term or q this close to zero is replaced
#: by a huge quotient.
TOL = 1.0e-10
HUGEN = 1.0e10


@dataclass(frozen=True)
class ETSForm:
    """An ETS form: error "A"/"M", trend "N"/"A", ``damped``, season "N"/"A"/"M", period m (1
    without a season)."""

    error: str
    trend: str
    damped: bool
    season: str
    m: int = 1

    @property
    def label(self) -> str:
        """R's name of the model.

        >>> ETSForm("M", "A", True, "M", 12).label
        'ETS(M,Ad,M)'
        """
        return f"ETS({self.error},{self.trend}{'d' if self.damped else ''},{self.season})"

    @property
    def n_states(self) -> int:
        """How many state components (l, b, s_1..s_m)."""
        return 1 + (self.trend != "N") + (self.m if self.season != "N" else 0)


@dataclass(frozen=True)
class Smoothing:
    """The smoothing parameters (β = 0 without a trend, γ = 0 without a season, φ = 1 undamped)."""

    alpha: float
    beta: float = 0.0
    gamma: float = 0.0
    phi: float = 1.0


def _smoothers() -> Any | None:
    try:
        from statsmodels.tsa.holtwinters import _exponential_smoothers
    except ImportError:  # pragma: no cover - statsmodels is a dependency
        return None
    return _exponential_smoothers


#: statsmodels' compiled Holt-Winters error functions by (trend, season).
_KERNELS = {
    ("N", "N"): "holt__",
    ("A", "N"): "holt_add_dam",
    ("N", "A"): "holt_win__add",
    ("A", "A"): "holt_win_add_add_dam",
    ("N", "M"): "holt_win__mul",
    ("A", "M"): "holt_win_add_mul_dam",
}


class Filter:
    """The recursions of one form over one series, run many times at different parameters (the
    optimiser's inner loop).

    It runs statsmodels' compiled Holt–Winters error functions
    (``statsmodels.tsa.holtwinters._exponential_smoothers``), whose recursions are R's once
    written in the error-correction parameters: their β is R's β/α, their γ R's γ, their seasonal
    update uses l + φ·b of the previous period as R's does. The series is padded with one value so
    that they also return the state after the last observation. Without them, the plain loop
    :func:`one_step_loop` (R's ``etscalc`` transcribed) runs instead.
    """

    def __init__(self, form: ETSForm, y: FloatArray) -> None:
        self.form = form
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        self.n = len(y)
        module = _smoothers()
        self.kernel = (
            None
            if module is None or self.n == 0
            else getattr(module, _KERNELS[form.trend, form.season])
        )
        self.m = form.m if form.season != "N" else 1
        self.buffer = np.zeros(6 + (self.m if form.season != "N" else 0))
        if self.kernel is not None:
            padded = np.append(self.y, self.y[-1])
            assert module is not None
            self.args = module.HoltWintersArgs(
                np.ones(len(self.buffer), dtype=np.int64),
                self.buffer.copy(),
                np.zeros((3, 2)),
                padded,
                self.m,
                self.n + 1,
            )

    def forecasts(self, par: Smoothing, state: FloatArray) -> FloatArray:
        """The one-step forecasts of the series alone (the optimiser's need)."""
        if self.kernel is None:
            return one_step_loop(self.form, par, state, self.y)[0]
        form = self.form
        has_trend = form.trend != "N"
        p = self.buffer
        p[0] = par.alpha
        p[1] = par.beta / par.alpha if has_trend else 0.0
        p[2] = par.gamma
        p[3] = state[0]
        p[4] = state[1] if has_trend else 0.0
        p[5] = par.phi
        if form.season != "N":
            p[6:] = state[1 + has_trend :][::-1]
        err = self.kernel(p, self.args)
        f: FloatArray = self.y - err[: self.n]
        return f

    def __call__(self, par: Smoothing, state: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The one-step forecasts of the series and the state after its last value."""
        if self.kernel is None:
            return one_step_loop(self.form, par, state, self.y)
        f = self.forecasts(par, state)
        form, n = self.form, self.n
        has_trend = form.trend != "N"
        out = [self.args.lvl[n]]
        if has_trend:
            out.append(self.args.b[n])
        if form.season == "N":
            return f, np.asarray(out, dtype=np.float64)
        seasons = self.args.s[n : n + self.m][::-1]
        return f, np.concatenate([out, seasons])


def one_step(
    form: ETSForm, par: Smoothing, state: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The one-step forecasts f_1..f_n of ``y`` from ``state`` (the state before y_1), and the
    state after y_n."""
    if len(y) == 0:
        return np.empty(0), np.asarray(state, dtype=np.float64).copy()
    return Filter(form, y)(par, state)


def one_step_loop(
    form: ETSForm, par: Smoothing, state: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """R's ``etscalc`` loop (any form), the seasonal terms in a ring indexed by period."""
    alpha, beta, gamma, phi = par.alpha, par.beta, par.gamma, par.phi
    has_trend = form.trend != "N"
    season = form.season
    level = float(state[0])
    slope = float(state[1]) if has_trend else 0.0
    first = 1 + has_trend
    m = form.m if season != "N" else 1
    # ring[k] is the seasonal term of the k-th next period (R's s_m is ring[0]).
    ring = [float(v) for v in state[first:][::-1]] if season != "N" else [0.0]
    ratio = beta / alpha if has_trend else 0.0
    f = np.empty(len(y))
    mult = season == "M"
    for i, value in enumerate(y.tolist()):
        k = i % m
        s_old = ring[k]
        phib = phi * slope
        q = level + phib
        if season == "N":
            f[i] = q
            p = value
        elif mult:
            f[i] = q * s_old
            p = HUGEN if abs(s_old) < TOL else value / s_old
        else:
            f[i] = q + s_old
            p = value - s_old
        new_level = q + alpha * (p - q)
        if has_trend:
            slope = phib + ratio * (new_level - level - phib)
        if season != "N":
            t = (HUGEN if abs(q) < TOL else value / q) if mult else value - q
            ring[k] = s_old + gamma * (t - s_old)
        level = new_level
    n = len(y)
    out = [level] + ([slope] if has_trend else [])
    if season != "N":
        out += [ring[(n + m - 1 - j) % m] for j in range(m)]
    return f, np.asarray(out, dtype=np.float64)


def point_forecast(form: ETSForm, par: Smoothing, state: FloatArray, h: int) -> FloatArray:
    """The h-step point forecasts from ``state`` (R's ``forecast`` in ``etscalc.c``):
    (l + (φ + … + φ^k)·b) ⊕ s, s the term of period k."""
    has_trend = form.trend != "N"
    k = np.arange(1, h + 1)
    mean = np.full(h, float(state[0]))
    if has_trend:
        mean = mean + np.cumsum(par.phi ** k.astype(np.float64)) * float(state[1])
    if form.season != "N":
        seasons = np.asarray(state[1 + has_trend :], dtype=np.float64)
        m = len(seasons)
        terms = seasons[(m - 1 - (k - 1)) % m]
        mean = mean * terms if form.season == "M" else mean + terms
    out: FloatArray = np.asarray(mean, dtype=np.float64)
    return out
