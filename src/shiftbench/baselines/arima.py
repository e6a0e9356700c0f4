"""Seasonal ARIMA(X) with the order chosen on the training span, after Hyndman & Khandakar (2008).

The order search (:mod:`shiftbench.baselines.arima_search`) follows R's ``forecast::auto.arima``:
seasonal differencing by seasonal strength, differencing by KPSS, and a stepwise AICc search
over (p, q, P, Q) and the constant, each candidate fitted by exact maximum likelihood on short
series and by conditional sum of squares on long ones. The season length comes from the dataset
(``season_length``); ``seasonal=False`` searches non-seasonal orders only. Covariates are
regressors (ARIMAX, regression with ARIMA errors) in the state-space form of statsmodels. A fixed
``order`` (with ``seasonal_order`` and ``trend``) skips the search.

The final model is statsmodels' ``ARIMA`` at the search's estimates: where the search fitted the
chosen order by exact ML, those estimates are used as they are (statsmodels' likelihood is the
same, so no second optimisation); after a CSS search the chosen order is refitted by exact ML from
the CSS estimates, as auto.arima does. An order whose fit cannot be used falls back to the next
best, with a warning.

Rolling origins cost one fit: ``update`` extends the fitted results with new observations at fixed
parameters (statsmodels ``extend``), and ``one_step_path`` runs the Kalman filter once over all the
origins of a backtest.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.baselines.arima_bounds import (
    MAX_CANDIDATES,
    MAX_D,
    MAX_MAXITER,
    MAX_SEASONAL_D,
    MAX_STATE_BYTES,
    check_arima_params,
    check_arima_sizes,
    grid_candidates,
    state_dimension,
)
from shiftbench.baselines.arima_results import ARIMAResults
from shiftbench.baselines.arima_search import (
    CandidateFit,
    Search,
    Spec,
    search_orders,
    with_trend_columns,
)
from shiftbench.boxcox import BoxCoxSetting, BoxCoxTransform, check_boxcox
from shiftbench.errors import FitError
from shiftbench.forecaster import (
    BaseForecaster,
    XLike,
    YLike,
    as_exog_array,
    as_float_array,
)
from shiftbench.types import INTERVAL_LEVELS, Capabilities, FloatArray, Forecast

__all__ = [
    "ARIMA",
    "MAX_CANDIDATES",
    "MAX_D",
    "MAX_FALLBACKS",
    "MAX_MAXITER",
    "MAX_SEASONAL_D",
    "MAX_STATE_BYTES",
    "ARIMAResults",
    "Trend",
    "check_arima_params",
    "check_arima_sizes",
    "grid_candidates",
    "normal_intervals",
    "state_dimension",
]

Trend = Literal["auto", "n", "c", "t"]


def _fit_arima(
    y: FloatArray,
    exog: FloatArray | None,
    spec: Spec,
    maxiter: int,
    start: FloatArray | None = None,
    filter_only: bool = False,
) -> tuple[Any, list[str]]:
    """Fit one (seasonal) ARIMA by exact maximum likelihood, or, with ``filter_only``, run the
    filter at ``start``; return the results and the warnings raised."""
    from statsmodels.tsa.arima.model import ARIMA

    design = with_trend_columns(exog, spec.trend, 1, len(y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ARIMA(
            y,
            exog=design,
            order=spec.order,
            seasonal_order=spec.seasonal_order,
            trend="n",
        )
        if filter_only and start is not None:
            result = model.filter(start)
        else:
            result = model.fit(start_params=start, method_kwargs={"maxiter": maxiter})
    messages = sorted({str(w.message).split("\n")[0] for w in caught})
    return result, messages


#: How many next-best orders a fit tries before it fails.
MAX_FALLBACKS = 5


def normal_intervals(mean: FloatArray, sd: FloatArray) -> dict[int, tuple[FloatArray, FloatArray]]:
    """Central Gaussian intervals at :data:`INTERVAL_LEVELS`."""
    out = {}
    for level in INTERVAL_LEVELS:
        z = float(stats.norm.ppf(0.5 + level / 200.0))
        out[level] = (mean - z * sd, mean + z * sd)
    return out


class ARIMA(BaseForecaster):
    """Seasonal ARIMA(X) with automatic order selection on the training span.

    Parameters
    ----------
    order
        A fixed (p, d, q); None searches the order (see the module docstring).
    seasonal_order
        With a fixed ``order``: the seasonal (P, D, Q) at ``season_length`` (default none).
    trend
        ``"auto"`` (searched with the order, or for a fixed order a constant when d + D = 0 and
        a drift when d + D = 1), or statsmodels' ``"n"``, ``"c"``, ``"t"``.
    season_length
        The seasonal period m (the dataset's); 1 for none.
    seasonal
        Search seasonal terms (P, D, Q) at ``season_length``; False searches non-seasonal
        orders only.
    max_season
        The longest period whose seasonal terms are searched; above it the search is
        non-seasonal and ``info()`` says so.
    max_p, max_q, max_P, max_Q, max_d, max_D, max_order
        Bounds of the search (auto.arima's); ``max_order`` bounds p + q + P + Q in the full grid.
    stepwise
        Hyndman–Khandakar stepwise search (True) or the full grid (False).
    approximation
        Score candidates by CSS (True) or exact ML (False); None: CSS when n > 150 or m > 12,
        as auto.arima.
    test_alpha
        Level of the KPSS test that chooses d.
    maxiter
        Iterations of statsmodels' likelihood optimiser where it fits (fixed orders, the refit
        after a CSS search).
    on_nonconvergence
        ``"warn"`` keeps a fit whose optimiser stopped before converging and records the
        warning with the cell; ``"fail"`` fails the cell.
    boxcox
        False, ``"guerrero"`` or a λ in [−1, 2]: the ARIMA is fitted to the Box-Cox transformed
        series and its forecasts back-transformed, intervals by their quantiles
        (:mod:`shiftbench.boxcox`); ``residuals`` and ``absorb`` stay transformed.

    Attributes
    ----------
    results_
        What the fit found (:class:`~shiftbench.baselines.arima_results.ARIMAResults`): the
        order, its estimates, the search, the warnings; fixed until the next ``fit``.
    state_
        statsmodels' results at those estimates, extended by every ``update``: the Kalman
        filter's state, from which forecasts are made.
    t_next_
        The time index (from 1) of the next observation, for the drift column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> e = rng.normal(size=2000)
    >>> y = pd.Series(np.convolve(e, [1.0, 0.6])[:2000])
    >>> model = ARIMA(order=(0, 0, 1)).fit(y)
    >>> model.results_.param_names
    ('const', 'ma.L1', 'sigma2')
    >>> abs(float(model.results_.params[1]) - 0.6) < 0.05
    True
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        covariates=True, variance=True, min_train=8, family="statistical"
    )

    def __init__(
        self,
        *,
        order: tuple[int, int, int] | None = None,
        seasonal_order: tuple[int, int, int] | None = None,
        trend: Trend = "auto",
        season_length: int = 1,
        seasonal: bool = True,
        max_season: int = 24,
        max_p: int = 5,
        max_q: int = 5,
        max_P: int = 2,
        max_Q: int = 2,
        max_d: int = 2,
        max_D: int = 1,
        max_order: int = 5,
        stepwise: bool = True,
        approximation: bool | None = None,
        test_alpha: float = 0.05,
        maxiter: int = 50,
        on_nonconvergence: Literal["warn", "fail"] = "warn",
        boxcox: BoxCoxSetting = False,
    ) -> None:
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.season_length = season_length
        self.seasonal = seasonal
        self.max_season = max_season
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.max_order = max_order
        self.stepwise = stepwise
        self.approximation = approximation
        self.test_alpha = test_alpha
        self.maxiter = maxiter
        self.on_nonconvergence = on_nonconvergence
        self.boxcox = boxcox

    def check_params(self) -> None:
        check_arima_params(self)
        check_boxcox(self.boxcox)

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        check_arima_sizes(self, n_train)

    def _search_period(self) -> tuple[int, str | None]:
        """The period the search uses, and why it is not the dataset's where it is not."""
        m = int(self.season_length)
        if m < 2:
            return 1, None
        if not self.seasonal:
            return 1, "seasonal terms not searched (seasonal = false)"
        if m > self.max_season:
            return 1, (
                f"seasonal terms not searched: season length {m} > max_season "
                f"{self.max_season} (a seasonal ARMA at that period is beyond this search)"
            )
        return m, None

    def _fixed_spec(self, order: tuple[int, int, int]) -> Spec:
        """A fixed ``order`` (with ``seasonal_order``) as a candidate, its trend by ``trend``."""
        P, D, Q = self.seasonal_order if self.seasonal_order is not None else (0, 0, 0)
        seasonal = P + D + Q > 0
        spec = Spec(
            int(order[0]),
            int(order[1]),
            int(order[2]),
            int(P),
            int(D),
            int(Q),
            int(self.season_length) if seasonal else 1,
            True,
        )
        return spec if self.trend == "auto" else spec.replace_trend(self.trend)

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        x = as_exog_array(exog, len(values), "exog")
        if not np.all(np.isfinite(values)):
            raise FitError("ARIMA: the training span has NaN or infinite values")
        boxcox = BoxCoxTransform.fit(values, self.boxcox, self.season_length, scaled=True)
        values = boxcox.forward(values)
        m, note = self._search_period()
        notes = [] if note is None else [note]
        search: Search | None = None
        seconds_search: float | None = None
        started = time.perf_counter()
        if self.order is None:
            search = search_orders(
                values,
                x,
                season_length=m,
                max_p=self.max_p,
                max_q=self.max_q,
                max_P=self.max_P,
                max_Q=self.max_Q,
                max_order=self.max_order,
                max_d=self.max_d,
                max_D=self.max_D,
                stepwise=self.stepwise,
                test_alpha=self.test_alpha,
                approximation=self.approximation,
            )
            notes += list(search.notes)
            seconds_search = time.perf_counter() - started
            candidates: list[tuple[Spec, CandidateFit | None]] = [
                (fit.spec if self.trend == "auto" else fit.spec.replace_trend(self.trend), fit)
                for fit in search.ranked()
            ]
            if not candidates:
                raise FitError(
                    f"no ARIMA(p,{search.d},q)(P,{search.D},Q)[{search.m}] could be fitted"
                )
        else:
            candidates = [(self._fixed_spec(self.order), None)]
        failures: list[str] = []
        for spec, start in candidates:
            try:
                result, messages, converged = self._fit_one(values, x, spec, start)
                break
            except FitError as exc:
                failures.append(f"{spec.label}: {exc}")
                if self.order is not None or len(failures) > MAX_FALLBACKS:
                    raise FitError("; ".join(failures)) from exc
        else:
            raise FitError(f"no ARIMA order could be used ({'; '.join(failures)})")
        if failures:
            messages = [
                f"fell back to {spec.label} (the next-best AICc) after " + "; ".join(failures),
                *messages,
            ]
        in_sample = np.asarray(result.fittedvalues, dtype=np.float64).copy()
        in_sample[: spec.d + spec.D * spec.m] = np.nan  # no prediction before the differencing
        self.results_ = ARIMAResults(
            spec=spec,
            params=np.asarray(result.params, dtype=np.float64).copy(),
            param_names=tuple(str(name) for name in result.model.param_names),
            aicc=float(result.aicc),
            converged=converged,
            search=(
                "fixed order" if search is None else ("CSS" if search.approximation else "exact ML")
            ),
            scored=(
                ()
                if search is None
                else tuple((fit.spec.label, float(fit.aicc)) for fit in search.scored)
            ),
            fallbacks=len(failures),
            notes=tuple(notes),
            warnings=tuple(messages),
            in_sample=in_sample,
            residuals=np.asarray(result.resid, dtype=np.float64).copy(),
            n_exog=0 if x is None else x.shape[1],
            seconds_search=seconds_search,
        )
        self.state_ = result
        self.boxcox_ = boxcox
        self.t_next_ = len(values) + 1
        return self

    def _fit_one(
        self, values: FloatArray, x: FloatArray | None, spec: Spec, start: CandidateFit | None
    ) -> tuple[Any, list[str], bool]:
        """Fit one order; :class:`FitError` when it cannot be used: the fit fails, a parameter
        is not finite, or its one-step forecast is not (a non-invertible MA at the boundary,
        say). Estimates of an exact-ML search are used as they are (``filter``)."""
        exact = start is not None and start.exact and start.spec.trend == spec.trend
        try:
            result, messages = _fit_arima(
                values,
                x,
                spec,
                self.maxiter,
                start=None if start is None or start.spec.trend != spec.trend else start.params(),
                filter_only=exact,
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"could not be fitted: {exc}") from exc
        converged = True
        if not exact and result.mle_retvals:
            converged = bool(result.mle_retvals.get("converged", True))
        if not exact and start is not None and start.spec.trend == spec.trend:
            # the exact refit of a CSS search must improve on, not wreck, the CSS estimates: an
            # optimiser that wandered off to a boundary (σ² ten times the CSS one) is undone
            sigma2 = float(np.asarray(result.params)[-1])
            if not (np.isfinite(sigma2) and sigma2 <= 10.0 * start.sigma2):
                result, _ = _fit_arima(
                    values, x, spec, self.maxiter, start=start.params(), filter_only=True
                )
                messages = [
                    *messages,
                    f"{spec.label}: the exact-ML refit diverged (σ² {sigma2:.4g} against "
                    f"{start.sigma2:.4g} by CSS); the CSS estimates are kept",
                ]
                converged = True
        if not converged and self.on_nonconvergence == "fail":
            raise FitError(f"{spec.label} did not converge in {self.maxiter} iterations")
        if not np.all(np.isfinite(np.asarray(result.params))):
            raise FitError("estimated non-finite parameters")
        # the variance of a one-step forecast is finite only for a usable model; the design row
        # of the last observation stands in for the unknown next one (it moves the mean only)
        design = with_trend_columns(None if x is None else x[-1:], spec.trend, len(values) + 1, 1)
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
        """One-step predictions over the training span (NaN for the first d + m·D points)."""
        self._check_fitted("results_")
        return self.boxcox_.inverse(self.results_.in_sample.copy())

    def fit_warnings(self) -> list[str]:
        """The optimiser's warnings of the final fit (one line each)."""
        self._check_fitted("results_")
        return list(self.results_.warnings)

    def info(self) -> dict[str, Any]:
        """What the fit chose, for the run manifest."""
        self._check_fitted("results_")
        return {**self.results_.info(), **self.boxcox_.info()}

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self.absorb(y_new, exog_new)
        return self

    def absorb(self, y_new: YLike, exog_new: XLike = None) -> FloatArray:
        """:meth:`update`, returning the one-step forecast errors of the new observations (each
        made before that observation was absorbed), at fixed parameters."""
        self._check_fitted("state_")
        values = self.boxcox_.forward(as_float_array(y_new))
        if not len(values):
            return values
        x = self._exog(exog_new, len(values))
        extended = self.state_.extend(values, exog=x)
        self.state_ = extended
        self.t_next_ += len(values)
        return values - np.asarray(extended.fittedvalues, dtype=np.float64)

    def residuals(self) -> FloatArray:
        """The one-step errors over the training span (statsmodels' ``resid`` of the fit)."""
        self._check_fitted("results_")
        return self.results_.residuals.copy()

    def _exog(self, exog: Any, n: int, offset: int = 0) -> FloatArray | None:
        """The model's design rows for the next n time points (plus ``offset``)."""
        x = as_exog_array(exog, n, "exog")
        n_exog = self.results_.n_exog
        if n_exog and x is None:
            raise FitError("ARIMA was fitted with covariates: their future values are required")
        x = x if n_exog else None
        return with_trend_columns(x, self.results_.trend, self.t_next_ + offset, n)

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("state_")
        pred = self.state_.get_forecast(horizon, exog=self._exog(exog_future, horizon))
        return self.boxcox_.inverse_forecast(self._to_forecast(pred))

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        self._check_fitted("state_")
        seen = self.boxcox_.forward(as_float_array(y_seen, "y_seen"))
        x = self._exog(exog_targets, len(seen) + 1)
        if len(seen) == 0:
            return self.boxcox_.inverse_forecast(
                self._to_forecast(self.state_.get_forecast(1, exog=x))
            )
        extended = self.state_.extend(seen, exog=None if x is None else x[:-1])
        # In-sample one-step predictions of the extended results are the forecasts made at the
        # first k - 1 origins; the last origin's forecast is an ordinary one-step forecast.
        inside = self._to_forecast(extended.get_prediction(start=0, end=len(seen) - 1))
        last = self._to_forecast(extended.get_forecast(1, exog=None if x is None else x[-1:]))
        mean = np.concatenate([inside.mean, last.mean])
        sd = np.concatenate([np.asarray(inside.sd), np.asarray(last.sd)])
        path = Forecast(mean=mean, sd=sd, intervals=normal_intervals(mean, sd))
        return self.boxcox_.inverse_forecast(path)

    @staticmethod
    def _to_forecast(pred: Any) -> Forecast:
        mean = np.asarray(pred.predicted_mean, dtype=np.float64)
        sd = np.asarray(pred.se_mean, dtype=np.float64)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
            raise FitError("ARIMA produced a non-finite forecast")
        return Forecast(mean=mean, sd=sd, intervals=normal_intervals(mean, sd))
