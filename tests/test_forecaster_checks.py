"""The common checks every registered forecaster passes (the event classifiers have their own,
in ``tests/events``), in the spirit of scikit-learn's
``parametrize_with_checks``: estimator conventions, no look-ahead, a one-step path equal to the
forecast/update loop, no forecast before ``fit``, finite forecasts of the asked length, truthful
capabilities, and an idempotent clone-and-refit. A new model registered in ``models.py`` is
checked by all of them without a line here."""

from __future__ import annotations

import copy
import inspect
from functools import cache

import numpy as np
import pandas as pd
import pytest

from shiftbench.benchmarks.backtest import backtest
from shiftbench.errors import FitError
from shiftbench.forecaster import BaseForecaster
from shiftbench.models import forecaster_names, get_model, model_names
from shiftbench.types import Dataset, Protocol

from .conftest import build_exog_dataset, make_dataset

TINY_LSTM = {"units": (4,), "epochs": 2, "batch_size": 16, "window": 3}
FAST_PARAMS: dict[str, dict[str, object]] = {
    "arima": {"order": (1, 1, 1)},
    "arima_garch": {"order": (1, 0, 0)},
    "lstm_raw": TINY_LSTM,
    "lstm_diff": TINY_LSTM,
}


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


def perturb_after(ds: Dataset, position: int) -> Dataset:
    """The dataset with the target and the observed covariates changed after ``position``."""
    rng = np.random.default_rng(99)
    y = ds.y.to_numpy().copy()
    y[position + 1 :] += rng.normal(scale=50.0, size=len(y) - position - 1)
    exog = None
    if ds.exog is not None:
        exog = ds.exog.copy()
        for col in ds.observed:
            values = exog[col].to_numpy().copy()
            values[position + 1 :] *= 7.0
            exog[col] = values
    return make_dataset(
        y,
        exog=exog,
        observed=ds.observed,
        known_ahead=ds.known_ahead,
        test_size=ds.protocol.test_size,
        horizon=ds.protocol.horizon,
        refit_every=ds.protocol.refit_every,
        season_length=ds.season_length,
    )


@pytest.mark.parametrize("name", forecaster_names())
@pytest.mark.parametrize(
    "protocol",
    [
        Protocol(test_size=20),
        Protocol(test_size=20, horizon=3),
        Protocol(test_size=20, refit_every=6),
    ],
    ids=["one-step", "three-step", "refit-every-6"],
)
def test_changing_data_after_a_cutoff_leaves_its_forecasts_unchanged(
    name: str, protocol: Protocol, exog_dataset: Dataset
) -> None:
    ds = exog_dataset.with_protocol(protocol)
    cutoff = 68  # inside the test span, which starts at cutoff 59
    changed = perturb_after(ds, cutoff)
    model = get_model(name).build(ds, FAST_PARAMS.get(name, {}))
    original = backtest(model, ds).frame
    altered = backtest(model.clone(), changed).frame
    seen = original["cutoff_pos"] <= cutoff
    later = original["cutoff_pos"] > cutoff + 2
    pd.testing.assert_frame_equal(
        original[seen].reset_index(drop=True), altered[seen].reset_index(drop=True)
    )
    # The perturbation reaches the later forecasts (so the check above could have failed).
    assert not np.allclose(original.loc[later, "y_hat"], altered.loc[later, "y_hat"])


def _exog_dataset() -> Dataset:
    return build_exog_dataset()


N_FIT = 60


def _data(name: str) -> tuple[np.ndarray, np.ndarray | None]:
    ds = _exog_dataset()
    X = ds.exog.to_numpy() if get_model(name).capabilities.covariates else None  # type: ignore[union-attr]
    return ds.y.to_numpy(), X


def _unfitted(name: str) -> BaseForecaster:
    return get_model(name).build(_exog_dataset(), FAST_PARAMS.get(name, {}))


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
@pytest.mark.parametrize("h", [1, 5])
def test_forecast_returns_h_finite_values(name: str, h: int) -> None:
    f = _fitted(name).forecast(h, _future(name, h))
    assert f.mean.shape == (h,)
    assert np.all(np.isfinite(f.mean))


@pytest.mark.parametrize("name", forecaster_names())
def test_one_step_path_equals_the_forecast_update_loop_and_leaves_the_model(name: str) -> None:
    y, _X = _data(name)
    k = 12
    seen = y[N_FIT : N_FIT + k - 1]
    rows = _future(name, k)
    model = _fitted(name)
    before = model.forecast(3, _future(name, 3))
    path = model.one_step_path(seen, rows)
    loop = _fitted(name)
    means, sds = [], []
    for i in range(k):
        row = None if rows is None else rows[i : i + 1]
        f = loop.forecast(1, row)
        means.append(f.mean[0])
        sds.append(np.nan if f.sd is None else f.sd[0])
        if i < k - 1:
            loop.update(seen[i : i + 1], row)
    # float32 networks predict a batch and a single window with different kernels
    rtol = 1e-5 if get_model(name).capabilities.family == "neural" else 1e-8
    np.testing.assert_allclose(path.mean, means, rtol=rtol)
    if path.sd is not None:
        np.testing.assert_allclose(path.sd, sds, rtol=1e-8)
    after = model.forecast(3, _future(name, 3))
    np.testing.assert_array_equal(after.mean, before.mean)


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
