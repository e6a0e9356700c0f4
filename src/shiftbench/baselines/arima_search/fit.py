"""Fitting one candidate order of the search and scoring it by AICc: by conditional sum of
squares (:func:`fit_css`), the approximation auto.arima uses on long series, or by exact
Gaussian maximum likelihood of the differenced series (:func:`fit_exact`). Both return a
:class:`CandidateFit`, or None for an order that cannot be fitted or is inadmissible (a root
of the AR or MA polynomial within :data:`MIN_ROOT` of the unit circle, as auto.arima rules).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from shiftbench.baselines.arima_search.candidates import Spec
from shiftbench.baselines.arima_search.likelihood import (
    arma_loglike,
    css_residuals,
    toeplitz_terms,
)
from shiftbench.baselines.arima_search.polynomials import (
    ar_to_pacf,
    arma_polynomials,
    invert_ma,
    min_root_modulus,
    pacf_to_ar,
)
from shiftbench.baselines.arima_search.unitroot import difference
from shiftbench.types import FloatArray

#: Roots closer to the unit circle than this make a candidate inadmissible (auto.arima).
MIN_ROOT = 1.01


@dataclass(frozen=True)
class CandidateFit:
    """The fit of one candidate in the search: its score, how it was estimated, and the
    coefficients (the starting values of the final fit)."""

    spec: Spec
    aicc: float
    sigma2: float
    beta: FloatArray  # the regressors' coefficients (trend column first)
    ar: FloatArray
    ma: FloatArray
    sar: FloatArray
    sma: FloatArray
    exact: bool = False  # exact ML (True) or CSS (False)

    @classmethod
    def inadmissible(cls, spec: Spec) -> CandidateFit:
        """A candidate that could not be fitted or is inadmissible: AICc infinite."""
        empty = np.zeros(0)
        return cls(spec, math.inf, math.nan, empty, empty, empty, empty, empty)

    def params(self) -> FloatArray:
        """statsmodels' parameter vector: regressors, AR, MA, seasonal AR, seasonal MA, σ²."""
        return np.concatenate([self.beta, self.ar, self.ma, self.sar, self.sma, [self.sigma2]])


def _prepare(
    y: FloatArray, design: FloatArray | None, spec: Spec
) -> tuple[FloatArray, FloatArray | None, FloatArray]:
    """The differenced series, regressors and their least-squares coefficients."""
    w = difference(y, spec.d, spec.D, spec.m)
    xw = None if design is None else difference(design, spec.d, spec.D, spec.m)
    beta0 = np.zeros(0) if xw is None else np.linalg.lstsq(xw, w, rcond=None)[0]
    return w, xw, np.asarray(beta0, dtype=np.float64)


def _aicc(minus2ll: float, k: int, n_star: int) -> float:
    return minus2ll + 2.0 * k + 2.0 * k * (k + 1) / (n_star - k - 1)


def _admissible(
    ar: FloatArray, ma: FloatArray, sar: FloatArray, sma: FloatArray, m: int, min_root: float
) -> bool:
    """No root of φ(B)Φ(B^m) or θ(B)Θ(B^m) within ``min_root`` of the unit circle."""
    return not (
        min_root_modulus(ar, sar, m, -1.0) < min_root
        or min_root_modulus(ma, sma, m, 1.0) < min_root
    )


