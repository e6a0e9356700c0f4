"""The one model registry: the built-in models, models of installed packages (entry points), and
models defined in a config or handed to :func:`shiftbench.run` as instances.

Every way in ends as a :class:`ModelSpec`: a class path, the constructor parameters fixed by the
definition, the parameters a dataset supplies (a season length), where the model came from, and
the harness's own settings for it (``refit_every``, ``timeout``). Cells carry their spec, so a
worker process builds the model without consulting any registry.

- **Built-in**: the table below. Neural models register by import path, so listing the models
  never imports TensorFlow.
- **Entry points**: an installed distribution declares
  ``[project.entry-points."shiftbench.models"] NAME = "package.module:Class"``. A name that
  collides with a built-in or with another entry point is refused, both origins named.
- **Config**: ``[model.NAME]`` with ``class = "package.module:Class"`` (or ``class`` = a
  registered model's name, for a variant with other parameters) and the constructor's keyword
  parameters. Without ``class``, ``[model.NAME]`` sets the parameters of the registered model
  NAME.
- **Python**: ``shiftbench.run(models=[...])`` takes names, instances and ``(name, instance)``
  pairs; an instance becomes a definition of its class and parameters, and is rebuilt (a fresh,
  unfitted copy) for every cell.

A model's class need not subclass :class:`~shiftbench.forecaster.BaseForecaster`: one that keeps
the :class:`~shiftbench.forecaster.Forecaster` protocol is wrapped
(:func:`~shiftbench.forecaster.as_forecaster`).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata
from typing import Any

from shiftbench.errors import ConfigError, DataError, InputError
from shiftbench.forecaster import (
    BaseEstimator,
    BaseForecaster,
    EventClassifier,
    as_forecaster,
    constructor_params,
)
from shiftbench.types import Capabilities, Dataset

#: The entry-point group that installed packages register models in.
ENTRY_POINT_GROUP = "shiftbench.models"
#: Keys of a ``[model.NAME]`` section that are the harness's, not the constructor's.
HARNESS_KEYS: tuple[str, ...] = ("class", "refit_every", "timeout")
#: Where a dataset supplies a constructor parameter: the parameter, and the dataset's value.
DATASET_VALUES = {
    "season_length": lambda ds: ds.season_length,
    "lstm_window": lambda ds: ds.protocol.lstm_window,
}


@dataclass(frozen=True)
class ModelSpec:
    """One model of a run: what to build and how the harness runs it."""

    name: str
    #: ``"package.module:Class"``
    target: str
    summary: str = ""
    #: (constructor parameter, dataset value in :data:`DATASET_VALUES`) supplied per dataset
    from_dataset: tuple[tuple[str, str], ...] = ()
    #: constructor parameters fixed by the definition (a config section, an instance)
    params: Mapping[str, Any] = field(default_factory=dict)
    #: "built-in", "config", "python", "variant of NAME", or "entry point DIST VERSION"
    origin: str = "built-in"
    #: re-estimate every N origins (None: the dataset's protocol decides)
    refit_every: int | None = None
    #: seconds a cell of this model may run before it is stopped (None: the run's default)
    timeout: float | None = None

    def cls(self) -> type[Any]:
        """The model's class (imported on first use); an :class:`InputError` naming the model
        and its class path when it cannot be loaded."""
        return load_class(self.target, f"model {self.name!r}")

    @property
    def capabilities(self) -> Capabilities:
        caps = getattr(self.cls(), "capabilities", None)
        return caps if isinstance(caps, Capabilities) else Capabilities()

    @property
    def builtin(self) -> bool:
        return self.origin == "built-in"

    def describe(self) -> str:
        """The summary, or the first line of the class's docstring."""
        if self.summary:
            return self.summary
        doc = inspect.getdoc(self.cls()) or ""
        return doc.strip().splitlines()[0] if doc.strip() else self.target

    def dataset_defaults(self, ds: Dataset) -> dict[str, Any]:
        return {param: DATASET_VALUES[value](ds) for param, value in self.from_dataset}

    def build(self, ds: Dataset, params: Mapping[str, Any] | None = None) -> BaseEstimator:
        """An unfitted instance: the dataset's values, then the definition's parameters, then
        ``params`` (a seed). A forecaster that only keeps the protocol is wrapped
        (:func:`~shiftbench.forecaster.as_forecaster`)."""
        merged = {**self.dataset_defaults(ds), **self.params, **(params or {})}
        model = self.cls()(**merged)
        if isinstance(model, EventClassifier) or self.capabilities.kind == "event":
            return model  # type: ignore[no-any-return]
        return as_forecaster(model)

    def build_forecaster(
        self, ds: Dataset, params: Mapping[str, Any] | None = None
    ) -> BaseForecaster:
        """:meth:`build` for a forecaster (a ``TypeError`` for an event classifier)."""
        model = self.build(ds, params)
        if not isinstance(model, BaseForecaster):
            raise TypeError(f"model {self.name!r} is an event classifier, not a forecaster")
        return model

    def resolved_params(
        self, ds: Dataset, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Every constructor parameter of the model built for ``ds``, defaults included (what a
        cell's identity and the manifest record)."""
        model = self.build(ds, params)
        inner = getattr(model, "estimator", model)
        return constructor_params(inner)

    def check_fits(self, ds: Dataset, params: Mapping[str, Any] | None = None) -> None:
        """Raise :class:`DataError` naming the dataset and the sizes when the training span is
        too short for this model with these parameters (checked before a run starts)."""
        model = self.build(ds, params)
        needed = model.minimum_train()
        n = len(ds)
        n_test = ds.protocol.n_test(n)
        n_train = n - n_test
        if n_train < needed:
            given = model.get_params()
            settings = f"window {given['window']}" if "window" in given else ""
            raise DataError(
                f"dataset {ds.name!r}: {n} points with {n_test} for testing leave {n_train} "
                f"for training; {self.name}{f' with {settings}' if settings else ''} needs at "
                f"least {needed}"
            )


def load_class(target: str, what: str) -> type[Any]:
    """The class at ``"package.module:Class"`` (nested classes as ``Outer.Inner``)."""
    module, sep, attr = target.partition(":")
    if not sep or not module or not attr:
        raise InputError(f"{what}: class {target!r} is not 'package.module:Class'")
    try:
        loaded: Any = importlib.import_module(module)
        for part in attr.split("."):
            loaded = getattr(loaded, part)
    except ImportError as exc:
        raise InputError(
            f"{what}: cannot import {module!r} ({exc}); is it installed, or on PYTHONPATH?"
        ) from None
    except AttributeError:
        raise InputError(f"{what}: module {module!r} has no {attr!r}") from None
    except Exception as exc:  # importing the user's module ran code that failed
        raise InputError(
            f"{what}: importing {module!r} failed ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(loaded, type):
        raise InputError(f"{what}: {target!r} is not a class")
    missing = [m for m in ("fit", "update", "forecast") if not callable(getattr(loaded, m, None))]
    if missing and not callable(getattr(loaded, "fit_events", None)):
        # refused before it is ever constructed: a class path names a forecaster, nothing else
        raise InputError(
            f"{what}: {target!r} is not a forecaster (it has no {', '.join(missing)}; see "
            "shiftbench.forecaster.Forecaster)"
        )
    return loaded


def _statistical(name: str, cls: str, summary: str) -> ModelSpec:
    return ModelSpec(
        name,
        f"shiftbench.baselines.statistical:{cls}",
        summary,
        (("season_length", "season_length"),),
    )


_SEASON = (("season_length", "season_length"),)
_NETWORK = (("window", "lstm_window"), ("season_length", "season_length"))

#: The built-in forecasters.
_FORECASTERS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "naive", "shiftbench.baselines.naive:Naive", "persistence: the last observed value"
        ),
        ModelSpec(
            "seasonal_naive",
            "shiftbench.baselines.naive:SeasonalNaive",
            "the value one season earlier",
            _SEASON,
        ),
        ModelSpec(
            "drift",
            "shiftbench.baselines.naive:Drift",
            "random walk with drift: last value plus the average change",
        ),
        ModelSpec(
            "arima",
            "shiftbench.baselines.arima:ARIMA",
            "seasonal ARIMA(X), auto.arima's stepwise AICc search on the training span",
            _SEASON,
        ),
        ModelSpec(
            "arima_garch",
            "shiftbench.baselines.arima_garch:ARIMAGARCH",
            "ARIMA mean with GARCH(1,1) variance on its residuals",
            _SEASON,
        ),
        _statistical("naive2", "Naive2", "persistence on the seasonally adjusted series (M3/M4)"),
        _statistical("ses", "SES", "simple exponential smoothing, seasonally adjusted"),
        _statistical("holt", "Holt", "Holt's linear trend, seasonally adjusted"),
        _statistical("damped", "Damped", "damped-trend exponential smoothing, seasonally adjusted"),
        _statistical("theta", "Theta", "the Theta method (SES with drift), seasonally adjusted"),
        _statistical("comb", "Comb", "mean of SES, Holt and Damped (M4's Comb S-H-D)"),
        _statistical("ets", "ETS", "automatic ETS by AICc (error, trend, seasonality)"),
        ModelSpec(
            "lstm_raw",
            "shiftbench.lstm.forecaster:LSTMRaw",
            "Keras LSTM on windows of the raw series (TensorFlow)",
            _NETWORK,
        ),
        ModelSpec(
            "lstm_diff",
            "shiftbench.lstm.forecaster:LSTMDiff",
            "Keras LSTM on first differences; forecast = last value + predicted change",
            _NETWORK,
        ),
        ModelSpec(
            "mlp",
            "shiftbench.lstm.mlp_rnn:MLP",
            "multilayer perceptron on 3 lags, one hidden layer of 7 (Makridakis et al. 2018)",
            _SEASON,
        ),
        ModelSpec(
            "rnn",
            "shiftbench.lstm.mlp_rnn:RNN",
            "simple recurrent network, 6 linear units on 3 lags (Makridakis et al. 2018)",
            _SEASON,
        ),
    )
}

