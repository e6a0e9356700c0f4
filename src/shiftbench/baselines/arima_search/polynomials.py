"""The lag polynomials of a seasonal ARMA: the products φ(B)Φ(B^m) and θ(B)Θ(B^m), their
roots, and the reparametrisations that keep an optimiser's every trial stationary and
invertible.

Signs follow R's ``arima`` and statsmodels: φ(B) = 1 − φ_1 B − … − φ_p B^p and
θ(B) = 1 + θ_1 B + … + θ_q B^q, seasonal factors alike in B^m.
"""

from __future__ import annotations

import math

import numpy as np

from shiftbench.types import FloatArray


def lag_polynomial(coefs: FloatArray, sign: float, step: int = 1) -> FloatArray:
    """1 + sign·(c_1 B^step + c_2 B^{2·step} + …) as an array of coefficients (of B^0, B^1, …).

    >>> lag_polynomial(np.array([0.5, 0.25]), -1.0, 2).tolist()
    [1.0, 0.0, -0.5, 0.0, -0.25]
    """
    poly = np.zeros(len(coefs) * step + 1)
    poly[0] = 1.0
    poly[step::step] = sign * np.asarray(coefs)
    return poly


def arma_polynomials(
    ar: FloatArray, ma: FloatArray, sar: FloatArray, sma: FloatArray, m: int
) -> tuple[FloatArray, FloatArray]:
    """The reduced AR polynomial φ(B)Φ(B^m) and MA polynomial θ(B)Θ(B^m) of the coefficients
    ``ar`` (φ), ``ma`` (θ), ``sar`` (Φ) and ``sma`` (Θ), each of length p + m·P + 1 and
    q + m·Q + 1 (trailing zero coefficients kept).

    >>> ar_poly, ma_poly = arma_polynomials(
    ...     np.array([0.5]), np.zeros(0), np.zeros(0), np.array([0.4]), 4)
    >>> ar_poly.tolist(), ma_poly.tolist()
    ([1.0, -0.5], [1.0, 0.0, 0.0, 0.0, 0.4])
    """
    ar_poly = np.convolve(lag_polynomial(ar, -1.0), lag_polynomial(sar, -1.0, m))
    ma_poly = np.convolve(lag_polynomial(ma, 1.0), lag_polynomial(sma, 1.0, m))
    return ar_poly, ma_poly


def min_root_modulus(nonseasonal: FloatArray, seasonal: FloatArray, m: int, sign: float) -> float:
    """The smallest modulus of a root of the lag polynomial φ(B)Φ(B^m) (sign −1) or
    θ(B)Θ(B^m) (sign +1): a root r of Φ(z) gives m roots of modulus |r|^{1/m}. Infinity when
    both factors are 1.

    >>> min_root_modulus(np.array([0.5]), np.array([0.25]), 4, -1.0)  # roots 2 and 4^(1/4)
    1.4142135623730951
    """
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
    """The inverse of :func:`pacf_to_ar` (R's ``invpartrans``); None for a non-stationary AR.

    >>> ar_to_pacf(np.array([0.5])).round(6).tolist(), ar_to_pacf(np.array([1.5]))
    ([0.549306], None)
    """
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


def invert_ma(coefs: FloatArray) -> FloatArray:
    """An MA polynomial 1 + θ_1 B + … with its roots inside the unit circle reflected outside
    (R's ``maInvert``): the same autocorrelations, the invertible representation.

    >>> invert_ma(np.array([2.0])).tolist()  # 1 + 2B has its root at −1/2; 1 + B/2 at −2
    [0.5]
    """
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
