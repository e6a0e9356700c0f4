"""Other libraries' estimators as shiftbench forecasters.

:class:`Reduction` turns any regressor with ``fit``/``predict`` (scikit-learn's, LightGBM's,
XGBoost's) into a forecaster of the next value from the last values and the covariates.
"""

from shiftbench.adapters.reduction import Reduction

__all__ = ["Reduction"]
