"""Classical forecasters: persistence, seasonal persistence, drift, ARIMA and ARIMA-GARCH."""

from shiftbench.baselines.arima import ARIMA
from shiftbench.baselines.arima_garch import ARIMAGARCH
from shiftbench.baselines.naive import Drift, Naive, SeasonalNaive
from shiftbench.forecaster import BaseForecaster, Forecaster

__all__ = ["ARIMA", "ARIMAGARCH", "BaseForecaster", "Drift", "Forecaster", "Naive", "SeasonalNaive"]
