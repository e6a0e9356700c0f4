"""The ranges of the ARIMA's hyper-parameters and the sizes its fits may reach, checked before a
run starts (``check_params``, ``check_sizes``) for ``arima`` and ``arima_garch`` alike; each
bound and its reason is in docs/config.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from shiftbench.baselines.arima_search import Bounds

#: The most differences: auto.arima's defaults are ``max.d = 2`` and ``max.D = 1``; a series
#: differenced more often than this is noise.
MAX_D = 3
MAX_SEASONAL_D = 2
#: The most candidate orders a full-grid search (``stepwise = false``) may fit: every (p, q,
#: P, Q) within the bounds with p + q + P + Q ≤ ``max_order``, with and without a constant
#: (the default bounds give 192; the stepwise search fits at most 94).
MAX_CANDIDATES = 1000
#: The most iterations of the likelihood optimiser.
MAX_MAXITER = 100_000
#: statsmodels' Kalman filter keeps the k × k state covariance of every time point (predicted
#: and filtered, float64), so a fit of state dimension k on n points needs about 16·k²·n bytes;
#: the largest order a fit may reach (the fixed order, or the search's bounds after its own caps
#: of a third of the series) must keep that below this.
MAX_STATE_BYTES = 16 * 1024**3


def state_dimension(p: int, d: int, q: int, P: int, D: int, Q: int, m: int) -> int:
    """The state dimension of a seasonal ARIMA in statsmodels' form (differences in the state).

    >>> state_dimension(0, 1, 1, 0, 1, 1, 12)      # the airline model
    27
    """
    return max(p + m * P, q + m * Q + 1) + d + m * D


def grid_candidates(max_p: int, max_q: int, max_P: int, max_Q: int, max_order: int) -> int:
    """How many candidates the full grid fits (each (p, q, P, Q) with and without a constant).

    >>> grid_candidates(5, 5, 2, 2, 5)      # 96 orders with p + q + P + Q <= 5, times two
    192
    """
    caps = [min(v, max_order) for v in (max_p, max_q, max_P, max_Q)]
    if math.prod(c + 1 for c in caps) > 10**7:
        return math.prod(c + 1 for c in caps) * 2  # far beyond the bound: no need to count
    counts = np.ones(1, dtype=np.int64)
    for cap in caps:
        counts = np.convolve(counts, np.ones(cap + 1, dtype=np.int64))
    return 2 * int(counts[: max_order + 1].sum())


def check_arima_sizes(model: Any, n_train: int) -> None:
    """The largest order a fit of ``model`` (an ARIMA's hyper-parameters) may reach on
    ``n_train`` points fits in memory (:data:`MAX_STATE_BYTES`), and a fixed order's
    differences leave data to fit; ``ValueError("NAME: why")`` otherwise."""
    m = int(model.season_length)
    if model.order is not None:
        p, d, q = (int(v) for v in model.order)
        P, D, Q = (int(v) for v in (model.seasonal_order or (0, 0, 0)))
        m = m if P + D + Q > 0 else 1
        if d + m * D >= n_train - 1:
            raise ValueError(
                f"order: differencing d + m·D = {d + m * D} leaves no data of the {n_train} "
                "training points"
            )
        key = "order"
    else:
        seasonal = model.seasonal and 2 <= m <= model.max_season
        m = m if seasonal else 1
        caps = Bounds.capped(
            n_train, m, model.max_p, model.max_q, model.max_P, model.max_Q, model.max_order
        )
        p, q, P, Q = caps.max_p, caps.max_q, caps.max_P, caps.max_Q
        d, D = model.max_d, model.max_D if m > 1 else 0
        key = "max_p"
    k = state_dimension(p, d, q, P, D, Q, m)
    need = 16 * k * k * n_train
    if need > MAX_STATE_BYTES:
        raise ValueError(
            f"{key}: orders up to ARIMA({p},{d},{q})({P},{D},{Q})[{m}] have a state of {k} "
            f"entries; on {n_train} training points the Kalman filter would keep "
            f"{need / 1024**3:.3g} GiB (16·k²·n bytes; at most {MAX_STATE_BYTES / 1024**3:g})"
        )


def check_arima_params(model: Any) -> None:
    """The ranges of an ARIMA's hyper-parameters (``model``: an ARIMA; an ARIMA-GARCH checks
    the ARIMA it builds); ``ValueError("NAME: why")`` for the first out of range."""
    if model.order is not None and (len(model.order) != 3 or min(model.order) < 0):
        raise ValueError(f"order: expected three integers >= 0, got {model.order!r}")
    if model.seasonal_order is not None and (
        len(model.seasonal_order) != 3 or min(model.seasonal_order) < 0
    ):
        raise ValueError(
            f"seasonal_order: expected three integers (P, D, Q) >= 0, got {model.seasonal_order!r}"
        )
    if model.season_length < 1:
        raise ValueError(f"season_length: must be at least 1, got {model.season_length}")
    for name in ("max_p", "max_q", "max_d", "max_P", "max_Q", "max_D", "max_order", "max_season"):
        if getattr(model, name) < 0:
            raise ValueError(f"{name}: must be at least 0, got {getattr(model, name)}")
    for name, value, bound in (
        ("max_d", model.max_d, MAX_D),
        ("max_D", model.max_D, MAX_SEASONAL_D),
        ("order", model.order[1] if model.order is not None else 0, MAX_D),
        ("seasonal_order", model.seasonal_order[1] if model.seasonal_order else 0, MAX_SEASONAL_D),
    ):
        if value > bound:
            raise ValueError(f"{name}: at most {bound} differences, got {value}")
    if not model.stepwise and model.order is None:
        count = grid_candidates(model.max_p, model.max_q, model.max_P, model.max_Q, model.max_order)
        if count > MAX_CANDIDATES:
            raise ValueError(
                f"max_order: a full grid (stepwise = false) of {count} candidates; at most "
                f"{MAX_CANDIDATES} (lower max_order or max_p, max_q, max_P, max_Q)"
            )
    if not 0.0 < model.test_alpha < 1.0:
        raise ValueError(f"test_alpha: must lie in (0, 1), got {model.test_alpha}")
    if not 1 <= model.maxiter <= MAX_MAXITER:
        raise ValueError(f"maxiter: must lie in 1..{MAX_MAXITER}, got {model.maxiter}")
