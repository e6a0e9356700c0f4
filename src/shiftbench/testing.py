"""The conformance checks every forecaster passes, public, in the manner of scikit-learn's
``check_estimator``: a new model proves it keeps the contract the harness relies on.

>>> from shiftbench.baselines.naive import Drift
>>> check_forecaster(Drift())          # silent when every check holds

In a test suite, three lines run each check as its own test::

    from shiftbench.testing import parametrize_with_checks

    @parametrize_with_checks([MyForecaster(), MyForecaster(window=6)])
    def test_my_forecaster(estimator, check):
        check(estimator)

The checks (:data:`CHECKS`, each a function of the estimator):

- ``check_parameters``: the constructor's parameters are stored unchanged and ``clone`` gives an
  unfitted model with the same parameters;
- ``check_fit_and_update_return_self``;
- ``check_inputs_unchanged``: ``fit``, ``update``, ``forecast`` and ``one_step_path`` never modify
  the caller's arrays, Series or frames;
- ``check_forecast_leaves_the_model``: two calls of ``forecast`` give the same numbers, and
  ``one_step_path`` leaves the model as it was;
- ``check_one_step_path``: ``one_step_path`` equals the forecast/update loop;
- ``check_refit``: ``refit`` on a longer span gives a new fitted model, forecasting h finite
  values from the end of that span, and leaves the model it was called on as it was;
- ``check_no_look_ahead``: in a rolling-origin backtest (one-step, three-step, and refitting
  every seven origins), changing the data after an origin changes nothing forecast from it;
- ``check_deterministic``: two fits with the same parameters (and seed) give the same numbers;
- ``check_outputs``: ``forecast(h)`` gives h finite means, and a standard deviation and ordered
  80 % and 95 % intervals of the same length exactly when ``capabilities.variance`` says so.

A violation raises ``AssertionError`` naming the check and the model. The checks run on a small
synthetic series (:func:`example_dataset`: 80 daily points, an observed and a known-ahead
covariate), with covariates where ``capabilities.covariates`` says the model takes them.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from shiftbench.benchmarks.backtest import backtest
from shiftbench.forecaster import BaseForecaster, as_forecast, as_forecaster, constructor_params
from shiftbench.types import Dataset, Protocol

Check = Callable[[Any], None]

#: Fitted on the first N_FIT points of :func:`example_dataset`.
N_FIT = 60


@functools.cache
def _example() -> Dataset:
    from shiftbench.datasets.base import frame_sha256

    rng = np.random.default_rng(11)
    n = 80
    cases = np.cumsum(rng.poisson(3.0, size=n)).astype(float)
    workday = (np.arange(n) % 7 < 5).astype(float)
    y = pd.Series(100.0 + 20.0 * workday - 0.1 * cases + rng.normal(scale=2.0, size=n), name="y")
    exog = pd.DataFrame({"cases": cases, "workday": workday})
    return Dataset(
        name="exog_synthetic",
        y=y,
        exog=exog,
        season_length=7,
        frequency=None,
        protocol=Protocol(test_size=20),
        source="synthetic: a weekday effect and a falling trend in an observed count (seed 11)",
        sha256=frame_sha256(y, exog),
        observed=("cases",),
        known_ahead=("workday",),
    )


def example_dataset() -> Dataset:
    """The series the checks run on: 80 days of a target driven by an observed covariate
    (``cases``, known up to the cutoff) and a known-ahead one (``workday``), season 7, the last
    20 points for testing (seed 11)."""
    return _example()


def _label(estimator: Any) -> str:
    text = repr(estimator)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(check: str, estimator: Any, message: str) -> AssertionError:
    return AssertionError(f"{check} failed for {_label(estimator)}: {message}")


def _model(estimator: Any) -> BaseForecaster:
    """The estimator as the harness sees it (a protocol-only forecaster is wrapped)."""
    return as_forecaster(estimator)


def _design(estimator: Any) -> np.ndarray | None:
    """The covariate design rows of the example (observed covariates lagged), or None for a
    model without covariates."""
    from shiftbench.benchmarks.protocol import design

    if not _model(estimator).capabilities.covariates:
        return None
    found = design(_example())
    return None if found is None else found.X


#: Fitted models by class and parameters: checks that only read a fitted model share one fit
#: (a copy each), so a slow model is fitted a few times, not once per check.
_FITS: dict[tuple[type, str], BaseForecaster] = {}


def _fit(estimator: Any) -> BaseForecaster:
    """A fresh fit on the example's first :data:`N_FIT` points."""
    model = _model(estimator).clone()
    y = _example().y.to_numpy()
    X = _design(estimator)
    model.fit(y[:N_FIT], None if X is None else X[:N_FIT])
    return model


