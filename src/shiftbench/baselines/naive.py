"""Persistence, seasonal persistence and the random walk with drift (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., section 5.2)."""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np
import pandas as pd

from shiftbench.errors import FitError
from shiftbench.forecaster import BaseForecaster, XLike, YLike, as_float_array
from shiftbench.types import Capabilities, FloatArray, Forecast


class Naive(BaseForecaster):
    """Persistence: every step ahead is forecast as the last observed value.

    Examples
    --------
    >>> import pandas as pd
    >>> Naive().fit(pd.Series([1.0, 2.0, 5.0])).forecast(2).mean.tolist()
    [5.0, 5.0]
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def __init__(self) -> None:
        pass

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        if len(values) < 1:
            raise FitError("naive needs at least one observation")
        self.last_ = float(values[-1])
        self.train_ = values
        return self

    def in_sample_predictions(self) -> FloatArray:
        """ŷ_t = y_{t−1} over the training span (NaN at its first point)."""
        self._check_fitted("train_")
        return np.concatenate([[np.nan], self.train_[:-1]])

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("last_")
        values = as_float_array(y_new)
        if len(values):
            self.last_ = float(values[-1])
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("last_")
        return Forecast(mean=np.full(horizon, self.last_))

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        self._check_fitted("last_")
        return Forecast(mean=np.concatenate([[self.last_], as_float_array(y_seen)]))


class SeasonalNaive(BaseForecaster):
    """Seasonal persistence: y_{T+h} is forecast as y_{T+h-m·(floor((h-1)/m)+1)}.

    With ``season_length`` m = 1 it equals :class:`Naive`.

    Examples
    --------
    >>> import pandas as pd
    >>> model = SeasonalNaive(season_length=3).fit(pd.Series([1.0, 2, 3, 4, 5, 6]))
    >>> model.forecast(4).mean.tolist()
    [4.0, 5.0, 6.0, 4.0]
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def __init__(self, *, season_length: int = 1) -> None:
        self.season_length = season_length

    def check_params(self) -> None:
        if self.season_length < 1:
            raise ValueError(f"season_length: must be at least 1, got {self.season_length}")

    def minimum_train(self) -> int:
        """One full season."""
        return max(self.capabilities.min_train, int(self.season_length))

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        if self.season_length < 1:
            raise FitError(f"season_length must be >= 1, got {self.season_length}")
        if len(values) < self.season_length:
            raise FitError(
                f"seasonal_naive needs a full season: {len(values)} points < "
                f"season_length {self.season_length}"
            )
        self.season_ = values[-self.season_length :].copy()
        self.train_ = values
        return self

    def in_sample_predictions(self) -> FloatArray:
        """ŷ_t = y_{t−m} over the training span (NaN for the first season)."""
        self._check_fitted("train_")
        m = self.season_length
        return np.concatenate([np.full(m, np.nan), self.train_[:-m]])

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("season_")
        values = as_float_array(y_new)
        self.season_ = np.concatenate([self.season_, values])[-self.season_length :]
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("season_")
        m = self.season_length
        steps = np.arange(horizon)
        return Forecast(mean=self.season_[steps % m].astype(np.float64))


class Drift(BaseForecaster):
    """Random walk with drift: ŷ_{T+h} = y_T + h·(y_T − y_1)/(T − 1).

    The slope is the average change over everything seen so far, so ``update`` moves it along
    (this is the method's definition, not a re-estimation).

    Examples
    --------
    >>> import pandas as pd
    >>> Drift().fit(pd.Series([1.0, 2.0, 4.0])).forecast(2).mean.tolist()
    [5.5, 7.0]
    """

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=2)

    def __init__(self) -> None:
        pass

    def fit(self, y: YLike, exog: XLike = None) -> Self:
        values = as_float_array(y)
        if len(values) < 2:
            raise FitError("drift needs at least two observations")
        self.first_ = float(values[0])
        self.last_ = float(values[-1])
        self.n_ = len(values)
        self.train_ = values
        return self

    def in_sample_predictions(self) -> FloatArray:
        """ŷ_t = y_{t−1} + the training span's average change (NaN at its first point)."""
        self._check_fitted("train_")
        slope = (self.train_[-1] - self.train_[0]) / (len(self.train_) - 1)
        return np.concatenate([[np.nan], self.train_[:-1] + slope])

    def update(self, y_new: YLike, exog_new: XLike = None) -> Self:
        self._check_fitted("last_")
        values = as_float_array(y_new)
        if len(values):
            self.last_ = float(values[-1])
            self.n_ += len(values)
        return self

    def forecast(self, horizon: int, exog_future: XLike = None) -> Forecast:
        self._check_fitted("last_")
        slope = (self.last_ - self.first_) / (self.n_ - 1)
        return Forecast(mean=self.last_ + slope * np.arange(1, horizon + 1, dtype=np.float64))

    def one_step_path(
        self, y_seen: pd.Series | np.ndarray, exog_targets: pd.DataFrame | np.ndarray | None = None
    ) -> Forecast:
        self._check_fitted("last_")
        lasts = np.concatenate([[self.last_], as_float_array(y_seen)])
        counts = self.n_ + np.arange(len(lasts), dtype=np.float64)
        return Forecast(mean=lasts + (lasts - self.first_) / (counts - 1))
