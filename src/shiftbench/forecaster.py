"""The Forecaster contract, which baselines and LSTMs implement alike, and its base class.

A forecaster's constructor takes keyword-only hyper-parameters and stores them unchanged; ``fit``
estimates on a training span and returns ``self``; fitted state ends in ``_``; ``update`` absorbs
new observations without re-estimating; ``forecast`` gives steps 1..H from the end of what the
model has seen (scikit-learn's estimator rules, applied to forecasting).

:class:`BaseForecaster` adds parameter handling and the optional hooks the engine calls on every
model, each with a default here: ``one_step_path`` (all one-step origins of a backtest; the
default loops over ``forecast`` and ``update``), ``refit`` (a later fit of a refitting protocol;
the default is a fresh fit), ``minimum_train``, ``info``, ``fit_warnings``, ``training_history``
and ``in_sample_predictions``. A model overrides the hooks it has something to say in; the
engine never probes for attributes.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from shiftbench.errors import FitError
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


class BaseEstimator:
    """What every model shares, forecaster or event classifier: its capabilities and
    dependencies, parameter handling (``get_params``, ``set_params``, ``clone``: scikit-learn's
    rules) and the hooks the engine calls before a run and after a fit, each with a default."""

    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Distributions beyond the numerical core (numpy, scipy, pandas, statsmodels, arch,
    #: scikit-learn) whose installed versions decide this model's numbers; they are part of
    #: the identity of its cached cells (the networks name TensorFlow and Keras).
    dependencies: ClassVar[tuple[str, ...]] = ()

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

    # -- optional hooks, with the defaults the engine relies on ----------------------------------
    def check_params(self) -> None:
        """Raise ``ValueError("NAME: why")`` for a hyper-parameter out of its range; called
        before a run starts, so a bad value costs no computed cell."""

    def minimum_train(self) -> int:
        """Fewest training points this model needs with these hyper-parameters."""
        return self.capabilities.min_train

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        """Raise ``ValueError("NAME: why")`` when these hyper-parameters, on a training span of
        ``n_train`` points with ``n_covariates`` covariates, would not fit in memory or time (an
        estimate, documented per model in docs/config.md); called before a run starts with each
        dataset's shortest and longest training spans."""

    def info(self) -> dict[str, Any]:
        """What the last fit chose (an order, parameters), for the run manifest."""
        return {}

    def training_history(self) -> dict[str, list[float]] | None:
        """Loss per epoch of the last fit, for models that train iteratively."""
        return None

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise FitError(f"{type(self).__name__} is not fitted: call fit first")


class BaseForecaster(BaseEstimator):
    """The base class of forecasters: :class:`BaseEstimator`'s parameter handling and hooks,
    the three methods of the :class:`Forecaster` contract, which subclasses implement, and the
    forecasting hooks ``fit_warnings``, ``in_sample_predictions`` and ``one_step_path``."""

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
    def fit_batch(
        cls,
        models: Sequence[BaseForecaster],
        data: Sequence[tuple[YLike, XLike]],
        keys: Sequence[str],
    ) -> list[Exception | None]:
        """Fit ``models[i]`` on ``data[i]`` (y, exog) for every i and return each fit's error
        (None where it fitted). The engine calls it with every fit of a collection's chunk;
        ``keys`` name each fit's series ("dataset/series id"). A model may fit them together
        (the networks train many at once) but a fit's result may depend on its own data, key
        and hyper-parameters only, never on the other fits. The default fits one by one."""
        errors: list[Exception | None] = []
        for model, (y, exog) in zip(models, data, strict=True):
            try:
                model.fit(y, exog)
                errors.append(None)
            except Exception as exc:  # one fit's failure is that fit's alone
                errors.append(exc)
        return errors

    def refit(self, y: YLike, exog: XLike = None) -> BaseForecaster:
        """A new model fitted on ``y``, a longer span that starts where the span this model was
        fitted on starts (the next fit of a protocol that re-estimates every ``refit_every``
        origins); ``self`` is left as it is.

        The default is a fresh fit of an unfitted clone: everything is estimated again, from
        ``y`` alone. A model may override it to keep some of what it estimated on its first
        span, as a hyper-parameter of its own says (the seasonally adjusted benchmarks keep
        their seasonal indices with ``seasonal_indices = "first_fit"``). The engine then fits
        the protocol's later spans one after the other, never in a batch
        (:meth:`fit_batch`). It is called on the previous fit as that fit left it, before
        it absorbed any observation."""
        again = self.clone()
        again.fit(y, exog)
        return again

    def gives_intervals(self) -> bool:
        """Whether this model's forecasts carry intervals of their own (by default: those
        whose capabilities state a variance); the others get conformal ones where the protocol
        asks (:mod:`shiftbench.benchmarks.calibration`)."""
        return bool(self.capabilities.variance)

    def fit_warnings(self) -> list[str]:
        """Warnings the last fit raised (an optimiser that did not converge), one line each."""
        return []

    def in_sample_predictions(self) -> FloatArray | None:
        """One-step predictions over the training span (NaN where there is none), or None when
        the model gives none."""
        return None

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
            f = as_forecast(model.forecast(1, row), 1)
            means[i] = f.mean[0]
            sds[i] = np.nan if f.sd is None else f.sd[0]
            for level, (lo, hi) in f.intervals.items():
                lo_all, hi_all = bounds.setdefault(level, (np.empty(k), np.empty(k)))
                lo_all[i], hi_all[i] = lo[0], hi[0]
            if i < k - 1:
                model.update(seen[i : i + 1], row)
        sd = None if np.all(np.isnan(sds)) else sds
        return Forecast(mean=means, sd=sd, intervals=bounds)