def _fitted(estimator: Any) -> BaseForecaster:
    """A copy of the (shared) fit of this class with these parameters."""
    model = _model(estimator)
    key = (type(model), _comparable(model.get_params()))
    if key not in _FITS:
        _FITS[key] = _fit(estimator)
    return copy.deepcopy(_FITS[key])


def _future(estimator: Any, h: int, start: int = N_FIT) -> np.ndarray | None:
    X = _design(estimator)
    return None if X is None else X[start : start + h]


def _tolerance(estimator: Any) -> float:
    """float32 networks predict a batch and a single window with different kernels."""
    dependencies = getattr(_model(estimator), "dependencies", ())
    return 1e-5 if "tensorflow" in dependencies or "torch" in dependencies else 1e-8


def check_parameters(estimator: Any) -> None:
    """Constructor parameters stored unchanged; ``clone`` keeps them and drops fitted state."""
    name = "check_parameters"
    model = _model(estimator)
    params = model.get_params()
    signature = inspect.signature(type(model).__init__)
    for key in params:
        if key in signature.parameters and signature.parameters[key].kind not in (
            inspect.Parameter.KEYWORD_ONLY,
            inspect.Parameter.VAR_KEYWORD,
        ):
            raise _fail(name, estimator, f"parameter {key!r} is not keyword-only")
    clone = model.clone()
    if type(clone) is not type(model):
        raise _fail(name, estimator, f"clone() gave a {type(clone).__name__}")
    if _comparable(clone.get_params()) != _comparable(params):
        raise _fail(name, estimator, "clone() changed the parameters")
    rebuilt = type(model)(**copy.deepcopy(params))
    if _comparable(rebuilt.get_params()) != _comparable(params):
        raise _fail(name, estimator, "get_params() does not give back what the constructor got")
    fitted = _fitted(estimator).clone()
    state = [k for k in vars(fitted) if k.endswith("_") and not k.startswith("_")]
    if state:
        raise _fail(name, estimator, f"clone() of a fitted model keeps {state}")


def _comparable(params: dict[str, Any]) -> str:
    """Parameters as text that equal parameters give alike: an estimator among them (a
    wrapped forecaster, a regressor) by its class and its own parameters, not its address."""

    def text(value: Any) -> str:
        if not isinstance(value, type) and callable(getattr(value, "fit", None)):
            return f"{type(value).__qualname__}({_comparable(constructor_params(value))})"
        return repr(value)

    return repr(sorted((k, text(v)) for k, v in params.items()))


def check_fit_and_update_return_self(estimator: Any) -> None:
    name = "check_fit_and_update_return_self"
    model = _model(estimator).clone()
    y = _example().y.to_numpy()
    X = _design(estimator)
    if model.fit(y[:N_FIT], None if X is None else X[:N_FIT]) is not model:
        raise _fail(name, estimator, "fit() did not return self")
    row = None if X is None else X[N_FIT : N_FIT + 1]
    if model.update(y[N_FIT : N_FIT + 1], row) is not model:
        raise _fail(name, estimator, "update() did not return self")


def check_inputs_unchanged(estimator: Any) -> None:
    """The caller's target and covariates, as Series/frames and as arrays, are never written."""
    name = "check_inputs_unchanged"
    ds = _example()
    X = _design(estimator)
    y_series = ds.y.iloc[:N_FIT].copy()
    X_frame = None if X is None else pd.DataFrame(X[:N_FIT].copy())
    y_new = ds.y.to_numpy()[N_FIT : N_FIT + 5].copy()
    X_new = None if X is None else X[N_FIT : N_FIT + 6].copy()
    kept = [y_series.copy(), None if X_frame is None else X_frame.copy(), y_new.copy()]
    kept_X_new = None if X_new is None else X_new.copy()
    model = _model(estimator).clone().fit(y_series, X_frame)
    model.one_step_path(y_new, X_new)
    model.forecast(3, None if X_new is None else X_new[:3])
    model.update(y_new[:1], None if X_new is None else X_new[:1])
    pairs: list[tuple[str, Any, Any]] = [
        ("y", y_series, kept[0]),
        ("exog", X_frame, kept[1]),
        ("y_new", y_new, kept[2]),
        ("exog_new", X_new, kept_X_new),
    ]
    for what, now, before in pairs:
        if now is None:
            continue
        same = now.equals(before) if hasattr(now, "equals") else np.array_equal(now, before)
        if not same:
            raise _fail(name, estimator, f"the caller's {what} was modified")


