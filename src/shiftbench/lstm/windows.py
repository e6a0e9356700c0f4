"""Pure windowing and scaling for the LSTM models: no TensorFlow here.

A window for target t holds the ``window`` steps s = t − w .. t − 1. Each step carries the
(scaled) target value at s and the covariate design row of s + 1 — that is, the observed
covariates at s (the design lags them one step) and the calendar covariates at s + 1. The last
step therefore carries the calendar of the target day itself and nothing observed after the
cutoff t − 1: the same rule as ARIMAX.

Scalers are fitted on the training span only and stored as (location, scale) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ScalerKind = Literal["minmax", "standard", "maxabs", "none"]


@dataclass(frozen=True)
class Scaler:
    """An affine map x -> (x − loc)/scale, per column, fitted on training data.

    >>> s = Scaler.fit(np.array([[0.0], [10.0]]), "minmax")
    >>> s.transform(np.array([[5.0]])).tolist(), s.inverse_target(np.array([1.0])).tolist()
    ([[0.5]], [10.0])
    """

    loc: FloatArray
    scale: FloatArray

    @classmethod
    def fit(cls, values: FloatArray, kind: ScalerKind) -> Scaler:
        x = np.asarray(values, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        if kind == "minmax":
            loc, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        elif kind == "standard":
            loc, scale = x.mean(axis=0), x.std(axis=0)
        elif kind == "maxabs":
            loc, scale = np.zeros(x.shape[1]), np.abs(x).max(axis=0)
        elif kind == "none":
            loc, scale = np.zeros(x.shape[1]), np.ones(x.shape[1])
        else:
            raise ValueError(f"unknown scaler {kind!r}")
        scale = np.where(scale > 0, scale, 1.0)  # a constant column maps to 0
        return cls(loc=np.asarray(loc, dtype=np.float64), scale=np.asarray(scale, np.float64))

    def transform(self, values: FloatArray) -> FloatArray:
        return (np.asarray(values, dtype=np.float64) - self.loc) / self.scale

    def inverse_target(self, values: FloatArray) -> FloatArray:
        """Undo the scaling of column 0 (the target)."""
        out: FloatArray = np.asarray(values, dtype=np.float64) * self.scale[0] + self.loc[0]
        return out


def step_features(series: FloatArray, design: FloatArray | None) -> FloatArray:
    """Per-step features: row s is [series_s, design_{s+1}] (design shifted one step back).

    ``design`` must have one row more than ``series`` (the row of the next target), or be None.

    >>> step_features(np.array([1.0, 2.0]), np.array([[10.0], [20.0], [30.0]])).tolist()
    [[1.0, 20.0], [2.0, 30.0]]
    """
    target = np.asarray(series, dtype=np.float64)[:, None]
    if design is None:
        return target
    x = np.asarray(design, dtype=np.float64)
    if x.shape[0] != target.shape[0] + 1:
        raise ValueError(f"design has {x.shape[0]} rows; expected {target.shape[0] + 1}")
    return np.hstack([target, x[1:]])


def training_windows(
    features: FloatArray, targets: FloatArray, window: int
) -> tuple[FloatArray, FloatArray]:
    """All (input window, next target) pairs of a training span.

    ``features[s]`` are the step features and ``targets[t]`` the value to predict at t; the pair
    for t uses features t − window .. t − 1.

    >>> X, y = training_windows(np.arange(5.0)[:, None], np.arange(5.0) * 10, 3)
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [30.0, 40.0])
    """
    f = np.asarray(features, dtype=np.float64)
    n = f.shape[0]
    if n <= window:
        raise ValueError(f"{n} steps leave no training window of length {window}")
    idx = np.arange(window)[None, :] + np.arange(n - window)[:, None]
    return f[idx], np.asarray(targets, dtype=np.float64)[window:n]


def last_windows(features: FloatArray, ends: npt.NDArray[np.int64], window: int) -> FloatArray:
    """The windows whose last step is at each position of ``ends`` (one per origin).

    >>> last_windows(np.arange(6.0)[:, None], np.array([2, 5]), 3)[:, :, 0].tolist()
    [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    """
    f = np.asarray(features, dtype=np.float64)
    starts = np.asarray(ends) - window + 1
    if np.any(starts < 0):
        raise ValueError("an origin has fewer than `window` steps before it")
    idx = starts[:, None] + np.arange(window)[None, :]
    windows: FloatArray = f[idx]
    return windows


@dataclass(frozen=True)
class Preprocessing:
    """The LSTM preprocessing of Makridakis, Spiliotis & Assimakopoulos (2018, §2.3): a Box-Cox
    transformation, seasonal adjustment by the Naive2 indices, and a linear trend removed, each
    estimated on the training span only and applied to any later observation at its position.

    Box-Cox (R's ``BoxCox`` with λ from ``BoxCox.lambda``'s default, Guerrero's method in
    [−1, 2]: :mod:`shiftbench.boxcox`; the article names no method, and used R's
    forecast package) needs positive values and is left out otherwise. (Until 0.4 λ was the
    unbounded maximum-likelihood estimate, which reached −4.2 on M3's N1819 and flattened the
    series to a constant.) The seasonal indices are those of Naive2 (one when the series shows
    no significant seasonality).

    >>> import numpy as np
    >>> y = 100 + np.arange(48.0) + 10 * np.sin(2 * np.pi * np.arange(48) / 12)
    >>> prep = Preprocessing.fit(y, 12)
    >>> z = prep.forward(y, np.arange(48))
    >>> bool(np.allclose(prep.inverse(z, np.arange(48)), y))
    True
    """

    lam: float | None
    indices: FloatArray
    intercept: float
    slope: float

    @classmethod
    def fit(cls, y: FloatArray, season_length: int) -> Preprocessing:
        from shiftbench.boxcox import guerrero_lambda
        from shiftbench.seasonality import SeasonalIndices

        values = np.asarray(y, dtype=np.float64)
        lam = None
        if np.all(values > 0) and np.ptp(values) > 0:
            lam = guerrero_lambda(values, season_length)
        transformed = values if lam is None else _boxcox(values, lam)
        seasonal = SeasonalIndices.fit(transformed, season_length)
        t = np.arange(len(values), dtype=np.float64)
        adjusted = transformed / seasonal.at(t.astype(np.int64))
        slope, intercept = np.polyfit(t, adjusted, 1) if len(values) > 1 else (0.0, adjusted[0])
        return cls(lam, seasonal.values, float(intercept), float(slope))

    def _index(self, positions: npt.NDArray[np.int64]) -> FloatArray:
        out: FloatArray = self.indices[np.asarray(positions) % len(self.indices)]
        return out

    def forward(self, y: FloatArray, positions: npt.NDArray[np.int64]) -> FloatArray:
        values = np.asarray(y, dtype=np.float64)
        transformed = values if self.lam is None else _boxcox(values, self.lam)
        trend = self.intercept + self.slope * np.asarray(positions, dtype=np.float64)
        out: FloatArray = transformed / self._index(positions) - trend
        return out

    def inverse(self, z: FloatArray, positions: npt.NDArray[np.int64]) -> FloatArray:
        trend = self.intercept + self.slope * np.asarray(positions, dtype=np.float64)
        transformed = (np.asarray(z, dtype=np.float64) + trend) * self._index(positions)
        if self.lam is None:
            return transformed
        from shiftbench.boxcox import inv_box_cox

        return inv_box_cox(transformed, self.lam)


def _boxcox(values: FloatArray, lam: float) -> FloatArray:
    from shiftbench.boxcox import box_cox

    return box_cox(values, lam)
