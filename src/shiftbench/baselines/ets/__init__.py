"""Exponential smoothing state-space models (ETS) estimated and chosen as R's ``forecast``
package version 8.20 does (``ets``, and ``ses``/``holt`` through it); see the modules for the
parts: :mod:`.recursions`, :mod:`.init`, :mod:`.neldermead`, :mod:`.fit`, :mod:`.select`."""

from shiftbench.baselines.ets.fit import ETSFit, admissible, fit_form
from shiftbench.baselines.ets.recursions import ETSForm, Smoothing, one_step, point_forecast
from shiftbench.baselines.ets.select import Selection, auto_ets, model_space

__all__ = [
    "ETSFit",
    "ETSForm",
    "Selection",
    "Smoothing",
    "admissible",
    "auto_ets",
    "fit_form",
    "model_space",
    "one_step",
    "point_forecast",
]
