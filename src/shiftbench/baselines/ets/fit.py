"""Estimating one ETS form as R's ``forecast`` 8.20 does (``R/ets.R``: ``etsmodel``;
``src/etsTargetFunction.cpp``: ``EtsTargetFunction``): the smoothing parameters and the free
initial states are optimised jointly by R's Nelder–Mead (:mod:`.neldermead`, 2000 evaluations)
from R's starting values (:mod:`.init`).

Objective (``opt.crit``): "lik" is −2·log-likelihood up to a constant,
n·log(Σ e_t²) + 2·Σ log|f_t| (the second term for a multiplicative error only; e the model's
errors, f the one-step forecasts), floored at −1e10; "mse" is the mean of (y_t − f_t)².
A point outside the parameter space scores +∞:

- the usual bounds (bounds "both"): α ∈ [0.0001, 0.9999], β ∈ [0.0001, min(0.9999, α)],
  γ ∈ [0.0001, min(0.9999, 1 − α)], φ ∈ [0.8, 0.98];
- admissibility (Hyndman, Akram & Archibald, "The admissible parameter space for exponential
  smoothing models", *AISM* 60, 2008): R's ``admissible`` tests, the seasonal ones ending with
  the roots of the characteristic polynomial inside the unit circle (up to 1e-10);
- a multiplicative season with a negative initial seasonal term.

The information criteria count np = (estimated parameters and initial states) + 1 (σ²):
AIC = lik + 2·np, AICc = AIC + 2·np·(np + 1)/(n − np − 1), BIC = lik + log(n)·np.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.linalg.lapack import dgeev as _dgeev

from shiftbench.baselines.ets.init import LOWER, UPPER, initial_state, start_params
from shiftbench.baselines.ets.neldermead import nelder_mead
from shiftbench.baselines.ets.recursions import ETSForm, Filter, Smoothing
from shiftbench.errors import FitError
from shiftbench.types import FloatArray

IntArray = npt.NDArray[np.intp]

#: R's ``etsmodel`` default: the most function evaluations of the optimiser.
MAXIT = 2000


@dataclass(frozen=True, eq=False)
class ETSFit:
    """One form's estimates: smoothing parameters, the full initial state (R's ``initstate``,
    the implied seasonal term included), the criteria and the optimiser's record."""

    form: ETSForm
    par: Smoothing
    initial_state: FloatArray
    lik: float
    aic: float
    aicc: float
    bic: float
    mse: float
    n_params: int
    evaluations: int


def admissible(par: Smoothing, form: ETSForm) -> bool:
    """R's ``admissible`` (``etsTargetFunction.cpp``) for the estimated parameters of ``form``.

    >>> admissible(Smoothing(0.5), ETSForm("A", "N", False, "N"))
    True
    """
    alpha, beta, gamma, phi = par.alpha, par.beta, par.gamma, par.phi
    if phi < 0 or phi > 1 + 1e-8:
        return False
    if form.season == "N":
        if alpha < 1 - 1 / phi or alpha > 1 + 1 / phi:
            return False
        return not (
            form.trend != "N" and (beta < alpha * (phi - 1) or beta > (1 + phi) * (2 - alpha))
        )
    m = form.m
    if gamma < max(1 - 1 / phi - alpha, 0.0) or gamma > 1 + 1 / phi - alpha:
        return False
    if alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m):
        return False
    if beta < -(1 - phi) * (gamma / m + alpha):
        return False
    # the characteristic polynomial z^(m+1) + (α+β−φ)·z^m + (α+β−αφ)·(z^(m−1) + … + z²)
    # + (α+β−αφ+γ−1)·z + φ·(1−α−γ), coefficients from the highest power down
    a = alpha + beta - alpha * phi
    coef = [1.0, alpha + beta - phi] + [a] * (m - 2) + [a + gamma - 1, phi * (1 - alpha - gamma)]
    return roots_within(coef, 1 + 1e-10)


def roots_within(coef: list[float], radius: float) -> bool:
    """Whether every root of the real polynomial with ``coef`` (highest power first, the first
    non-zero) has modulus below ``radius``: R's test ``max(abs(polyroot(P))) <= 1 + 1e-10``
    (which also passes a root of modulus exactly 1 + 1e-10, a set of measure zero) without the
    roots, by the Schur–Cohn test (Marden, *Geometry of Polynomials*, AMS 1966,
    §42–43; Henrici, *Applied and Computational Complex Analysis* I, 1974, §6.8).

    On p(radius·z), monic: its roots all lie inside the unit circle if and only if its constant
    term k has |k| < 1 and the polynomial (p(z) − k·p*(z))/z, p* the coefficients reversed,
    has the same property, down to degree 0. For m = 12 it costs a third of the companion
    matrix's eigenvalues (:func:`max_root`, kept as the check: on 200,000 random parameter
    points of ETS(A,A,A) and ETS(A,Ad,A) with m = 4 and 12, 57,134 of them rejected, the two
    decided alike on every one).

    >>> roots_within([1.0, -0.5], 1.0), roots_within([1.0, 0.0, -1.44], 1.0)  # 0.5; ±1.2
    (True, False)
    """
    d = len(coef) - 1
    a = [c * w for c, w in zip(coef, _powers(radius, d), strict=True)]  # p(radius·z)
    for size in range(d, 0, -1):  # a holds size + 1 coefficients
        k = a[size] / a[0]
        if not -1.0 < k < 1.0:  # NaN fails too
            return False
        a = [x - k * y for x, y in zip(a, a[size:0:-1], strict=False)]  # a_i − k·a_(size−i)
    return True


