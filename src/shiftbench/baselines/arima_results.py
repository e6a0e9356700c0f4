"""What an ARIMA fit found, apart from the model (statsmodels' model/results split): the order
chosen, its estimates, how the search got there, and the fit's warnings, in one frozen object
that :class:`~shiftbench.baselines.arima.ARIMA` sets as ``results_`` and its ``info()``,
``fit_warnings()`` and ``in_sample_predictions()`` read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shiftbench.baselines.arima_search import Spec
from shiftbench.types import FloatArray


@dataclass(frozen=True, eq=False)
class ARIMAResults:
    """The findings of one ARIMA fit.

    Attributes
    ----------
    spec
        The order fitted, with its constant.
    params, param_names
        The estimates in statsmodels' order and names: regressors (the trend column first,
        ``x1``, ...), AR, MA, seasonal AR, seasonal MA, σ².
    aicc
        statsmodels' AICc of the final fit.
    converged
        Whether the likelihood optimiser converged (True where no optimiser ran).
    search
        ``"exact ML"`` or ``"CSS"`` (how the search scored its candidates), or
        ``"fixed order"``.
    scored
        Every candidate the search scored, as (label, AICc), in the order fitted; empty for a
        fixed order.
    fallbacks
        How many better-ranked orders could not be used.
    notes
        Where the search deviated from the dataset's settings, and why.
    warnings
        The fit's warnings, one line each (a fallback first).
    in_sample
        One-step predictions over the training span (NaN before the differencing has data).
    residuals
        The one-step errors over the training span (statsmodels' ``resid``).
    n_exog
        The number of covariates the model was fitted with.
    seconds_search
        Wall seconds of the order search; None for a fixed order.
    """

    spec: Spec
    params: FloatArray
    param_names: tuple[str, ...]
    aicc: float
    converged: bool
    search: str
    scored: tuple[tuple[str, float], ...]
    fallbacks: int
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    in_sample: FloatArray
    residuals: FloatArray
    n_exog: int
    seconds_search: float | None = None

    @property
    def order(self) -> tuple[int, int, int]:
        """(p, d, q)."""
        return self.spec.order

    @property
    def seasonal_order(self) -> tuple[int, int, int, int]:
        """(P, D, Q, m); (0, 0, 0, 0) for a non-seasonal model."""
        return self.spec.seasonal_order

    @property
    def trend(self) -> str:
        """``"n"``, ``"c"`` (a mean) or ``"t"`` (a drift once differenced)."""
        return self.spec.trend

    @property
    def models_tried(self) -> int:
        """How many candidate orders the search scored."""
        return len(self.scored)

    def info(self) -> dict[str, Any]:
        """The run manifest's record of the fit (docs/contract.md, ``cells``' ``info``).

        >>> import numpy as np
        >>> results = ARIMAResults(
        ...     Spec(0, 1, 1, constant=True), np.array([0.5, 0.3, 1.0]), ("x1", "ma.L1", "sigma2"),
        ...     101.5, True, "fixed order", (), 0, (), (), np.array([np.nan, 1.0]),
        ...     np.array([0.2, -0.1]), 0)
        >>> results.info()["model"], results.info()["seasonal_order"]
        ('ARIMA(0,1,1) with drift', [0, 0, 0, 0])
        """
        out: dict[str, Any] = {
            "model": self.spec.label,
            "order": list(self.order),
            "seasonal_order": list(self.seasonal_order),
            "trend": self.trend,
            "aicc": self.aicc,
            "converged": self.converged,
            "search": self.search,
            "models_tried": self.models_tried,
            "fallbacks": self.fallbacks,
        }
        if self.seconds_search is not None:
            out["seconds_search"] = self.seconds_search
        if self.notes:
            out["notes"] = list(self.notes)
        return out