#: The built-in event classifiers (:class:`~shiftbench.forecaster.EventClassifier`): a registry
#: section of their own, for models of another contract.
_EVENT_CLASSIFIERS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "lstm_event",
            "shiftbench.lstm.event:LSTMEvent",
            "event classifier: Keras LSTM(10) -> Dense(sigmoid/softmax) on 10-day windows",
        ),
        ModelSpec(
            "event_persistence",
            "shiftbench.baselines.events:EventPersistence",
            "event classifier: the latest event known at the cutoff",
        ),
        ModelSpec(
            "event_climatology",
            "shiftbench.baselines.events:EventClimatology",
            "event classifier: the training span's event rate (base rate)",
        ),
    )
}

#: Every built-in model: forecasters, then event classifiers.
_BUILTIN: dict[str, ModelSpec] = {**_FORECASTERS, **_EVENT_CLASSIFIERS}

#: The models of the default suite, in report order.
DEFAULT_MODELS: tuple[str, ...] = (
    "naive",
    "seasonal_naive",
    "drift",
    "arima",
    "arima_garch",
    "lstm_raw",
    "lstm_diff",
)


@dataclass(frozen=True)
class EntryPoints:
    """The models installed packages declare, and the declarations refused (by name)."""

    models: dict[str, ModelSpec]
    problems: tuple[str, ...]