def constructor_params(obj: Any) -> dict[str, Any]:
    """The hyper-parameters of any estimator: ``get_params()`` where it has one, else its
    constructor's parameters read back from the attributes of the same name (scikit-learn's
    convention), defaults where an attribute is missing."""
    get_params = getattr(obj, "get_params", None)
    if callable(get_params):
        params = get_params()
        if isinstance(params, dict):
            return dict(params)
    out: dict[str, Any] = {}
    for name, p in inspect.signature(type(obj).__init__).parameters.items():
        if name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if hasattr(obj, name):
            out[name] = getattr(obj, name)
        elif p.default is not p.empty:
            out[name] = p.default
    return out


def as_forecast(value: Any, horizon: int, what: str = "forecast") -> Forecast:
    """A model's output checked: a :class:`Forecast` (an array of point forecasts is taken as
    its mean) of ``horizon`` finite values, with ``sd`` and intervals of the same length.

    Raises :class:`FitError` saying what is wrong, so that the cell fails with that message.

    >>> as_forecast([1.0, 2.0], 2).mean.tolist()
    [1.0, 2.0]
    """
    if not isinstance(value, Forecast):
        try:
            mean = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise FitError(
                f"{what} returned {type(value).__name__}, not a Forecast or an array"
            ) from None
        if mean.ndim != 1:
            raise FitError(f"{what} returned an array of shape {mean.shape}, not {horizon} values")
        value = Forecast(mean=mean)
    mean = np.asarray(value.mean, dtype=np.float64)
    if mean.shape != (horizon,):
        raise FitError(f"{what} returned {mean.size} values where {horizon} were asked for")
    if not np.all(np.isfinite(mean)):
        bad = mean[~np.isfinite(mean)][0]
        raise FitError(f"{what} returned a non-finite forecast ({bad})")
    sd = None if value.sd is None else np.asarray(value.sd, dtype=np.float64)
    if sd is not None and sd.shape != (horizon,):
        raise FitError(f"{what} returned {sd.size} standard deviations for {horizon} steps")
    intervals = {}
    for level, bounds in value.intervals.items():
        lo, hi = (np.asarray(b, dtype=np.float64) for b in bounds)
        if lo.shape != (horizon,) or hi.shape != (horizon,):
            raise FitError(f"{what} returned {level} % intervals of the wrong length")
        intervals[level] = (lo, hi)
    return Forecast(mean=mean, sd=sd, intervals=intervals)


