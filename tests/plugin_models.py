"""Models defined outside shiftbench, as a researcher would write them, for the plug-in tests:
well-behaved ones, and ones that fail in every way a model can."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from shiftbench.forecaster import BaseForecaster
from shiftbench.types import Capabilities, Forecast


class Smoothing(BaseForecaster):
    """Simple exponential smoothing with a fixed alpha."""

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def __init__(self, *, alpha: float = 0.3) -> None:
        self.alpha = alpha

    def fit(self, y: Any, exog: Any = None) -> Smoothing:
        values = np.asarray(y, dtype=float)
        self.level_ = float(values[0])
        return self.update(values[1:])

    def update(self, y_new: Any, exog_new: Any = None) -> Smoothing:
        for value in np.asarray(y_new, dtype=float):
            self.level_ = self.alpha * value + (1 - self.alpha) * self.level_
        return self

    def forecast(self, horizon: int, exog_future: Any = None) -> Forecast:
        return Forecast(mean=np.full(horizon, self.level_))


class ProtocolOnly:
    """The mean of the last ``k`` values; keeps the Forecaster protocol without subclassing,
    and returns plain arrays."""

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=2)

    def __init__(self, k: int = 3) -> None:
        self.k = k

    def fit(self, y: Any, exog: Any = None) -> ProtocolOnly:
        self.history_ = list(np.asarray(y, dtype=float))
        return self

    def update(self, y_new: Any, exog_new: Any = None) -> ProtocolOnly:
        self.history_ += list(np.asarray(y_new, dtype=float))
        return self

    def forecast(self, horizon: int, exog_future: Any = None) -> np.ndarray:
        return np.full(horizon, float(np.mean(self.history_[-self.k :])))


class Raising(Smoothing):
    def fit(self, y: Any, exog: Any = None) -> Raising:
        raise RuntimeError("my fit is broken")


class NaNs(Smoothing):
    def forecast(self, horizon: int, exog_future: Any = None) -> Forecast:
        return Forecast(mean=np.full(horizon, np.nan))

    def one_step_path(self, y_seen: Any, exog_targets: Any = None) -> Forecast:
        return Forecast(mean=np.full(len(y_seen) + 1, np.nan))


class Short(Smoothing):
    """One value, whatever was asked for."""

    def forecast(self, horizon: int, exog_future: Any = None) -> Forecast:
        return Forecast(mean=np.array([self.level_]))

    def one_step_path(self, y_seen: Any, exog_targets: Any = None) -> Forecast:
        return Forecast(mean=np.array([self.level_]))


class Hanging(Smoothing):
    """Never finishes its fit (an hour), as a model stuck in a loop."""

    SLEEP_S = 3600

    def fit(self, y: Any, exog: Any = None) -> Hanging:
        time.sleep(self.SLEEP_S)
        return self


class Hungry(Smoothing):
    """Asks for 80 TB."""

    def fit(self, y: Any, exog: Any = None) -> Hungry:
        self.buffer_ = np.ones(10**13)
        return self


class Peeking(Smoothing):
    """Looks ahead by an off-by-one in its fast path: the one-step forecast of each target is
    smoothed with the target itself (a leak no error metric would flag: it looks excellent)."""

    def one_step_path(self, y_seen: Any, exog_targets: Any = None) -> Forecast:
        seen = np.asarray(y_seen, dtype=float)
        level, out = self.level_, []
        for value in seen:
            level = self.alpha * value + (1 - self.alpha) * level
            out.append(level)  # includes the value it forecasts
        return Forecast(mean=np.array([*out, level]))


class FirstMean(BaseForecaster):
    """The mean of the span it was fitted on; with ``keep = True`` a refit keeps the first
    fit's mean. It fits a batch of series together (``fit_batch``), as the networks do."""

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep

    def fit(self, y: Any, exog: Any = None) -> FirstMean:
        self.mean_ = float(np.mean(np.asarray(y, dtype=float)))
        return self

    def update(self, y_new: Any, exog_new: Any = None) -> FirstMean:
        return self

    def forecast(self, horizon: int, exog_future: Any = None) -> Forecast:
        return Forecast(mean=np.full(horizon, self.mean_))

    def refit(self, y: Any, exog: Any = None) -> BaseForecaster:
        if not self.keep:
            return super().refit(y, exog)
        again = self.clone()
        again.mean_ = self.mean_
        return again

    @classmethod
    def fit_batch(
        cls, models: Sequence[BaseForecaster], data: Sequence[tuple[Any, Any]], keys: Sequence[str]
    ) -> list[Exception | None]:
        for model, (y, exog) in zip(models, data, strict=True):
            model.fit(y, exog)
        return [None] * len(models)


class FirstMeanProtocol:
    """:class:`FirstMean` without subclassing ``BaseForecaster``: its own ``refit`` is used."""

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def fit(self, y: Any, exog: Any = None) -> FirstMeanProtocol:
        self.mean_ = float(np.mean(np.asarray(y, dtype=float)))
        return self

    def update(self, y_new: Any, exog_new: Any = None) -> FirstMeanProtocol:
        return self

    def forecast(self, horizon: int, exog_future: Any = None) -> np.ndarray:
        return np.full(horizon, self.mean_)

    def refit(self, y: Any, exog: Any = None) -> FirstMeanProtocol:
        again = FirstMeanProtocol()
        again.mean_ = self.mean_
        return again


class RefitsItself(Smoothing):
    """A refit that re-estimates the model it was called on instead of a new one."""

    def refit(self, y: Any, exog: Any = None) -> BaseForecaster:
        return self.fit(y, exog)


class FitReturnsNothing(Smoothing):
    """``fit`` breaks the contract by returning None (the engine never relied on its result)."""

    def fit(self, y: Any, exog: Any = None) -> None:  # type: ignore[override]
        super().fit(y, exog)


class KeepsLevel(Smoothing):
    """A refit that keeps the level of the fit it is called on."""

    def refit(self, y: Any, exog: Any = None) -> BaseForecaster:
        again = self.clone()
        again.level_ = self.level_
        return again


class ProtocolRefitNone(FirstMeanProtocol):
    """A plain-protocol class whose ``refit`` works in place and returns nothing."""

    def refit(self, y: Any, exog: Any = None) -> None:  # type: ignore[override]
        self.fit(y, exog)
