"""Classical forecasters: persistence, seasonal persistence, drift, the M-competition
statistical benchmarks, ARIMA and ARIMA-GARCH."""

from shiftbench.baselines.arima import ARIMA
from shiftbench.baselines.arima_garch import ARIMAGARCH
from shiftbench.baselines.naive import Drift, Naive, SeasonalNaive
from shiftbench.baselines.statistical import ETS, SES, Comb, Damped, Holt, Naive2, Theta
from shiftbench.forecaster import BaseForecaster, Forecaster

__all__ = [
    "ARIMA",
    "ARIMAGARCH",
    "ETS",
    "SES",
    "BaseForecaster",
    "Comb",
    "Damped",
    "Drift",
    "Forecaster",
    "Holt",
    "Naive",
    "Naive2",
    "SeasonalNaive",
    "Theta",
]
