"""The candidate orders of the search, as ``forecast::auto.arima`` generates them: a seasonal
ARIMA order with or without its constant (:class:`Spec`), the bounds of the search after the
data-dependent caps (:class:`Bounds`), the stepwise walk's starting models and neighbourhood,
and the full grid. Pure: nothing here fits a model.

Bounds as in auto.arima: p, q ≤ 5 and ≤ m − 1 for seasonal data, P, Q ≤ 2, each at most a third
of the series (⌊n/3⌋, ⌊n/(3m)⌋); ``max_order`` (p + q + P + Q) bounds only the full grid, as in
auto.arima.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from shiftbench.types import FloatArray


@dataclass(frozen=True, order=True)
class Spec:
    """One seasonal ARIMA(p,d,q)(P,D,Q)[m] with or without its constant.

    >>> Spec(0, 1, 1, 0, 1, 1, 12).label
    'ARIMA(0,1,1)(0,1,1)[12]'
    >>> Spec(1, 1, 0, constant=True).label
    'ARIMA(1,1,0) with drift'
    """

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
        """statsmodels' (p, d, q)."""
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
        """auto.arima's name of the model, e.g. ``ARIMA(0,1,1)(0,1,1)[12] with drift``."""
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

    >>> with_trend_columns(None, "t", 5, 3).ravel().tolist()
    [5.0, 6.0, 7.0]
    """
    if trend == "n":
        return exog
    if trend == "c":
        column = np.ones((n, 1))
    else:
        column = np.arange(start, start + n, dtype=np.float64)[:, None]
    return column if exog is None else np.hstack([column, exog])


@dataclass(frozen=True)
class Bounds:
    """The ranges of the search after auto.arima's data-dependent caps."""

    max_p: int
    max_q: int
    max_P: int  # noqa: N815 (auto.arima's names)
    max_Q: int  # noqa: N815
    max_order: int

    @classmethod
    def capped(
        cls, n: int, m: int, max_p: int, max_q: int, max_P: int, max_Q: int, max_order: int
    ) -> Bounds:
        """The bounds on a series of ``n`` points with period ``m`` (1: non-seasonal).

        >>> Bounds.capped(30, 12, 5, 5, 2, 2, 5)  # p ≤ 30 // 3; P ≤ 30 // 36
        Bounds(max_p=5, max_q=5, max_P=0, max_Q=0, max_order=5)
        """
        return cls(
            max_p=min(max_p, n // 3, m - 1 if m > 1 else max_p),
            max_q=min(max_q, n // 3, m - 1 if m > 1 else max_q),
            max_P=min(max_P, n // (3 * m)) if m > 1 else 0,
            max_Q=min(max_Q, n // (3 * m)) if m > 1 else 0,
            max_order=max_order,
        )


def starting_models(
    d: int, D: int, m: int, bounds: Bounds, n: int, allow_constant: bool
) -> list[Spec]:
    """auto.arima's starting models, in its order: ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0),
    (1,d,0)(1,D,0), (0,d,1)(0,D,1), each with a constant where one is allowed, and the
    constant-free (0,d,0)(0,D,0); orders capped by the bounds, and below 10 points at
    ARIMA(1,d,1) without seasonal terms.

    >>> [s.label for s in starting_models(1, 0, 1, Bounds(5, 5, 0, 0, 5), 100, True)]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['ARIMA(2,1,2) with drift', 'ARIMA(0,1,0) with drift', 'ARIMA(1,1,0) with drift',
     'ARIMA(0,1,1) with drift', 'ARIMA(0,1,0)']
    """

    def spec(p: int, q: int, P: int, Q: int, constant: bool) -> Spec:
        return Spec(p, d, q, P, D, Q, m, constant and allow_constant)

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
    return starts


def neighbours(s: Spec, b: Bounds, allow_constant: bool) -> list[Spec]:
    """auto.arima's stepwise neighbourhood of ``s``, in its order: P and Q by ±1, alone and
    together, then p and q alike, then the constant switched (where one is allowed).

    >>> [n.label for n in neighbours(Spec(0, 1, 0), Bounds(1, 1, 0, 0, 5), False)]
    ['ARIMA(1,1,0)', 'ARIMA(0,1,1)', 'ARIMA(1,1,1)']
    """
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


def grid(d: int, D: int, m: int, bounds: Bounds, allow_constant: bool) -> Iterator[Spec]:
    """Every order of the full grid (``stepwise = False``): each (p, q, P, Q) within the bounds
    with p + q + P + Q ≤ ``max_order``, with and without a constant where one is allowed.

    >>> len(list(grid(0, 0, 1, Bounds(1, 1, 0, 0, 5), True)))
    8
    """
    for p in range(bounds.max_p + 1):
        for q in range(bounds.max_q + 1):
            for P in range(bounds.max_P + 1):
                for Q in range(bounds.max_Q + 1):
                    if p + q + P + Q > bounds.max_order:
                        continue
                    for constant in (True, False) if allow_constant else (False,):
                        yield Spec(p, d, q, P, D, Q, m, constant and allow_constant)
