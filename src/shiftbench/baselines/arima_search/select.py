"""The search itself: choose the differencing, score candidate orders by AICc along the
stepwise walk (or over the full grid), and hand back every score for the final fit to take
the best usable order (:class:`~shiftbench.baselines.arima.ARIMA`). Memoised within a process.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from shiftbench.baselines.arima_search.candidates import (
    Bounds,
    Spec,
    grid,
    neighbours,
    starting_models,
    with_trend_columns,
)
from shiftbench.baselines.arima_search.fit import MIN_ROOT, CandidateFit, fit_css, fit_exact
from shiftbench.baselines.arima_search.stepwise import stepwise_walk
from shiftbench.baselines.arima_search.unitroot import (
    difference,
    is_constant,
    ndiffs_kpss,
    nsdiffs_strength,
)
from shiftbench.errors import FitError
from shiftbench.types import FloatArray

#: Series longer than this are searched by CSS (auto.arima's ``approximation``: n > 150).
EXACT_MAX_N = 150


@dataclass(frozen=True)
class Search:
    """What the search found: the chosen differencing, every candidate scored in the order it
    was fitted (an inadmissible one with AICc infinite), notes for the manifest, and whether
    the scores are CSS approximations (``approximation``) or exact."""

    d: int
    D: int
    m: int
    allow_constant: bool
    scored: tuple[CandidateFit, ...]
    notes: tuple[str, ...]
    approximation: bool

    def ranked(self) -> list[CandidateFit]:
        """Admissible candidates, best AICc first (ties: fewer ARMA coefficients)."""
        return sorted(
            (fit for fit in self.scored if math.isfinite(fit.aicc)),
            key=lambda fit: (fit.aicc, fit.spec.p + fit.spec.q + fit.spec.P + fit.spec.Q),
        )


def _constant_columns(x: FloatArray | None) -> bool:
    return x is not None and any(is_constant(col) for col in x.T)


def _search(
    y: FloatArray,
    exog: FloatArray | None,
    m: int,
    max_p: int,
    max_q: int,
    max_P: int,
    max_Q: int,
    max_order: int,
    max_d: int,
    max_D: int,
    stepwise: bool,
    alpha: float,
    approximation: bool | None,
) -> Search:
    n = len(y)
    if approximation is None:
        approximation = n > EXACT_MAX_N or m > 12
    notes: list[str] = []
    # auto.arima regresses on the covariates before testing for unit roots
    base = y
    if exog is not None:
        x1 = np.hstack([np.ones((n, 1)), exog])
        base = y - x1 @ np.linalg.lstsq(x1, y, rcond=None)[0]
    D = 0
    if m > 1 and max_D > 0:
        D = nsdiffs_strength(base, m)
        if D and _constant_columns(None if exog is None else difference(exog, 0, D, m)):
            D = 0
            notes.append("no seasonal difference: it would make a covariate constant")
    seasonal_base = difference(base, 0, D, m)
    d = ndiffs_kpss(seasonal_base, alpha=alpha, max_d=max_d)
    if d and exog is not None and _constant_columns(difference(exog, d, D, m)):
        d -= 1
        notes.append("one difference fewer: it would make a covariate constant")
    bounds = Bounds.capped(n, m, max_p, max_q, max_P, max_Q, max_order)
    allow_constant = d + D <= 1
    cache: dict[Spec, CandidateFit] = {}

    def score(spec: Spec) -> float:
        if spec not in cache:
            design = with_trend_columns(exog, spec.trend, 1, n)
            # a CSS search (long series) asks only for roots outside the unit circle: the exact
            # refit enforces stationarity, and a deterministic cycle needs AR roots at its edge
            fitted = fit_css(y, design, spec, n, min_root=1.0 if approximation else MIN_ROOT)
            if not approximation:
                fitted = fit_exact(y, design, spec, n, start=fitted)
            cache[spec] = fitted if fitted is not None else CandidateFit.inadmissible(spec)
        return cache[spec].aicc

    if stepwise:
        stepwise_walk(
            score,
            starting_models(d, D, m, bounds, n, allow_constant),
            lambda spec: neighbours(spec, bounds, allow_constant),
        )
    else:
        for spec in grid(d, D, m, bounds, allow_constant):
            score(spec)
    return Search(d, D, m, allow_constant, tuple(cache.values()), tuple(notes), approximation)


@functools.lru_cache(maxsize=64)
def _search_cached(
    y_bytes: bytes, x_bytes: bytes | None, x_cols: int, settings: tuple[object, ...]
) -> Search:
    y = np.frombuffer(y_bytes, dtype=np.float64)
    exog = None if x_bytes is None else np.frombuffer(x_bytes, dtype=np.float64).reshape(-1, x_cols)
    return _search(y, exog, *settings)  # type: ignore[arg-type]


def search_orders(
    y: FloatArray,
    exog: FloatArray | None = None,
    *,
    season_length: int = 1,
    max_p: int = 5,
    max_q: int = 5,
    max_P: int = 2,
    max_Q: int = 2,
    max_order: int = 5,
    max_d: int = 2,
    max_D: int = 1,
    stepwise: bool = True,
    test_alpha: float = 0.05,
    approximation: bool | None = None,
) -> Search:
    """Choose d and D and score the candidate orders by AICc (see the package docstring).

    ``season_length`` 1 searches non-seasonal models only. ``approximation`` scores by CSS
    (True) or exact ML (False); None: CSS when n > :data:`EXACT_MAX_N` or m > 12. The result
    is memoised within a process (a pure function of the data and the settings), so ``arima``
    and ``arima_garch`` on one training span in one process search once.

    >>> rng = np.random.default_rng(4)
    >>> e = rng.normal(size=301)
    >>> y = 5.0 + e[1:] + 0.7 * e[:-1]
    >>> search_orders(y).ranked()[0].spec.label
    'ARIMA(0,0,1) with mean'
    """
    y = np.ascontiguousarray(y, dtype=np.float64)
    if not len(y) or not np.all(np.isfinite(y)):
        raise FitError("ARIMA: the training span is empty or has NaN or infinite values")
    x = None if exog is None else np.ascontiguousarray(exog, dtype=np.float64)
    settings = (
        max(1, int(season_length)),
        max_p,
        max_q,
        max_P,
        max_Q,
        max_order,
        max_d,
        max_D,
        stepwise,
        test_alpha,
        approximation,
    )
    return _search_cached(
        y.tobytes(), None if x is None else x.tobytes(), 0 if x is None else x.shape[1], settings
    )
