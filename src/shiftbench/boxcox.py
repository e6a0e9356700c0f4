"""The Box-Cox transformation, its inverse and Guerrero's choice of λ, as R's ``forecast`` 8.20
defines them (``BoxCox``, ``InvBoxCox`` with ``biasadj = FALSE``, ``BoxCox.lambda`` with
``method = "guerrero"``), and the fitted transform a forecaster wraps around its fit.

- **Transform** (Box & Cox 1964, in Bickel & Doksum's signed form, R's ``BoxCox``):
  w = log(y) for λ = 0, w = (sign(y)·|y|^λ − 1)/λ otherwise; for λ < 0 negative values are
  missing (NaN), and a zero is too (0·∞). So for λ ≤ 0 a value ≤ 0 has no transform.
- **Inverse** (R's ``InvBoxCox``, ``biasadj = FALSE``): y = exp(w) for λ = 0, y =
  sign(λw + 1)·|λw + 1|^(1/λ) otherwise; for λ < 0 a w above −1/λ is outside the transform's
  range and is missing. Back-transformed point forecasts are the forecast median, not the mean.
- **Guerrero's λ** (Guerrero 1993, "Time-series analysis supported by power transformations",
  *J. Forecasting* 12: 37–48; R's ``BoxCox.lambda(x, method = "guerrero", lower = -1,
  upper = 2)``): the last ⌊n/p⌋·p observations are cut into ⌊n/p⌋ subseries of p = max(2, m)
  consecutive points (m = ``frequency(x)``, the season length); λ minimises the coefficient of
  variation (sd/mean) of sd_i / mean_i^(1−λ) over the subseries, in [lower, upper], by Brent's
  method (R's ``optimize``, tolerance ``.Machine$double.eps^0.25``; here scipy's bounded
  ``minimize_scalar``, the same Forsythe–Malcolm–Moler algorithm, at that tolerance). As in R,
  a series with a value ≤ 0 raises ``lower`` to 0, a series of at most 2·m points gets λ = 1,
  and a non-finite criterion counts as the largest double.

Models apply the transform to the training span before anything else and fix λ there:
``update`` transforms new observations with the fitted λ, so a rolling backtest never
re-estimates λ on test data.
"""

from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from shiftbench.errors import FitError
from shiftbench.types import FloatArray, Forecast

__all__ = [
    "GUERRERO_TOL",
    "LAMBDA_RANGE",
    "BoxCoxSetting",
    "BoxCoxTransform",
    "box_cox",
    "check_boxcox",
    "guerrero_lambda",
    "inv_box_cox",
]

#: A model's ``boxcox`` parameter: no transform, Guerrero's λ on the training span, or a λ.
BoxCoxSetting = Literal[False, "guerrero"] | float

#: The λ a model accepts (R's ``BoxCox.lambda`` default search range).
LAMBDA_RANGE = (-1.0, 2.0)

#: R's ``optimize`` default tolerance, ``.Machine$double.eps^0.25``.
GUERRERO_TOL = float(np.finfo(np.float64).eps ** 0.25)


def box_cox(y: ArrayLike, lam: float) -> FloatArray:
    """R's ``BoxCox(y, lambda)``: log for λ = 0, the signed power transform otherwise; NaN
    (or −∞ for log 0) where it is undefined.

    >>> box_cox([1.0, 4.0, 9.0], 0.5).tolist()
    [0.0, 2.0, 4.0]
    >>> box_cox([-1.0, 0.0, 2.0], -1.0).tolist()
    [nan, nan, 0.5]
    """
    x = np.asarray(y, dtype=np.float64).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if lam < 0:
            x[x < 0] = np.nan
        if lam == 0:
            out: FloatArray = np.log(x)
        else:
            out = (np.sign(x) * np.abs(x) ** lam - 1.0) / lam
    return out


def inv_box_cox(z: ArrayLike, lam: float) -> FloatArray:
    """R's ``InvBoxCox(z, lambda)`` with ``biasadj = FALSE``: NaN for λ < 0 where z > −1/λ.

    >>> inv_box_cox([0.0, 2.0, 4.0], 0.5).tolist()
    [1.0, 4.0, 9.0]
    >>> inv_box_cox([0.5, 2.0], -1.0).tolist()
    [2.0, nan]
    """
    w = np.asarray(z, dtype=np.float64).copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if lam < 0:
            w[w > -1.0 / lam] = np.nan
        if lam == 0:
            out: FloatArray = np.exp(w)
        else:
            xx = w * lam + 1.0
            out = np.sign(xx) * np.abs(xx) ** (1.0 / lam)
    return out


def _guerrero_cv(lam: float, x: FloatArray, period: int) -> float:
    """R's ``forecast:::guer.cv``: the coefficient of variation of sd/mean^(1−λ) over the
    subseries, as ``optimize`` sees it (a non-finite value becomes the largest double)."""
    n_sub = len(x) // period
    rows = x[len(x) - n_sub * period :].reshape(n_sub, period)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ratio = rows.std(axis=1, ddof=1) / rows.mean(axis=1) ** (1.0 - lam)
        ratio = ratio[~np.isnan(ratio)]  # na.rm = TRUE drops NaN, not ±Inf
        value = float(np.std(ratio, ddof=1) / np.mean(ratio)) if len(ratio) > 1 else math.nan
    return value if math.isfinite(value) else sys.float_info.max