def check_forecast_leaves_the_model(estimator: Any) -> None:
    name = "check_forecast_leaves_the_model"
    model = _fitted(estimator)
    first = model.forecast(3, _future(estimator, 3)).mean.copy()
    second = model.forecast(3, _future(estimator, 3)).mean
    if not np.array_equal(first, second):
        raise _fail(name, estimator, f"two forecast() calls differ: {first} then {second}")
    y = _example().y.to_numpy()
    model.one_step_path(y[N_FIT : N_FIT + 5], _future(estimator, 6))
    third = model.forecast(3, _future(estimator, 3)).mean
    if not np.array_equal(first, third):
        raise _fail(name, estimator, "one_step_path() changed the model's forecasts")


def check_one_step_path(estimator: Any) -> None:
    """``one_step_path`` over k targets equals forecast(1) then update, k times."""
    name = "check_one_step_path"
    y = _example().y.to_numpy()
    k = 12
    seen = y[N_FIT : N_FIT + k - 1]
    rows = _future(estimator, k)
    path = _fitted(estimator).one_step_path(seen, rows)
    loop = _fitted(estimator)
    means = []
    for i in range(k):
        row = None if rows is None else rows[i : i + 1]
        means.append(float(np.asarray(loop.forecast(1, row).mean)[0]))
        if i < k - 1:
            loop.update(seen[i : i + 1], row)
    got = np.asarray(path.mean, dtype=np.float64)
    if got.shape != (k,) or not np.allclose(got, means, rtol=_tolerance(estimator), atol=0.0):
        raise _fail(name, estimator, f"one_step_path gave {got}, the loop {np.asarray(means)}")


def check_refit(estimator: Any) -> None:
    """``refit`` (the later fits of a protocol with ``refit_every``) returns another fitted
    model, whose forecasts are finite, and leaves the model it was called on as it was."""
    name = "check_refit"
    y = _example().y.to_numpy()
    X = _design(estimator)
    model = _fitted(estimator)
    before = model.forecast(3, _future(estimator, 3)).mean.copy()
    longer = N_FIT + 5
    again = model.refit(y[:longer], None if X is None else X[:longer])
    if again is model:
        raise _fail(name, estimator, "refit() returned the model it was called on")
    if not np.array_equal(model.forecast(3, _future(estimator, 3)).mean, before):
        raise _fail(name, estimator, "refit() changed the forecasts of the model it was called on")
    forecast = getattr(again, "forecast", None)
    if not callable(forecast):
        raise _fail(name, estimator, f"refit() returned a {type(again).__name__}, not a model")
    try:
        as_forecast(forecast(3, _future(estimator, 3, start=longer)), 3, "refit().forecast(3)")
    except Exception as exc:
        raise _fail(name, estimator, str(exc)) from exc


def _perturbed(ds: Dataset, position: int) -> Dataset:
    """The example with the target and the observed covariate changed after ``position``."""
    from dataclasses import replace

    rng = np.random.default_rng(99)
    y = ds.y.to_numpy().copy()
    y[position + 1 :] += rng.normal(scale=50.0, size=len(y) - position - 1)
    exog = None if ds.exog is None else ds.exog.copy()
    if exog is not None:
        for col in ds.observed:
            values = exog[col].to_numpy().copy()
            values[position + 1 :] *= 7.0
            exog[col] = values
    return replace(ds, y=pd.Series(y, name=ds.y.name), exog=exog, sha256="perturbed")


#: The protocols of the look-ahead check.
LOOK_AHEAD_PROTOCOLS: tuple[Protocol, ...] = (
    Protocol(test_size=20),
    Protocol(test_size=20, horizon=3),
    Protocol(test_size=20, refit_every=7),
)
#: The origin after which the look-ahead check changes the data (the test span starts at 59).
LOOK_AHEAD_CUTOFF = 68


