"""The standard statistical benchmarks of the M competitions: Naive2, SES, Holt, Damped, Theta,
Comb and automatic ETS.

Definitions follow Makridakis, Spiliotis & Assimakopoulos, "Statistical and Machine Learning
forecasting methods: Concerns and ways forward", *PLoS ONE* 13(3): e0194889 (2018), and the
M4 competition's benchmark code (github.com/Mcompetitions/M4-methods, ``Benchmarks and
Evaluation.py``):

- **Seasonal adjustment** (all but ETS): the series is seasonally adjusted by classical
  multiplicative decomposition (``statsmodels.tsa.seasonal.seasonal_decompose``) *on the training
  span only*, and only when the lag-m autocorrelation is significant at 90 %,
  |r_m| > 1.645·√((1 + 2·Σ_{k=1}^{m−1} r_k²)/n) (the M4 code's ``seasonality_test``). The
  method forecasts the adjusted series; forecasts are multiplied back by the seasonal index of
  the period they fall in. A series with a value ≤ 0, or shorter than two seasons, is not
  adjusted (a multiplicative decomposition needs positive data and two full cycles).
- **Naive2**: persistence on the adjusted series.
- **SES, Holt, Damped**: simple, linear-trend and damped-trend exponential smoothing (Gardner
  1985; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.1–8.2) on
  the adjusted training span, estimated as R's ``forecast`` 8.20 ``ses()``, ``holt()`` and
  ``holt(damped = TRUE)`` estimate them: ``ets(z, "ANN"/"AAN", opt.crit = "mse")``, the
  smoothing parameters and initial states optimised jointly by R's Nelder–Mead from R's starting
  values within R's bounds (φ ∈ [0.8, 0.98]) — :mod:`shiftbench.baselines.ets`.
- **Theta**: the Theta method of Assimakopoulos & Nikolopoulos (2000), the M3 winner, in the
  equivalent form of Hyndman & Billah (2003) used by R's ``forecast::thetaf``: SES with a drift
  of half the slope b of a linear trend fitted to the adjusted series,
  ŷ_{T+h} = ℓ_T + (b/2)·((h − 1) + (1 − (1 − α)^T)/α).
- **Comb**: the arithmetic mean of SES, Holt and Damped (the M4 benchmark "Comb S-H-D").
- **ETS**: exponential smoothing state-space models (Hyndman et al. 2002, 2008) on the original
  series, chosen and estimated as R's ``forecast::ets(y)`` 8.20 does with its defaults: errors
  A/M, trend N/A/Ad, season N/A/M, ``restrict = TRUE``, no multiplicative trend, likelihood
  estimation, least AICc (:mod:`shiftbench.baselines.ets`; the class lives in
  :mod:`shiftbench.baselines.ets.forecaster`).

Every model is fitted once on the training span; ``update`` runs its recursions forward over
new observations at the fitted parameters (no re-estimation), so a rolling backtest costs one
fit.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

import numpy as np

from shiftbench.baselines.ets import ETSForm, fit_form
from shiftbench.baselines.ets.forecaster import ETS, ETSResults
from shiftbench.boxcox import BoxCoxSetting, BoxCoxTransform, check_boxcox
from shiftbench.errors import FitError
from shiftbench.forecaster import BaseForecaster, XLike, YLike, as_float_array
from shiftbench.seasonality import SeasonalIndices, acf_at, seasonality_test
from shiftbench.types import Capabilities, FloatArray, Forecast

__all__ = [
    "ETS",
    "SES",
    "Comb",
    "Damped",
    "ETSResults",
    "Holt",
    "Naive2",
    "SeasonalIndices",
    "Theta",
    "acf_at",
    "seasonality_test",
]

# -- the level models, on the adjusted series -------------------------------------------------


class _Level:
    """A recursion over the adjusted series: ``fit`` on the training span, ``step`` one new
    observation at fixed parameters, ``forecast`` h steps."""

    def fit(self, z: FloatArray) -> None:
        raise NotImplementedError

    def step(self, value: float) -> None:
        raise NotImplementedError

    def forecast(self, h: int) -> FloatArray:
        raise NotImplementedError

    def info(self) -> dict[str, float]:
        return {}


class _Persistence(_Level):
    def fit(self, z: FloatArray) -> None:
        self.last = float(z[-1])

    def step(self, value: float) -> None:
        self.last = value

    def forecast(self, h: int) -> FloatArray:
        return np.full(h, self.last)


class _Smoothing(_Level):
    """SES (``trend`` False), Holt (``trend`` True), Damped (``damped`` True) as R's
    ``forecast::ses``/``holt`` 8.20 fit them: ``ets(z, "ANN"/"AAN", damped, opt.crit = "mse")``
    (:func:`shiftbench.baselines.ets.fit_form`); ``step`` runs R's recursion at the fitted
    parameters: l ← q + α·(y − q), b ← φ·b + (β/α)·(l_new − l − φ·b), q = l + φ·b."""

    def __init__(self, trend: bool, damped: bool) -> None:
        self.trend = trend
        self.damped = damped

    def fit(self, z: FloatArray) -> None:
        form = ETSForm("A", "A" if self.trend else "N", self.damped, "N")
        fit = fit_form(z, form, "mse")
        self.alpha, self.beta, self.phi = fit.par.alpha, fit.par.beta, fit.par.phi
        self.initial = fit.initial_state
        self.level = float(fit.initial_state[0])
        self.slope = float(fit.initial_state[1]) if self.trend else 0.0
        for value in z:
            self.step(float(value))

    def step(self, value: float) -> None:
        previous = self.level
        damped_slope = self.phi * self.slope
        q = previous + damped_slope
        self.level = q + self.alpha * (value - q)
        if self.trend:
            self.slope = damped_slope + self.beta / self.alpha * (self.level - q)

    def forecast(self, h: int) -> FloatArray:
        if not self.trend:
            return np.full(h, self.level)
        steps = np.cumsum(self.phi ** np.arange(1, h + 1))  # φ + φ² + … + φ^h
        return self.level + steps * self.slope

    def info(self) -> dict[str, float]:
        out = {"alpha": self.alpha}
        if self.trend:
            out["beta"] = self.beta
        if self.damped:
            out["phi"] = self.phi
        out["l0"] = float(self.initial[0])
        if self.trend:
            out["b0"] = float(self.initial[1])
        return out


class _Theta(_Level):
    """SES with drift b/2 (Hyndman & Billah 2003; ``forecast::thetaf``)."""

    def fit(self, z: FloatArray) -> None:
        self.ses = _Smoothing(trend=False, damped=False)
        self.ses.fit(z)
        t = np.arange(len(z), dtype=np.float64)
        self.b = float(np.polyfit(t, z, 1)[0]) if len(z) > 1 else 0.0
        self.n = len(z)

    def step(self, value: float) -> None:
        self.ses.step(value)
        self.n += 1

    def forecast(self, h: int) -> FloatArray:
        alpha = self.ses.alpha
        memory = self.n if alpha < 1e-10 else (1.0 - (1.0 - alpha) ** self.n) / alpha
        steps = np.arange(h, dtype=np.float64) + memory
        return np.asarray(self.ses.level + 0.5 * self.b * steps, dtype=np.float64)

    def info(self) -> dict[str, float]:
        return {"alpha": self.ses.alpha, "drift": 0.5 * self.b}


class _Mean(_Level):
    """The mean of several level models' forecasts (Comb)."""

    def __init__(self, parts: list[_Level]) -> None:
        self.parts = parts

    def fit(self, z: FloatArray) -> None:
        for part in self.parts:
            part.fit(z)

    def step(self, value: float) -> None:
        for part in self.parts:
            part.step(value)

    def forecast(self, h: int) -> FloatArray:
        out: FloatArray = np.mean([part.forecast(h) for part in self.parts], axis=0)
        return out


