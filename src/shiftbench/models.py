"""The model registry: names to forecaster classes, with the defaults each dataset implies.

The command line, the config and the reports all go through this table. Neural models register
here by import path, so listing the models never imports TensorFlow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shiftbench.errors import DataError, InputError
from shiftbench.forecaster import BaseForecaster
from shiftbench.types import Capabilities, Dataset


@dataclass(frozen=True)
class ModelSpec:
    """One registered model."""

    name: str
    target: str  # "module:Class"
    summary: str
    dataset_defaults: Callable[[Dataset], dict[str, Any]] = field(default=lambda ds: {})

    def cls(self) -> type[BaseForecaster]:
        module, _, attr = self.target.partition(":")
        loaded: type[BaseForecaster] = getattr(importlib.import_module(module), attr)
        return loaded

    @property
    def capabilities(self) -> Capabilities:
        return self.cls().capabilities

    def build(self, ds: Dataset, params: dict[str, Any] | None = None) -> BaseForecaster:
        """An unfitted instance: the dataset's defaults, overridden by ``params``."""
        merged = {**self.dataset_defaults(ds), **(params or {})}
        return self.cls()(**merged)

    def check_fits(self, ds: Dataset, params: dict[str, Any] | None = None) -> None:
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


_REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "naive", "shiftbench.baselines.naive:Naive", "persistence: the last observed value"
        ),
        ModelSpec(
            "seasonal_naive",
            "shiftbench.baselines.naive:SeasonalNaive",
            "the value one season earlier",
            lambda ds: {"season_length": ds.season_length},
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
            lambda ds: {"season_length": ds.season_length},
        ),
        ModelSpec(
            "arima_garch",
            "shiftbench.baselines.arima_garch:ARIMAGARCH",
            "ARIMA mean with GARCH(1,1) variance on its residuals",
            lambda ds: {"season_length": ds.season_length},
        ),
        *(
            ModelSpec(
                name,
                f"shiftbench.baselines.statistical:{cls}",
                summary,
                lambda ds: {"season_length": ds.season_length},
            )
            for name, cls, summary in (
                ("naive2", "Naive2", "persistence on the seasonally adjusted series (M3/M4)"),
                ("ses", "SES", "simple exponential smoothing, seasonally adjusted"),
                ("holt", "Holt", "Holt's linear trend, seasonally adjusted"),
                ("damped", "Damped", "damped-trend exponential smoothing, seasonally adjusted"),
                ("theta", "Theta", "the Theta method (SES with drift), seasonally adjusted"),
                ("comb", "Comb", "mean of SES, Holt and Damped (M4's Comb S-H-D)"),
                ("ets", "ETS", "automatic ETS by AICc (error, trend, seasonality)"),
            )
        ),
        ModelSpec(
            "lstm_raw",
            "shiftbench.lstm.forecaster:LSTMRaw",
            "Keras LSTM on windows of the raw series (TensorFlow)",
            lambda ds: {"window": ds.protocol.lstm_window, "season_length": ds.season_length},
        ),
        ModelSpec(
            "lstm_diff",
            "shiftbench.lstm.forecaster:LSTMDiff",
            "Keras LSTM on first differences; forecast = last value + predicted change",
            lambda ds: {"window": ds.protocol.lstm_window, "season_length": ds.season_length},
        ),
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


def model_names() -> list[str]:
    """Names of every registered model (forecasters, then the event classifiers)."""
    return list(_REGISTRY)


def forecaster_names() -> list[str]:
    """Names of the registered forecasters (the models that pass the Forecaster checks)."""
    return [n for n, spec in _REGISTRY.items() if spec.capabilities.family != "event"]


def event_model_names() -> list[str]:
    """Names of the registered event classifiers."""
    return [n for n, spec in _REGISTRY.items() if spec.capabilities.family == "event"]


def get_model(name: str) -> ModelSpec:
    """The registry entry of a model (``InputError`` naming it when unknown)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise InputError(f"unknown model {name!r} (known: {known})") from None
