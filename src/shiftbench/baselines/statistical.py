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
  1985; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.1–8.2),
  parameters and initial states estimated by least squares with ``statsmodels`` on the adjusted
  training span.
- **Theta**: the Theta method of Assimakopoulos & Nikolopoulos (2000), the M3 winner, in the
  equivalent form of Hyndman & Billah (2003) used by R's ``forecast::thetaf``: SES with a drift
  of half the slope b of a linear trend fitted to the adjusted series,
  ŷ_{T+h} = ℓ_T + (b/2)·((h − 1) + (1 − (1 − α)^T)/α).
- **Comb**: the arithmetic mean of SES, Holt and Damped (the M4 benchmark "Comb S-H-D").
- **ETS**: exponential smoothing state-space models (Hyndman et al. 2002, 2008) chosen by
  AICc among additive and multiplicative errors, no/additive/damped trend and
  no/additive/multiplicative seasonality (``statsmodels`` ETSModel, maximum likelihood),
  excluding the unstable additive-error multiplicative-season combinations, as R's
  ``forecast::ets`` does by default.

Every model is fitted once on the training span; ``update`` runs its recursions forward over
new observations at the fitted parameters (no re-estimation), so a rolling backtest costs one
fit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from shiftbench.baselines.boxcox import BoxCoxSetting, BoxCoxTransform, check_boxcox
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
    """SES (``trend`` False), Holt (``trend`` True), Damped (``damped`` True): the error-
    correction recursions of Hyndman & Athanasopoulos (2021, §8.1–8.2) with statsmodels'
    least-squares estimates."""

    def __init__(self, trend: bool, damped: bool) -> None:
        self.trend = trend
        self.damped = damped

    def fit(self, z: FloatArray) -> None:
        from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.trend:
                fitted = Holt(z, damped_trend=self.damped, initialization_method="estimated").fit()
            else:
                fitted = SimpleExpSmoothing(z, initialization_method="estimated").fit()
        p = fitted.params
        self.alpha = float(p["smoothing_level"])
        self.beta = float(p["smoothing_trend"]) if self.trend else 0.0
        self.phi = float(p["damping_trend"]) if self.damped else 1.0
        self.level = float(p["initial_level"])
        self.slope = float(p["initial_trend"]) if self.trend else 0.0
        if not all(map(math.isfinite, (self.alpha, self.beta, self.phi, self.level, self.slope))):
            raise FitError("exponential smoothing estimated non-finite parameters")
        for value in z:
            self.step(float(value))

    def step(self, value: float) -> None:
        previous = self.level
        damped_slope = self.phi * self.slope
        self.level = self.alpha * value + (1.0 - self.alpha) * (previous + damped_slope)
        if self.trend:
            self.slope = self.beta * (self.level - previous) + (1.0 - self.beta) * damped_slope

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
        reseasonalised, then back-transformed (:mod:`shiftbench.baselines.boxcox`).
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=4, family="statistical")

    def __init__(self, *, season_length: int = 1, boxcox: BoxCoxSetting = False) -> None:
        self.season_length = season_length
        self.boxcox = boxcox

    def check_params(self) -> None:
        if self.season_length < 1:
            raise ValueError(f"season_length: must be at least 1, got {self.season_length}")
        check_boxcox(self.boxcox)

    def _level(self) -> _Level:
        raise NotImplementedError

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        if len(values) < self.capabilities.min_train:
            raise FitError(f"{len(values)} training points are too few")
        if not np.all(np.isfinite(values)):
            raise FitError("the training span has NaN or infinite values")
        boxcox = BoxCoxTransform.fit(values, self.boxcox, self.season_length)
        values = boxcox.forward(values)
        indices = SeasonalIndices.fit(values, self.season_length)
        level = self._level()
        level.fit(values / indices.at(np.arange(len(values))))
        self.boxcox_ = boxcox
        self.indices_ = indices
        self.level_ = level
        self.t_next_ = len(values)
        return self

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


#: An ETS form: (error, trend, damped, seasonal), statsmodels' ``ETSModel`` arguments.
ETSForm = tuple[str, str | None, bool, str | None]


def _ets_forms(seasonal: bool, positive: bool) -> list[ETSForm]:
    """The ETS forms searched, in order."""
    forms: list[ETSForm] = []
    for error in ("add", "mul") if positive else ("add",):
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            for season in (None, "add", "mul") if seasonal else (None,):
                if season == "mul" and (error == "add" or not positive):
                    continue  # forecast::ets(restrict = TRUE) leaves these out
                forms.append((error, trend, damped, season))
    return forms


@dataclass(frozen=True, eq=False)
class ETSResults:
    """What an ETS fit found: the form chosen, its estimates (statsmodels' ``ETSModel``
    parameters), its AICc, and how many candidate forms could be fitted."""

    form: ETSForm
    params: FloatArray
    aicc: float
    models_tried: int

    @property
    def label(self) -> str:
        """The model's name in Hyndman et al.'s taxonomy (error, trend, season).

        >>> ETSResults(("mul", "add", True, "add"), np.zeros(0), 0.0, 1).label
        'ETS(M,Ad,A)'
        """
        error, trend, damped, season = self.form
        name = f"ETS({error[0].upper()},{'N' if trend is None else 'Ad' if damped else 'A'},"
        return name + f"{'N' if season is None else season[0].upper()})"

    def info(self) -> dict[str, Any]:
        """The manifest's record of the fit: ``model``, ``aicc``, ``models_tried``."""
        return {"model": self.label, "aicc": self.aicc, "models_tried": self.models_tried}


