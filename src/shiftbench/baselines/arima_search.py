"""The order search of :class:`~shiftbench.baselines.arima.ARIMA`, after ``forecast::auto.arima``.

Hyndman & Khandakar, "Automatic time series forecasting: the forecast package for R", *Journal
of Statistical Software* 27(3), 2008, and the R function as of forecast 8.x:

1. **Seasonal differencing D** (0 or 1) by the seasonal-strength heuristic that
   ``forecast::nsdiffs(test = "seas")`` uses by default: an STL decomposition (Cleveland et al.
   1990; seasonal window 11 and seasonal degree 0, as ``forecast::mstl`` calls R's ``stl``) gives
   F_S = max(0, 1 − Var(R)/Var(S + R)) (Wang, Smith & Hyndman 2006), and D = 1 when F_S > 0.64.
   Not tested when the series has 2·m points or fewer.
2. **Differencing d** (0..``max_d``) by the KPSS test (Kwiatkowski et al. 1992) of level
   stationarity at 5 % on the seasonally differenced series, repeated on its differences, with
   the lag truncation ⌊3·√n/13⌋ of ``forecast::ndiffs`` (``forecast::ndiffs(test = "kpss")``).
3. **p, q, P, Q and the constant** (a mean when d + D = 0, a drift when d + D = 1, none
   otherwise) minimise AICc. The stepwise walk starts from ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0),
   (1,d,0)(1,D,0), (0,d,1)(0,D,1) and the constant-free (0,d,0)(0,D,0); it then tries the
   neighbours of the current best in auto.arima's order (P, Q, then p, q by ±1, alone and
   together, then the constant) and moves to the first that improves AICc, at most 94 models.
   Bounds as in auto.arima: p, q ≤ 5 and ≤ m − 1 for seasonal data, P, Q ≤ 2, each at most a
   third of the series (⌊n/3⌋, ⌊n/(3m)⌋); ``max_order`` (p + q + P + Q ≤ 5) bounds only the full
   grid (``stepwise=False``), as in auto.arima.
4. **Admissible only**: a model whose AR or MA polynomial has a root within 1.01 of the unit
   circle scores infinity, as in auto.arima.

Where it differs from auto.arima, and why:

- Every candidate is scored by the **conditional sum of squares** (CSS), the approximation
  auto.arima itself uses when n > 150 or m > 12, on every series: the CSS fit here is a few
  vectorised filters and a Levenberg–Marquardt solve (milliseconds), where an exact-likelihood
  fit in statsmodels' state space costs 50–300 ms per seasonal candidate. auto.arima then refits
  the best order by exact maximum likelihood; shiftbench refits the ``refine`` best orders
  (default 3) by exact ML and keeps the lowest exact AICc among them, which recovers the
  orders an exact-likelihood search would pick on all but a few series (measured in
  ``tests/baselines/test_arima_reference.py`` against statsforecast's port of auto.arima).
- Seasonal terms are searched only for 2 ≤ m ≤ ``max_season`` (24): a seasonal ARMA at a
  longer period (sine's 100, a daily series' 365) needs a state vector of hundreds of entries.
  auto.arima fits these slowly or refuses them (``arima`` caps m at 350); shiftbench says so in
  the fit's ``info()`` and searches the non-seasonal orders.
- Covariates are regressors: for the CSS scores their coefficients are estimated jointly with
  the ARMA terms on the differenced data (auto.arima first regresses by least squares); the
  final fit estimates everything by exact ML.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, replace

import numpy as np

from shiftbench.errors import FitError
from shiftbench.types import FloatArray

#: The threshold of seasonal strength above which one seasonal difference is taken
#: (``forecast:::seas.heuristic`` via ``nsdiffs``).
SEASONAL_STRENGTH_THRESHOLD = 0.64

#: auto.arima's cap on the number of models the stepwise walk fits.
MAX_MODELS = 94

#: Roots closer to the unit circle than this make a candidate inadmissible (auto.arima).
MIN_ROOT = 1.01


@dataclass(frozen=True, order=True)
class Spec:
    """One seasonal ARIMA(p,d,q)(P,D,Q)[m] with or without its constant."""

    p: int
    d: int
    q: int
    P: int = 0
    D: int = 0
    Q: int = 0
    m: int = 1
    constant: bool = False

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.p, self.d, self.q)

    @property
    def seasonal_order(self) -> tuple[int, int, int, int]:
        """statsmodels' (P, D, Q, s); (0, 0, 0, 0) for a non-seasonal model."""
        if self.P == self.D == self.Q == 0:
            return (0, 0, 0, 0)
        return (self.P, self.D, self.Q, self.m)

    @property
    def trend(self) -> str:
        """The deterministic term as shiftbench builds it: ``"c"`` a mean (d + D = 0), ``"t"`` a
        linear trend, that is a drift once differenced (d + D = 1), ``"n"`` none."""
        if not self.constant or self.d + self.D >= 2:
            return "n"
        return "c" if self.d + self.D == 0 else "t"

    @property
    def burn_in(self) -> int:
        """Observations consumed by the differencing and the AR lags."""
        return self.d + self.D * self.m + self.p + self.P * self.m

    @property
    def label(self) -> str:
        text = f"ARIMA({self.p},{self.d},{self.q})"
        if self.seasonal_order != (0, 0, 0, 0):
            text += f"({self.P},{self.D},{self.Q})[{self.m}]"
        if self.trend == "c":
            text += " with mean"
        elif self.trend == "t":
            text += " with drift"
        return text

    def replace_trend(self, trend: str) -> Spec:
        """This order with a given trend code (a user's fixed ``trend``)."""
        return replace(self, constant=trend != "n")


