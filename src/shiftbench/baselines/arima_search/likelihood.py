"""The Gaussian likelihood of a zero-mean stationary ARMA φ(B)z = θ(B)e, Var e = σ², by which
the order search scores its candidates (after differencing and removing the regression part).

- **Exact**: z ~ N(0, σ²Γ), Γ the Toeplitz matrix of the autocovariances of
  :func:`arma_acov`; with the Cholesky factor Γ = LLᵀ and u = L⁻¹z,
  log L = −½ (n·log 2πσ² + log det Γ + uᵀu/σ²) (Brockwell & Davis 1991, §8.7; the likelihood
  R's ``arima(method = "ML")`` and statsmodels' state space maximise for a stationary ARMA).
  With σ² concentrated out, σ̂² = uᵀu/n.
- **Conditional sum of squares** (Box & Jenkins 1976, §7.1; R's ``arima(method = "CSS")``):
  the residuals of :func:`css_residuals`, conditional on the first p + m·P values and on
  pre-sample errors of zero.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from shiftbench.types import FloatArray


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


def arma_acov(ar_poly: FloatArray, ma_poly: FloatArray, n: int) -> FloatArray:
    """Autocovariances γ(0..n−1) of the stationary ARMA φ(B)x = θ(B)e with Var e = 1, exactly
    (Brockwell & Davis 1991, §3.3, eqs. 3.3.8–3.3.9); ``ar_poly`` = [1, −φ_1, …],
    ``ma_poly`` = [1, θ_1, …] (the convention of ``statsmodels.tsa.arima_process``).

    Raises ``numpy.linalg.LinAlgError`` when the AR polynomial has a unit root.

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


def toeplitz_terms(
    z: FloatArray, ar_poly: FloatArray, ma_poly: FloatArray
) -> tuple[float, float] | None:
    """(zᵀΓ⁻¹z, log det Γ) for the n values ``z``, Γ the n × n Toeplitz matrix of
    :func:`arma_acov` (unit innovation variance); None when Γ is singular or not positive
    definite, or the quadratic form is not a positive finite number.

    >>> toeplitz_terms(np.array([1.0, 2.0]), np.array([1.0]), np.array([1.0]))  # Γ = I
    (5.0, 0.0)
    """
    from scipy.linalg.lapack import dpotrf, dtrtrs

    n = len(z)
    try:
        gamma = arma_acov(ar_poly, ma_poly, n)
    except np.linalg.LinAlgError:
        return None
    chol, info = dpotrf(gamma[_toeplitz_index(n)], lower=1, clean=0)
    if info != 0:
        return None
    u, info = dtrtrs(chol, z, lower=1)
    ssq = float(u @ u)
    if info != 0 or not ssq > 0 or not np.isfinite(ssq):
        return None
    return ssq, 2.0 * float(np.sum(np.log(np.diag(chol))))


def arma_loglike(
    z: FloatArray, ar_poly: FloatArray, ma_poly: FloatArray, sigma2: float | None = None
) -> float:
    """The exact Gaussian log-likelihood of ``z`` under the zero-mean stationary ARMA
    φ(B)z = θ(B)e with Var e = ``sigma2``; with ``sigma2`` None, the profile likelihood at
    σ̂² = zᵀΓ⁻¹z/n (statsmodels' ``concentrate_scale``). −∞ where :func:`toeplitz_terms` is
    None.

    >>> z = np.array([1.0, -1.0])  # white noise, σ² = 1: −log 2π − (1 + 1)/2
    >>> round(arma_loglike(z, np.array([1.0]), np.array([1.0]), 1.0), 6)
    -2.837877
    """
    terms = toeplitz_terms(z, ar_poly, ma_poly)
    if terms is None:
        return -math.inf
    ssq, logdet = terms
    n = len(z)
    scale = ssq / n if sigma2 is None else sigma2
    return -0.5 * (n * math.log(2.0 * math.pi * scale) + logdet + ssq / scale)


def css_residuals(z: FloatArray, ar_poly: FloatArray, ma_poly: FloatArray) -> FloatArray:
    """The conditional residuals e_t = θ(B)⁻¹φ(B) z_t for t = k..n−1, k = len(ar_poly) − 1
    (the first k values only condition), with pre-sample errors of zero.

    >>> css_residuals(np.array([1.0, 2.0, 3.0]), np.array([1.0, -0.5]), np.array([1.0, 0.4]))
    array([1.5, 1.4])
    """
    from scipy.signal import lfilter

    u = np.convolve(z, ar_poly, mode="valid") if len(ar_poly) > 1 else z
    e = lfilter([1.0], ma_poly, u) if len(ma_poly) > 1 else u
    return np.asarray(e)
