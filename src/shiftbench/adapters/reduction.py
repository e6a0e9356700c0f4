"""A regressor as a forecaster: the reduction of forecasting to regression on lagged values.

The target at time t is regressed on the ``window`` values before it (most recent first) and on
the covariate design row of t (the observed covariates of t − 1 and the known-ahead ones of t;
:mod:`shiftbench.benchmarks.protocol`). Steps beyond the first are forecast recursively, each
prediction taking the place of the value it forecasts. With ``difference`` the regressor learns
the change from the previous value instead, and the forecast adds it back (what lets a tree model
follow a trend it has not seen). This is the "direct reduction with recursive strategy" of sktime
and of Bontempi, Ben Taieb & Le Borgne (2013), *Machine learning strategies for time series
forecasting*, section 4.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from shiftbench.errors import FitError
from shiftbench.forecaster import BaseForecaster, XLike, YLike, as_exog_array, as_float_array
from shiftbench.types import Capabilities, FloatArray, Forecast


def load_regressor_class(path: str) -> type:
    """The class named by ``"package.module:Class"`` (``ValueError`` naming what is wrong)."""
    module, sep, attr = path.partition(":")
    if not sep or not module or not attr:
        raise ValueError(f"regressor: {path!r} is not 'package.module:Class'")
    try:
        loaded = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"regressor: cannot load {path!r} ({exc})") from None
    if not isinstance(loaded, type):
        raise ValueError(f"regressor: {path!r} is not a class")
    return loaded


class Reduction(BaseForecaster):
    """Any regressor with ``fit(X, y)`` and ``predict(X)`` as a one-step forecaster, iterated
    for longer horizons.

    Parameters
    ----------
    regressor
        ``"package.module:Class"`` (default ``"sklearn.linear_model:Ridge"``) or an unfitted
        regressor instance.
    window
        How many past values are the features (12).
    difference
        Regress the change from the previous value rather than the value.
    **regressor_params
        The regressor's own parameters (``alpha = 0.5`` for Ridge, ``n_estimators`` for a
        forest). A regressor that takes ``random_state`` gets 0 unless one is given, so that its
        forecasts are the same from run to run.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(40, dtype=float)
    >>> model = Reduction(window=3, alpha=1e-6).fit(y)
    >>> np.round(model.forecast(2).mean, 3).tolist()
    [40.0, 41.0]
    """

    capabilities: ClassVar[Capabilities] = Capabilities(covariates=True, min_train=4)
    dependencies: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        regressor: Any = "sklearn.linear_model:Ridge",
        window: int = 12,
        difference: bool = False,
        **regressor_params: Any,
    ) -> None:
        self.regressor = regressor
        self.window = window
        self.difference = difference
        self.regressor_params = regressor_params

    # -- parameters: the named ones and the regressor's, side by side --------------------------
    def get_params(self) -> dict[str, Any]:
        return {
            "regressor": self.regressor,
            "window": self.window,
            "difference": self.difference,
            **self.regressor_params,
        }

    def set_params(self, **params: Any) -> Self:
        for key, value in params.items():
            if key in ("regressor", "window", "difference"):
                setattr(self, key, value)
            else:
                self.regressor_params[key] = value
        return self

    def check_params(self) -> None:
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"window: must be a whole number >= 1, got {self.window!r}")
        if self.window > 10_000:
            raise ValueError(f"window: at most 10000 lags, got {self.window}")
        self._new_regressor()  # unknown classes and parameters are named before the run

    def minimum_train(self) -> int:
        return self.window + 2 + (1 if self.difference else 0)

    def _new_regressor(self) -> Any:
        if isinstance(self.regressor, str):
            cls = load_regressor_class(self.regressor)
            params = dict(self.regressor_params)
            if "random_state" in inspect.signature(cls).parameters:
                params.setdefault("random_state", 0)
            try:
                return cls(**params)
            except TypeError as exc:
                raise ValueError(f"regressor: {self.regressor} does not take {exc}") from None
        if not (hasattr(self.regressor, "fit") and hasattr(self.regressor, "predict")):
            raise ValueError(f"regressor: {self.regressor!r} has no fit and predict")
        from sklearn.base import clone

        made = clone(self.regressor)
        if self.regressor_params:
            made.set_params(**self.regressor_params)
        return made

    # -- features ------------------------------------------------------------------------------
    def _series(self, values: FloatArray) -> FloatArray:
        return np.diff(values) if self.difference else values

    def _rows(self, history: FloatArray, X: FloatArray | None, start: int) -> FloatArray:
        """Feature rows for targets start..len(history)-1 of ``history`` (the modelled series):
        the ``window`` values before each (most recent first), then its design row."""
        w = self.window
        n = len(history)
        lags = np.column_stack([history[start - k : n - k] for k in range(1, w + 1)])
        if X is None:
            return lags
        return np.hstack([lags, X[start:n]])

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        X = as_exog_array(exog, len(values), "exog")
        if len(values) < self.minimum_train():
            raise FitError(
                f"Reduction with window {self.window} needs {self.minimum_train()} points, "
                f"got {len(values)}"
            )
        modelled = self._series(values)
        design = None if X is None else (X[1:] if self.difference else X)
        features = self._rows(modelled, design, self.window)
        model = self._new_regressor()
        model.fit(features, modelled[self.window :])
        self.model_ = model
        self.y_ = values
        self.X_ = X
        return self

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("model_")
        values = as_float_array(y_new)
        self.y_ = np.concatenate([self.y_, values])
        if self.X_ is not None:
            rows = as_exog_array(exog_new, len(values), "exog_new")
            if rows is None:
                raise FitError("Reduction was fitted with covariates: update needs them too")
            self.X_ = np.vstack([self.X_, rows])
        return self

    def _predict(self, features: FloatArray) -> FloatArray:
        return np.asarray(self.model_.predict(features), dtype=np.float64).reshape(-1)

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("model_")
        future = as_exog_array(exog_future, horizon, "exog_future")
        if self.X_ is not None and future is None:
            raise FitError("Reduction was fitted with covariates: forecast needs them too")
        history = list(self._series(self.y_)[-self.window :])
        level = float(self.y_[-1])
        out = np.empty(horizon)
        for h in range(horizon):
            row = np.asarray(history[::-1][: self.window], dtype=np.float64)
            if future is not None:
                row = np.concatenate([row, future[h]])
            step = float(self._predict(row[None, :])[0])
            level = level + step if self.difference else step
            out[h] = level
            history.append(step)
        return Forecast(mean=out)

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        """Every one-step forecast in one ``predict`` call: the features of each target come
        from the values before it only."""
        self._check_fitted("model_")
        seen = as_float_array(y_seen, "y_seen")
        k = len(seen) + 1
        targets = as_exog_array(exog_targets, k, "exog_targets")
        if self.X_ is not None and targets is None:
            raise FitError("Reduction was fitted with covariates: one_step_path needs them too")
        values = np.concatenate([self.y_, seen])
        modelled = self._series(values)
        n_before = len(self._series(self.y_))
        # rows for targets n_before .. n_before + k - 1 of the modelled series; the last one
        # forecasts a value not yet seen, so the series is padded by a placeholder
        padded = np.concatenate([modelled, [0.0]])
        lags = np.column_stack(
            [padded[n_before - j : n_before - j + k] for j in range(1, self.window + 1)]
        )
        features = lags if targets is None else np.hstack([lags, targets])
        step = self._predict(features)
        if not self.difference:
            return Forecast(mean=step)
        previous = values[len(self.y_) - 1 : len(self.y_) - 1 + k]
        return Forecast(mean=previous + step)
