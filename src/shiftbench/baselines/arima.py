"""ARIMA(X) with the order chosen on the training span, after Hyndman & Khandakar (2008).

The search follows R's ``forecast::auto.arima`` (Hyndman & Khandakar, "Automatic time series
forecasting: the forecast package for R", *Journal of Statistical Software* 27(3), 2008):

1. ``d``: the KPSS test (Kwiatkowski et al. 1992) of level stationarity at level ``test_alpha``
   (0.05) is applied to the series and then to its differences until it no longer rejects, up
   to ``max_d``, as ``forecast::ndiffs(test = "kpss")`` does. The lag truncation is the short
   one, ⌊4·(n/100)^{1/4}⌋, of pmdarima and of R's ``tseries::kpss(lshort = TRUE)``, not the
   ``trunc(3·√n/13)`` that recent versions of ``forecast::ndiffs`` use.
2. ``p`` and ``q`` (each up to ``max_p``/``max_q``, default 5) and the constant (a mean when d = 0,
   a drift when d = 1, none when d = 2) minimise AICc. The stepwise search starts from
   ARIMA(2,d,2), (0,d,0), (1,d,0) and (0,d,1) and moves p and q by ±1 (alone and together) and
   toggles the constant while AICc improves, at most 94 moves (``auto.arima`` caps the number
   of *models* fitted at 94 instead); ``stepwise=False`` fits the full grid instead.

Seasonal ARIMA terms are not searched: the seasonal baseline is ``seasonal_naive``, and calendar
effects enter as covariates. Covariates are regressors (ARIMAX), estimated jointly by maximum
likelihood in the state-space form of statsmodels. A fixed ``order`` (and ``trend``) skips the
search.

Rolling origins cost one fit: ``update`` extends the fitted results with new observations at fixed
parameters (statsmodels ``extend``), and ``one_step_path`` runs the Kalman filter once over all the
origins of a backtest.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.errors import FitError
from shiftbench.forecaster import (
    BaseForecaster,
    XLike,
    YLike,
    as_exog_array,
    as_float_array,
)
from shiftbench.types import INTERVAL_LEVELS, Capabilities, FloatArray, Forecast

Trend = Literal["auto", "n", "c", "t"]


def kpss_lags(n: int) -> int:
    """The short KPSS lag truncation ⌊4·(n/100)^{1/4}⌋ that ``auto.arima`` uses."""
    return int(np.floor(4.0 * (n / 100.0) ** 0.25))


def ndiffs_kpss(y: FloatArray, *, alpha: float = 0.05, max_d: int = 2) -> int:
    """Number of differences the KPSS test asks for (``forecast::ndiffs(test="kpss")``).

    A constant (or all but constant) series needs no differencing.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ndiffs_kpss(np.cumsum(rng.normal(size=300)))
    1
    """
    from statsmodels.tsa.stattools import kpss

    x = np.asarray(y, dtype=np.float64)
    d = 0
    while d < max_d:
        if len(x) < 5 or np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))):
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # InterpolationWarning outside the p-value table
            p_value = kpss(x, regression="c", nlags=max(kpss_lags(len(x)), 0))[1]
        if p_value >= alpha:
            break
        x = np.diff(x)
        d += 1
    return d


def with_trend_columns(
    exog: FloatArray | None, trend: str, start: int, n: int
) -> FloatArray | None:
    """Prepend the deterministic terms of ``trend`` as regressor columns.

    ``"c"`` adds a column of ones (the mean of an ARMA, as statsmodels' ARIMA defines its
    constant); ``"t"`` adds the time index start..start+n−1, which with d = 1 is a drift
    (Δy_t = β + Δu_t). shiftbench builds these columns itself because statsmodels' own trend
    terms lose their time offset when results are extended, and (in statsmodels 0.14) refuse an
    extension whose few new regressor rows happen to be constant.
    """
    if trend == "n":
        return exog
    if trend == "c":
        column = np.ones((n, 1))
    else:
        column = np.arange(start, start + n, dtype=np.float64)[:, None]
    return column if exog is None else np.hstack([column, exog])


def _trend_for(d: int, constant: bool) -> str:
    if not constant or d >= 2:
        return "n"
    return "c" if d == 0 else "t"


def _fit_arima(
    y: FloatArray,
    exog: FloatArray | None,
    order: tuple[int, int, int],
    trend: str,
    maxiter: int,
) -> tuple[Any, list[str]]:
    """Fit one ARIMA by exact maximum likelihood; return the results and the warnings raised."""
    from statsmodels.tsa.arima.model import ARIMA

    design = with_trend_columns(exog, trend, 1, len(y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ARIMA(y, exog=design, order=order, trend="n")
        result = model.fit(method_kwargs={"maxiter": maxiter})
    messages = sorted({str(w.message).split("\n")[0] for w in caught})
    return result, messages


def _score(result: Any) -> float:
    aicc = float(result.aicc)
    if not np.isfinite(aicc) or not np.all(np.isfinite(np.asarray(result.params))):
        return float("inf")
    return aicc


@functools.lru_cache(maxsize=64)
def _select_cached(
    y_bytes: bytes,
    x_bytes: bytes | None,
    x_cols: int,
    settings: tuple[int, int, int, bool, float, int],
) -> tuple[tuple[int, int, int], str, tuple[tuple[str, float], ...]]:
    y = np.frombuffer(y_bytes, dtype=np.float64)
    exog = None if x_bytes is None else np.frombuffer(x_bytes, dtype=np.float64).reshape(-1, x_cols)
    max_p, max_q, max_d, stepwise, alpha, maxiter = settings
    d = ndiffs_kpss(y, alpha=alpha, max_d=max_d)
    tried: dict[tuple[int, bool], float] = {}

    def score(p: int, q: int, constant: bool) -> float:
        key = (p * 100 + q, constant)
        if key not in tried:
            if p < 0 or q < 0 or p > max_p or q > max_q:
                return float("inf")
            if p + q + d + (1 if constant else 0) >= len(y) - 2:
                tried[key] = float("inf")
            else:
                try:
                    result, _ = _fit_arima(y, exog, (p, d, q), _trend_for(d, constant), maxiter)
                    tried[key] = _score(result)
                except (ValueError, np.linalg.LinAlgError):
                    tried[key] = float("inf")
        return tried[key]

    can_constant = d <= 1
    if stepwise:
        starts = [
            (2, 2, can_constant),
            (0, 0, can_constant),
            (1, 0, can_constant),
            (0, 1, can_constant),
        ]
        if can_constant:
            starts.append((0, 0, False))
        best = min(starts, key=lambda s: score(*s))
        best_score = score(*best)
        for _ in range(94):  # a cap on moves (auto.arima caps models fitted at 94)
            p, q, c = best
            moves = [(p + dp, q + dq, c) for dp in (-1, 0, 1) for dq in (-1, 0, 1) if dp or dq]
            if can_constant:
                moves.append((p, q, not c))
            candidate = min(moves, key=lambda s: score(*s))
            if score(*candidate) < best_score:
                best, best_score = candidate, score(*candidate)
            else:
                break
    else:
        grid = [
            (p, q, c)
            for p in range(max_p + 1)
            for q in range(max_q + 1)
            for c in ((True, False) if can_constant else (False,))
        ]
        best = min(grid, key=lambda s: score(*s))
        best_score = score(*best)
    if not np.isfinite(best_score):
        raise FitError(f"no ARIMA(p,{d},q) with p <= {max_p}, q <= {max_q} could be fitted")
    p, q, c = best
    history = tuple(
        (f"({k // 100},{d},{k % 100}){'+const' if cst else ''}", float(v))
        for (k, cst), v in sorted(tried.items())
    )
    return (p, d, q), _trend_for(d, c), history


def select_order(
    y: FloatArray,
    exog: FloatArray | None = None,
    *,
    max_p: int = 5,
    max_q: int = 5,
    max_d: int = 2,
    stepwise: bool = True,
    test_alpha: float = 0.05,
    maxiter: int = 50,
) -> tuple[tuple[int, int, int], str, tuple[tuple[str, float], ...]]:
    """Choose (p, d, q) and the trend term by KPSS and AICc on the given span.

    Returns the order, the statsmodels trend code (``"n"``, ``"c"`` or ``"t"``), and every
    model tried with its AICc. Results are memoised within a process (a pure function of the
    data and the settings), so ``arima`` and ``arima_garch`` on the same training span in one
    process search once; in separate processes each searches.
    """
    y = np.ascontiguousarray(y, dtype=np.float64)
    x = None if exog is None else np.ascontiguousarray(exog, dtype=np.float64)
    settings = (max_p, max_q, max_d, stepwise, test_alpha, maxiter)

    return _select_cached(
        y.tobytes(),
        None if x is None else x.tobytes(),
        0 if x is None else x.shape[1],
        settings,
    )


#: How many next-best orders a fit tries before it fails.
MAX_FALLBACKS = 5


def _ranked(
    history: tuple[tuple[str, float], ...], trend_setting: str
) -> list[tuple[tuple[int, int, int], str]]:
    """The search's candidates, best AICc first, as (order, trend) pairs."""
    out = []
    for label, score in sorted(history, key=lambda item: item[1]):
        if not np.isfinite(score):
            continue
        p, d, q = (int(v) for v in label[1 : label.index(")")].split(","))
        trend = _trend_for(d, label.endswith("+const"))
        out.append(((p, d, q), trend if trend_setting == "auto" else trend_setting))
    return out