def guerrero_lambda(
    y: ArrayLike, season_length: int, lower: float = -1.0, upper: float = 2.0
) -> float:
    """R's ``BoxCox.lambda(ts(y, frequency = season_length), method = "guerrero", lower,
    upper)`` (see the module docstring).

    >>> guerrero_lambda([1.0, 2.0, 3.0, 4.0], 2)
    1.0
    """
    from scipy.optimize import minimize_scalar

    x = np.asarray(y, dtype=np.float64)
    if np.any(x[~np.isnan(x)] <= 0):
        lower = max(lower, 0.0)
    if len(x) <= 2 * season_length:
        return 1.0
    period = round(max(2, season_length))
    result = minimize_scalar(
        _guerrero_cv,
        bounds=(lower, upper),
        args=(x, period),
        method="bounded",
        options={"xatol": GUERRERO_TOL, "maxiter": 10_000},
    )
    return float(result.x)


def check_boxcox(value: Any) -> None:
    """Raise ``ValueError("boxcox: ...")`` unless ``value`` is False, ``"guerrero"`` or a λ
    in :data:`LAMBDA_RANGE`.

    >>> check_boxcox(0.5), check_boxcox("guerrero"), check_boxcox(False)
    (None, None, None)
    """
    if value is False or value == "guerrero":
        return
    lo, hi = LAMBDA_RANGE
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and lo <= value <= hi):
        raise ValueError(
            f'boxcox: must be false, "guerrero" or a lambda in [{lo:g}, {hi:g}], got {value!r}'
        )


@dataclass(frozen=True)
class BoxCoxTransform:
    """The Box-Cox transform a model fitted: ``lam`` None is the identity (``boxcox = False``).

    ``fit`` fixes λ on the training span and, when asked (``scaled``, the ARIMA), a ``scale``:
    the standard deviation of the transformed training span, by which the transformed values
    are divided before the model sees them. The ARIMA is scale-equivariant (likelihood fits,
    AICc choices and unit-root tests are unchanged by a constant factor), so the scale changes
    no definition, only numerics: with λ near −1 a series in the thousands varies by 1e-5 on
    R's scale, where the ARIMA fit fails (4 of 205 M3 series). The exponential smoothing
    models are not scaled: their optimiser's first simplex depends on the data's scale, and R
    fits them on the transformed series as it is (scaled, Holt and Damped moved away from R's
    fits on a third of the reference sample).

    ``forward`` transforms observations (the training span and every later one) at that λ and
    scale; ``inverse`` and ``inverse_forecast`` bring forecasts back: the point forecast is the
    back-transformed median (``biasadj = FALSE``), interval bounds are back-transformed
    quantiles (an upper bound beyond the range of a λ < 0 is +∞), and the standard deviation
    is the first-order (delta-method) approximation sd·dy/dw at the median.

    >>> t = BoxCoxTransform.fit(np.array([1.0, 9.0]), 0.5, 1, scaled=True)  # w = 0, 4: scale 2
    >>> t.forward(np.array([9.0])).tolist(), t.inverse(np.array([2.0])).tolist()
    ([2.0], [9.0])
    >>> t.info()
    {'boxcox_lambda': 0.5}
    """

    lam: float | None = None
    method: str = "none"
    scale: float = 1.0

    @classmethod
    def fit(
        cls, y: FloatArray, setting: Any, season_length: int, *, scaled: bool = False
    ) -> BoxCoxTransform:
        """The transform of a model's ``boxcox`` parameter on its training span."""
        if setting is False:
            return cls()
        if setting == "guerrero":
            lam, method = guerrero_lambda(y, season_length), "guerrero"
        else:
            lam, method = float(setting), "fixed"
        if not scaled:
            return cls(lam, method)
        with np.errstate(invalid="ignore"):
            sd = float(np.std(box_cox(y, lam)))
        return cls(lam, method, sd if math.isfinite(sd) and sd > 0 else 1.0)

    def forward(self, y: FloatArray) -> FloatArray:
        """``y`` on the transformed scale; :class:`FitError` where it has no transform."""
        if self.lam is None:
            return y
        out = box_cox(y, self.lam)
        bad = ~np.isfinite(out) & np.isfinite(y)
        if np.any(bad):
            raise FitError(
                f"Box-Cox with lambda {self.lam:.4g} is undefined for values <= 0 "
                f"(got {float(y[bad][0]):g})"
            )
        return out / self.scale

    def inverse(self, z: FloatArray) -> FloatArray:
        """Transformed values (point forecasts) back on the scale of the data."""
        if self.lam is None:
            return z
        return inv_box_cox(np.asarray(z) * self.scale, self.lam)

    def _upper(self, z: FloatArray) -> FloatArray:
        """Upper quantiles back: +∞ beyond the range of a negative λ."""
        out = self.inverse(z)
        if self.lam is not None and self.lam < 0:
            out = np.where(np.asarray(z) * self.scale >= -1.0 / self.lam, np.inf, out)
        return out

    def inverse_forecast(self, forecast: Forecast) -> Forecast:
        """A forecast made on the transformed scale, back on the scale of the data."""
        if self.lam is None:
            return forecast
        mean = self.inverse(forecast.mean)
        sd = forecast.sd
        if sd is not None:
            slope = np.abs(mean) ** (1.0 - self.lam)  # dy/dw = |λw + 1|^(1/λ − 1) = |y|^(1 − λ)
            sd = np.asarray(sd * self.scale * slope, dtype=np.float64)
        intervals = {
            level: (self.inverse(lo), self._upper(hi))
            for level, (lo, hi) in forecast.intervals.items()
        }
        return replace(forecast, mean=mean, sd=sd, intervals=intervals)

    def info(self) -> dict[str, Any]:
        """The manifest's record: ``boxcox_lambda`` (nothing without a transform)."""
        return {} if self.lam is None else {"boxcox_lambda": self.lam}