class _Adjusted(BaseForecaster):
    """A level model on the seasonally adjusted series (see the module docstring).

    Parameters
    ----------
    season_length
        The seasonal period m (1: no seasonal adjustment).
    boxcox
        False, ``"guerrero"`` (λ by Guerrero's method on the training span) or a λ in [−1, 2]:
        the series is Box-Cox transformed first, then adjusted and fitted; forecasts are
        reseasonalised, then back-transformed (:mod:`shiftbench.boxcox`).
    seasonal_indices
        What a refit (:meth:`refit`, a protocol with ``refit_every``) does with the seasonal
        indices: ``"each_fit"`` estimates them again on every span, ``"first_fit"`` keeps those
        of the first fit (the training span) and re-estimates the smoothing alone, the variant
        of Makridakis et al. (2018) whose one-step figures R reproduces. The indices are those
        of the transformed series, so a Guerrero λ is kept with them. ``fit`` always
        estimates both.
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=4, family="statistical")

    def __init__(
        self,
        *,
        season_length: int = 1,
        boxcox: BoxCoxSetting = False,
        seasonal_indices: Literal["each_fit", "first_fit"] = "each_fit",
    ) -> None:
        self.season_length = season_length
        self.boxcox = boxcox
        self.seasonal_indices = seasonal_indices

    def check_params(self) -> None:
        if self.season_length < 1:
            raise ValueError(f"season_length: must be at least 1, got {self.season_length}")
        check_boxcox(self.boxcox)
        if self.seasonal_indices not in ("each_fit", "first_fit"):
            raise ValueError(
                f"seasonal_indices: expected 'each_fit' or 'first_fit', got "
                f"{self.seasonal_indices!r}"
            )

    def _level(self) -> _Level:
        raise NotImplementedError

    def _checked(self, y: YLike) -> FloatArray:
        values = as_float_array(y)
        if len(values) < self.capabilities.min_train:
            raise FitError(f"{len(values)} training points are too few")
        if not np.all(np.isfinite(values)):
            raise FitError("the training span has NaN or infinite values")
        return values

    def _fit_level(
        self, values: FloatArray, boxcox: BoxCoxTransform, indices: SeasonalIndices
    ) -> Self:
        z = boxcox.forward(values)
        level = self._level()
        level.fit(z / indices.at(np.arange(len(z))))
        self.boxcox_ = boxcox
        self.indices_ = indices
        self.level_ = level
        self.t_next_ = len(z)
        return self

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = self._checked(y)
        boxcox = BoxCoxTransform.fit(values, self.boxcox, self.season_length)
        indices = SeasonalIndices.fit(boxcox.forward(values), self.season_length)
        return self._fit_level(values, boxcox, indices)

    def refit(self, y: YLike, exog: XLike = None) -> BaseForecaster:
        """A new model on the longer span ``y``: with ``seasonal_indices = "first_fit"`` the
        smoothing is estimated again on the series adjusted by this fit's indices (and
        transformed by its λ); with ``"each_fit"`` everything is (a fresh fit)."""
        if self.seasonal_indices == "each_fit":
            return super().refit(y, exog)
        self._check_fitted("level_")
        return self.clone()._fit_level(self._checked(y), self.boxcox_, self.indices_)

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("level_")
        for value in self.boxcox_.forward(as_float_array(y_new)):
            self.level_.step(float(value) / float(self.indices_.at(np.array([self.t_next_]))[0]))
            self.t_next_ += 1
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("level_")
        positions = np.arange(self.t_next_, self.t_next_ + horizon)
        mean = self.boxcox_.inverse(self.level_.forecast(horizon) * self.indices_.at(positions))
        if not np.all(np.isfinite(mean)):
            raise FitError("the model produced a non-finite forecast")
        return Forecast(mean=np.asarray(mean, dtype=np.float64))

    def info(self) -> dict[str, Any]:
        self._check_fitted("level_")
        adjusted = {"seasonally_adjusted": self.indices_.adjusted}
        return {**adjusted, **self.level_.info(), **self.boxcox_.info()}


class Naive2(_Adjusted):
    """Persistence on the seasonally adjusted series (the M competitions' Naive2).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.tile([1.0, 2.0, 3.0, 4.0], 6) + 10
    >>> Naive2(season_length=4).fit(y).forecast(4).mean.round(6).tolist()
    [11.0, 12.0, 13.0, 14.0]
    """

    def _level(self) -> _Level:
        return _Persistence()


class SES(_Adjusted):
    """Simple exponential smoothing on the seasonally adjusted series."""

    def _level(self) -> _Level:
        return _Smoothing(trend=False, damped=False)


class Holt(_Adjusted):
    """Holt's linear-trend exponential smoothing on the seasonally adjusted series."""

    def _level(self) -> _Level:
        return _Smoothing(trend=True, damped=False)


class Damped(_Adjusted):
    """Damped-trend exponential smoothing on the seasonally adjusted series."""

    def _level(self) -> _Level:
        return _Smoothing(trend=True, damped=True)


class Theta(_Adjusted):
    """The Theta method (SES with drift) on the seasonally adjusted series."""

    def _level(self) -> _Level:
        return _Theta()


class Comb(_Adjusted):
    """The mean of SES, Holt and Damped on the seasonally adjusted series."""

    def _level(self) -> _Level:
        return _Mean(
            [
                _Smoothing(trend=False, damped=False),
                _Smoothing(trend=True, damped=False),
                _Smoothing(trend=True, damped=True),
            ]
        )