def fit_css(
    y: FloatArray,
    design: FloatArray | None,
    spec: Spec,
    n_obs: int,
    min_root: float = MIN_ROOT,
) -> CandidateFit | None:
    """Fit ``spec`` by conditional sum of squares (Box & Jenkins 1976, §7.1; R's
    ``arima(method = "CSS")``): the differenced series minus its regression part is filtered
    by φ(B)Φ(B^m) from the (p + mP)-th point on, then by 1/θ(B)Θ(B^m) with pre-sample errors
    zero (:func:`~shiftbench.baselines.arima_search.likelihood.css_residuals`); the squared
    errors are minimised by Levenberg–Marquardt from zero ARMA terms and the least-squares
    regression coefficients.

    The score is auto.arima's approximate AICc, n*·log σ̂² + 2k plus the small-sample term, with
    n* = n − d − mD, σ̂² the mean squared error and k the number of coefficients plus one. None
    when there are too few observations, the solver fails, σ̂² is not finite, or a root lies
    within ``min_root`` of the unit circle.
    """
    from scipy.optimize import least_squares

    w, xw, beta0 = _prepare(y, design, spec)
    n_reg = len(beta0)
    start = spec.p + spec.P * spec.m
    n_arma = spec.p + spec.q + spec.P + spec.Q
    n_par = n_reg + n_arma
    n_star = n_obs - spec.d - spec.D * spec.m
    n_used = len(w) - start
    if n_used <= n_par + 2 or n_star - n_par - 2 <= 0:
        return None
    cuts = np.cumsum([n_reg, spec.p, spec.q, spec.P])

    def residuals(theta: FloatArray) -> FloatArray:
        beta, ar, ma, sar, sma = np.split(theta, cuts)
        z = w if xw is None else w - xw @ beta
        e = css_residuals(z, *arma_polynomials(ar, ma, sar, sma, spec.m))
        if np.all(np.isfinite(e)) and np.max(np.abs(e)) < 1e100:
            return e
        return np.clip(np.nan_to_num(e, nan=1e100, posinf=1e100, neginf=-1e100), -1e100, 1e100)

    theta = np.concatenate([beta0, np.zeros(n_arma)])
    if n_par:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                solved = least_squares(
                    residuals, theta, method="lm", xtol=1e-8, ftol=1e-8, max_nfev=60
                )
            except (ValueError, np.linalg.LinAlgError):
                return None
        theta = solved.x
    sigma2 = float(np.mean(residuals(theta) ** 2))
    if not np.isfinite(sigma2) or sigma2 >= 1e150:
        return None
    beta, ar, ma, sar, sma = np.split(theta, cuts)
    if not _admissible(ar, ma, sar, sma, spec.m, min_root):
        return None
    minus2ll = n_star * math.log(sigma2) if sigma2 > 0 else -math.inf
    return CandidateFit(spec, _aicc(minus2ll, n_par + 1, n_star), sigma2, beta, ar, ma, sar, sma)


def exact_loglike(
    y: FloatArray, design: FloatArray | None, spec: Spec, params: FloatArray
) -> float:
    """The exact Gaussian log-likelihood that :func:`fit_exact` maximises, at ``params`` in
    statsmodels' order (:meth:`CandidateFit.params`: regressors, AR, MA, seasonal AR,
    seasonal MA, σ²): that of the differenced series less its differenced regression part
    under the stationary ARMA, the differenced states diffuse (statsmodels' ``SARIMAX`` with
    ``simple_differencing=True`` and ``trend="n"``, the trend as ``design``'s columns).

    >>> y = np.array([1.0, 3.0, 2.0])  # ARIMA(0,1,0): Δy = [2, −1] white noise, σ² = 1
    >>> round(exact_loglike(y, None, Spec(0, 1, 0), np.array([1.0])), 6)
    -4.337877
    """
    w, xw, _ = _prepare(y, design, spec)
    n_reg = 0 if xw is None else xw.shape[1]
    cuts = np.cumsum([n_reg, spec.p, spec.q, spec.P, spec.Q])
    beta, ar, ma, sar, sma, sigma2 = np.split(np.asarray(params, dtype=np.float64), cuts)
    z = w if xw is None else w - xw @ beta
    return arma_loglike(z, *arma_polynomials(ar, ma, sar, sma, spec.m), float(sigma2[0]))


