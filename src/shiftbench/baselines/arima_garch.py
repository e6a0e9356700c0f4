"""ARIMA mean with a GARCH variance: the ARIMA forecast, with intervals that follow volatility.

The mean is :class:`shiftbench.baselines.arima.ARIMA` (same order search). A GARCH(p, q) (Bollerslev
1986) with a normal or standardised Student-t distribution is fitted by ``arch`` (zero mean) to
the ARIMA's training residuals, divided by their standard deviation for a well-scaled optimisation.
The point forecast is the ARIMA mean; the predictive variance of step h is

    Var(y_{T+h} | F_T) = Σ_{j=0}^{h-1} ψ_j² · σ²_{T+h-j|T},

where ψ_j are the MA(∞) weights of the ARIMA (differencing included) and σ²_{T+k|T} the GARCH
variance forecast (Engle & Bollerslev 1986): σ²_{t} = ω + Σ α_i ε²_{t-i} + Σ β_j σ²_{t-j}, with
unknown future ε² replaced by their expectation σ². For h = 1 this is the GARCH one-step variance
itself. With Student-t errors the intervals use the standardised t quantile (exact for h = 1, an
approximation beyond).

``update`` extends the ARIMA at fixed parameters and runs the GARCH recursion over the new one-step
residuals: no re-estimation, so a rolling backtest costs one fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd
from scipy import stats

from shiftbench.baselines.arima import ARIMA, Trend
from shiftbench.errors import FitError
from shiftbench.forecaster import (
    BaseForecaster,
    XLike,
    YLike,
    as_exog_array,
    as_float_array,
)
from shiftbench.types import INTERVAL_LEVELS, Capabilities, FloatArray, Forecast


def garch_variance_path(
    omega: float,
    alpha: FloatArray,
    beta: FloatArray,
    eps2_hist: FloatArray,
    sig2_hist: FloatArray,
    horizon: int,
) -> FloatArray:
    """σ²_{T+1..T+h | T} of a GARCH(p, q) given the last p squared shocks and q variances.

    ``eps2_hist`` and ``sig2_hist`` end at time T (oldest first).

    >>> import numpy as np
    >>> garch_variance_path(0.1, np.array([0.2]), np.array([0.7]), np.array([4.0]),
    ...                     np.array([1.0]), 2).round(6).tolist()
    [1.6, 1.54]
    """
    p, q = len(alpha), len(beta)
    eps2 = list(eps2_hist[-p:]) if p else []
    sig2 = list(sig2_hist[-q:]) if q else []
    out = np.empty(horizon)
    for k in range(horizon):
        value = omega
        value += sum(alpha[i] * eps2[-1 - i] for i in range(p))
        value += sum(beta[j] * sig2[-1 - j] for j in range(q))
        out[k] = value
        eps2.append(value)  # E[ε²_{T+k}] = σ²_{T+k}
        sig2.append(value)
    return out


def ma_weights(result: Any, horizon: int) -> FloatArray:
    """ψ_0..ψ_{h-1} of a fitted statsmodels (seasonal) ARIMA, differencing included."""
    from statsmodels.tsa.arima_process import arma2ma

    # the reduced polynomials are the products φ(B)Φ(B^m) and θ(B)Θ(B^m): statsmodels'
    # ``polynomial_ar``/``polynomial_ma`` hold the non-seasonal factors only
    ar = np.asarray(result.polynomial_reduced_ar, dtype=np.float64)
    ma = np.asarray(result.polynomial_reduced_ma, dtype=np.float64)
    d = int(getattr(result.model, "k_diff", 0) or 0)
    seasonal_d = int(getattr(result.model, "k_seasonal_diff", 0) or 0)
    period = int(getattr(result.model, "seasonal_periods", 0) or 0)
    for _ in range(d):
        ar = np.convolve(ar, [1.0, -1.0])
    for _ in range(seasonal_d):
        ar = np.convolve(ar, np.concatenate([[1.0], np.zeros(period - 1), [-1.0]]))
    return np.asarray(arma2ma(ar, ma, lags=horizon), dtype=np.float64)


#: The highest ARCH and GARCH orders (arch fits them by numerical optimisation; beyond GARCH(2,2)
#: the extra terms are rarely identified on a forecasting series).
MAX_GARCH_ORDER = 20
#: Training points a GARCH fit needs per parameter (ω, the α's, the β's, and the mean): five,
#: so that GARCH(1,1) needs the 20 points of the model's ``min_train``.
OBSERVATIONS_PER_PARAMETER = 5


@dataclass(frozen=True, eq=False)
class GARCHResults:
    """What the GARCH fit of an ARIMA-GARCH found, on the ARIMA residuals divided by ``scale``:
    σ²_t = ω + Σ α_i ε²_{t−i} + Σ β_j σ²_{t−j}, with Student-t degrees of freedom ``nu`` (None
    for normal shocks), and whether arch's optimiser converged, with its warnings."""

    omega: float
    alpha: FloatArray
    beta: FloatArray
    nu: float | None
    scale: float
    converged: bool
    warnings: tuple[str, ...]

    def info(self) -> dict[str, Any]:
        """The manifest's ``garch`` and ``garch_converged`` entries.

        >>> GARCHResults(0.1, np.array([0.2]), np.array([0.7]), None, 2.0, True, ()).info()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'garch': {'omega': 0.1, 'alpha': [0.2], 'beta': [0.7], 'nu': None,
                   'residual_scale': 2.0}, 'garch_converged': True}
        """
        return {
            "garch": {
                "omega": self.omega,
                "alpha": self.alpha.tolist(),
                "beta": self.beta.tolist(),
                "nu": self.nu,
                "residual_scale": self.scale,
            },
            "garch_converged": self.converged,
        }