@functools.cache
def entry_point_models() -> EntryPoints:
    """Every ``shiftbench.models`` entry point of the installed distributions. Nothing is
    imported here; a name that collides with a built-in, or that two distributions declare, is
    refused with both origins named."""
    found: dict[str, list[ModelSpec]] = {}
    problems: list[str] = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        origin = (
            f"entry point {dist.name} {dist.version}"
            if dist is not None
            else "entry point (unknown distribution)"
        )
        spec = ModelSpec(ep.name, ep.value, origin=origin)
        if ep.name in _BUILTIN:
            problems.append(
                f"{ep.name}: {origin} ({ep.value}) collides with the built-in model "
                f"{ep.name!r}; refused"
            )
            continue
        found.setdefault(ep.name, []).append(spec)
    models: dict[str, ModelSpec] = {}
    for name, specs in found.items():
        if len(specs) > 1:
            origins = " and ".join(f"{s.origin} ({s.target})" for s in specs)
            problems.append(f"{name}: declared by {origins}; refused")
            continue
        models[name] = specs[0]
    return EntryPoints(models, tuple(problems))


def _supplied(spec: ModelSpec) -> tuple[tuple[str, str], ...]:
    """The dataset values an outside class takes: its ``season_length``, if it has one (the
    constructor is read without importing anything more than the class's module)."""
    try:
        params = inspect.signature(spec.cls().__init__).parameters
    except (InputError, TypeError, ValueError):
        return ()
    return _SEASON if "season_length" in params else ()


