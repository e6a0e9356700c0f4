"""Rolling origins and the covariate design that keeps every forecast blind to its future.

Covariates are of two kinds (:class:`shiftbench.types.Dataset`): *observed* ones (case counts) are
known only up to the cutoff, *known-ahead* ones (the day type) are known for the target itself.
The design row of target t therefore holds the observed covariates of t − 1 and the known-ahead
covariates of t. Forecasting h > 1 steps from cutoff c, the observed values of c + 1 .. c + h − 1
are not yet known and are held at their value at c (persistence), so no row of a forecast made at
c carries information from after c.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shiftbench.types import Dataset, FloatArray, Protocol


@dataclass(frozen=True)
class Design:
    """The covariate matrix a model sees, one row per time point of the series."""

    X: FloatArray
    columns: tuple[str, ...]
    observed: npt.NDArray[np.bool_]

    def future(self, cutoff: int, horizon: int) -> FloatArray:
        """Rows of targets cutoff + 1 .. cutoff + horizon, using only data up to ``cutoff``."""
        rows = self.X[cutoff + 1 : cutoff + 1 + horizon].copy()
        rows[:, self.observed] = self.X[cutoff + 1, self.observed]
        return rows


def design(ds: Dataset) -> Design | None:
    """The design of a dataset's covariates (None when it has none).

    Observed covariates are lagged one step (the first row repeats the first value, which only
    ever serves the first training point).
    """
    if ds.exog is None or not ds.covariates:
        return None
    columns: list[str] = []
    blocks: list[FloatArray] = []
    observed: list[bool] = []
    for name in ds.observed:
        values = ds.exog[name].to_numpy(dtype=np.float64)
        blocks.append(np.concatenate([values[:1], values[:-1]]))
        columns.append(f"{name}_lag1")
        observed.append(True)
    for name in ds.known_ahead:
        blocks.append(ds.exog[name].to_numpy(dtype=np.float64))
        columns.append(name)
        observed.append(False)
    return Design(X=np.column_stack(blocks), columns=tuple(columns), observed=np.array(observed))


def refit_blocks(cutoffs: npt.NDArray[np.int64], refit_every: int) -> list[npt.NDArray[np.int64]]:
    """Split the origins into the groups that share one fit.

    >>> [b.tolist() for b in refit_blocks(np.arange(5, 10), 2)]
    [[5, 6], [7, 8], [9]]
    """
    if refit_every <= 0:
        return [cutoffs]
    return [cutoffs[i : i + refit_every] for i in range(0, len(cutoffs), refit_every)]


__all__ = ["Design", "Protocol", "design", "refit_blocks"]
