"""The common checks every registered forecaster passes (the event classifiers have their own,
in ``tests/events``): the public conformance checks of :mod:`shiftbench.testing`, run on every
built-in forecaster with settings small enough for CI and on the ARIMA with its order search,
then what only the built-ins promise beyond them: a look-ahead check that could have failed, no
forecast before ``fit``, truthful capabilities, a seed that matters, and an idempotent
clone-and-refit. A new model registered in ``models.py`` is checked by all of them without a
line here."""

from __future__ import annotations

import copy
import inspect
from functools import cache

import numpy as np
import pytest

from shiftbench.errors import FitError
from shiftbench.forecaster import BaseForecaster
from shiftbench.models import forecaster_names, get_model, model_names
from shiftbench.testing import (
    LOOK_AHEAD_CUTOFF,
    LOOK_AHEAD_PROTOCOLS,
    example_dataset,
    look_ahead_frames,
    parametrize_with_checks,
)
from shiftbench.types import Dataset

TINY_LSTM = {"units": (4,), "epochs": 2, "batch_size": 16, "window": 3}
FAST_PARAMS: dict[str, dict[str, object]] = {
    "arima": {"order": (1, 1, 1), "seasonal": False},
    "ets": {"season_length": 1, "maxiter": 30},
    "arima_garch": {"order": (1, 0, 0)},
    "lstm_raw": TINY_LSTM,
    "lstm_diff": TINY_LSTM,
    # the stacked trainer: its program is traced once, where Keras builds a model per fit
    "mlp": {"units": (3,), "epochs": 2, "batch_size": 16, "trainer": "stacked"},
    "rnn": {"units": (4,), "epochs": 2, "batch_size": 16, "trainer": "stacked"},
}


def _unfitted(name: str) -> BaseForecaster:
    return get_model(name).build(example_dataset(), FAST_PARAMS.get(name, {}))


#: Every built-in forecaster, and the ARIMA that searches its order (on the example's 60 points).
BUILT_IN = [_unfitted(name) for name in forecaster_names()] + [
    get_model("arima").build(example_dataset(), {"max_p": 1, "max_q": 1, "max_P": 1, "max_Q": 0}),
    # the article's refit variant: a refit keeps the training span's seasonal indices
    get_model("holt").build(example_dataset(), {"seasonal_indices": "first_fit"}),
]


@parametrize_with_checks(BUILT_IN)
def test_every_built_in_forecaster_passes_the_public_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


@pytest.mark.parametrize("name", model_names())
def test_constructor_takes_keyword_only_parameters_and_stores_them(name: str) -> None:
    cls = get_model(name).cls()
    params = inspect.signature(cls.__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")
    model = cls()
    assert model.get_params() == {n: p.default for n, p in params.items() if n != "self"}


@pytest.mark.parametrize("name", forecaster_names())
def test_fit_returns_self_and_fitted_state_ends_in_underscore(
    name: str, exog_dataset: Dataset
) -> None:
    spec = get_model(name)
    model = spec.build(exog_dataset, FAST_PARAMS.get(name, {}))
    before = set(vars(model))
    X = exog_dataset.exog.to_numpy() if spec.capabilities.covariates else None  # type: ignore[union-attr]
    assert model.fit(exog_dataset.y.iloc[:60], None if X is None else X[:60]) is model
    added = set(vars(model)) - before
    assert added
    assert all(attr.endswith("_") for attr in added)
    clone = model.clone()
    assert clone.get_params() == model.get_params()
    assert not (set(vars(clone)) - before)


@pytest.mark.parametrize("name", forecaster_names())
def test_the_look_ahead_check_could_have_failed(name: str) -> None:
    """The change after the origin reaches the later forecasts of every built-in model, so the
    public no-look-ahead check that passes on them tests something."""
    original, altered = look_ahead_frames(_unfitted(name), LOOK_AHEAD_PROTOCOLS[0])
    later = original["cutoff_pos"] > LOOK_AHEAD_CUTOFF + 2
    assert not np.allclose(original.loc[later, "y_hat"], altered.loc[later, "y_hat"])


def _exog_dataset() -> Dataset:
    return example_dataset()


N_FIT = 60


def _data(name: str) -> tuple[np.ndarray, np.ndarray | None]:
    ds = _exog_dataset()
    X = ds.exog.to_numpy() if get_model(name).capabilities.covariates else None  # type: ignore[union-attr]
    return ds.y.to_numpy(), X


@cache
def _fitted_once(name: str) -> BaseForecaster:
    y, X = _data(name)
    return _unfitted(name).fit(y[:N_FIT], None if X is None else X[:N_FIT])


def _fitted(name: str) -> BaseForecaster:
    """A fitted model (fitted once per test session, copied for each check)."""
    return copy.deepcopy(_fitted_once(name))


def _future(name: str, h: int, start: int = N_FIT) -> np.ndarray | None:
    _, X = _data(name)
    return None if X is None else X[start : start + h]


@pytest.mark.parametrize("name", forecaster_names())
def test_forecasting_before_fit_raises(name: str) -> None:
    with pytest.raises(FitError, match="not fitted"):
        _unfitted(name).forecast(1, _future(name, 1))


@pytest.mark.parametrize("name", forecaster_names())
def test_capabilities_say_what_the_forecasts_carry(name: str) -> None:
    caps = get_model(name).capabilities
    f = _fitted(name).forecast(4, _future(name, 4))
    if caps.variance:
        assert f.sd is not None
        assert np.all(f.sd > 0)
        lo80, hi80 = f.intervals[80]
        lo95, hi95 = f.intervals[95]
        assert np.all(lo95 < lo80)
        assert np.all(lo80 < f.mean)
        assert np.all(f.mean < hi80)
        assert np.all(hi80 < hi95)
    else:
        assert f.sd is None
        assert not f.intervals


@pytest.mark.parametrize(
    "name", [n for n in forecaster_names() if get_model(n).capabilities.seeded]
)
def test_a_seeded_model_gives_the_same_forecast_for_the_same_seed(name: str) -> None:
    y, X = _data(name)
    again = _unfitted(name).fit(y[:N_FIT], None if X is None else X[:N_FIT])
    np.testing.assert_array_equal(
        again.forecast(3, _future(name, 3)).mean, _fitted(name).forecast(3, _future(name, 3)).mean
    )
    other = _unfitted(name).set_params(seed=12345).fit(y[:N_FIT], None if X is None else X[:N_FIT])
    assert not np.array_equal(
        other.forecast(3, _future(name, 3)).mean, again.forecast(3, _future(name, 3)).mean
    )


@pytest.mark.parametrize("name", forecaster_names())
def test_clone_and_refit_gives_the_same_forecasts(name: str) -> None:
    y, X = _data(name)
    model = _fitted(name)
    refit = model.clone().fit(y[:N_FIT], None if X is None else X[:N_FIT])
    twice = refit.clone().fit(y[:N_FIT], None if X is None else X[:N_FIT])
    expected = model.forecast(3, _future(name, 3)).mean
    np.testing.assert_array_equal(refit.forecast(3, _future(name, 3)).mean, expected)
    np.testing.assert_array_equal(twice.forecast(3, _future(name, 3)).mean, expected)
