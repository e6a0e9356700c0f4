"""The Gaussian likelihood the ARIMA search scores candidates by, against independent
references: statsmodels' state-space likelihood (``SARIMAX.loglike``) at the same parameters for
a dozen random seasonal orders, statsmodels' ARMA autocovariances (``arma_acovf``), the closed
form of the AR(1) likelihood, and the defining recursion of the CSS residuals."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.polynomial import polynomial as npoly

from shiftbench.baselines.arima_search import Spec, exact_loglike, with_trend_columns
from shiftbench.baselines.arima_search.likelihood import arma_acov, arma_loglike, css_residuals

#: The two likelihoods are the same number computed two ways (a Cholesky factor of the
#: Toeplitz covariance here, the Kalman filter from the stationary state there): they agree to
#: rounding, about 1e-12 of the log-likelihood; 1e-8 leaves room for other BLAS builds.
RTOL = 1e-8


def _roots_polynomial(rng: np.random.Generator, k: int) -> np.ndarray:
    """c_1..c_k of ∏(1 − z/r_i) for k real roots with 1.3 ≤ |r_i| ≤ 3: the coefficients of a
    stationary AR (as −φ) or an invertible MA (as θ)."""
    roots = rng.uniform(1.3, 3.0, size=k) * rng.choice([-1.0, 1.0], size=k)
    poly = npoly.polyfromroots(roots) if k else np.ones(1)
    return np.asarray(poly / poly[0])[1:]


@dataclass(frozen=True)
class Case:
    spec: Spec
    y: np.ndarray
    design: np.ndarray | None
    params: np.ndarray  # statsmodels' order: regressors, AR, MA, seasonal AR, seasonal MA, σ²


def _seasonal(coefs: np.ndarray, m: int, sign: float) -> np.ndarray:
    """1 + sign·(c_1 B^m + c_2 B^2m + …) as coefficients of B^0, B^1, …"""
    poly = np.zeros(len(coefs) * m + 1)
    poly[0] = 1.0
    poly[m::m] = sign * coefs
    return poly


def _case(seed: int, n: int = 150) -> Case:
    """Random orders p, q, d ≤ 2 and P, Q, D ≤ 1 at m = 4 or 12 and random coefficients, with
    a constant for even seeds (a mean where d + D = 0, which every fourth seed has), a
    covariate for every third."""
    rng = np.random.default_rng(seed)
    m = int(rng.choice([4, 12]))
    p, q, d = (int(v) for v in rng.integers(0, 3, size=3))
    P, Q, D = (int(v) for v in rng.integers(0, 2, size=3))
    if seed % 4 == 0:
        d = D = 0
    spec = Spec(p, d, q, P, D, Q, m, constant=seed % 2 == 0)
    ar, ma = -_roots_polynomial(rng, p), _roots_polynomial(rng, q)
    sar, sma = -_roots_polynomial(rng, P), _roots_polynomial(rng, Q)
    sigma2 = float(rng.uniform(0.5, 4.0))
    covariate = rng.normal(size=(n, 1)) if seed % 3 == 0 else None
    design = with_trend_columns(covariate, spec.trend, 1, n)
    beta = rng.normal(scale=2.0, size=0 if design is None else design.shape[1])
    # simulate: the ARMA errors, integrated d times and D times at lag m, plus the regression
    ar_poly = npoly.polymul(np.r_[1.0, -ar], _seasonal(sar, m, -1.0))
    ma_poly = npoly.polymul(np.r_[1.0, ma], _seasonal(sma, m, 1.0))
    e = rng.normal(scale=math.sqrt(sigma2), size=n + 200)
    u = np.zeros(n + 200)
    for t in range(n + 200):
        past_u = sum(-ar_poly[i] * u[t - i] for i in range(1, len(ar_poly)) if t - i >= 0)
        past_e = sum(ma_poly[j] * e[t - j] for j in range(1, len(ma_poly)) if t - j >= 0)
        u[t] = past_u + e[t] + past_e
    x = u[200:]
    for _ in range(D):
        for t in range(m, n):
            x[t] += x[t - m]
    for _ in range(d):
        x = np.cumsum(x)
    y = x if design is None else x + design @ beta
    params = np.concatenate([beta, ar, ma, sar, sma, [sigma2]])
    return Case(spec, y, design, params)


CASES = [_case(seed) for seed in range(12)]


@pytest.mark.parametrize("case", CASES, ids=[c.spec.label for c in CASES])
def test_exact_likelihood_equals_statsmodels_state_space_likelihood(case: Case) -> None:
    """statsmodels' SARIMAX with simple differencing (the differenced series, its differenced
    regressors) and the stationary initialisation of its ARMA part; σ² a parameter
    (``concentrate_scale=False``), the constant and drift as regressor columns (``trend="n"``)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    spec = case.spec
    seasonal_order = (spec.P, spec.D, spec.Q, spec.m) if spec.P + spec.D + spec.Q else (0, 0, 0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(
            case.y,
            exog=case.design,
            order=spec.order,
            seasonal_order=seasonal_order,
            trend="n",
            simple_differencing=True,
        )
        theirs = float(model.loglike(case.params))
    assert len(model.param_names) == len(case.params)
    assert exact_loglike(case.y, case.design, spec, case.params) == pytest.approx(theirs, rel=RTOL)


@pytest.mark.parametrize("case", CASES[:6], ids=[c.spec.label for c in CASES[:6]])
def test_concentrated_likelihood_equals_statsmodels_with_the_scale_concentrated(
    case: Case,
) -> None:
    """σ² profiled out (σ̂² = zᵀΓ⁻¹z/n, as the search's exact fit does) against SARIMAX with
    ``concentrate_scale=True`` on the differenced series less its regression part."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    spec = case.spec
    k = 0 if case.design is None else case.design.shape[1]
    z = case.y if case.design is None else case.y - case.design @ case.params[:k]
    for _ in range(spec.D):
        z = z[spec.m :] - z[: -spec.m]
    z = np.diff(z, n=spec.d)
    ar, ma, sar, sma = np.split(case.params[k:-1], np.cumsum([spec.p, spec.q, spec.P]))
    ar_poly = npoly.polymul(np.r_[1.0, -ar], _seasonal(sar, spec.m, -1.0))
    ma_poly = npoly.polymul(np.r_[1.0, ma], _seasonal(sma, spec.m, 1.0))
    seasonal = (spec.P, 0, spec.Q, spec.m) if spec.P + spec.Q else (0, 0, 0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(
            z, order=(spec.p, 0, spec.q), seasonal_order=seasonal, concentrate_scale=True
        )
        theirs = float(model.loglike(case.params[k:-1]))
    assert arma_loglike(z, ar_poly, ma_poly) == pytest.approx(theirs, rel=RTOL)


def test_exact_likelihood_of_an_ar1_is_the_closed_form() -> None:
    """Hamilton (1994), eq. 5.2.9: for z_t = φ z_{t−1} + e_t, Var e = σ²,
    log L = −(n/2)·log 2πσ² + ½·log(1 − φ²) − [(1 − φ²) z_1² + Σ_{t≥2} (z_t − φ z_{t−1})²]/(2σ²)."""
    z = np.array([0.5, -1.0, 2.0, 0.25])
    phi, sigma2 = 0.6, 1.5
    ssq = (1 - phi**2) * z[0] ** 2 + float(np.sum((z[1:] - phi * z[:-1]) ** 2))
    expected = -2 * math.log(2 * math.pi * sigma2) + 0.5 * math.log(1 - phi**2) - ssq / 3.0
    ours = arma_loglike(z, np.array([1.0, -phi]), np.array([1.0]), sigma2)
    assert ours == pytest.approx(expected, rel=1e-12)


def test_a_unit_root_has_no_stationary_likelihood() -> None:
    z = np.array([0.5, -1.0, 2.0])
    assert arma_loglike(z, np.array([1.0, -1.0]), np.array([1.0]), 1.0) == -math.inf


@pytest.mark.parametrize("seed", range(8))
def test_arma_autocovariances_equal_statsmodels_arma_acovf(seed: int) -> None:
    """Random stationary seasonal ARMA polynomials φ(B)Φ(B^m), θ(B)Θ(B^m), expanded."""
    from statsmodels.tsa.arima_process import arma_acovf

    rng = np.random.default_rng(100 + seed)
    m = int(rng.choice([1, 4, 12]))
    p, q = (int(v) for v in rng.integers(0, 4, size=2))
    P, Q = (int(v) for v in rng.integers(0, 2, size=2)) if m > 1 else (0, 0)
    ar_poly = npoly.polymul(
        np.r_[1.0, _roots_polynomial(rng, p)], _seasonal(_roots_polynomial(rng, P), m, 1.0)
    )
    ma_poly = npoly.polymul(
        np.r_[1.0, _roots_polynomial(rng, q)], _seasonal(_roots_polynomial(rng, Q), m, 1.0)
    )
    ours = arma_acov(ar_poly, ma_poly, 40)
    theirs = arma_acovf(ar_poly, ma_poly, nobs=40, sigma2=1.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10 * abs(theirs[0]))


def test_css_residuals_follow_their_defining_recursion() -> None:
    """e_t = Σ_i a_i z_{t−i} − Σ_{j≥1} b_j e_{t−j} for t ≥ k = deg φ(B)Φ(B^m), pre-sample errors
    zero: by hand for an ARMA(1,1), then by the loop for a seasonal ARMA(1,1)(1,1)[4]."""
    # φ = 0.5, θ = 0.4, z = 1, 2, 3: u = (2 − 0.5, 3 − 1) = (1.5, 2); e = (1.5, 2 − 0.4·1.5)
    np.testing.assert_allclose(
        css_residuals(np.array([1.0, 2.0, 3.0]), np.array([1.0, -0.5]), np.array([1.0, 0.4])),
        [1.5, 1.4],
    )
    rng = np.random.default_rng(7)
    z = rng.normal(size=40)
    a = npoly.polymul([1.0, -0.5], _seasonal(np.array([0.3]), 4, -1.0))
    b = npoly.polymul([1.0, 0.4], _seasonal(np.array([-0.6]), 4, 1.0))
    k = len(a) - 1
    e = np.zeros(len(z))
    for t in range(k, len(z)):
        e[t] = sum(a[i] * z[t - i] for i in range(len(a)))
        e[t] -= sum(b[j] * e[t - j] for j in range(1, len(b)) if t - j >= k)
    np.testing.assert_allclose(css_residuals(z, a, b), e[k:], rtol=1e-12, atol=1e-12)
