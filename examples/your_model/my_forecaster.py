"""A researcher's own forecaster, in the shape shiftbench runs: simple exponential smoothing."""

from typing import ClassVar

import numpy as np

from shiftbench.forecaster import BaseForecaster
from shiftbench.types import Capabilities, Forecast


class Smoothing(BaseForecaster):
    """Simple exponential smoothing with a fixed ``alpha``: level = alpha*y + (1-alpha)*level."""

    capabilities: ClassVar[Capabilities] = Capabilities(min_train=1)

    def __init__(self, *, alpha: float = 0.3) -> None:
        self.alpha = alpha

    def fit(self, y, exog=None):
        values = np.asarray(y, dtype=float)
        self.level_ = values[0]
        return self.update(values[1:])

    def update(self, y_new, exog_new=None):
        for value in np.asarray(y_new, dtype=float):
            self.level_ = self.alpha * value + (1 - self.alpha) * self.level_
        return self

    def forecast(self, horizon, exog_future=None):
        return Forecast(mean=np.full(horizon, self.level_))