class ARIMAGARCH(BaseForecaster):
    """ARIMA mean + GARCH(p, q) variance.

    Parameters
    ----------
    order, seasonal_order, trend, season_length, seasonal, max_season, max_p, max_q, max_P, max_Q,
    max_d, max_D, max_order, stepwise, approximation, test_alpha, maxiter
        As for :class:`shiftbench.baselines.arima.ARIMA` (the same seasonal order search).
    garch_p, garch_q
        ARCH and GARCH orders (1, 1).
    dist
        ``"normal"`` or ``"t"`` (standardised Student-t) for the GARCH shocks.
    on_nonconvergence
        ``"warn"`` or ``"fail"`` when the ARIMA or GARCH optimiser does not converge.

    Attributes
    ----------
    arima_
        The fitted mean model, an :class:`~shiftbench.baselines.arima.ARIMA` built from the
        ARIMA parameters above: its ``results_`` are what the ARIMA part of the fit found;
        ``update`` extends it.
    garch_
        What the GARCH fit found (:class:`GARCHResults`); fixed until the next ``fit``.
    eps2_, sig2_
        The GARCH recursion's state: the last scaled squared shocks and variances, moved on
        by ``update``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> y = pd.Series(np.cumsum(rng.normal(size=300)))
    >>> f = ARIMAGARCH(order=(0, 1, 0)).fit(y).forecast(3)
    >>> bool(np.all(np.diff(f.sd) > 0))
    True
    """

    capabilities: ClassVar[Capabilities] = Capabilities(
        covariates=True, variance=True, min_train=20, family="statistical"
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
        garch_p: int = 1,
        garch_q: int = 1,
        dist: Literal["normal", "t"] = "normal",
        on_nonconvergence: Literal["warn", "fail"] = "warn",
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
        self.garch_p = garch_p
        self.garch_q = garch_q
        self.dist = dist
        self.on_nonconvergence = on_nonconvergence

    def check_params(self) -> None:
        self._arima().check_params()
        for name in ("garch_p", "garch_q"):
            if not 0 <= getattr(self, name) <= MAX_GARCH_ORDER:
                raise ValueError(
                    f"{name}: must lie in 0..{MAX_GARCH_ORDER}, got {getattr(self, name)}"
                )
        if self.garch_p + self.garch_q < 1:
            raise ValueError(f"garch_p: GARCH({self.garch_p},{self.garch_q}) models no variance")

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        self._arima().check_sizes(n_train, n_covariates)
        weights = 2 + self.garch_p + self.garch_q
        if weights * OBSERVATIONS_PER_PARAMETER > n_train:
            raise ValueError(
                f"garch_p: GARCH({self.garch_p},{self.garch_q}) has {weights} parameters; "
                f"{n_train} training points support at most "
                f"{n_train // OBSERVATIONS_PER_PARAMETER} ({OBSERVATIONS_PER_PARAMETER} per "
                "parameter)"
            )

    def _arima(self) -> ARIMA:
        """The mean model: an unfitted ARIMA with this model's ARIMA parameters (every
        parameter of :class:`~shiftbench.baselines.arima.ARIMA` but ``boxcox``, which this
        model does not offer: its GARCH models the ARIMA's errors on the data's scale)."""
        names = [name for name in ARIMA().get_params() if name != "boxcox"]
        return ARIMA(**{name: getattr(self, name) for name in names})

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        from arch import arch_model

        values = as_float_array(y)
        arima = self._arima().fit(values, exog)
        resid = arima.residuals()[arima.results_.spec.burn_in :]
        if len(resid) < 10:
            raise FitError(f"ARIMA-GARCH: {len(resid)} residuals are too few to fit a GARCH")
        scale = float(np.std(resid))
        if not np.isfinite(scale) or scale <= 0.0:
            raise FitError("ARIMA-GARCH: the ARIMA residuals are constant; no variance to model")
        scaled = resid / scale
        model = arch_model(
            scaled,
            mean="Zero",
            vol="GARCH",
            p=self.garch_p,
            q=self.garch_q,
            dist="t" if self.dist == "t" else "normal",
            rescale=False,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fitted = model.fit(disp="off", show_warning=True)
        converged = int(fitted.convergence_flag) == 0
        if not converged and self.on_nonconvergence == "fail":
            raise FitError(f"GARCH did not converge: {fitted.optimization_result.message}")
        params = fitted.params
        if not np.all(np.isfinite(np.asarray(params))):
            raise FitError("GARCH estimated non-finite parameters")
        garch = GARCHResults(
            omega=float(params["omega"]),
            alpha=np.array([params[f"alpha[{i}]"] for i in range(1, self.garch_p + 1)]),
            beta=np.array([params[f"beta[{j}]"] for j in range(1, self.garch_q + 1)]),
            nu=float(params["nu"]) if self.dist == "t" else None,
            scale=scale,
            converged=converged,
            warnings=tuple(sorted({str(w.message).split("\n")[0] for w in caught})),
        )
        keep = max(self.garch_p, self.garch_q, 1)
        self.arima_ = arima
        self.garch_ = garch
        self.eps2_ = (scaled[-keep:] ** 2).astype(np.float64)
        self.sig2_ = np.asarray(fitted.conditional_volatility, dtype=np.float64)[-keep:] ** 2
        return self

    def in_sample_predictions(self) -> FloatArray:
        """The ARIMA mean's one-step predictions over the training span."""
        self._check_fitted("garch_")
        return self.arima_.in_sample_predictions()

    def fit_warnings(self) -> list[str]:
        """The ARIMA fit's warnings, then the GARCH fit's."""
        self._check_fitted("garch_")
        return self.arima_.fit_warnings() + list(self.garch_.warnings)

    def info(self) -> dict[str, Any]:
        """The ARIMA's ``info()`` with the GARCH parameters (``garch``, ``garch_converged``)."""
        self._check_fitted("garch_")
        return {**self.arima_.info(), **self.garch_.info()}

    def _variance_path(self, horizon: int) -> FloatArray:
        """σ²_{T+1..T+horizon | T} (scaled) from the current state."""
        g = self.garch_
        return garch_variance_path(g.omega, g.alpha, g.beta, self.eps2_, self.sig2_, horizon)

    def _absorb(self, resid: FloatArray) -> None:
        keep = max(self.garch_p, self.garch_q, 1)
        for e in resid / self.garch_.scale:
            nxt = self._variance_path(1)
            self.eps2_ = np.append(self.eps2_, e * e)[-keep:]
            self.sig2_ = np.append(self.sig2_, nxt[0])[-keep:]

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("garch_")
        values = as_float_array(y_new)
        if len(values):
            x = as_exog_array(exog_new, len(values), "exog_new")
            self._absorb(self.arima_.absorb(values, x))
        return self

    def _quantile(self, level: int) -> float:
        prob = 0.5 + level / 200.0
        nu = self.garch_.nu
        if nu is None:
            return float(stats.norm.ppf(prob))
        return float(stats.t.ppf(prob, nu) * np.sqrt((nu - 2.0) / nu))

    def _with_intervals(self, mean: FloatArray, sd: FloatArray) -> Forecast:
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
            raise FitError("ARIMA-GARCH produced a non-finite forecast")
        intervals = {}
        for level in INTERVAL_LEVELS:
            z = self._quantile(level)
            intervals[level] = (mean - z * sd, mean + z * sd)
        return Forecast(mean=mean, sd=sd, intervals=intervals)

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("garch_")
        mean = self.arima_.forecast(horizon, exog_future).mean
        sig2 = self._variance_path(horizon)
        psi = ma_weights(self.arima_.state_, horizon)
        var = np.array([np.sum(psi[:h] ** 2 * sig2[:h][::-1]) for h in range(1, horizon + 1)])
        return self._with_intervals(mean, np.sqrt(var) * self.garch_.scale)

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        self._check_fitted("garch_")
        seen = as_float_array(y_seen, "y_seen")
        k = len(seen) + 1
        x = as_exog_array(exog_targets, k, "exog_targets")
        mean = self.arima_.one_step_path(seen, x).mean
        resid = seen - mean[:-1]  # the one-step errors of the observations between origins
        state = (self.eps2_.copy(), self.sig2_.copy())
        sig2 = np.empty(k)
        try:
            for i in range(k):
                sig2[i] = self._variance_path(1)[0]
                if i < k - 1:
                    self._absorb(resid[i : i + 1])
        finally:
            self.eps2_, self.sig2_ = state
        return self._with_intervals(mean, np.sqrt(sig2) * self.garch_.scale)
