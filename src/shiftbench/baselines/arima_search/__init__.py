"""The order search of :class:`~shiftbench.baselines.arima.ARIMA`, after ``forecast::auto.arima``.

Hyndman & Khandakar, "Automatic time series forecasting: the forecast package for R", *Journal
of Statistical Software* 27(3), 2008, and the R function as of forecast 8.x, in five modules:

1. :mod:`~.unitroot`: **seasonal differencing D** (0 or 1) by the seasonal-strength heuristic
   of ``forecast::nsdiffs``, then **differencing d** (0..``max_d``) by the KPSS test of
   ``forecast::ndiffs``, on the seasonally differenced series.
2. :mod:`~.candidates`: the orders (p, q, P, Q) and the constant (a mean when d + D = 0, a
   drift when d + D = 1, none otherwise) within auto.arima's bounds: the stepwise walk's
   starting models and neighbours, or the full grid (``stepwise=False``).
3. :mod:`~.stepwise`: the walk from ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0),
   (0,d,1)(0,D,1) and the constant-free (0,d,0)(0,D,0) through the neighbours of the current
   best (P, Q, then p, q by ±1, alone and together, then the constant) to the first that
   improves AICc, at most 94 models.
4. :mod:`~.fit` (with :mod:`~.likelihood` and :mod:`~.polynomials`): each candidate fitted
   and scored by AICc; a model whose AR or MA polynomial has a root within 1.01 of the unit
   circle scores infinity, as in auto.arima.
5. :mod:`~.select`: the search put together, :func:`search_orders`, memoised per process.

The final fit of the best order, and the fallback to the next best when it cannot be used,
are :class:`~shiftbench.baselines.arima.ARIMA`'s.

Where it differs from auto.arima, and why:

- Candidates of a long series (n > 150 or m > 12, auto.arima's ``approximation``) are scored
  by the **conditional sum of squares** (CSS), as auto.arima does; the CSS fit here is a few
  vectorised filters and a Levenberg–Marquardt solve (milliseconds). There a candidate needs
  only its roots outside the unit circle: a deterministic cycle needs AR roots at its edge,
  and the exact-ML refit of the chosen order is stationary and invertible by statsmodels'
  constraints. Candidates of a short series are scored by exact maximum likelihood
  (a Toeplitz covariance and its Cholesky factor, started from the CSS estimates), where an
  exact fit in statsmodels' state space would cost 50–300 ms per seasonal candidate; the
  chosen order's estimates are then used as they are (statsmodels' likelihood is the same).
  The orders chosen on M3 are compared with statsforecast's port of auto.arima in
  ``tests/baselines/test_arima_reference.py``.
- Seasonal terms are searched only for 2 ≤ m ≤ ``max_season`` (24): a seasonal ARMA at a
  longer period (sine's 100, a daily series' 365) needs a state vector of hundreds of entries.
  auto.arima fits these slowly or refuses them (``arima`` caps m at 350); shiftbench says so in
  the fit's ``info()`` and searches the non-seasonal orders.
- Covariates are regressors: the unit-root tests run on the residuals of their least-squares
  regression (as auto.arima), the candidates' scores estimate their coefficients jointly with
  the ARMA terms on the differenced data, and a difference that would make a covariate
  constant is not taken (the search's ``notes`` say so).
"""

from __future__ import annotations

from shiftbench.baselines.arima_search.candidates import Bounds, Spec, with_trend_columns
from shiftbench.baselines.arima_search.fit import (
    MIN_ROOT,
    CandidateFit,
    exact_loglike,
    fit_css,
    fit_exact,
)
from shiftbench.baselines.arima_search.select import (
    EXACT_MAX_N,
    Search,
    _search_cached,
    search_orders,
)
from shiftbench.baselines.arima_search.stepwise import MAX_MODELS
from shiftbench.baselines.arima_search.unitroot import difference

__all__ = [
    "EXACT_MAX_N",
    "MAX_MODELS",
    "MIN_ROOT",
    "Bounds",
    "CandidateFit",
    "Search",
    "Spec",
    "_search_cached",  # the memo, which tests/perf clears to time a search
    "difference",
    "exact_loglike",
    "fit_css",
    "fit_exact",
    "search_orders",
    "with_trend_columns",
]