def kpss_lags(n: int) -> int:
    """The KPSS lag truncation ⌊3·√n/13⌋ of ``forecast::ndiffs`` (Hyndman's forecast ≥ 8.0,
    followed by statsforecast), from Schwert's (1989) rule.

    >>> kpss_lags(100), kpss_lags(1600)
    (2, 9)
    """
    return math.floor(3.0 * math.sqrt(n) / 13.0)


def _is_constant(x: FloatArray) -> bool:
    return len(x) < 2 or bool(np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))))


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
        if len(x) < 5 or _is_constant(x):
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # InterpolationWarning outside the p-value table
            p_value = kpss(x, regression="c", nlags=kpss_lags(len(x)))[1]
        if p_value >= alpha:
            break
        x = np.diff(x)
        d += 1
    return d


def seasonal_strength(y: FloatArray, m: int) -> float:
    """F_S = max(0, 1 − Var(remainder)/Var(seasonal + remainder)) of an STL decomposition
    (Wang, Smith & Hyndman 2006; ``forecast:::seas.heuristic``), in [0, 1].

    >>> import numpy as np
    >>> k = np.arange(120)
    >>> round(seasonal_strength(np.sin(2 * np.pi * k / 12) + 0.01 * np.cos(k * 1.3), 12), 2)
    1.0
    """
    from statsmodels.tsa.seasonal import STL

    x = np.asarray(y, dtype=np.float64)
    fit = STL(x, period=m, seasonal=11, seasonal_deg=0, robust=False).fit()
    remainder = np.asarray(fit.resid)
    seasonal = np.asarray(fit.seasonal)
    total = float(np.var(remainder + seasonal, ddof=1))
    if total <= 0.0:
        return 0.0
    return float(max(0.0, min(1.0, 1.0 - float(np.var(remainder, ddof=1)) / total)))


def nsdiffs_strength(y: FloatArray, m: int) -> int:
    """Seasonal differences (0 or 1) by seasonal strength > 0.64 (``nsdiffs(test="seas")``)."""
    x = np.asarray(y, dtype=np.float64)
    if m < 2 or len(x) <= 2 * m or _is_constant(x):
        return 0
    return int(seasonal_strength(x, m) > SEASONAL_STRENGTH_THRESHOLD)


def difference(x: FloatArray, d: int, D: int, m: int) -> FloatArray:
    """(1 − B)^d (1 − B^m)^D x along the first axis."""
    out = np.asarray(x, dtype=np.float64)
    for _ in range(D):
        out = out[m:] - out[:-m]
    for _ in range(d):
        out = out[1:] - out[:-1]
    return out