#: The most iterations of the likelihood optimiser per ETS candidate.
MAX_MAXITER = 100_000


class ETS(BaseForecaster):
    """Automatic exponential smoothing (ETS) chosen by AICc on the training span.

    Parameters
    ----------
    season_length
        The seasonal period m; seasonal forms are tried when m > 1 and the training span holds
        at least two seasons and two points more (2·m + 2).
    maxiter
        Iterations of the likelihood optimiser per candidate.
    boxcox
        False, ``"guerrero"`` or a λ in [−1, 2]: ETS on the Box-Cox transformed series, its
        forecasts back-transformed (:mod:`shiftbench.baselines.boxcox`).

    Attributes
    ----------
    results_
        What the fit found (:class:`ETSResults`); fixed until the next ``fit``.
    y_
        Every observation seen (the training span, then each ``update``), Box-Cox transformed
        by ``boxcox_`` (λ fixed by the fit): forecasts filter them at the fitted parameters.

    Examples
    --------
    >>> import numpy as np
    >>> y = 50 + np.cumsum(np.random.default_rng(0).normal(size=60))
    >>> model = ETS().fit(y)
    >>> model.forecast(3).mean.shape
    (3,)
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=8, family="statistical")

    def __init__(
        self, *, season_length: int = 1, maxiter: int = 200, boxcox: BoxCoxSetting = False
    ) -> None:
        self.season_length = season_length
        self.maxiter = maxiter
        self.boxcox = boxcox

    def check_params(self) -> None:
        if self.season_length < 1:
            raise ValueError(f"season_length: must be at least 1, got {self.season_length}")
        if not 1 <= self.maxiter <= MAX_MAXITER:
            raise ValueError(f"maxiter: must lie in 1..{MAX_MAXITER}, got {self.maxiter}")
        check_boxcox(self.boxcox)

    def _model(self, y: FloatArray, form: ETSForm) -> Any:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        error, trend, damped, season = form
        return ETSModel(
            y,
            error=error,
            trend=trend,
            damped_trend=damped,
            seasonal=season,
            seasonal_periods=self.season_length if season else None,
            initialization_method="estimated",
        )

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        if not np.all(np.isfinite(values)):
            raise FitError("ETS: the training span has NaN or infinite values")
        boxcox = BoxCoxTransform.fit(values, self.boxcox, self.season_length)
        values = boxcox.forward(values)
        m = self.season_length
        seasonal = m > 1 and len(values) >= 2 * m + 2
        best: tuple[float, ETSForm, Any] | None = None
        tried = 0
        for form in _ets_forms(seasonal, bool(np.all(values > 0))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    result = self._model(values, form).fit(disp=False, maxiter=self.maxiter)
                except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
                    continue
            tried += 1
            score = float(result.aicc)
            if math.isfinite(score) and (best is None or score < best[0]):
                best = (score, form, result)
        if best is None:
            raise FitError("ETS: no candidate model could be fitted")
        self.results_ = ETSResults(
            form=best[1],
            params=np.asarray(best[2].params, dtype=np.float64),
            aicc=best[0],
            models_tried=tried,
        )
        self.boxcox_ = boxcox
        self.y_ = values
        return self

    def _smoothed(self, y: FloatArray) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._model(y, self.results_.form).smooth(self.results_.params)

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("results_")
        self.y_ = np.concatenate([self.y_, self.boxcox_.forward(as_float_array(y_new))])
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("results_")
        mean = np.asarray(self._smoothed(self.y_).forecast(horizon), dtype=np.float64)
        mean = self.boxcox_.inverse(mean)
        if not np.all(np.isfinite(mean)):
            raise FitError("ETS produced a non-finite forecast")
        return Forecast(mean=mean)

    def one_step_path(self, y_seen: YLike, exog_targets: XLike = None) -> Forecast:
        """Every one-step origin from one filtering pass over the data at fixed parameters."""
        self._check_fitted("results_")
        seen = self.boxcox_.forward(as_float_array(y_seen, "y_seen"))
        full = np.concatenate([self.y_, seen])
        smoothed = self._smoothed(full)
        inside = np.asarray(smoothed.fittedvalues, dtype=np.float64)[len(self.y_) :]
        last = np.asarray(smoothed.forecast(1), dtype=np.float64)
        mean = self.boxcox_.inverse(np.concatenate([inside, last]))
        if not np.all(np.isfinite(mean)):
            raise FitError("ETS produced a non-finite forecast")
        return Forecast(mean=mean)

    def info(self) -> dict[str, Any]:
        self._check_fitted("results_")
        return {**self.results_.info(), **self.boxcox_.info()}