@lru_cache(maxsize=32)
def _powers(radius: float, d: int) -> tuple[float, ...]:
    """radius^d, radius^(d−1), …, 1."""
    return tuple(radius ** (d - i) for i in range(d + 1))


@lru_cache(maxsize=32)
def _companion_rows(d: int) -> tuple[IntArray, IntArray]:
    sub = np.arange(d - 1)
    return sub + 1, sub


def max_root(coef: list[float]) -> float:
    """The largest modulus of the roots of the polynomial with ``coef`` (highest power first,
    the first 1), as the eigenvalues of its companion matrix (LAPACK ``dgeev``)."""
    d = len(coef) - 1
    companion = np.zeros((d, d), order="F")
    companion[0, :] = coef[1:]
    companion[0, :] *= -1.0
    companion[_companion_rows(d)] = 1.0
    wr, wi = _dgeev(companion, compute_vl=0, compute_vr=0, overwrite_a=1)[:2]
    return math.sqrt(float(np.max(wr * wr + wi * wi)))


def in_bounds(par: Smoothing, form: ETSForm) -> bool:
    """R's usual bounds (``check_params``, bounds "usual" part) on the estimated parameters."""
    lo, hi = LOWER, UPPER
    if not lo[0] <= par.alpha <= hi[0]:
        return False
    if form.trend != "N" and (par.beta < lo[1] or par.beta > par.alpha or par.beta > hi[1]):
        return False
    if form.damped and not lo[3] <= par.phi <= hi[3]:
        return False
    return not (
        form.season != "N" and (par.gamma < lo[2] or par.gamma > 1 - par.alpha or par.gamma > hi[2])
    )


class Objective:
    """The function Nelder–Mead minimises: a vector (α, [β], [γ], [φ], l0, [b0], s_0..s_{m−2})
    to the criterion (see the module docstring)."""

    def __init__(self, y: FloatArray, form: ETSForm, crit: str) -> None:
        self.y = y
        self.form = form
        self.crit = crit
        self.k = 1 + (form.trend != "N") + (form.season != "N") + form.damped
        self.filter = Filter(form, y)

    def smoothing(self, x: Sequence[float]) -> Smoothing:
        form, it = self.form, iter(x)
        alpha = next(it)
        beta = next(it) if form.trend != "N" else 0.0
        gamma = next(it) if form.season != "N" else 0.0
        phi = next(it) if form.damped else 1.0
        return Smoothing(alpha, beta, gamma, phi)

    def state(self, x: Sequence[float]) -> FloatArray:
        """The full initial state: the free states and the implied last seasonal term."""
        free = x[self.k :]
        form = self.form
        if form.season == "N":
            return np.asarray(free, dtype=np.float64)
        first = 1 + (form.trend != "N")
        implied = form.m * (form.season == "M") - sum(free[first:])
        return np.asarray([*free, implied], dtype=np.float64)

    def criteria(self, par: Smoothing, state: FloatArray) -> tuple[float, float]:
        """(lik, mse) at given parameters and initial state; lik is +∞ where undefined."""
        y = self.y
        f = self.filter.forecasts(par, state)
        resid = y - f
        squares = float(np.dot(resid, resid))
        mse = squares / len(y)
        if self.form.error == "M":
            scale = np.abs(f)
            if not float(np.min(scale)) > 0.0:  # R: a zero forecast makes the likelihood NaN
                return math.inf, mse
            e = resid / f
            sse = float(np.dot(e, e))
            log_scale = 2.0 * float(np.sum(np.log(scale)))
        else:
            sse, log_scale = squares, 0.0
        if not math.isfinite(sse) or not math.isfinite(log_scale):
            return math.inf, mse
        lik = len(y) * math.log(sse) + log_scale if sse > 0 else -math.inf
        return max(lik, -1e10), mse

    def __call__(self, point: FloatArray) -> float:
        x = point.tolist()  # Python floats: the checks below cost less on them
        par = self.smoothing(x)
        if not in_bounds(par, self.form) or not admissible(par, self.form):
            return math.inf
        state = self.state(x)
        if self.form.season == "M" and float(np.min(state[1 + (self.form.trend != "N") :])) < 0:
            return math.inf
        lik, mse = self.criteria(par, state)
        value = lik if self.crit == "lik" else mse
        return value if math.isfinite(value) else math.inf


def fit_form(y: FloatArray, form: ETSForm, crit: str = "lik", maxit: int = MAXIT) -> ETSFit:
    """Estimate ``form`` on ``y`` as R's ``etsmodel`` does; :class:`FitError` where R's would
    fail (too few data, no finite objective at the start)."""
    if crit not in ("lik", "mse"):
        raise ValueError(f"crit: 'lik' or 'mse', got {crit!r}")
    objective = Objective(y, form, crit)
    x0 = [*start_params(form), *initial_state(y, form).tolist()]
    n = len(y)
    if len(x0) >= n - 1:
        raise FitError(f"ETS: {n} observations are too few for {form.label}")
    best = nelder_mead(objective, x0, maxit=maxit)
    par = objective.smoothing(best.x)
    state = objective.state(best.x)
    lik, mse = objective.criteria(par, state)
    n_params = len(x0) + 1
    aic = lik + 2 * n_params
    aicc = aic + 2 * n_params * (n_params + 1) / (n - n_params - 1)
    bic = lik + math.log(n) * n_params
    return ETSFit(form, par, state, lik, aic, aicc, bic, mse, n_params, best.evaluations)
