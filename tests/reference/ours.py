"""shiftbench's side of the R reference: the same models, series and protocols as
``m3_reference.R``.

- ``one_step``: fitted once on the in-sample part, then ``one_step_path`` over the held-out part
  (18 one-step forecasts at the fitted parameters);
- ``multi_step``: ``forecast(18)`` from the last in-sample origin;
- ``one_step_refit`` (ses, holt, damped): refitted at every one of the 18 origins, the in-sample
  seasonal indices kept (``seasonal_indices = "first_fit"``: each refit smooths the series
  divided by the indices of the first fit, and its one-step forecast is multiplied back by the
  index of the period it falls in).

Box-Cox (``boxcox=1``): the models' ``boxcox="guerrero"`` parameter (λ by Guerrero's method on
the in-sample part), which R's side mirrors with ``BoxCox.lambda(x, method = "guerrero")``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shiftbench.baselines import ARIMA, ETS, SES, Damped, Holt
from shiftbench.types import FloatArray
from tests.reference.r_input import Split

SEASON = 12
HORIZON = 18
MODELS: dict[str, Any] = {"ses": SES, "holt": Holt, "damped": Damped, "ets": ETS, "arima": ARIMA}


@dataclass
class OurFit:
    """What shiftbench produced for one series, method and Box-Cox setting."""

    forecasts: dict[str, FloatArray] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = float("nan")
    error: str | None = None


def _model(method: str, boxcox: int, **params: Any) -> Any:
    params = {"season_length": SEASON, **params}
    if boxcox:
        params["boxcox"] = "guerrero"
    return MODELS[method](**params)


def refit_forecasts(method: str, split: Split) -> FloatArray:
    """The article's variant: refit at each origin, in-sample seasonal indices kept (the model's
    ``seasonal_indices = "first_fit"`` and its ``refit``, as a run with ``refit_every = 1``
    calls it)."""
    x = np.concatenate([split.insample, split.holdout])
    n_in = len(split.insample)
    first = _model(method, 0, seasonal_indices="first_fit").fit(split.insample)
    out = np.empty(HORIZON)
    for k in range(HORIZON):
        model = first if k == 0 else first.refit(x[: n_in + k])
        out[k] = model.forecast(1).mean[0]
    return out


def fit_ours(method: str, boxcox: int, split: Split, refit: bool) -> OurFit:
    """shiftbench's forecasts of one series (a failure is recorded, not raised)."""
    result = OurFit()
    try:
        start = time.perf_counter()
        model = _model(method, boxcox).fit(split.insample)
        result.forecasts["multi_step"] = np.asarray(model.forecast(HORIZON).mean)
        result.seconds = time.perf_counter() - start
        path = model.one_step_path(split.holdout[:-1])
        result.forecasts["one_step"] = np.asarray(path.mean)
        result.info = dict(model.info())
        if refit:
            result.forecasts["one_step_refit"] = refit_forecasts(method, split)
    except Exception as exc:  # a failure is a disagreement to report, series by series
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def arima_key(info: dict[str, Any]) -> tuple[int, int, int, int, int, int, bool]:
    """(p, d, q, P, D, Q, constant) of shiftbench's ARIMA ``info()``."""
    p, d, q = (int(v) for v in info["order"])
    cap_p, cap_d, cap_q = (int(v) for v in info["seasonal_order"][:3])
    return p, d, q, cap_p, cap_d, cap_q, info["trend"] != "n"