def _lag_polynomial(coefs: FloatArray, sign: float, step: int = 1) -> FloatArray:
    """1 + sign·(c_1 B^step + c_2 B^{2·step} + …) as an array of coefficients."""
    poly = np.zeros(len(coefs) * step + 1)
    poly[0] = 1.0
    poly[step::step] = sign * np.asarray(coefs)
    return poly


def min_root_modulus(nonseasonal: FloatArray, seasonal: FloatArray, m: int, sign: float) -> float:
    """The smallest modulus of a root of the lag polynomial φ(B)Φ(B^m) (sign −1) or
    θ(B)Θ(B^m) (sign +1): a root r of Φ(z) gives m roots of modulus |r|^{1/m}."""
    smallest = math.inf
    for coefs, power in ((nonseasonal, 1), (seasonal, m)):
        coefs = np.asarray(coefs, dtype=np.float64)
        nonzero = np.flatnonzero(np.abs(coefs) > 1e-8)
        if not len(nonzero):
            continue
        poly = np.concatenate([[1.0], sign * coefs[: nonzero[-1] + 1]])
        roots = np.polynomial.polynomial.polyroots(poly)
        if len(roots):
            smallest = min(smallest, float(np.min(np.abs(roots))) ** (1.0 / power))
    return smallest


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
    zero; the squared errors are minimised by Levenberg–Marquardt from zero ARMA terms and the
    least-squares regression coefficients.

    The score is auto.arima's approximate AICc, n*·log σ̂² + 2k plus the small-sample term, with
    n* = n − d − mD, σ̂² the mean squared error and k the number of coefficients plus one. None
    when there are too few observations or the fit is inadmissible (roots within
    :data:`MIN_ROOT`).
    """
    from scipy.optimize import least_squares
    from scipy.signal import lfilter

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
        ar_poly = np.convolve(_lag_polynomial(ar, -1.0), _lag_polynomial(sar, -1.0, spec.m))
        ma_poly = np.convolve(_lag_polynomial(ma, 1.0), _lag_polynomial(sma, 1.0, spec.m))
        u = np.convolve(z, ar_poly, mode="valid") if start else z
        e = lfilter([1.0], ma_poly, u) if len(ma_poly) > 1 else u
        if np.all(np.isfinite(e)) and np.max(np.abs(e)) < 1e100:
            return np.asarray(e)
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
    if min_root_modulus(ar, sar, spec.m, -1.0) < min_root:
        return None
    if min_root_modulus(ma, sma, spec.m, 1.0) < min_root:
        return None
    minus2ll = n_star * math.log(sigma2) if sigma2 > 0 else -math.inf
    return CandidateFit(spec, _aicc(minus2ll, n_par + 1, n_star), sigma2, beta, ar, ma, sar, sma)


def pacf_to_ar(raw: FloatArray) -> FloatArray:
    """Jones's (1980) reparametrisation, as R's ``arima`` (``partrans``) uses it: unconstrained
    values → partial autocorrelations tanh(raw) → the AR coefficients of a stationary process
    by the Durbin–Levinson recursion.

    >>> pacf_to_ar(np.arctanh(np.array([0.5])))
    array([0.5])
    """
    new = np.tanh(np.asarray(raw, dtype=np.float64))
    work = new.copy()
    for j in range(1, len(new)):
        a = new[j]
        work[:j] -= a * new[:j][::-1]
        new[:j] = work[:j]
    return new


def ar_to_pacf(phi: FloatArray) -> FloatArray | None:
    """The inverse of :func:`pacf_to_ar` (R's ``invpartrans``); None for a non-stationary AR."""
    new = np.asarray(phi, dtype=np.float64).copy()
    work = new.copy()
    for j in range(len(new) - 1, 0, -1):
        a = new[j]
        if abs(a) >= 1.0:
            return None
        work[:j] = (new[:j] + a * new[:j][::-1]) / (1.0 - a * a)
        new[:j] = work[:j]
    if len(new) and np.max(np.abs(new)) >= 1.0:
        return None
    return np.arctanh(new)


def arma_acov(ar_poly: FloatArray, ma_poly: FloatArray, n: int) -> FloatArray:
    """Autocovariances γ(0..n−1) of the stationary ARMA φ(B)x = θ(B)e with Var e = 1, exactly
    (Brockwell & Davis 1991, §3.3, eqs. 3.3.8–3.3.9); ``ar_poly`` = [1, −φ_1, …],
    ``ma_poly`` = [1, θ_1, …].

    >>> np.round(arma_acov(np.array([1.0, -0.5]), np.array([1.0]), 3), 6)  # AR(1): 0.5^k/0.75
    array([1.333333, 0.666667, 0.333333])
    """
    from scipy.signal import lfilter

    p, q = len(ar_poly) - 1, len(ma_poly) - 1
    size = max(p, q) + 1
    impulse = np.zeros(size)
    impulse[0] = 1.0
    psi = lfilter(ma_poly, ar_poly, impulse)  # ψ_0..ψ_{size-1}
    ar = np.zeros(2 * size)
    ar[: p + 1] = ar_poly
    # row k: γ(k) − Σ_j φ_j γ(|k − j|) = Σ_{i ≥ 0} θ_{k+i} ψ_i  (γ(−h) = γ(h))
    a = ar[_lower_index(size)] * _lower_mask(size)
    a[:, 1:] += ar[_upper_index(size)] * _upper_mask(size)
    b = np.zeros(size)
    full = np.correlate(ma_poly, psi[: q + 1], mode="full")[q:]
    b[: min(size, len(full))] = full[:size]
    gamma = np.zeros(max(n, size))
    gamma[:size] = np.linalg.solve(a, b)
    if n > size:
        # continue γ(k) = Σ φ_j γ(k − j) by filtering an input that reproduces γ(0..size−1)
        drive = np.zeros(len(gamma))
        drive[:size] = np.convolve(gamma[:size], ar_poly)[:size]
        gamma = lfilter([1.0], ar_poly, drive)
    return gamma[:n]


@functools.lru_cache(maxsize=64)
def _lower_index(size: int) -> np.ndarray:
    rows, cols = np.indices((size, size))
    return np.asarray(np.clip(rows - cols, 0, None))


@functools.lru_cache(maxsize=64)
def _lower_mask(size: int) -> np.ndarray:
    rows, cols = np.indices((size, size))
    return (cols <= rows).astype(np.float64)


@functools.lru_cache(maxsize=64)
def _upper_index(size: int) -> np.ndarray:
    rows, cols = np.indices((size, size - 1))
    return np.asarray(rows + cols + 1)


@functools.lru_cache(maxsize=64)
def _upper_mask(size: int) -> np.ndarray:
    rows, cols = np.indices((size, size - 1))
    return ((cols + 1) < size - rows).astype(np.float64)


@functools.lru_cache(maxsize=64)
def _toeplitz_index(n: int) -> np.ndarray:
    rows, cols = np.indices((n, n))
    return np.asarray(np.abs(rows - cols))


def _invert_ma(coefs: FloatArray) -> FloatArray:
    """An MA polynomial with its roots inside the unit circle reflected outside (R's
    ``maInvert``): the same autocovariances, the invertible representation."""
    coefs = np.asarray(coefs, dtype=np.float64)
    nonzero = np.flatnonzero(np.abs(coefs) > 1e-12)
    if not len(nonzero):
        return coefs
    roots = np.polynomial.polynomial.polyroots(np.concatenate([[1.0], coefs[: nonzero[-1] + 1]]))
    inside = np.abs(roots) < 1.0
    if not inside.any():
        return coefs
    roots[inside] = 1.0 / roots[inside]
    poly = np.real(np.polynomial.polynomial.polyfromroots(roots))
    out = np.zeros_like(coefs)
    out[: nonzero[-1] + 1] = (poly / poly[0])[1:]
    return out


#: Series longer than this are searched by CSS (auto.arima's ``approximation``: n > 150).
EXACT_MAX_N = 150


def fit_exact(
    y: FloatArray,
    design: FloatArray | None,
    spec: Spec,
    n_obs: int,
    start: CandidateFit | None = None,
) -> CandidateFit | None:
    """Fit ``spec`` by exact Gaussian maximum likelihood of the differenced series, the
    likelihood R's ``arima(method = "ML")`` maximises (the differenced states diffuse).

    The likelihood of the n* differenced values is that of a stationary ARMA: its covariance
    matrix is the Toeplitz matrix of :func:`arma_acov`, factorised by Cholesky; σ² is
    concentrated out. The AR and MA factors are optimised through :func:`pacf_to_ar` (the MA
    as statsmodels' ``enforce_invertibility`` does) so that every trial is stationary and
    invertible. BFGS starts
    from the CSS estimates (``start``) where they are stationary, from zeros otherwise. The
    score is the exact AICc; None when the fit fails or is inadmissible.
    """
    from scipy.linalg.lapack import dpotrf, dtrtrs
    from scipy.optimize import minimize

    w, xw, beta0 = _prepare(y, design, spec)
    n_reg = len(beta0)
    n_star = len(w)
    n_par = n_reg + spec.p + spec.q + spec.P + spec.Q
    if n_star - n_par - 2 <= 0:
        return None
    c1, c2, c3, c4 = np.cumsum([n_reg, spec.p, spec.q, spec.P])
    scale = float(np.std(w)) or 1.0
    index = _toeplitz_index(n_star)

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
        ar_poly = np.convolve(_lag_polynomial(ar, -1.0), _lag_polynomial(sar, -1.0, spec.m))
        ma_poly = np.convolve(_lag_polynomial(ma, 1.0), _lag_polynomial(sma, 1.0, spec.m))
        try:
            gamma = arma_acov(ar_poly, ma_poly, n_star)
        except np.linalg.LinAlgError:
            return 1e10, math.nan
        chol, info = dpotrf(gamma[index], lower=1, clean=0)
        if info != 0:
            return 1e10, math.nan
        u, info = dtrtrs(chol, z, lower=1)
        ssq = float(u @ u)
        if info != 0 or not ssq > 0 or not np.isfinite(ssq):
            return 1e10, math.nan
        return math.log(ssq / n_star) + 2.0 * float(np.sum(np.log(np.diag(chol)))) / n_star, ssq

    def objective(theta: FloatArray) -> float:
        return evaluate(theta)[0]

    theta0 = np.concatenate(
        [beta0 / scale, np.zeros(spec.p), np.zeros(spec.q), np.zeros(spec.P), np.zeros(spec.Q)]
    )
    if start is not None:
        parts = [
            ar_to_pacf(start.ar),
            ar_to_pacf(-_invert_ma(start.ma)),
            ar_to_pacf(start.sar),
            ar_to_pacf(-_invert_ma(start.sma)),
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
    if min_root_modulus(ar, sar, spec.m, -1.0) < MIN_ROOT:
        return None
    if min_root_modulus(ma, sma, spec.m, 1.0) < MIN_ROOT:
        return None
    minus2ll = n_star * (value + 2.0 * math.log(scale) + 1.0 + math.log(2.0 * math.pi))
    sigma2 = ssq / n_star * scale**2  # the concentrated σ̂² on the data's scale
    return CandidateFit(
        spec, _aicc(minus2ll, n_par + 1, n_star), sigma2, beta, ar, ma, sar, sma, exact=True
    )


@dataclass(frozen=True)
class Bounds:
    """The ranges of the search after auto.arima's data-dependent caps."""

    max_p: int
    max_q: int
    max_P: int  # noqa: N815 (auto.arima's names)
    max_Q: int  # noqa: N815
    max_order: int


@dataclass(frozen=True)
class Search:
    """What the search found: the chosen differencing, every candidate scored (CSS AICc, best
    first), and notes for the manifest."""

    d: int
    D: int
    m: int
    allow_constant: bool
    scored: tuple[CandidateFit, ...]
    notes: tuple[str, ...]
    approximation: bool

    def ranked(self) -> list[CandidateFit]:
        """Admissible candidates, best approximate AICc first (ties: fewer parameters)."""
        return sorted(
            (fit for fit in self.scored if math.isfinite(fit.aicc)),
            key=lambda fit: (fit.aicc, fit.spec.p + fit.spec.q + fit.spec.P + fit.spec.Q),
        )


def with_trend_columns(
    exog: FloatArray | None, trend: str, start: int, n: int
) -> FloatArray | None:
    """Prepend the deterministic terms of ``trend`` as regressor columns.

    ``"c"`` adds a column of ones (the mean of an ARMA, as statsmodels' ARIMA defines its
    constant); ``"t"`` adds the time index start..start+n−1, which with d = 1 is a drift
    (Δy_t = β + Δu_t), and with D = 1 a seasonal drift. shiftbench builds these columns itself
    because statsmodels' own trend terms lose their time offset when results are extended, and
    (in statsmodels 0.14) refuse an extension whose few new regressor rows happen to be
    constant.
    """
    if trend == "n":
        return exog
    if trend == "c":
        column = np.ones((n, 1))
    else:
        column = np.arange(start, start + n, dtype=np.float64)[:, None]
    return column if exog is None else np.hstack([column, exog])


def _constant_columns(x: FloatArray | None) -> bool:
    return x is not None and any(_is_constant(col) for col in x.T)


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
    bounds = Bounds(
        max_p=min(max_p, n // 3, m - 1 if m > 1 else max_p),
        max_q=min(max_q, n // 3, m - 1 if m > 1 else max_q),
        max_P=min(max_P, n // (3 * m)) if m > 1 else 0,
        max_Q=min(max_Q, n // (3 * m)) if m > 1 else 0,
        max_order=max_order,
    )
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
            cache[spec] = fitted if fitted is not None else CandidateFit(spec, math.inf, *_EMPTY)
        return cache[spec].aicc

    def spec(p: int, q: int, P: int, Q: int, constant: bool) -> Spec:
        return Spec(p, d, q, P, D, Q, m, constant and allow_constant)

    if stepwise:
        p0, q0 = min(2, bounds.max_p), min(2, bounds.max_q)
        P0, Q0 = min(1, bounds.max_P), min(1, bounds.max_Q)
        if n < 10:
            p0, q0, P0, Q0 = min(p0, 1), min(q0, 1), 0, 0
        starts = [
            spec(p0, q0, P0, Q0, True),
            spec(0, 0, 0, 0, True),
            spec(int(bounds.max_p > 0), 0, int(bounds.max_P > 0), 0, True),
            spec(0, int(bounds.max_q > 0), 0, int(bounds.max_Q > 0), True),
        ]
        if allow_constant:
            starts.append(spec(0, 0, 0, 0, False))
        best = starts[0]
        for candidate in starts:  # in order; ties keep the earlier, as auto.arima
            if score(candidate) < score(best):
                best = candidate
        while len(cache) < MAX_MODELS:
            moved = False
            for candidate in _neighbours(best, bounds, allow_constant):
                if candidate in cache:
                    continue
                if len(cache) >= MAX_MODELS:
                    break
                if score(candidate) < score(best):
                    best, moved = candidate, True
                    break
            if not moved:
                break
    else:
        for p in range(bounds.max_p + 1):
            for q in range(bounds.max_q + 1):
                for P in range(bounds.max_P + 1):
                    for Q in range(bounds.max_Q + 1):
                        if p + q + P + Q > bounds.max_order:
                            continue
                        for constant in (True, False) if allow_constant else (False,):
                            score(spec(p, q, P, Q, constant))
    return Search(d, D, m, allow_constant, tuple(cache.values()), tuple(notes), approximation)


_EMPTY = (math.nan, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))


def _neighbours(s: Spec, b: Bounds, allow_constant: bool) -> list[Spec]:
    """auto.arima's stepwise neighbourhood of ``s``, in its order."""
    out: list[Spec] = []
    for dP, dQ in ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)):
        P, Q = s.P + dP, s.Q + dQ
        if 0 <= P <= b.max_P and 0 <= Q <= b.max_Q:
            out.append(replace(s, P=P, Q=Q))
    for dp, dq in ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)):
        p, q = s.p + dp, s.q + dq
        if 0 <= p <= b.max_p and 0 <= q <= b.max_q:
            out.append(replace(s, p=p, q=q))
    if allow_constant:
        out.append(replace(s, constant=not s.constant))
    return out


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
    """Choose d and D and score the candidate orders by CSS AICc (see the module docstring).

    ``season_length`` 1 searches non-seasonal models only. The result is memoised within a
    process (a pure function of the data and the settings), so ``arima`` and ``arima_garch`` on
    one training span in one process search once.

    >>> import numpy as np
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