def fit_exact(
    y: FloatArray,
    design: FloatArray | None,
    spec: Spec,
    n_obs: int,
    start: CandidateFit | None = None,
) -> CandidateFit | None:
    """Fit ``spec`` by exact Gaussian maximum likelihood of the differenced series, the
    likelihood R's ``arima(method = "ML")`` maximises (the differenced states diffuse).

    The likelihood of the n* differenced values is that of a stationary ARMA (see
    :func:`exact_loglike`): its covariance matrix is the Toeplitz matrix of the ARMA's
    autocovariances, factorised by Cholesky; σ² is concentrated out. The AR and MA factors are
    optimised through :func:`~shiftbench.baselines.arima_search.polynomials.pacf_to_ar` (the MA
    as statsmodels' ``enforce_invertibility`` does) so that every trial is stationary and
    invertible. BFGS starts from the CSS estimates (``start``, their MA made invertible) where
    they are stationary, from zeros and the least-squares regression otherwise. The score is
    the exact AICc; None when the fit fails or is inadmissible (:data:`MIN_ROOT`).
    """
    from scipy.optimize import minimize

    w, xw, beta0 = _prepare(y, design, spec)
    n_reg = len(beta0)
    n_star = len(w)
    n_par = n_reg + spec.p + spec.q + spec.P + spec.Q
    if n_star - n_par - 2 <= 0:
        return None
    c1, c2, c3, c4 = np.cumsum([n_reg, spec.p, spec.q, spec.P])
    scale = float(np.std(w)) or 1.0

    def unpack(theta: FloatArray) -> list[FloatArray]:
        return [
            theta[:c1] * scale,
            pacf_to_ar(theta[c1:c2]),
            -pacf_to_ar(theta[c2:c3]),  # θ(B) invertible ⇔ the AR polynomial of −θ stationary
            pacf_to_ar(theta[c3:c4]),
            -pacf_to_ar(theta[c4:]),
        ]

    def evaluate(theta: FloatArray) -> tuple[float, float]:
        """(−2 log L)/n* less constants, and the sum of squares of the whitened series."""
        beta, ar, ma, sar, sma = unpack(theta)
        z = (w if xw is None else w - xw @ beta) / scale
        terms = toeplitz_terms(z, *arma_polynomials(ar, ma, sar, sma, spec.m))
        if terms is None:
            return 1e10, math.nan
        ssq, logdet = terms
        return math.log(ssq / n_star) + logdet / n_star, ssq

    def objective(theta: FloatArray) -> float:
        return evaluate(theta)[0]

    theta0 = np.concatenate(
        [beta0 / scale, np.zeros(spec.p), np.zeros(spec.q), np.zeros(spec.P), np.zeros(spec.Q)]
    )
    if start is not None:
        parts = [
            ar_to_pacf(start.ar),
            ar_to_pacf(-invert_ma(start.ma)),
            ar_to_pacf(start.sar),
            ar_to_pacf(-invert_ma(start.sma)),
        ]
        if all(part is not None for part in parts):
            x_ar, x_ma, x_sar, x_sma = (np.clip(part, -5.0, 5.0) for part in parts)  # type: ignore[arg-type]
            theta0 = np.concatenate([start.beta / scale, x_ar, x_ma, x_sar, x_sma])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if n_par:
            solved = minimize(objective, theta0, method="BFGS", options={"gtol": 1e-3})
            theta = solved.x
        else:
            theta = theta0
        value, ssq = evaluate(theta)
    if value >= 1e10 or not np.isfinite(value):
        return None
    beta, ar, ma, sar, sma = unpack(theta)
    if not _admissible(ar, ma, sar, sma, spec.m, MIN_ROOT):
        return None
    minus2ll = n_star * (value + 2.0 * math.log(scale) + 1.0 + math.log(2.0 * math.pi))
    sigma2 = ssq / n_star * scale**2  # the concentrated σ̂² on the data's scale
    return CandidateFit(
        spec, _aicc(minus2ll, n_par + 1, n_star), sigma2, beta, ar, ma, sar, sma, exact=True
    )