class ProtocolAdapter(BaseForecaster):
    """A forecaster that keeps the :class:`Forecaster` protocol (``capabilities``, ``fit``,
    ``update``, ``forecast``) without subclassing :class:`BaseForecaster`, given the base
    class's parameter handling and hooks: the optional hooks are used where the estimator has
    them (``one_step_path``, ``minimum_train``, ``info``, ...), the defaults otherwise."""

    def __init__(self, *, estimator: Any) -> None:
        self.estimator = estimator

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        caps = getattr(self.estimator, "capabilities", None)
        return caps if isinstance(caps, Capabilities) else Capabilities()

    @property
    def dependencies(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(getattr(self.estimator, "dependencies", ()))

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        self.fitted_ = copy.deepcopy(self.estimator)
        self.fitted_.fit(y, exog)
        return self

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("fitted_")
        self.fitted_.update(y_new, exog_new)
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("fitted_")
        return as_forecast(self.fitted_.forecast(horizon, exog_future), horizon)

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        own = getattr(getattr(self, "fitted_", None), "one_step_path", None)
        if callable(own):
            return as_forecast(own(y_seen, exog_targets), len(y_seen) + 1, "one_step_path")
        return super().one_step_path(y_seen, exog_targets)

    def refit(self, y: YLike, exog: XLike = None) -> BaseForecaster:
        own = getattr(getattr(self, "fitted_", None), "refit", None)
        if not callable(own):
            return super().refit(y, exog)
        fitted = own(y, exog)
        if fitted is self.fitted_ or not callable(getattr(fitted, "forecast", None)):
            got = "the model it was called on" if fitted is self.fitted_ else type(fitted).__name__
            raise FitError(
                f"{type(self.estimator).__name__}.refit must return a new fitted model, got {got}"
            )
        again = ProtocolAdapter(estimator=self.estimator)
        again.fitted_ = fitted
        return again

    def _hook(self, name: str, default: Any) -> Any:
        method = getattr(getattr(self, "fitted_", self.estimator), name, None)
        return method() if callable(method) else default

    def minimum_train(self) -> int:
        return int(self._hook("minimum_train", self.capabilities.min_train))

    def check_sizes(self, n_train: int, n_covariates: int) -> None:
        own = getattr(self.estimator, "check_sizes", None)
        if callable(own):
            own(n_train, n_covariates)

    def check_params(self) -> None:
        own = getattr(self.estimator, "check_params", None)
        if callable(own):
            own()

    def info(self) -> dict[str, Any]:
        return dict(self._hook("info", {}))

    def fit_warnings(self) -> list[str]:
        return list(self._hook("fit_warnings", []))

    def training_history(self) -> dict[str, list[float]] | None:
        history: dict[str, list[float]] | None = self._hook("training_history", None)
        return history

    def in_sample_predictions(self) -> FloatArray | None:
        values = self._hook("in_sample_predictions", None)
        return None if values is None else np.asarray(values, dtype=np.float64)

    def __repr__(self) -> str:
        return repr(self.estimator)


def keeps_from_previous_fit(model: BaseForecaster) -> bool:
    """Whether ``model``'s ``refit`` is its own, and so may keep something of the fit it is
    called on (the engine then refits from that fit and batches only the first)."""
    if isinstance(model, ProtocolAdapter):
        return callable(getattr(model.estimator, "refit", None))
    return type(model).refit is not BaseForecaster.refit


def as_forecaster(obj: Any) -> BaseForecaster:
    """A :class:`BaseForecaster` as it is; any other object with ``fit``, ``update`` and
    ``forecast`` wrapped in a :class:`ProtocolAdapter`; anything else a ``TypeError``."""
    if isinstance(obj, BaseForecaster):
        return obj
    missing = [m for m in ("fit", "update", "forecast") if not callable(getattr(obj, m, None))]
    if missing:
        raise TypeError(
            f"{type(obj).__name__} is not a forecaster: it has no {', '.join(missing)} "
            "(see shiftbench.forecaster.Forecaster)"
        )
    return ProtocolAdapter(estimator=obj)


@runtime_checkable
class Classifier(Protocol):
    """What the harness needs from an event classifier (its own contract, not a forecaster's:
    it learns events, not values)."""

    capabilities: ClassVar[Capabilities]

    def fit_events(
        self, features: FloatArray, labels: FloatArray, spec: Any, n_train: int
    ) -> Self: ...

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray: ...


class EventClassifier(BaseEstimator):
    """The base class of event classifiers (:class:`Classifier`), with the parameter handling
    and hooks every model shares: at every cutoff c it predicts the probability of each class
    of the event at c + 1 from what is known at c: the target and covariates up to c, and the
    actual events up to c + 1 − ``spec.known_lag`` (a :class:`shiftbench.eventspec.EventSpec`).

    ``fit_events(features, labels, spec, n_train)``: learn from positions 0..n_train − 1 only.
    ``predict_proba(features, labels, cutoffs)``: one row of class probabilities per cutoff.
    A classifier is given the whole arrays and reads only what is known (tests change what
    follows a cutoff and check that its prediction does not move).
    """

    capabilities: ClassVar[Capabilities] = Capabilities(kind="event")

    def fit_events(self, features: FloatArray, labels: FloatArray, spec: Any, n_train: int) -> Self:
        raise NotImplementedError

    def predict_proba(
        self, features: FloatArray, labels: FloatArray, cutoffs: npt.NDArray[np.int64]
    ) -> FloatArray:
        raise NotImplementedError