def look_ahead_frames(estimator: Any, protocol: Protocol) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest of the example under ``protocol``, and of the example changed after
    :data:`LOOK_AHEAD_CUTOFF` (for checks that want both)."""
    ds = _example().with_protocol(protocol)
    original = backtest(_model(estimator).clone(), ds).frame
    altered = backtest(_model(estimator).clone(), _perturbed(ds, LOOK_AHEAD_CUTOFF)).frame
    return original, altered


def check_no_look_ahead(estimator: Any) -> None:
    """Forecasts made at or before an origin do not move when the data after it change."""
    name = "check_no_look_ahead"
    for protocol in LOOK_AHEAD_PROTOCOLS:
        original, altered = look_ahead_frames(estimator, protocol)
        seen = original["cutoff_pos"] <= LOOK_AHEAD_CUTOFF
        a = original.loc[seen, "y_hat"].to_numpy()
        b = altered.loc[seen, "y_hat"].to_numpy()
        if not np.array_equal(a, b):
            moved = original.loc[seen, "cutoff_pos"].to_numpy()[a != b]
            raise _fail(
                name,
                estimator,
                f"({protocol.describe()}) forecasts made at origins {moved[:5].tolist()} changed "
                f"when only data after origin {LOOK_AHEAD_CUTOFF} did",
            )


def check_deterministic(estimator: Any) -> None:
    """Two fits with the same parameters (the same seed for a seeded model) agree exactly."""
    name = "check_deterministic"
    a = _fitted(estimator).forecast(3, _future(estimator, 3)).mean
    b = _fit(estimator).forecast(3, _future(estimator, 3)).mean
    if not np.array_equal(a, b):
        raise _fail(name, estimator, f"two fits gave {a} and {b}")


def check_outputs(estimator: Any) -> None:
    """h finite means; sd and ordered intervals of length h exactly when the model says it
    gives them."""
    name = "check_outputs"
    model = _fitted(estimator)
    variance = model.capabilities.variance
    for h in (1, 5):
        f = model.forecast(h, _future(estimator, h))
        mean = np.asarray(f.mean)
        if mean.shape != (h,):
            raise _fail(name, estimator, f"forecast({h}) gave {mean.shape[0]} values")
        if not np.all(np.isfinite(mean)):
            raise _fail(name, estimator, f"forecast({h}) gave non-finite values {mean}")
        if variance != (f.sd is not None):
            said = "gives" if variance else "gives no"
            raise _fail(name, estimator, f"capabilities say it {said} variance; sd is {f.sd}")
        if f.sd is not None and (f.sd.shape != (h,) or not np.all(f.sd > 0)):
            raise _fail(name, estimator, f"sd must be {h} positive values, got {f.sd}")
        if variance != bool(f.intervals):
            raise _fail(name, estimator, "intervals given exactly when variance is")
        if f.intervals:
            lo80, hi80 = f.intervals[80]
            lo95, hi95 = f.intervals[95]
            ordered = (lo95 <= lo80) & (lo80 <= mean) & (mean <= hi80) & (hi80 <= hi95)
            if not np.all(ordered):
                raise _fail(name, estimator, "intervals not nested around the mean")


def _named(check: Check) -> Check:
    """The check, with an exception the model raises inside it reported as the check's
    failure (an ``AssertionError`` naming the check, the model and the exception)."""

    @functools.wraps(check)
    def run(estimator: Any) -> None:
        try:
            check(estimator)
        except AssertionError:
            raise
        except Exception as exc:
            raise _fail(
                check.__name__, estimator, f"the model raised {type(exc).__name__}: {exc}"
            ) from exc

    return run


#: Every check, in the order :func:`check_forecaster` runs them.
CHECKS: tuple[Check, ...] = tuple(
    _named(check)
    for check in (
        check_parameters,
        check_fit_and_update_return_self,
        check_inputs_unchanged,
        check_forecast_leaves_the_model,
        check_one_step_path,
        check_refit,
        check_no_look_ahead,
        check_deterministic,
        check_outputs,
    )
)


def forecaster_checks(estimator: Any) -> Iterator[Check]:
    """The checks that apply to an estimator (all of them, today)."""
    _model(estimator)  # a clear TypeError for an object that is no forecaster
    yield from CHECKS


def check_forecaster(estimator: Any) -> None:
    """Run every conformance check on an (unfitted) forecaster; raise ``AssertionError``
    naming the first check that fails and the model.

    >>> from shiftbench.baselines.naive import Naive
    >>> check_forecaster(Naive())
    """
    for check in forecaster_checks(estimator):
        check(estimator)


def parametrize_with_checks(estimators: Iterable[Any]) -> Any:
    """A ``pytest.mark.parametrize`` over (estimator, check) pairs, each pair its own test
    with an id ``Model(...)-check_name`` (scikit-learn's helper of the same name)."""
    import pytest

    pairs = [(e, c) for e in estimators for c in forecaster_checks(e)]
    ids = [f"{_label(e)}-{c.__name__}" for e, c in pairs]
    return pytest.mark.parametrize(("estimator", "check"), pairs, ids=ids)


__all__ = [
    "CHECKS",
    "check_deterministic",
    "check_fit_and_update_return_self",
    "check_forecast_leaves_the_model",
    "check_forecaster",
    "check_inputs_unchanged",
    "check_no_look_ahead",
    "check_one_step_path",
    "check_outputs",
    "check_parameters",
    "check_refit",
    "example_dataset",
    "parametrize_with_checks",
]
