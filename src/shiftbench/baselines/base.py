"""The Forecaster contract and a small base class that follows scikit-learn's estimator rules.

A forecaster's constructor takes keyword-only hyper-parameters and stores them unchanged; ``fit``
estimates on a training span and returns ``self``; fitted state ends in ``_``; ``update`` absorbs
new observations without re-estimating; ``forecast`` gives steps 1..H from the end of what the
model has seen. Models that can forecast every origin of a rolling backtest in one pass implement
``one_step_path`` as well.
"""

from __future__ import annotations

import copy
import inspect
import types
import typing
from typing import Any, ClassVar, Protocol, Self, get_args, get_origin, runtime_checkable

import numpy as np
import pandas as pd

from shiftbench.errors import ConfigError, FitError
from shiftbench.types import Capabilities, FloatArray, Forecast


@runtime_checkable
class Forecaster(Protocol):
    """What the harness needs from a model."""

    capabilities: ClassVar[Capabilities]

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> Self: ...

    def update(self, y_new: pd.Series, exog_new: pd.DataFrame | None = None) -> Self: ...

    def forecast(self, horizon: int, exog_future: pd.DataFrame | None = None) -> Forecast: ...


def as_float_array(values: Any, what: str = "y") -> FloatArray:
    """A 1-d float64 copy of a Series or array-like."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, got shape {array.shape}")
    return array


def as_exog_array(values: pd.DataFrame | np.ndarray | None, n: int, what: str) -> FloatArray | None:
    """A 2-d float64 array of ``n`` rows, or None."""
    if values is None:
        return None
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[0] != n:
        raise ValueError(f"{what} has {array.shape[0]} rows, expected {n}")
    return array


#: What ``fit`` and ``update`` accept for the target and for the covariates.
YLike = pd.Series | np.ndarray
XLike = pd.DataFrame | np.ndarray | None


class BaseForecaster:
    """Parameter handling shared by every model (``get_params``, ``set_params``, ``clone``)
    and the three methods of the Forecaster contract, which subclasses implement."""

    capabilities: ClassVar[Capabilities] = Capabilities()

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        """Estimate on a training span; return ``self``."""
        raise NotImplementedError

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        """Absorb observations that follow what the model has seen, without re-estimating."""
        raise NotImplementedError

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        """Steps 1..horizon from the end of what the model has seen."""
        raise NotImplementedError

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        """The constructor's hyper-parameters, as given."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set hyper-parameters by name (unknown names raise ``ValueError``)."""
        valid = set(self._param_names())
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def clone(self) -> Self:
        """An unfitted copy with the same hyper-parameters."""
        return type(self)(**copy.deepcopy(self.get_params()))

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise FitError(f"{type(self).__name__} is not fitted: call fit first")

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        """One-step forecasts of k consecutive targets, each made with only the data before it.

        ``y_seen`` holds the k − 1 observations that arrive between the first and the last origin
        (the model is fitted up to the first); ``exog_targets`` the k design rows of the targets.
        The model itself is left as it was. This default loops over ``forecast`` and ``update`` on
        a copy; models with a filter or a batched predictor override it with one pass.
        """
        seen = as_float_array(y_seen, "y_seen")
        k = len(seen) + 1
        x = as_exog_array(exog_targets, k, "exog_targets")
        model = copy.deepcopy(self)
        means, sds = np.empty(k), np.empty(k)
        bounds: dict[int, tuple[FloatArray, FloatArray]] = {}
        for i in range(k):
            row = None if x is None else x[i : i + 1]
            f = model.forecast(1, row)
            means[i] = f.mean[0]
            sds[i] = np.nan if f.sd is None else f.sd[0]
            for level, (lo, hi) in f.intervals.items():
                lo_all, hi_all = bounds.setdefault(level, (np.empty(k), np.empty(k)))
                lo_all[i], hi_all[i] = lo[0], hi[0]
            if i < k - 1:
                model.update(seen[i : i + 1], row)
        sd = None if np.all(np.isnan(sds)) else sds
        return Forecast(mean=means, sd=sd, intervals=bounds)


def _matches(value: Any, annotation: Any) -> bool:
    """Whether a config value fits a constructor annotation (int, float, str, tuples, unions)."""
    if annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in get_args(annotation))
    if origin is typing.Literal:
        return value in get_args(annotation)
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if origin in (tuple, list):
        args = get_args(annotation)
        if not isinstance(value, list | tuple):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(
                _matches(v, a) for v, a in zip(value, args, strict=True)
            )
        return all(_matches(v, args[0]) for v in value) if args else True
    return isinstance(value, annotation) if isinstance(annotation, type) else True


def _describe(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "")
    return text.replace("<class '", "").replace("'>", "")


def validate_params(cls: type[BaseForecaster], params: dict[str, Any], where: str) -> None:
    """Check config hyper-parameters against a model's constructor, naming the bad key.

    Raises
    ------
    ConfigError
        For an unknown key or a value of the wrong type.
    """
    params = dict(params)
    if "refit_every" in params:  # a protocol setting any model may override for itself
        value = params.pop("refit_every")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}.refit_every: expected an int >= 0, got {value!r}")
    hints = typing.get_type_hints(cls.__init__)
    names = cls._param_names()
    for key, value in params.items():
        if key not in names:
            known = ", ".join([*names, "refit_every"])
            raise ConfigError(f"{where}: unknown key {key!r} (known: {known})")
        annotation = hints.get(key, Any)
        if not _matches(value, annotation):
            raise ConfigError(f"{where}.{key}: expected {_describe(annotation)}, got {value!r}")
