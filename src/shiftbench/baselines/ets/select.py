"""Automatic model choice as R's ``forecast::ets`` 8.20 makes it with its defaults
(``model = "ZZZ"``, ``opt.crit = "lik"``, ``ic = "aicc"``, ``bounds = "both"``,
``restrict = TRUE``, ``allow.multiplicative.trend = FALSE``).

The forms searched, in R's order (error A, M; trend N, A; season N, A, M; damped before
undamped): no multiplicative trend; seasonal forms only when 1 < m ≤ 24 and there are more than
m observations; no additive error with a multiplicative season (``restrict``); no multiplicative
error on data with a value ≤ 0. Each is fitted by :func:`.fit.fit_form` and the smallest AICc
wins (the first on a tie). A constant series gets R's answer for one, simple exponential
smoothing with α = 0.99999 and l0 = y_1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shiftbench.baselines.ets.fit import MAXIT, ETSFit, fit_form
from shiftbench.baselines.ets.recursions import ETSForm, Smoothing, one_step
from shiftbench.errors import FitError
from shiftbench.types import FloatArray


def model_space(m: int, n: int, positive: bool, additive_only: bool = False) -> list[ETSForm]:
    """The candidate forms of ``ets(y)`` for period m, n observations, data all > 0 or not;
    additive errors and seasons only with ``additive_only`` (what ``ets(y, lambda = λ)`` searches:
    R sets ``additive.only = TRUE`` when a Box-Cox λ is given).

    >>> [f.label for f in model_space(1, 50, False)]
    ['ETS(A,N,N)', 'ETS(A,Ad,N)', 'ETS(A,A,N)']
    """
    seasonal = 1 < m <= 24 and n > m
    forms = []
    for error in ("A", "M"):
        if error == "M" and (not positive or additive_only):
            continue
        for trend in ("N", "A"):
            for season in ("N", "A", "M") if seasonal else ("N",):
                if season == "M" and (error == "A" or additive_only):
                    continue
                for damped in (True, False) if trend != "N" else (False,):
                    forms.append(ETSForm(error, trend, damped, season, m if season != "N" else 1))
    return forms


@dataclass(frozen=True, eq=False)
class Selection:
    """The chosen fit and how many candidate forms could be fitted."""

    best: ETSFit
    tried: int


def constant_fit(y: FloatArray) -> ETSFit:
    """R's fit of a constant series: ``ses(y, alpha = 0.99999, initial = "simple")``."""
    form = ETSForm("A", "N", False, "N")
    par = Smoothing(0.99999)
    state = np.array([float(y[0])])
    f, _ = one_step(form, par, state, y)
    mse = float(np.mean((y - f) ** 2))
    return ETSFit(form, par, state, -math.inf, -math.inf, -math.inf, -math.inf, mse, 2, 0)


def auto_ets(y: FloatArray, m: int, maxit: int = MAXIT, additive_only: bool = False) -> Selection:
    """R's ``ets(y)`` with frequency m: every admissible form fitted, the least AICc kept."""
    if np.all(y == y[0]):
        return Selection(constant_fit(y), 1)
    best: ETSFit | None = None
    tried = 0
    for form in model_space(m, len(y), bool(np.all(y > 0)), additive_only):
        try:
            fit = fit_form(y, form, "lik", maxit)
        except FitError:
            continue
        tried += 1
        if math.isfinite(fit.aicc) and (best is None or fit.aicc < best.aicc):
            best = fit
    if best is None:
        raise FitError("ETS: no candidate model could be fitted")
    return Selection(best, tried)