def check_arima_params(model: Any) -> None:
    """The ranges of the ARIMA search's hyper-parameters (shared with ARIMA-GARCH)."""
    if model.order is not None and (len(model.order) != 3 or min(model.order) < 0):
        raise ValueError(f"order: expected three integers >= 0, got {model.order!r}")
    for name in ("max_p", "max_q", "max_d"):
        if getattr(model, name) < 0:
            raise ValueError(f"{name}: must be at least 0, got {getattr(model, name)}")
    if not 0.0 < model.test_alpha < 1.0:
        raise ValueError(f"test_alpha: must lie in (0, 1), got {model.test_alpha}")
    if model.maxiter < 1:
        raise ValueError(f"maxiter: must be at least 1, got {model.maxiter}")


def normal_intervals(mean: FloatArray, sd: FloatArray) -> dict[int, tuple[FloatArray, FloatArray]]:
    """Central Gaussian intervals at :data:`INTERVAL_LEVELS`."""
    out = {}
    for level in INTERVAL_LEVELS:
        z = float(stats.norm.ppf(0.5 + level / 200.0))
        out[level] = (mean - z * sd, mean + z * sd)
    return out


class ARIMA(BaseForecaster):
    """ARIMA(X) with automatic order selection on the training span.

    Parameters
    ----------
    order
        A fixed (p, d, q); None searches it (see the module docstring).
    trend
        ``"auto"`` (searched with the order, or for a fixed order a constant when d = 0 and a
        drift when d = 1), or statsmodels' ``"n"``, ``"c"``, ``"t"``.
    max_p, max_q, max_d
        Bounds of the search.
    stepwise
        Hyndman–Khandakar stepwise search (True) or the full grid (False).
    test_alpha
        Level of the KPSS test that chooses d.
    maxiter
        Iterations of the likelihood optimiser per fit.
    on_nonconvergence
        ``"warn"`` keeps a fit whose optimiser stopped before converging and records the
        warning with the cell; ``"fail"`` fails the cell.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> e = rng.normal(size=2000)
    >>> y = pd.Series(np.convolve(e, [1.0, 0.6])[:2000])
    >>> model = ARIMA(order=(0, 0, 1)).fit(y)
    >>> abs(float(model.result_.params[1]) - 0.6) < 0.05
    True
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        covariates=True, variance=True, min_train=8, family="statistical"
    )

    def __init__(
        self,
        *,
        order: tuple[int, int, int] | None = None,
        trend: Trend = "auto",
        max_p: int = 5,
        max_q: int = 5,
        max_d: int = 2,
        stepwise: bool = True,
        test_alpha: float = 0.05,
        maxiter: int = 50,
        on_nonconvergence: Literal["warn", "fail"] = "warn",
    ) -> None:
        self.order = order
        self.trend = trend
        self.max_p = max_p
        self.max_q = max_q
        self.max_d = max_d
        self.stepwise = stepwise
        self.test_alpha = test_alpha
        self.maxiter = maxiter
        self.on_nonconvergence = on_nonconvergence

    def check_params(self) -> None:
        check_arima_params(self)

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        x = as_exog_array(exog, len(values), "exog")
        self.n_exog_ = 0 if x is None else x.shape[1]
        if not np.all(np.isfinite(values)):
            raise FitError("ARIMA: the training span has NaN or infinite values")
        if self.order is None:
            order, trend, history = select_order(
                values,
                x,
                max_p=self.max_p,
                max_q=self.max_q,
                max_d=self.max_d,
                stepwise=self.stepwise,
                test_alpha=self.test_alpha,
                maxiter=self.maxiter,
            )
            if self.trend != "auto":
                trend = self.trend
        else:
            order = (int(self.order[0]), int(self.order[1]), int(self.order[2]))
            trend = _trend_for(order[1], True) if self.trend == "auto" else self.trend
            history = ()
        candidates = [(order, trend)]
        if self.order is None:  # the search's other orders, best AICc first, as fallbacks
            candidates += [c for c in _ranked(history, self.trend) if c != (order, trend)]
        failures: list[str] = []
        for order, trend in candidates:
            try:
                result, messages, converged = self._fit_one(values, x, order, trend)
                break
            except FitError as exc:
                failures.append(f"ARIMA{order} trend={trend!r}: {exc}")
                if self.order is not None or len(failures) > MAX_FALLBACKS:
                    raise FitError("; ".join(failures)) from exc
        else:
            raise FitError(f"no ARIMA order could be used ({'; '.join(failures)})")
        if failures:
            messages = [
                f"fell back to ARIMA{order} trend={trend!r} (the next-best AICc) after "
                + "; ".join(failures),
                *messages,
            ]
        self.result_ = result
        fitted = np.asarray(result.fittedvalues, dtype=np.float64).copy()
        fitted[: order[1]] = np.nan  # no prediction before the differencing has a past
        self.in_sample_ = fitted
        self.t_next_ = len(values) + 1
        self.order_ = order
        self.trend_ = trend
        self.converged_ = converged
        self.search_ = history
        self.fallbacks_ = len(failures)
        self.fit_warnings_ = messages
        return self

    def _fit_one(
        self, values: FloatArray, x: FloatArray | None, order: tuple[int, int, int], trend: str
    ) -> tuple[Any, list[str], bool]:
        """Fit one order; :class:`FitError` when it cannot be used: the fit fails, a parameter
        is not finite, or its one-step forecast is not (a non-invertible MA at the boundary,
        say)."""
        try:
            result, messages = _fit_arima(values, x, order, trend, self.maxiter)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"could not be fitted: {exc}") from exc
        converged = bool(result.mle_retvals.get("converged", True)) if result.mle_retvals else True
        if not converged and self.on_nonconvergence == "fail":
            raise FitError(f"ARIMA{order} did not converge in {self.maxiter} iterations")
        if not np.all(np.isfinite(np.asarray(result.params))):
            raise FitError("estimated non-finite parameters")
        # the variance of a one-step forecast is finite only for a usable model; the design row
        # of the last observation stands in for the unknown next one (it moves the mean only)
        design = with_trend_columns(None if x is None else x[-1:], trend, len(values) + 1, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = result.get_forecast(1, exog=design)
        if not (
            np.all(np.isfinite(np.asarray(pred.predicted_mean)))
            and np.all(np.isfinite(np.asarray(pred.se_mean)))
        ):
            raise FitError("its one-step forecast is not finite")
        return result, messages, converged

    def in_sample_predictions(self) -> FloatArray:
        """One-step predictions over the training span (NaN for the first d points)."""
        self._check_fitted("in_sample_")
        return self.in_sample_.copy()

    def fit_warnings(self) -> list[str]:
        """The optimiser's warnings of the final fit (one line each)."""
        self._check_fitted("result_")
        return list(self.fit_warnings_)

    def info(self) -> dict[str, Any]:
        """What the fit chose, for the run manifest."""
        self._check_fitted("result_")
        return {
            "order": list(self.order_),
            "trend": self.trend_,
            "aicc": float(self.result_.aicc),
            "converged": self.converged_,
            "models_tried": len(self.search_),
            "fallbacks": self.fallbacks_,
        }

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self.absorb(y_new, exog_new)
        return self

    def absorb(self, y_new: YLike, exog_new: XLike = None) -> FloatArray:
        """:meth:`update`, returning the one-step forecast errors of the new observations (each
        made before that observation was absorbed), at fixed parameters."""
        self._check_fitted("result_")
        values = as_float_array(y_new)
        if not len(values):
            return values
        x = self._exog(exog_new, len(values))
        extended = self.result_.extend(values, exog=x)
        self.result_ = extended
        self.t_next_ += len(values)
        return values - np.asarray(extended.fittedvalues, dtype=np.float64)

    def residuals(self) -> FloatArray:
        """The one-step errors over the training span (statsmodels' ``resid``)."""
        self._check_fitted("result_")
        return np.asarray(self.result_.resid, dtype=np.float64).copy()

    def _exog(self, exog: Any, n: int, offset: int = 0) -> FloatArray | None:
        """The model's design rows for the next n time points (plus ``offset``)."""
        x = as_exog_array(exog, n, "exog")
        if self.n_exog_ and x is None:
            raise FitError("ARIMA was fitted with covariates: their future values are required")
        x = x if self.n_exog_ else None
        return with_trend_columns(x, self.trend_, self.t_next_ + offset, n)

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("result_")
        pred = self.result_.get_forecast(horizon, exog=self._exog(exog_future, horizon))
        return self._to_forecast(pred)

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        self._check_fitted("result_")
        seen = as_float_array(y_seen, "y_seen")
        x = self._exog(exog_targets, len(seen) + 1)
        if len(seen) == 0:
            return self._to_forecast(self.result_.get_forecast(1, exog=x))
        extended = self.result_.extend(seen, exog=None if x is None else x[:-1])
        # In-sample one-step predictions of the extended results are the forecasts made at the
        # first k - 1 origins; the last origin's forecast is an ordinary one-step forecast.
        inside = self._to_forecast(extended.get_prediction(start=0, end=len(seen) - 1))
        last = self._to_forecast(extended.get_forecast(1, exog=None if x is None else x[-1:]))
        mean = np.concatenate([inside.mean, last.mean])
        sd = np.concatenate([np.asarray(inside.sd), np.asarray(last.sd)])
        return Forecast(mean=mean, sd=sd, intervals=normal_intervals(mean, sd))

    @staticmethod
    def _to_forecast(pred: Any) -> Forecast:
        mean = np.asarray(pred.predicted_mean, dtype=np.float64)
        sd = np.asarray(pred.se_mean, dtype=np.float64)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
            raise FitError("ARIMA produced a non-finite forecast")
        return Forecast(mean=mean, sd=sd, intervals=normal_intervals(mean, sd))
