"""The Nelder–Mead simplex minimiser of R's ``optim`` (``nmmin`` in R's ``src/appl/optim.c``,
after Nash, *Compact Numerical Methods for Computers*, 1990), which ``forecast::ets`` calls with
reflection 1, contraction 0.5, expansion 2, ``abstol = -Inf``,
``reltol = sqrt(.Machine$double.eps)`` and ``maxit = 2000`` function evaluations.

The initial simplex steps each coordinate in turn by a tenth of the largest |coordinate| (0.1 when
all are zero); non-finite values count as 1e35; the search stops when the spread of the simplex's
values falls under reltol·(|f₀| + reltol), when a shrink fails to reduce the simplex, or after
``maxit`` evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shiftbench.errors import FitError
from shiftbench.types import FloatArray

#: R's ``big`` in ``optim.c``: the value given to a point where the function is not finite.
BIG = 1.0e35


@dataclass(frozen=True)
class Minimum:
    """Where ``nelder_mead`` stopped: the best point, its value, evaluations used and R's
    ``fail`` code (0 converged, 1 out of evaluations, 10 degenerate simplex)."""

    x: list[float]
    value: float
    evaluations: int
    fail: int


def nelder_mead(
    fn: Callable[[FloatArray], float],
    x0: list[float],
    *,
    reltol: float = math.sqrt(2.220446049250313e-16),
    abstol: float = -math.inf,
    maxit: int = 2000,
) -> Minimum:
    """Minimise ``fn`` from ``x0`` as R's ``nmmin`` does (see the module docstring), in the same
    order of floating-point operations (the centroid sums minus the worst point, then every point
    in turn), so that the search visits the points R's visits."""
    alpha, beta, gamma = 1.0, 0.5, 2.0
    n = len(x0)
    start = np.asarray(x0, dtype=np.float64)
    f = fn(start.copy())
    if not math.isfinite(f):
        raise FitError("function cannot be evaluated at initial parameters")
    if maxit <= 0:
        return Minimum(list(x0), f, 0, 0)
    evaluations = 1
    convtol = reltol * (abs(f) + reltol)
    # rows 1..n+1 of ``work``: the simplex; row 0: scratch for the centroid's sum
    work = np.empty((n + 2, n))
    points = work[1:]
    points[:] = start
    values = np.zeros(n + 1)
    values[0] = f
    step = float(np.max(0.1 * np.abs(start))) if n else 0.0
    if step == 0.0:
        step = 0.1
    size = 0.0
    for j in range(n):
        trystep = step
        while points[j + 1, j] == start[j]:
            points[j + 1, j] = start[j] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    low = 0
    calcvert = True
    fail = 0

    def value_at(point: FloatArray) -> float:
        v = fn(point)
        return v if math.isfinite(v) else BIG

    while True:
        if calcvert:
            for j in range(n + 1):
                if j != low:
                    values[j] = value_at(points[j].copy())
                    evaluations += 1
            calcvert = False
        vl = float(values[low])
        vh = vl
        high = low
        for j in range(n + 1):
            if j != low:
                v = float(values[j])
                if v < vl:
                    low, vl = j, v
                if v > vh:
                    high, vh = j, v
        if vh <= vl + convtol or vl <= abstol:
            break
        work[0] = -points[high]
        centroid = np.add.reduce(work, axis=0) / n
        trial = (1.0 + alpha) * centroid - alpha * points[high]
        vr = value_at(trial.copy())
        evaluations += 1
        if vr < vl:
            expanded = gamma * trial + (1 - gamma) * centroid
            fe = value_at(expanded.copy())
            evaluations += 1
            if fe < vr:
                points[high], values[high] = expanded, fe
            else:
                points[high], values[high] = trial, vr
        else:
            if vr < vh:
                points[high], values[high] = trial, vr
            contracted = (1 - beta) * points[high] + beta * centroid
            fc = value_at(contracted.copy())
            evaluations += 1
            if fc < values[high]:
                points[high], values[high] = contracted, fc
            elif vr >= vh:
                calcvert = True
                best = points[low].copy()
                others = np.arange(n + 1) != low
                points[others] = beta * (points[others] - best) + best
                size = 0.0  # R's order: vertex by vertex, coordinate by coordinate
                for d in np.abs(points[others] - best).ravel().tolist():
                    size += d
                if size < oldsize:
                    oldsize = size
                else:
                    fail = 10
                    break
        if evaluations > maxit:
            break
    if evaluations > maxit:
        fail = 1
    return Minimum(points[low].tolist(), float(values[low]), evaluations, fail)