def model_names() -> list[str]:
    """Names of every registered model: built-ins (forecasters, then event classifiers), then
    the entry points'."""
    return [*_BUILTIN, *entry_point_models().models]


def get_model(name: str) -> ModelSpec:
    """A registered model (built-in or entry point); an ``InputError`` naming it when unknown
    or refused."""
    if name in _BUILTIN:
        return _BUILTIN[name]
    points = entry_point_models()
    if name in points.models:
        spec = points.models[name]
        return replace(spec, from_dataset=_supplied(spec)) if not spec.from_dataset else spec
    refused = next((p for p in points.problems if p.startswith(f"{name}: ")), None)
    if refused is not None:
        raise InputError(f"model {refused}")
    raise InputError(f"unknown model {name!r} (known: {', '.join(model_names())})")


def forecaster_names() -> list[str]:
    """Names of the built-in forecasters (the models that pass the Forecaster checks)."""
    return list(_FORECASTERS)


def event_model_names() -> list[str]:
    """Names of the built-in event classifiers (their own registry section)."""
    return list(_EVENT_CLASSIFIERS)


def define_model(name: str, section: Mapping[str, Any], where: str) -> ModelSpec:
    """The spec of a ``[model.NAME]`` section: with ``class``, a model of its own (a class path,
    or a registered model's name for a variant); without, the registered NAME with these
    parameters. Raises :class:`ConfigError` naming the section."""
    params = {k: v for k, v in section.items() if k not in HARNESS_KEYS}
    refit = section.get("refit_every")
    timeout = section.get("timeout")
    if "class" not in section:
        try:
            base = get_model(name)
        except InputError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return replace(base, params=params, refit_every=refit, timeout=timeout)
    target = section["class"]
    if not isinstance(target, str) or not target.strip():
        raise ConfigError(f"{where}.class: expected 'package.module:Class' or a model name")
    clash = _registered_origin(name)
    if clash is not None:
        raise ConfigError(
            f"{where}: the name {name!r} is taken by {clash}; give this model another name"
        )
    if ":" not in target:  # a variant of a registered model
        try:
            base = get_model(target)
        except InputError as exc:
            raise ConfigError(f"{where}.class: {exc}") from None
        return replace(
            base,
            name=name,
            params={**base.params, **params},
            origin=f"variant of {target}",
            refit_every=refit,
            timeout=timeout,
            summary=f"{target} with {_describe_params(params)}" if params else base.summary,
        )
    same = next((s for s in _BUILTIN.values() if s.target == target), None)
    spec = ModelSpec(
        name,
        target,
        origin="config",
        params=params,
        refit_every=refit,
        timeout=timeout,
        from_dataset=same.from_dataset if same is not None else (),
        summary=same.summary if same is not None else "",
    )
    try:
        spec.cls()
    except InputError as exc:
        raise ConfigError(f"{where}.class: {exc}") from None
    return spec if same is not None else replace(spec, from_dataset=_supplied(spec))


def _registered_origin(name: str) -> str | None:
    """What already holds a name: the built-in model, or an entry point (its distribution)."""
    if name in _BUILTIN:
        return f"the built-in model {name!r}"
    spec = entry_point_models().models.get(name)
    return None if spec is None else f"{spec.origin} ({spec.target})"


def _describe_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in params.items())


def instance_section(instance: Any) -> dict[str, Any]:
    """The ``[model.NAME]`` section that rebuilds an instance: its class path and constructor
    parameters (a TypeError when the class cannot be imported by path, or the object is not a
    forecaster)."""
    as_forecaster(instance)  # a TypeError for what is no forecaster
    cls = type(instance)
    if "<locals>" in cls.__qualname__:
        raise TypeError(
            f"{cls.__qualname__} is defined inside a function: define it at the top level of a "
            "module so that every cell (and worker process) can rebuild it"
        )
    return {"class": f"{cls.__module__}:{cls.__qualname__}", **constructor_params(instance)}


def instance_name(instance: Any) -> str:
    """The name an unnamed instance runs under: its class's name in lower case."""
    return type(instance).__name__.lower()
