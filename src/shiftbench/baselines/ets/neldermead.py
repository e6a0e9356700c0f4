"""The Nelder–Mead simplex minimiser of R's ``optim`` (``nmmin`` in R's ``src/appl/optim.c``,
after Nash, *Compact Numerical Methods for Computers*, 1990), which ``forecast::ets`` calls with
reflection 1, contraction 0.5, expansion 2, ``abstol = -Inf``, ``reltol = sqrt(.Machine$double.eps)``
and ``maxit = 2000`` function evaluations.

The initial simplex steps each coordinate in turn by a tenth of the largest |coordinate| (0.1 when
all are zero); non-finite values count as 1e35; the search stops when the spread of the simplex's
values falls under reltol·(|f₀| + reltol), when a shrink fails to reduce the simplex, or after
``maxit`` evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from shiftbench.errors import FitError

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
    fn: Callable[[list[float]], float],
    x0: list[float],
    *,
    reltol: float = math.sqrt(2.220446049250313e-16),
    abstol: float = -math.inf,
    maxit: int = 2000,
) -> Minimum:
    """Minimise ``fn`` from ``x0`` as R's ``nmmin`` does (see the module docstring)."""
    alpha, beta, gamma = 1.0, 0.5, 2.0
    n = len(x0)
    f = fn(list(x0))
    if not math.isfinite(f):
        raise FitError("function cannot be evaluated at initial parameters")
    if maxit <= 0:
        return Minimum(list(x0), f, 0, 0)
    evaluations = 1
    convtol = reltol * (abs(f) + reltol)
    # the simplex: n + 1 points and their values
    points = [list(x0)]
    values = [f]
    step = max((0.1 * abs(v) for v in x0), default=0.0)
    if step == 0.0:
        step = 0.1
    size = 0.0
    for j in range(n):
        point = list(x0)
        trystep = step
        while point[j] == x0[j]:
            point[j] = x0[j] + trystep
            trystep *= 10
        size += trystep
        points.append(point)
        values.append(0.0)
    oldsize = size
    low = 0
    calcvert = True
    fail = 0

    def value_at(point: list[float]) -> float:
        v = fn(point)
        return v if math.isfinite(v) else BIG

    while True:
        if calcvert:
            for j in range(n + 1):
                if j != low:
                    values[j] = value_at(points[j])
                    evaluations += 1
            calcvert = False
        vl = values[low]
        vh = vl
        high = low
        for j in range(n + 1):
            if j != low:
                v = values[j]
                if v < vl:
                    low, vl = j, v
                if v > vh:
                    high, vh = j, v
        if vh <= vl + convtol or vl <= abstol:
            break
        worst = points[high]
        centroid = []
        for i in range(n):  # R's order of summation: minus the worst, then every point
            total = -worst[i]
            for p in points:
                total += p[i]
            centroid.append(total / n)
        trial = [(1.0 + alpha) * c - alpha * w for c, w in zip(centroid, worst, strict=True)]
        vr = value_at(trial)
        evaluations += 1
        if vr < vl:
            expanded = [gamma * t + (1 - gamma) * c for t, c in zip(trial, centroid, strict=True)]
            fe = value_at(expanded)
            evaluations += 1
            if fe < vr:
                points[high], values[high] = expanded, fe
            else:
                points[high], values[high] = trial, vr
        else:
            if vr < vh:
                points[high], values[high] = trial, vr
            worst = points[high]
            contracted = [(1 - beta) * w + beta * c for w, c in zip(worst, centroid, strict=True)]
            fc = value_at(contracted)
            evaluations += 1
            if fc < values[high]:
                points[high], values[high] = contracted, fc
            elif vr >= vh:
                calcvert = True
                size = 0.0
                best = points[low]
                for j in range(n + 1):
                    if j != low:
                        points[j] = [beta * (p - b) + b for p, b in zip(points[j], best, strict=True)]
                        size += sum(abs(p - b) for p, b in zip(points[j], best, strict=True))
                if size < oldsize:
                    oldsize = size
                else:
                    fail = 10
                    break
        if evaluations > maxit:
            break
    if evaluations > maxit:
        fail = 1
    return Minimum(list(points[low]), values[low], evaluations, fail)
